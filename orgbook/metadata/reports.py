"""Dependencies of reports, report types and dashboards.

Admins ask "which reports use this field?" before they delete or change one, so a report's
columns, groupings, filters and date filter are read as field references:

- `Property__c.Price__c`: a field of the report's object (custom-object report types, and custom
  fields in standard report types);
- `FK_$Service__c.Program__c`: a field of the object a lookup on the report's object points at;
- `Contact$AttendanceRate__c`, `Opportunity$Account.Segment__c`: custom report types name the
  table before `$`; a lookup path after it is walked like a formula's;
- `CUST_NAME`, `FK_NAME`, `ACCOUNT.NAME`, `AMOUNT`: standard columns with Salesforce's internal
  names; they name no field we can point at, so they are skipped.

A report's `reportType` names its object (`CustomEntity$Property__c`, with `@Object.Lookup__c`
for "with related" types, `CustomEntityCustomEntity$Parent__c$Child__c` for parent and child,
`ContactCustomEntity$Child__c` for a standard parent) or a
custom report type (`Name__c`, stored as the ReportType `Name`). A custom report type names its
base object and the fields of its layout sections; a dashboard names the reports its components
show (`Folder/Report`).

Paths through a child relationship (`Contact.Program_Engagements__r$Stage__c`) are not resolved:
the metadata names the relationship, not the child object. `docs/dependencies.md` says so.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from lxml import etree

from orgbook.metadata.attributes import child_text, path_texts
from orgbook.metadata.components import ParsedComponent
from orgbook.metadata.xmlsafe import XmlError, local_name, parse_xml

if TYPE_CHECKING:
    from orgbook.metadata.dependencies import _Edges as Edges

# Salesforce's internal names for standard report columns: upper case, digits and underscores.
_STANDARD_COLUMN = re.compile(r"^[A-Z0-9_]+(?:\.[A-Z0-9_]+)*$")
_IDENT = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")

# (path under <Report>, where) for every place a report names a column.
_REPORT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("columns/field", "columns"),
    ("groupingsDown/field", "groupingsDown"),
    ("groupingsAcross/field", "groupingsAcross"),
    ("filter/criteriaItems/column", "filter"),
    ("timeFrameFilter/dateColumn", "timeFrameFilter"),
    ("sortColumn", "sortColumn"),
    ("chart/groupingColumn", "chart"),
    ("chart/secondaryGroupingColumn", "chart"),
    ("buckets/sourceColumnName", "buckets"),
    ("crossFilters/primaryTableColumn", "crossFilters"),
)


def _path(edges: Edges, obj: str, path: list[str], where: str) -> None:
    from orgbook.metadata.dependencies import _field_path

    if obj and path and all(_IDENT.match(p) for p in [obj, *path]):
        _field_path(edges, obj, path, where)


def report_column(edges: Edges, token: str, where: str) -> None:
    """One column name of a report, as a field reference (or nothing for a standard column)."""
    token = token.strip()
    if not token or _STANDARD_COLUMN.match(token):
        return
    if token.startswith("FK_$"):
        token = token[4:]
    elif token.startswith("FK_"):
        return
    if "$" in token:
        table, _, rest = token.rpartition("$")
        if "." in table:  # through a child relationship: the child object is not named
            return
        _path(edges, table, rest.split("."), where)
        return
    obj, _, fld = token.partition(".")
    if fld:
        _path(edges, obj, fld.split("."), where)


def report_type_ref(edges: Edges, value: str) -> None:
    """`<reportType>`: the objects of a custom-object report type, or a custom report type."""
    value = value.strip()
    if "CustomEntity" in value and "$" in value:
        head, _, lookup = value.partition("@")
        first, *custom = head.split("$")
        # `ContactCustomEntity$X`: a standard object with a custom child; `CustomEntity$X` alone.
        for obj in [*first.split("CustomEntity"), *custom]:
            if obj and _IDENT.match(obj):
                edges.obj(obj, "reportType")
        obj, _, fld = lookup.partition(".")
        if fld:
            _path(edges, obj, [fld], "reportType")
    elif value.lower().endswith("__c") and _IDENT.match(value):
        edges.add("ReportType", value[:-3], "reportType")


def _xml(root: etree._Element | None, c: ParsedComponent) -> etree._Element | None:
    """The definition's root; a Metadata API `.report` / `.dashboard` file (no -meta.xml beside
    it) is kept as the component's body, so it is parsed here, with the same hardened parser."""
    if root is not None or not c.body:
        return root
    try:
        return parse_xml(c.body, c.file_path)
    except XmlError:
        return None  # the reader reported it; a file we cannot read uses nothing


def report(edges: Edges, root: etree._Element | None, c: ParsedComponent) -> None:
    root = _xml(root, c)
    if root is None:
        return
    kind = child_text(root, "reportType")
    if kind:
        report_type_ref(edges, kind)
    for path, where in _REPORT_COLUMNS:
        for token in path_texts(root, path):
            report_column(edges, token, where)


def report_type(edges: Edges, root: etree._Element | None, c: ParsedComponent) -> None:
    if root is None:
        return
    base = child_text(root, "baseObject")
    if base:
        edges.obj(base.strip(), "baseObject")
    ns = root.nsmap.get(None)
    prefix = f"{{{ns}}}" if ns else ""
    for column in root.iterfind(f"{prefix}sections/{prefix}columns"):
        table = child_text(column, "table")
        fld = child_text(column, "field")
        if table and fld and "." not in table.strip():
            _path(edges, table.strip(), fld.strip().split("."), "sections")


def dashboard(edges: Edges, root: etree._Element | None, c: ParsedComponent) -> None:
    root = _xml(root, c)
    if root is None:
        return
    for el in root.iter():
        if local_name(el) == "report" and el.text and "/" in el.text:
            edges.add("Report", el.text.strip(), "components")


HANDLERS = {"Report": report, "ReportType": report_type, "Dashboard": dashboard}
