"""SOQL rows for Folder and the objects that live in folders (Report, Dashboard, EmailTemplate).

Served from the org's metadata store, with Salesforce's field names (Object Reference: Report,
Dashboard, EmailTemplate, Folder):
- `Folder.Type` is the item kind (`Report`, `Dashboard`, `Email`, `Document`); `ParentId` is the
  enclosing folder of a nested one; `DeveloperName` is the last segment of the folder's full name.
- A report's folder is its `OwnerId`; dashboards and email templates carry `FolderId`.
  Items in the unfiled public folder (`unfiled$public`) point at the organization's Id.
- Datetimes in REST answers are `2024-01-01T00:00:00.000+0000`; relationship fields
  (`LastModifiedBy.Name`) are answered as nested records by rest.py.
"""

from __future__ import annotations

import functools
from typing import Any

from lxml import etree

from . import xmlutil
from .state import Org
from .store import Component, Props

FOLDER_KIND = {"reportfolder": "Report", "dashboardfolder": "Dashboard", "emailfolder": "Email",
               "documentfolder": "Document"}
# sObject (lower-case) -> (metadata type, folder field, folder kind)
ITEM_OBJECTS = {"report": ("Report", "OwnerId", "Report"), "dashboard": ("Dashboard", "FolderId", "Dashboard"),
                "emailtemplate": ("EmailTemplate", "FolderId", "Email")}
AUDIT = ["CreatedById", "CreatedBy.Name", "CreatedDate", "LastModifiedById", "LastModifiedBy.Name",
         "LastModifiedDate", "SystemModstamp"]
FOLDER_FIELDS = ["Id", "Name", "DeveloperName", "NamespacePrefix", "Type", "AccessType", "IsReadonly", "ParentId",
                 *AUDIT]
ITEM_FIELDS = {
    "report": ["Id", "Name", "DeveloperName", "NamespacePrefix", "OwnerId", "FolderName", "Format", "Description",
               "IsDeleted", "LastRunDate", "ReportTypeApiName", *AUDIT],
    "dashboard": ["Id", "Title", "DeveloperName", "NamespacePrefix", "FolderId", "FolderName", "Description",
                  "Type", "IsDeleted", *AUDIT],
    "emailtemplate": ["Id", "Name", "DeveloperName", "NamespacePrefix", "FolderId", "FolderName", "TemplateType",
                      "Description", "IsActive", "Subject", *AUDIT],
}


def rest_datetime(value: str) -> str:
    """Metadata API dates end in Z; REST answers the same instant as +0000."""
    return value[:-1] + "+0000" if value.endswith("Z") else value


def _audit(props: Props) -> dict[str, Any]:
    return {"CreatedById": props.created_by_id or None, "CreatedBy.Name": props.created_by_name or None,
            "CreatedDate": rest_datetime(props.created_date), "LastModifiedById": props.last_modified_by_id or None,
            "LastModifiedBy.Name": props.last_modified_by_name or None,
            "LastModifiedDate": rest_datetime(props.last_modified_date),
            "SystemModstamp": rest_datetime(props.last_modified_date)}


def _xml_text(comp: Component, tag: str) -> str | None:
    data = next((v for k, v in comp.files.items() if not k.endswith((".email", ".png"))), None)
    return None if data is None else _fields_of(data).get(tag)


@functools.lru_cache(maxsize=65536)
def _fields_of(data: bytes) -> dict[str, str]:
    """Top-level text fields of one XML file (cached: every query reads every item's label)."""
    try:
        root = xmlutil.parse(data)
    except etree.XMLSyntaxError:
        return {}
    return {etree.QName(c).localname: (c.text or "").strip() for c in root if isinstance(c.tag, str) and len(c) == 0}


def _folders(org: Org) -> list[Component]:
    return [c for (t, _), c in sorted(org.store.components.items()) if t in FOLDER_KIND]


def folder_rows(org: Org) -> list[dict[str, Any]]:
    by_path = {(c.type.lower(), c.full_name.lower()): c for c in _folders(org)}
    rows = []
    for comp in by_path.values():
        props = org.store.props_of(comp.type, comp.full_name)
        parent_path = comp.full_name.rsplit("/", 1)[0] if "/" in comp.full_name else None
        parent = by_path.get((comp.type.lower(), parent_path.lower())) if parent_path else None
        rows.append({"Id": props.id, "Name": _xml_text(comp, "name") or comp.full_name.rsplit("/", 1)[-1],
                     "DeveloperName": comp.full_name.rsplit("/", 1)[-1], "NamespacePrefix": None,
                     "Type": FOLDER_KIND[comp.type.lower()], "AccessType": _xml_text(comp, "accessType") or "Public",
                     "IsReadonly": False,
                     "ParentId": org.store.props_of(parent.type, parent.full_name).id if parent else None,
                     **_audit(props)})
    return rows


def item_rows(org: Org, entity: str) -> list[dict[str, Any]]:
    type_name, folder_field, kind = ITEM_OBJECTS[entity]
    folders = {c.full_name.lower(): c for c in _folders(org) if FOLDER_KIND[c.type.lower()] == kind}
    rows = []
    for comp in org.store.of_type(type_name):
        if "/" not in comp.full_name:
            continue
        folder_name, dev_name = comp.full_name.rsplit("/", 1)
        folder = folders.get(folder_name.lower())
        if folder is not None:
            folder_id = org.store.props_of(folder.type, folder.full_name).id
            folder_label = _xml_text(folder, "name") or folder_name
        elif folder_name.lower() == "unfiled$public":
            folder_id, folder_label = org.org_id, "Unfiled Public " + {"Report": "Reports"}.get(kind, kind + "s")
        else:
            continue  # a folder the org does not have: Salesforce would not hold the item either
        props = org.store.props_of(comp.type, comp.full_name)
        label = _xml_text(comp, "name") or _xml_text(comp, "title") or dev_name
        row: dict[str, Any] = {"Id": props.id, "DeveloperName": dev_name, "NamespacePrefix": None,
                               folder_field: folder_id, "FolderName": folder_label,
                               "Description": _xml_text(comp, "description"), "IsDeleted": False, **_audit(props)}
        if entity == "report":
            row.update({"Name": label, "Format": _xml_text(comp, "format") or "Tabular", "LastRunDate": None,
                        "ReportTypeApiName": _xml_text(comp, "reportType")})
        elif entity == "dashboard":
            row.update({"Title": label, "Type": _xml_text(comp, "dashboardType") or "SpecifiedUser"})
        else:
            row.update({"Name": label, "TemplateType": _xml_text(comp, "type") or "text",
                        "IsActive": (_xml_text(comp, "available") or "true") == "true",
                        "Subject": _xml_text(comp, "subject")})
        rows.append(row)
    return rows
