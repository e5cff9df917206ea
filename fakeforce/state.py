"""Runtime state of the emulated orgs: users, tokens, faults, retrieve jobs, query cursors."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from . import ids
from .store import MetadataStore

# Editions that have no API access at all (Salesforce answers API_DISABLED_FOR_ORG).
NO_API_EDITIONS = {"group edition", "essentials", "essentials edition", "personal edition",
                   "contact manager edition", "starter edition"}

DEFAULT_PERMISSIONS = {"ApiEnabled": True, "ModifyAllData": True, "ModifyMetadata": True,
                       "AuthorApex": True, "ViewSetup": True, "ViewAllData": True, "CustomizeApplication": True}


@dataclass
class User:
    id: str
    username: str
    password: str
    name: str
    email: str
    permissions: dict[str, bool]
    active: bool = True
    profile_name: str = "System Administrator"
    # sObjects this user's profile cannot see: SOQL on them answers INVALID_TYPE, as on Salesforce.
    hidden_objects: frozenset[str] = frozenset()

    @property
    def first_name(self) -> str:
        return self.name.split(" ", 1)[0] if " " in self.name else ""

    @property
    def last_name(self) -> str:
        return self.name.split(" ", 1)[1] if " " in self.name else self.name


@dataclass
class Org:
    key: str
    name: str
    org_id: str  # 18 chars
    is_sandbox: bool
    edition: str
    instance_name: str
    my_domain: str
    users: list[User]
    store: MetadataStore
    parent_key: str | None = None
    sandbox_name: str | None = None
    license_type: str = "DEVELOPER"
    api_enabled: bool = True
    trial_expiration: str | None = None
    namespace: str | None = None
    source_tracking: bool = False
    instance_url: str = ""
    dependencies: list[dict[str, Any]] = field(default_factory=list)
    sandbox_rows: list[dict[str, Any]] = field(default_factory=list)  # SandboxProcess (production only)
    sandbox_infos: list[dict[str, Any]] = field(default_factory=list)  # SandboxInfo (production only)
    source_members: list[dict[str, Any]] = field(default_factory=list)
    api_used: int = 0
    api_max: int = 15000
    created_date: str = "2020-01-01T00:00:00.000+0000"

    @property
    def org15(self) -> str:
        return self.org_id[:15]

    def user_by_username(self, username: str) -> User | None:
        return next((u for u in self.users if u.username.lower() == username.lower()), None)

    def user_by_id(self, user_id: str) -> User | None:
        return next((u for u in self.users if ids.same_id(u.id, user_id)), None)

    @property
    def has_api(self) -> bool:
        return self.api_enabled and self.edition.lower() not in NO_API_EDITIONS

    @property
    def concurrent_request_limit(self) -> int:
        """Salesforce's concurrent long-running API request limit: 5 for Developer Edition and trial
        orgs, 25 for production orgs and sandboxes (docs/salesforce-limits.md)."""
        small = "developer" in self.edition.lower() or self.trial_expiration is not None
        return 5 if small else 25


@dataclass
class AuthCode:
    org_key: str
    org_id: str
    user_id: str
    client_id: str
    redirect_uri: str
    scope: str
    challenge: str | None
    expires_at: float
    login_base: str  # which login host the identity URL names


@dataclass
class RefreshToken:
    value: str
    org_key: str
    org_id: str
    user_id: str
    client_id: str
    scope: str
    login_base: str
    revoked: bool = False


@dataclass
class AccessToken:
    value: str
    org_key: str
    org_id: str
    user_id: str
    scope: str
    login_base: str
    refresh: str | None
    issued_at: float = field(default_factory=time.time)
    revoked: bool = False


@dataclass
class Fault:
    kind: str
    org_key: str | None
    remaining: int
    opts: dict[str, Any]


@dataclass
class RetrieveJob:
    id: str
    org_key: str
    org_id: str
    polls_left: int
    files: dict[str, bytes]
    listed: list[Any]
    messages: list[tuple[str, str]]
    error: tuple[str, str] | None = None
    zip_consumed: bool = False
    # The latency model (Settings.retrieve_seconds): Pending until start_at, InProgress until ready_at.
    submitted_at: float = 0.0
    start_at: float = 0.0
    ready_at: float = 0.0


@dataclass
class Cursor:
    rows: list[dict[str, Any]]
    org_key: str
    entity: str
    batch: int
