"""From a sandbox to its production: what the sandbox changed since a baseline, as a release manager
reads it and as a deployable `package.xml` with `destructiveChanges.xml`.

The rule (docs/user/across-implementations.md):
- The baseline is the sandbox's version at a chosen date (its last version read on or before it), or
  a chosen version; without either, the first version read after its last refresh that Orgbook
  knows of (a confirmed rebind of the refreshed sandbox), else version 0: everything that differs.
- *Add* / *change*: in the sandbox and not in production, or in both but different, and added or
  changed in the sandbox after the baseline. A difference the sandbox did not make since then was
  made in production (after the refresh): it is listed as *changed in production* and left out of
  the package, so a deploy never overwrites production's newer work.
- *Delete* (destructiveChanges.xml): in production, and seen removed from the sandbox after the
  baseline. What production has that the sandbox never had is left alone.
- Only types the Metadata API deploys (the registry's) go in a manifest; others are listed as such.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape

from orgbook.errors import Invalid
from orgbook.metadata.registry import REGISTRY
from orgbook.orgmodels import compare
from orgbook.orgmodels.models import Component, ComponentStatus, OrgModel, SyncRun
from orgbook.spaces.models import AuditEvent

ADD, CHANGE, DELETE = "add", "change", "delete"
PRODUCTION_CHANGED, NOT_DEPLOYABLE = "production_changed", "not_deployable"
IN_PACKAGE = (ADD, CHANGE)
ACTIONS = (ADD, CHANGE, DELETE, PRODUCTION_CHANGED, NOT_DEPLOYABLE)
MD_NS = "http://soap.sforce.com/2006/04/metadata"


@dataclass(frozen=True)
class Entry:
    action: str  # add, change, delete, production_changed, not_deployable
    type: str
    full_name: str
    label: str
    changed_version: int  # the sandbox version that made it (0 when the sandbox did not)


@dataclass(frozen=True)
class Manifest:
    source: OrgModel
    target: OrgModel
    baseline: int
    entries: list[Entry]
    api_version: str

    def of(self, *actions: str) -> list[Entry]:
        return [e for e in self.entries if e.action in actions]

    def package_xml(self) -> str:
        return package_xml(self.of(*IN_PACKAGE), self.api_version)

    def destructive_xml(self) -> str:
        return package_xml(self.of(DELETE), self.api_version, with_version=True)


def baseline_version(sandbox: OrgModel, since: datetime | None = None, since_version: int | None = None) -> int:
    """The sandbox version the manifest starts after: the chosen version, or the last one read on or
    before `since`; by default its last refresh (`last_refresh_version`), else 0 (everything that differs)."""
    if since_version is not None:
        if not 0 <= since_version <= sandbox.version:
            raise Invalid(f"since_version must be between 0 and {sandbox.version} (the version of {sandbox.name}).")
        return since_version
    if since is None:
        return last_refresh_version(sandbox)
    found = (SyncRun.objects.filter(model=sandbox, version__isnull=False, finished_at__lte=since)
             .order_by("-version").values_list("version", flat=True).first())
    return int(found or 0)


def last_refresh_version(sandbox: OrgModel) -> int:
    """The first version read after the sandbox's last refresh that Orgbook knows of (an admin confirmed
    the refreshed sandbox: the `org.sandbox_rebound` audit event): that reading is production's copy,
    so what differs in it is production's, not the sandbox's work. 0 when none is known. Before the
    first sync after the refresh nothing is the sandbox's work yet: its current version."""
    if sandbox.connection_id is None:
        return 0
    refreshed = (AuditEvent.objects.filter(action="org.sandbox_rebound", target_type="OrgConnection",
                                           target_id=str(sandbox.connection_id))
                 .order_by("-at").values_list("at", flat=True).first())
    if refreshed is None:
        return 0
    first_after = (SyncRun.objects.filter(model=sandbox, version__isnull=False, finished_at__gt=refreshed)
                   .order_by("version").values_list("version", flat=True).first())
    return int(first_after if first_after is not None else sandbox.version)


