"""The "wrong org" guard of the connect flow (docs/salesforce-protocols.md §6.3). Pure functions.

The rule it applies is stated in docs/user/connecting-orgs.md, "Which org a login may connect".

The connect flow asks Salesforce who came back (token `id`, Organization, UserPermissionAccess,
and — for a sandbox — production's SandboxProcess rows), then calls `check_connect()`. A
Refusal means: revoke the new tokens, store nothing, and show `message` to the user.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal
from urllib.parse import urlsplit

from orgbook.salesforce.client import Organization, SandboxProcess, UserPermissions
from orgbook.salesforce.ids import same_id, to_18

Kind = Literal["production", "sandbox"]

# Editions whose orgs have no API at all (Professional only with the API add-on, which the
# org then reports as API access working; see `facts.api_disabled`).
EDITIONS_WITHOUT_API = (
    "Group Edition",
    "Essentials Edition",
    "Personal Edition",
    "Team Edition",
    "Contact Manager Edition",
)

# Enhanced-domains sandbox host: <mydomain>--<sandboxname>.sandbox.my.salesforce.com
_SANDBOX_HOST = re.compile(r"^(?P<prod>[a-z0-9-]+?)--(?P<sandbox>[a-z0-9]+)\.sandbox\.my\.salesforce\.com$")
_PRODUCTION_HOST = re.compile(r"^(?P<prod>[a-z0-9-]+?)\.my\.salesforce\.com$")


@dataclass(frozen=True)
class ConnectRequest:
    """What the user asked for, and what the Space already holds."""

    kind: Kind
    implementation_name: str
    # The implementation's production org, when one is connected.
    production_org_id: str | None = None
    production_my_domain: str | None = None  # e.g. "https://acme.my.salesforce.com" or "acme"
    # Every org connected anywhere in the Space: org id -> implementation name.
    connected_orgs: Mapping[str, str] = field(default_factory=dict)
    # Reconnecting an existing connection: the org id it must come back as.
    reconnect_org_id: str | None = None


@dataclass(frozen=True)
class OrgFacts:
    """What came back from Salesforce for the new token."""

    org_id: str  # from the token `id` URL / identity
    username: str = ""
    my_domain: str = ""  # identity urls.custom_domain (else instance_url host)
    organization: Organization | None = None  # None when the API refused (see api_disabled)
    permissions: UserPermissions | None = None
    # Production's SandboxProcess rows (asked with production's token); None = not available.
    production_sandboxes: Sequence[SandboxProcess] | None = None
    api_disabled: bool = False  # the Organization query answered API_DISABLED_FOR_ORG & co.


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str
    ok: bool = False


@dataclass(frozen=True)
class Ok:
    ok: bool = True


OK = Ok()
Verdict = Ok | Refusal


def check_connect(request: ConnectRequest, facts: OrgFacts) -> Verdict:
    """OK, or the first reason to refuse, in the order a user can act on them."""
    for check in (
        _check_api,
        _check_reconnect,
        _check_kind,
        _check_already_connected,
        _check_second_production,
        _check_sandbox_parent,
        _check_permissions,
    ):
        refusal = check(request, facts)
        if refusal is not None:
            return refusal
    return OK


def _check_api(request: ConnectRequest, facts: OrgFacts) -> Refusal | None:
    edition = facts.organization.organization_type if facts.organization else ""
    if facts.api_disabled or edition in EDITIONS_WITHOUT_API:
        which = f"This org is {edition} and does not" if edition else "This org does not"
        return Refusal(
            "edition_without_api",
            f"{which} give API access, which Orgbook needs to read its metadata. "
            "API access comes with Enterprise, Unlimited, Performance and Developer Edition "
            "(Professional Edition only with the API add-on). Nothing was connected.",
        )
    return None


def _check_reconnect(request: ConnectRequest, facts: OrgFacts) -> Refusal | None:
    if request.reconnect_org_id and not same_id(request.reconnect_org_id, facts.org_id):
        return Refusal(
            "reconnect_wrong_org",
            f"You are reconnecting org {to_18(request.reconnect_org_id)}, but the login "
            f"{_as_user(facts)}belongs to org {to_18(facts.org_id)}. Log in with a user of the org you are "
            "reconnecting. Nothing was changed.",
        )
    return None


def _check_kind(request: ConnectRequest, facts: OrgFacts) -> Refusal | None:
    if facts.organization is None:
        return None
    if request.kind == "sandbox" and not facts.organization.is_sandbox:
        return Refusal(
            "wrong_kind_expected_sandbox",
            f"You chose Sandbox, but {_org_label(facts)} is a production org. Log in at "
            "https://test.salesforce.com (or the sandbox's My Domain) with the sandbox user "
            "(usually your username followed by .<sandboxname>), or choose Production. Nothing was connected.",
        )
    if request.kind == "production" and facts.organization.is_sandbox:
        return Refusal(
            "wrong_kind_expected_production",
            f"You chose Production, but {_org_label(facts)} is a sandbox. Log in at "
            "https://login.salesforce.com (or the production My Domain) with a production user, "
            "or choose Sandbox. Nothing was connected.",
        )
    return None


def _check_already_connected(request: ConnectRequest, facts: OrgFacts) -> Refusal | None:
    if request.reconnect_org_id:
        return None  # reconnecting an org that is, by definition, connected
    for org_id, implementation in request.connected_orgs.items():
        if same_id(org_id, facts.org_id):
            return Refusal(
                "org_already_connected",
                f"{_sentence(_org_label(facts))} is already connected in this Space, in implementation "
                f'"{implementation}". An org can be connected once; open it there, or disconnect it '
                "there first. Nothing was connected.",
            )
    return None


def _check_second_production(request: ConnectRequest, facts: OrgFacts) -> Refusal | None:
    if request.kind != "production" or not request.production_org_id or request.reconnect_org_id:
        return None
    if same_id(request.production_org_id, facts.org_id):
        return None
    return Refusal(
        "second_production",
        f'Implementation "{request.implementation_name}" already has a production org '
        f"({to_18(request.production_org_id)}); an implementation holds one production org and its "
        f"sandboxes. To connect {_org_label(facts)}, create a new implementation for it. Nothing was connected.",
    )


def _check_sandbox_parent(request: ConnectRequest, facts: OrgFacts) -> Refusal | None:
    if request.kind != "sandbox" or not request.production_org_id or request.reconnect_org_id:
        return None  # no production yet: nothing to check against (checked when it connects)
    verdict = sandbox_belongs_to_production(facts, request.production_my_domain)
    if verdict is True:
        return None
    why = (
        f'the sandbox\'s My Domain says it was made from "{verdict}"'
        if isinstance(verdict, str)
        else "the production org lists no sandbox with this org id"
    )
    return Refusal(
        "sandbox_of_other_production",
        f'{_sentence(_org_label(facts))} is not a sandbox of implementation "{request.implementation_name}"\'s '
        f"production org ({to_18(request.production_org_id)}): {why}. Connect it to the implementation "
        "of its own production org, or log in to a sandbox of this one. If the sandbox was just refreshed, "
        "wait until its copy has completed. Nothing was connected.",
    )


def sandbox_belongs_to_production(facts: OrgFacts, production_my_domain: str | None) -> bool | str | None:
    """True when production's SandboxProcess rows or the My Domain name prove the link.

    Returns the other production's My Domain name when the sandbox host names a different one,
    else False (not proven)."""
    rows = facts.production_sandboxes or ()
    if any(same_id(row.sandbox_org_id, facts.org_id) and not row.is_deleted for row in rows):
        return True
    sandbox_prod = _sandbox_host_production(facts.my_domain)
    production = my_domain_name(production_my_domain)
    if sandbox_prod and production:
        return True if sandbox_prod == production else sandbox_prod
    return False


def _check_permissions(request: ConnectRequest, facts: OrgFacts) -> Refusal | None:
    if facts.permissions is None:
        return None
    missing = facts.permissions.missing_for_sync()
    if not missing:
        return None
    return Refusal(
        "missing_permissions",
        f"The user {facts.username or '(unknown)'} lacks {', '.join(missing)}. Orgbook reads metadata with "
        "the Metadata API, which needs these permissions. Ask a Salesforce admin to grant them through a "
        "permission set (or connect with a user who has them), then connect again. Nothing was connected.",
    )


def my_domain_name(url_or_name: str | None) -> str | None:
    """`https://acme.my.salesforce.com` -> `acme`; a bare name is returned lower-cased."""
    if not url_or_name:
        return None
    value = url_or_name.strip().lower()
    host = urlsplit(value).hostname if "://" in value else value
    if not host:
        return None
    match = _PRODUCTION_HOST.match(host) or _SANDBOX_HOST.match(host)
    if match:
        return match.group("prod")
    return None if "." in host else host


def _sandbox_host_production(url: str) -> str | None:
    host = urlsplit(url.lower()).hostname if "://" in url else url.lower()
    match = _SANDBOX_HOST.match(host or "")
    return match.group("prod") if match else None


def _org_label(facts: OrgFacts) -> str:
    name = facts.organization.name if facts.organization else ""
    return f'the org "{name}" ({to_18(facts.org_id)})' if name else f"the org {to_18(facts.org_id)}"


def _as_user(facts: OrgFacts) -> str:
    return f"as {facts.username} " if facts.username else ""


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]
