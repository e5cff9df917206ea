"""Listing foldered metadata (reports, dashboards, email templates) with SOQL instead of listMetadata.

listMetadata takes one folder per query and three queries per call, so an org with hundreds of
report folders costs hundreds of calls just to list them. The REST query API answers 2,000 rows a
call for every folder at once (Object Reference: Folder, Report, Dashboard, EmailTemplate):
- `Folder` rows carry `DeveloperName`, `Type` (Report, Dashboard, Email, Document) and
  `ParentId` (nested folders: the Metadata API full name is the path, `Top/Child`).
- A report's folder is its `OwnerId`; dashboards and email templates carry `FolderId`. Items in
  the unfiled public folder point at the organization (`00D...`), private ones at a user (`005...`):
  the Metadata API cannot retrieve private items, so they are left out.
- The Metadata API full name is `FolderPath/DeveloperName` (`ns__Name` when namespaced).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from orgbook.salesforce.client import SalesforceClient, timed
from orgbook.salesforce.ids import to_18
from orgbook.salesforce.metadata_api import FileProperties

UNFILED = "unfiled$public"
_AUDIT = "CreatedDate, CreatedById, CreatedBy.Name, LastModifiedDate, LastModifiedById, LastModifiedBy.Name"
COUNT_IDS_PER_QUERY = 300  # folder Ids in one COUNT() ... IN (...): keeps the URL well under 16 KB


@dataclass(frozen=True)
class FolderedType:
    type: str  # Metadata API item type
    folder_type: str  # Metadata API folder type
    sobject: str
    folder_field: str  # the item's field naming its folder
    kind: str  # Folder.Type
    directory: str
    suffix: str


FOLDERED = {t.type: t for t in (
    FolderedType("Report", "ReportFolder", "Report", "OwnerId", "Report", "reports", "report"),
    FolderedType("Dashboard", "DashboardFolder", "Dashboard", "FolderId", "Dashboard", "dashboards", "dashboard"),
    FolderedType("EmailTemplate", "EmailFolder", "EmailTemplate", "FolderId", "Email", "email", "email"),
)}


@dataclass(frozen=True)
class Folder:
    id: str  # 18 chars
    kind: str
    full_name: str
    props: FileProperties


def sf_datetime(value: str | None) -> str:
    """REST datetimes (`...000+0000`) in the Metadata API's form (`...000Z`)."""
    if not value:
        return ""
    return value[:-5] + "Z" if value.endswith("+0000") else value


def soql_datetime(moment: datetime) -> str:
    """A SOQL datetime literal (seconds precision, UTC)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _name(row: dict[str, Any]) -> str:
    ns = row.get("NamespacePrefix")
    return f"{ns}__{row['DeveloperName']}" if ns else str(row["DeveloperName"])


def _who(row: dict[str, Any], rel: str) -> str:
    nested = row.get(rel)
    return str(nested.get("Name") or "") if isinstance(nested, dict) else ""


def _props(mtype: str, full_name: str, file_name: str, row: dict[str, Any]) -> FileProperties:
    return FileProperties(
        type=mtype, full_name=full_name, file_name=file_name, id=to_18(str(row["Id"])),
        created_by_id=str(row.get("CreatedById") or ""), created_by_name=_who(row, "CreatedBy"),
        created_date=sf_datetime(row.get("CreatedDate")),
        last_modified_by_id=str(row.get("LastModifiedById") or ""), last_modified_by_name=_who(row, "LastModifiedBy"),
        last_modified_date=sf_datetime(row.get("LastModifiedDate")), namespace_prefix=row.get("NamespacePrefix"),
    )


class FolderListing:
    """Folders and their items over the REST query API, counting calls on the shared client."""

    def __init__(self, client: SalesforceClient, org_id: str) -> None:
        self.client = client
        self.stats = client.stats
        self.org_id = to_18(org_id)

    @timed
    def folders(self) -> dict[str, Folder]:
        """Every folder of the kinds we list, by 18-char Id, with its full path as the name."""
        kinds = ", ".join(f"'{t.kind}'" for t in FOLDERED.values())
        rows = self.client.query_all(
            f"SELECT Id, DeveloperName, NamespacePrefix, Type, ParentId, {_AUDIT} FROM Folder "  # noqa: S608 (constants)
            f"WHERE Type IN ({kinds})")
        by_id = {to_18(str(r["Id"])): r for r in rows}
        out: dict[str, Folder] = {}
        for fid, row in by_id.items():
            path, parent, seen = [_name(row)], row.get("ParentId"), {fid}
            while parent and to_18(str(parent)) in by_id and to_18(str(parent)) not in seen:
                seen.add(to_18(str(parent)))
                up = by_id[to_18(str(parent))]
                path.insert(0, _name(up))
                parent = up.get("ParentId")
            ftype = next(t for t in FOLDERED.values() if t.kind == row["Type"])
            full = "/".join(path)
            out[fid] = Folder(fid, str(row["Type"]), full,
                              _props(ftype.folder_type, full, f"{ftype.directory}/{full}", row))
        return out

    @timed
    def items(self, ftype: FolderedType, folders: dict[str, Folder],
              since: datetime | None = None) -> list[FileProperties]:
        """Items in public folders (and unfiled), all of them or those modified at or after `since`."""
        where = f" WHERE LastModifiedDate >= {soql_datetime(since)}" if since else ""
        rows = self.client.query_all(
            f"SELECT Id, DeveloperName, NamespacePrefix, {ftype.folder_field}, {_AUDIT} "  # noqa: S608 (no user input)
            f"FROM {ftype.sobject}{where}")
        out = []
        for row in rows:
            folder_path = self._folder_path(row.get(ftype.folder_field), ftype, folders)
            if folder_path is None:
                continue  # a private folder: not retrievable through the Metadata API
            full = f"{folder_path}/{_name(row)}"
            out.append(_props(ftype.type, full, f"{ftype.directory}/{full}.{ftype.suffix}", row))
        return out

    @timed
    def count(self, ftype: FolderedType, folders: dict[str, Folder]) -> int:
        """How many items the public folders (and unfiled) hold: what a full `items()` would answer."""
        ids = [self.org_id, *(f.id for f in folders.values() if f.kind == ftype.kind)]
        total = 0
        for batch in _batches(ids, COUNT_IDS_PER_QUERY):
            in_list = ", ".join(f"'{i}'" for i in batch)  # Ids from Salesforce, checked by to_18
            soql = f"SELECT COUNT() FROM {ftype.sobject} WHERE {ftype.folder_field} IN ({in_list})"  # noqa: S608
            total += int(self.client.query(soql)["totalSize"])
        return total

    def _folder_path(self, owner: Any, ftype: FolderedType, folders: dict[str, Folder]) -> str | None:
        if not owner:
            return None
        owner_id = to_18(str(owner))
        if owner_id == self.org_id:
            return UNFILED
        folder = folders.get(owner_id)
        return folder.full_name if folder is not None and folder.kind == ftype.kind else None


def _batches(items: list[str], size: int) -> Iterable[list[str]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]