def check_pair(source: OrgModel, target: OrgModel) -> None:
    compare.check_pair(source, target)


def build(source: OrgModel, target: OrgModel, *, since: datetime | None = None, since_version: int | None = None,
          api_version: str = "62.0") -> Manifest:
    """The manifest from `source` (a sandbox) to `target` (its production), after the baseline."""
    check_pair(source, target)
    base = baseline_version(source, since, since_version)
    lines = list(compare.lines(source, target))
    versions = _sandbox_versions(source, [(ln.type, ln.name_key) for ln in lines])
    entries: list[Entry] = []
    for ln in lines:
        status, changed = versions.get((ln.type, ln.name_key), ("", 0))
        made_by_sandbox = changed > base
        if ln.kind == compare.ONLY_B:
            if not (status == ComponentStatus.DELETED and made_by_sandbox):
                continue  # production's own, or removed before the baseline: left alone
            action = DELETE
        elif made_by_sandbox:
            action = ADD if ln.kind == compare.ONLY_A else CHANGE
        else:
            action = PRODUCTION_CHANGED
        if action != PRODUCTION_CHANGED and not REGISTRY.is_known(ln.type):
            action = NOT_DEPLOYABLE
        entries.append(Entry(action, ln.type, ln.full_name, ln.label, changed if made_by_sandbox else 0))
    order = {a: i for i, a in enumerate(ACTIONS)}
    entries.sort(key=lambda e: (order[e.action], e.type, e.full_name.lower()))
    return Manifest(source, target, base, entries, api_version)


def _sandbox_versions(sandbox: OrgModel, keys: list[tuple[str, str]]) -> dict[tuple[str, str], tuple[str, int]]:
    """(type, name key) -> (status, changed_version) in the sandbox, deleted rows included."""
    out: dict[tuple[str, str], tuple[str, int]] = {}
    wanted = set(keys)
    for chunk in compare.batches(keys):
        rows = (Component.objects.filter(model=sandbox, name_key__in={k for _, k in chunk})
                .values_list("type", "name_key", "status", "changed_version"))
        out.update({(t, k): (s, v) for t, k, s, v in rows if (t, k) in wanted})
    return out


def package_xml(entries: list[Entry], api_version: str, with_version: bool = True) -> str:
    """A Metadata API manifest: members by type, both sorted as Salesforce writes them."""
    by_type: dict[str, list[str]] = {}
    for e in entries:
        by_type.setdefault(e.type, []).append(e.full_name)
    parts = ['<?xml version="1.0" encoding="UTF-8"?>', f'<Package xmlns="{MD_NS}">']
    for type_ in sorted(by_type):
        parts.append("    <types>")
        parts += [f"        <members>{escape(m)}</members>" for m in sorted(by_type[type_], key=str.lower)]
        parts += [f"        <name>{escape(type_)}</name>", "    </types>"]
    if with_version:
        parts.append(f"    <version>{escape(api_version)}</version>")
    parts.append("</Package>")
    return "\n".join(parts) + "\n"


def parse_since(value: str | None) -> datetime | None:
    """A date (YYYY-MM-DD: the end of that day, UTC) or an ISO date-time; None when not given."""
    if not value:
        return None
    from datetime import UTC, time

    try:
        if len(value) == 10:
            return datetime.combine(datetime.fromisoformat(value).date(), time.max, tzinfo=UTC)
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise Invalid(f"since must be a date (2026-11-30) or a date and time (2026-11-30T17:00:00Z), not {value!r}.",
                      field="since") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def zip_bytes(found: Manifest) -> bytes:
    """package.xml, with destructiveChanges.xml when the sandbox removed something: the manifest a
    release manager retrieves from the sandbox with (`sf project retrieve start --manifest`) and
    deploys to production."""
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("package.xml", found.package_xml())
        if found.of(DELETE):
            zf.writestr("destructiveChanges.xml", found.destructive_xml())
    return buf.getvalue()
