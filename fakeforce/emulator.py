"""The Emulator: config, one HTTP server per host, and the test controls."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

from . import ids
from .state import (
    DEFAULT_PERMISSIONS,
    AccessToken,
    AuthCode,
    Cursor,
    Fault,
    Org,
    RefreshToken,
    RetrieveJob,
    User,
)
from .store import MetadataStore, Props

FAULT_KINDS = {"expired_session", "request_limit", "server_error", "soap_fault", "retrieve_limit",
               "slow_retrieve", "failed_retrieve", "revoked_refresh", "timeout", "failed_bulk_job"}
DEFAULT_VERSIONS = ["58.0", "59.0", "60.0", "61.0", "62.0", "63.0", "64.0"]
_LABELS = {"58.0": "Summer '23", "59.0": "Winter '24", "60.0": "Spring '24", "61.0": "Summer '24",
           "62.0": "Winter '25", "63.0": "Spring '25", "64.0": "Summer '25", "65.0": "Winter '26"}


def iso_ms(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@dataclass(frozen=True)
class OrgHandle:
    key: str
    org_id: str
    instance_url: str
    my_domain: str
    username: str
    password: str
    is_sandbox: bool


@dataclass
class Settings:
    client_id: str
    client_secret: str
    redirect_uris: list[str]
    query_batch_size: int = 2000
    retrieve_polls: int = 1
    max_retrieve_files: int = 10000
    api_versions: tuple[str, ...] = tuple(DEFAULT_VERSIONS)
    code_ttl_seconds: float = 900.0
    rotate_refresh_tokens: bool = False
    metadata_date: str = "2024-01-15T10:00:00.000Z"
    dependency_row_limit: int = 2000
    require_client_secret: bool = True
    # Retrieve latency (off unless set): a retrieve takes retrieve_seconds plus this much per file
    # in it to prepare; checkRetrieveStatus answers InProgress (Pending while queued) until then.
    retrieve_seconds: float = 0.0
    retrieve_seconds_per_file: float = 0.0
    # Retrieves of one org prepared at once; more wait as Pending (Salesforce queues them: "Does a
    # Retrieve Job Have a Status of Pending?"). Salesforce gives no number: 5 is an assumption.
    active_retrieves: int = 5
    # Retrieves of one org still being prepared (Pending or InProgress) above which a new retrieve
    # answers REQUEST_LIMIT_EXCEEDED (ConcurrentRequests). None: the concurrent long-running request
    # limit of the org's edition, 5 for Developer Edition and trials, 25 otherwise (docs/salesforce-limits.md).
    concurrent_retrieves: int | None = None


class Emulator:
    def __init__(self, settings: Settings, orgs: list[Org], port_base: int | None = None) -> None:
        self.settings = settings
        self.orgs: dict[str, Org] = {o.key: o for o in orgs}
        self.lock = threading.RLock()
        self.codes: dict[str, AuthCode] = {}
        self.access: dict[str, AccessToken] = {}
        self.refresh: dict[str, RefreshToken] = {}
        self.faults: list[Fault] = []
        self.jobs: dict[str, RetrieveJob] = {}
        self.deploy_jobs: dict[str, Any] = {}  # fakeforce/deploy.py's DeployJob by id
        self.cursors: dict[str, Cursor] = {}
        self.bulk_jobs: dict[str, dict[str, Any]] = {}
        self.auto_approve: str | None = None
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)
        self.monotonic: Callable[[], float] = time.monotonic  # the retrieve latency model's clock
        self.port_base = port_base
        self._servers: list[ThreadingHTTPServer] = []
        self.login_url = ""
        self.sandbox_login_url = ""

    # ------------------------------------------------------------------ construction

    @classmethod
    def from_config(cls, config: str | Path | dict[str, Any], port_base: int | None = None) -> Emulator:
        base_dir = Path.cwd()
        if isinstance(config, dict):
            cfg: dict[str, Any] = config
        else:
            base_dir = Path(config).resolve().parent
            cfg = json.loads(Path(config).read_text())
        return cls._from_dict(cfg, base_dir, port_base)

    @classmethod
    def _from_dict(cls, config: dict[str, Any], base_dir: Path, port_base: int | None) -> Emulator:
        settings = Settings(
            client_id=config.get("client_id", "fakeforce-client"),
            client_secret=config.get("client_secret", "fakeforce-secret"),
            redirect_uris=list(config.get("redirect_uris", ["*"])),
            query_batch_size=int(config.get("query_batch_size", 2000)),
            retrieve_polls=int(config.get("retrieve_polls", 1)),
            max_retrieve_files=int(config.get("max_retrieve_files", 10000)),
            api_versions=tuple(config.get("api_versions", DEFAULT_VERSIONS)),
            code_ttl_seconds=float(config.get("code_ttl_seconds", 900)),
            rotate_refresh_tokens=bool(config.get("rotate_refresh_tokens", False)),
            metadata_date=config.get("metadata_date", "2024-01-15T10:00:00.000Z"),
            require_client_secret=bool(config.get("require_client_secret", True)),
            retrieve_seconds=float(config.get("retrieve_seconds", 0.0)),
            retrieve_seconds_per_file=float(config.get("retrieve_seconds_per_file", 0.0)),
            active_retrieves=int(config.get("active_retrieves", 5)),
            concurrent_retrieves=(None if config.get("concurrent_retrieves") is None
                                  else int(config["concurrent_retrieves"])),
        )
        raw_orgs = config.get("orgs", [])
        by_key = {o["key"]: o for o in raw_orgs}
        orgs: list[Org] = []
        for raw in sorted(raw_orgs, key=lambda o: bool(o.get("sandbox"))):  # production first: sandboxes copy it
            orgs.append(_build_org(raw, by_key, {o.key: o for o in orgs}, settings, base_dir, config))
        emu = cls(settings, sorted(orgs, key=lambda o: [r["key"] for r in raw_orgs].index(o.key)), port_base)
        for org in emu.orgs.values():
            if org.is_sandbox and org.parent_key in emu.orgs:
                emu._record_sandbox(emu.orgs[org.parent_key], org, by_key[org.key])
        return emu

    def _record_sandbox(self, prod: Org, sbx: Org, raw: dict[str, Any]) -> None:
        name = sbx.sandbox_name or sbx.key
        info_id = ids.stable_id("0GQ", prod.org_id, name)
        if not any(i["Id"] == info_id for i in prod.sandbox_infos):
            prod.sandbox_infos.append({
                "Id": info_id, "SandboxName": name, "LicenseType": sbx.license_type,
                "Description": raw.get("description"), "HistoryDays": 0, "CopyChatter": False,
                "AutoActivate": True, "ApexClassId": None, "SourceId": None,
                "CreatedDate": "2024-01-01T00:00:00.000+0000",
            })
        prod.sandbox_rows.append({
            "Id": ids.random_id("0GR"), "Status": "Completed", "SandboxName": name, "SandboxInfoId": info_id,
            "LicenseType": sbx.license_type, "CreatedDate": self.now_sf(), "CopyProgress": 100,
            "SandboxOrganization": sbx.org15, "SourceId": None, "Description": raw.get("description"),
            "EndDate": self.now_sf(), "ActivatedDate": self.now_sf(),
        })

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> Emulator:
        from .handler import make_server

        base = self.port_base
        hosts: list[tuple[str, str | None]] = [("login", None), ("sandbox_login", None)]
        hosts += [("org", key) for key in self.orgs]
        for i, (kind, org_key) in enumerate(hosts):
            server = make_server(self, kind, org_key, 0 if base is None else base + i)
            self._servers.append(server)
            url = f"http://127.0.0.1:{server.server_address[1]}"
            if kind == "login":
                self.login_url = url
            elif kind == "sandbox_login":
                self.sandbox_login_url = url
            else:
                assert org_key is not None
                self.orgs[org_key].instance_url = url
            # A short poll interval keeps stop() fast: tests start and stop an emulator per test.
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                             name=f"fakeforce-{kind}-{org_key}", daemon=True).start()
        return self

    def stop(self) -> None:
        stoppers = [threading.Thread(target=s.shutdown) for s in self._servers]
        for t in stoppers:
            t.start()
        for t in stoppers:
            t.join()
        for server in self._servers:
            server.server_close()
        self._servers.clear()

    def __enter__(self) -> Emulator:
        return self.start() if not self._servers else self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ lookups

    def org(self, key_or_id: str) -> OrgHandle:
        org = self.find_org(key_or_id)
        if org is None:
            raise KeyError(key_or_id)
        user = org.users[0] if org.users else User("", "", "", "", "", {})
        return OrgHandle(org.key, org.org_id, org.instance_url, org.my_domain, user.username, user.password,
                         org.is_sandbox)

    def find_org(self, key_or_id: str) -> Org | None:
        if key_or_id in self.orgs:
            return self.orgs[key_or_id]
        return next((o for o in self.orgs.values() if ids.same_id(o.org_id, key_or_id)), None)

    def _org(self, key_or_id: str) -> Org:
        org = self.find_org(key_or_id)
        if org is None:
            raise KeyError(f"unknown org {key_or_id!r}")
        return org

    def now(self) -> datetime:
        return self.clock()

    def now_sf(self) -> str:
        """REST datetime format (2024-01-01T00:00:00.000+0000)."""
        return iso_ms(self.now()).replace("Z", "+0000")

    # ------------------------------------------------------------------ faults

    def inject_fault(self, org: str | None = None, kind: str = "server_error", times: int = 1, **opts: Any) -> None:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; one of {sorted(FAULT_KINDS)}")
        with self.lock:
            self.faults.append(Fault(kind, self._org(org).key if org else None, int(times), opts))

    def take_fault(self, org_key: str, kinds: set[str], api: str | None = None,
                   applies: Callable[[Fault], bool] | None = None) -> Fault | None:
        """Consume one matching fault (org-specific first); `api` filters on the fault's `api` opt,
        `applies` on the rest of its options (a SOAP fault's operation, type or name)."""
        with self.lock:
            for fault in sorted(self.faults, key=lambda f: f.org_key is None):
                if fault.kind not in kinds or fault.org_key not in (None, org_key):
                    continue
                if api and fault.opts.get("api") not in (None, api):
                    continue
                if applies is not None and not applies(fault):
                    continue
                fault.remaining -= 1
                if fault.remaining <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    def clear_faults(self) -> None:
        with self.lock:
            self.faults.clear()

    # ------------------------------------------------------------------ token controls

    def expire_access_tokens(self, org: str) -> int:
        target = self._org(org)
        with self.lock:
            hit = [t for t in self.access.values() if t.org_key == target.key and not t.revoked]
            for t in hit:
                t.revoked = True
        return len(hit)

    def revoke_refresh_tokens(self, org: str) -> int:
        target = self._org(org)
        with self.lock:
            hit = [t for t in self.refresh.values() if t.org_key == target.key and not t.revoked]
            for t in hit:
                t.revoked = True
        return len(hit)

    def set_auto_approve(self, username: str | None) -> None:
        self.auto_approve = username

    def api_calls(self, org: str | None = None) -> int:
        if org is not None:
            return self._org(org).api_used
        return sum(o.api_used for o in self.orgs.values())

    def set_dependencies(self, org: str, rows: list[dict[str, Any]]) -> None:
        """Replace the MetadataComponentDependency rows (full records or {"from": "T:Name", "to": ...})."""
        self._org(org).dependencies = list(rows)

    # ------------------------------------------------------------------ metadata changes

    def _change(self, org: str, type_name: str, full_name: str, content: Any, by: str, must_exist: bool) -> None:
        target = self._org(org)
        with self.lock:
            exists = target.store.exists(type_name, full_name)
            if must_exist and not exists:
                raise KeyError(f"{type_name} {full_name} does not exist in {target.key}")
            target.store.put(type_name, full_name, content)
            by_id = self._user_id_by_name(target, by)
            target.store.touch(type_name, full_name, by_id, by, iso_ms(self.now()), created=not exists)
            self._track(target, type_name, full_name, by_id, deleted=False, new=not exists)

    def add_component(self, org: str, type: str, full_name: str, xml_or_files: Any, by: str = "Jane Admin") -> None:  # noqa: A002
        self._change(org, type, full_name, xml_or_files, by, must_exist=False)

    def modify_component(self, org: str, type: str, full_name: str, xml_or_files: Any, by: str = "Jane Admin") -> None:  # noqa: A002
        self._change(org, type, full_name, xml_or_files, by, must_exist=True)

    def delete_component(self, org: str, type: str, full_name: str, by: str = "Jane Admin") -> None:  # noqa: A002
        target = self._org(org)
        with self.lock:
            target.store.remove(type, full_name)
            self._track(target, type, full_name, self._user_id_by_name(target, by), deleted=True, new=False)

    def _user_id_by_name(self, org: Org, name: str) -> str:
        found = next((u for u in org.users if u.name == name), None)
        return found.id if found else ids.stable_id("005", org.key, name)

    def _track(self, org: Org, type_name: str, full_name: str, by_id: str, deleted: bool, new: bool) -> None:
        if not org.source_tracking:
            return
        counter = len(org.source_members) + 1
        props = org.store.props_of(type_name, full_name)
        org.source_members.append({
            "Id": ids.random_id("0MZ"), "MemberIdOrName": props.id or full_name, "MemberType": type_name,
            "MemberName": full_name, "IsNameObsolete": deleted, "RevisionCounter": counter, "IsNewMember": new,
            "ChangedBy": by_id, "LastModifiedDate": self.now_sf(),
        })

    # ------------------------------------------------------------------ sandboxes

    def refresh_sandbox(self, org: str) -> str:
        """A refresh makes a new org (new ID) with production's metadata; old tokens stop working."""
        sbx = self._org(org)
        if not sbx.is_sandbox:
            raise ValueError(f"{sbx.key} is not a sandbox")
        with self.lock:
            sbx.org_id = ids.random_id("00D")
            prod = self.orgs.get(sbx.parent_key or "")
            if prod is not None:
                sbx.store = prod.store.clone()
                for row in prod.sandbox_rows:
                    if row["SandboxName"] == sbx.sandbox_name and row["Status"] == "Completed":
                        row["Status"] = "Deleted"
                self._record_sandbox(prod, sbx, {})
            sbx.source_members.clear()
        return sbx.org_id

    # ------------------------------------------------------------------ helpers for handlers

    def api_versions(self) -> list[dict[str, str]]:
        return [{"label": _LABELS.get(v, f"v{v}"), "url": f"/services/data/v{v}", "version": v}
                for v in self.settings.api_versions]

    def redirect_allowed(self, uri: str) -> bool:
        return any(allowed == "*" or uri.startswith(allowed) for allowed in self.settings.redirect_uris)

    def info(self) -> dict[str, Any]:
        return {
            "login_url": self.login_url,
            "sandbox_login_url": self.sandbox_login_url,
            "client_id": self.settings.client_id,
            "orgs": {k: {"org_id": o.org_id, "instance_url": o.instance_url, "my_domain": o.my_domain,
                         "is_sandbox": o.is_sandbox, "username": o.users[0].username if o.users else None,
                         "password": o.users[0].password if o.users else None}
                     for k, o in self.orgs.items()},
        }

    def valid_access(self, token: str | None) -> AccessToken | None:
        """The live access token, or None (unknown, revoked, or its org was refreshed away)."""
        if not token:
            return None
        found = self.access.get(token)
        if found is None or found.revoked:
            return None
        org = self.orgs.get(found.org_key)
        if org is None or org.org_id != found.org_id:
            return None
        return found

    def wait(self, seconds: float) -> None:
        time.sleep(seconds)


def _my_domain(raw: dict[str, Any], parent: dict[str, Any] | None) -> str:
    given = raw.get("my_domain") or (parent or {}).get("my_domain") or raw["key"]
    if "://" in given:
        return given
    if raw.get("sandbox"):
        base = given.split("--", 1)[0]
        return f"https://{base}--{raw.get('sandbox_name') or raw['key']}.sandbox.my.salesforce.com"
    if "developer" in str(raw.get("edition", "")).lower():
        return f"https://{given}-dev-ed.develop.my.salesforce.com"
    return f"https://{given}.my.salesforce.com"


def _build_users(raw: dict[str, Any], parent: Org | None, key: str) -> list[User]:
    if not raw.get("users") and parent is not None:
        # A sandbox copies production's users: username + ".<sandboxname>", email + ".invalid" (§6.2).
        suffix = raw.get("sandbox_name") or key
        return [User(u.id, f"{u.username}.{suffix}", u.password, u.name, f"{u.email}.invalid",
                     dict(u.permissions), u.active, u.profile_name, u.hidden_objects) for u in parent.users]
    users = []
    for u in raw.get("users", []):
        perms = dict(DEFAULT_PERMISSIONS)
        perms.update(u.get("permissions", {}))
        user_id = u.get("id") or ids.stable_id("005", key, u["username"].lower())
        users.append(User(ids.to18(user_id), u["username"], u.get("password", "password"),
                          u.get("name", u["username"].split("@")[0]), u.get("email", u["username"]), perms,
                          bool(u.get("active", True)), u.get("profile", "System Administrator"),
                          frozenset(o.lower() for o in u.get("hidden_objects", []))))
    return users


def _build_org(raw: dict[str, Any], by_key: dict[str, Any], built: dict[str, Org], settings: Settings,
               base_dir: Path, config: dict[str, Any]) -> Org:
    key = raw["key"]
    parent_raw = by_key.get(raw.get("parent", "")) if raw.get("sandbox") else None
    parent = built.get(raw.get("parent", "")) if raw.get("sandbox") else None
    org_id = ids.to18(raw.get("org_id") or ids.stable_id("00D", key)[:15])
    users = _build_users(raw, parent, key)
    default_user = users[0] if users else None
    props = Props("", default_user.id if default_user else "", default_user.name if default_user else "",
                  settings.metadata_date, default_user.id if default_user else "",
                  default_user.name if default_user else "", settings.metadata_date)
    metadata = raw.get("metadata")
    if metadata:
        path = Path(metadata)
        store = MetadataStore.from_folder(path if path.is_absolute() else base_dir / path, props)
    elif parent is not None:
        store = parent.store.clone()
    else:
        store = MetadataStore(props)
    edition = raw.get("edition") or (parent.edition if parent else (parent_raw or {}).get("edition")) or "Enterprise Edition"
    return Org(
        key=key,
        name=raw.get("name") or (parent.name if parent else key),
        org_id=org_id,
        is_sandbox=bool(raw.get("sandbox")),
        edition=edition,
        instance_name=raw.get("instance_name", "CS42" if raw.get("sandbox") else "NA135"),
        my_domain=_my_domain(raw, parent_raw),
        users=users,
        store=store,
        parent_key=raw.get("parent"),
        sandbox_name=raw.get("sandbox_name") or (key if raw.get("sandbox") else None),
        license_type=raw.get("license_type", "DEVELOPER"),
        api_enabled=bool(raw.get("api_enabled", True)),
        trial_expiration=raw.get("trial_expiration"),
        namespace=raw.get("namespace"),
        source_tracking=bool(raw.get("source_tracking", False)),
        dependencies=list(raw.get("dependencies", [])),
        api_max=int(raw.get("daily_api_limit", config.get("daily_api_limit", 15000))),
    )
