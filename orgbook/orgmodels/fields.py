"""An object's fields as Salesforce Setup's Object Manager lists them: label, API name, data type
(`Text(80)`, `Lookup(Account)`, `Formula (Number)`), required, description, where-used count, and
whether the implementation has documentation on the field; sorted, filtered and paged.

The rows are what the model version fixes (two queries: the fields with their stored attributes,
and the where-used counts in one GROUP BY), so the caller may cache them with the version
(web/pagecache.py). Whether a field is documented is not: documentation is written between
versions, so it is read on every request (`documented_keys`, one query; the documentation sits in
the layer above this one, which passes it in as `notes`, as for the dictionary grid).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, QuerySet

from orgbook.orgmodels.models import Component, ComponentStatus, Dependency, OrgModel

# In the page cache's key of the rows: bump when FieldRow or how it is worked out changes meaning.
FIELDS_CODE_VERSION = 1
PER_PAGE = 50

# Salesforce's field type (the metadata's <type>) -> the name Object Manager shows.
TYPE_NAMES = {
    "AutoNumber": "Auto Number", "Checkbox": "Checkbox", "Currency": "Currency", "Date": "Date",
    "DateTime": "Date/Time", "Email": "Email", "EncryptedText": "Text (Encrypted)", "ExternalLookup": "External Lookup",
    "File": "File", "Hierarchy": "Hierarchy", "Html": "Rich Text Area", "IndirectLookup": "Indirect Lookup",
    "Location": "Geolocation", "LongTextArea": "Long Text Area", "Lookup": "Lookup", "MasterDetail": "Master-Detail",
    "MetadataRelationship": "Metadata Relationship", "MultiselectPicklist": "Picklist (Multi-Select)",
    "Number": "Number", "Percent": "Percent", "Phone": "Phone", "Picklist": "Picklist", "Summary": "Roll-Up Summary",
    "Text": "Text", "TextArea": "Text Area", "Time": "Time", "Url": "URL",
}
RELATIONSHIPS = {"Lookup", "MasterDetail", "ExternalLookup", "IndirectLookup", "MetadataRelationship"}
NUMBERS = {"Number", "Currency", "Percent"}
LENGTHS = {"Text", "LongTextArea", "Html", "EncryptedText"}


@dataclass(frozen=True)
class FieldRow:
    """One field as the table shows it; what its model version fixes (cached with it)."""

    full_name: str  # Property__c.Price__c
    name_key: str
    api_name: str  # Price__c
    label: str
    type_label: str  # Currency(8, 0); "" when the metadata gives no type (a standard field)
    kind: str  # what the type filter offers: Currency, Lookup, Formula...
    required: bool
    description: str
    where_used: int  # components that use the field (distinct sources of its dependency edges)


def _digits(value: Any) -> int | None:
    return int(value) if isinstance(value, int | float) else None


def type_label(attrs: Mapping[str, Any]) -> tuple[str, str]:
    """(what Object Manager shows as the data type, the kind the type filter offers)."""
    sf_type = str(attrs.get("type") or "")
    name = TYPE_NAMES.get(sf_type, sf_type)
    if attrs.get("formula"):
        # A formula field's <type> is the type of its result.
        return f"Formula ({name})" if name else "Formula", "Formula"
    if sf_type in RELATIONSHIPS:
        refs = attrs.get("referenceTo")
        target = ", ".join(refs) if isinstance(refs, list) else str(refs or "")
        return (f"{name}({target})" if target else name), name
    if sf_type == "Summary":
        operation = str(attrs.get("summaryOperation") or "").upper()
        child = str(attrs.get("summaryForeignKey") or "").partition(".")[0]
        detail = " ".join(part for part in (operation, child) if part)
        return (f"{name} ({detail})" if detail else name), name
    if sf_type in NUMBERS:
        precision, scale = _digits(attrs.get("precision")), _digits(attrs.get("scale")) or 0
        # Object Manager writes digits before the point, then after it: precision 18, scale 2 is (16, 2).
        return (f"{name}({precision - scale}, {scale})" if precision is not None else name), name
    if sf_type in LENGTHS and _digits(attrs.get("length")) is not None:
        return f"{name}({_digits(attrs.get('length'))})", name
    if sf_type == "TextArea":
        return f"{name}(255)", name  # a text area is always 255 characters; its metadata says no length
    return name, name


def field_row(c: Component, where_used: int) -> FieldRow:
    attrs = c.attributes or {}
    label, kind = type_label(attrs)
    description = attrs.get("description")
    return FieldRow(
        full_name=c.full_name, name_key=c.name_key, api_name=c.full_name.partition(".")[2] or c.full_name,
        label=c.label or str(attrs.get("label") or ""), type_label=label, kind=kind,
        # A master-detail field is always required; its metadata does not say so.
        required=attrs.get("required") is True or attrs.get("type") == "MasterDetail",
        description=description if isinstance(description, str) else "", where_used=where_used)


def _key_range(object_name: str) -> tuple[str, str]:
    """The name keys of the object's fields as a range ("obj." up to "obj/"), which walks an index on
    both databases where LIKE 'obj.%' may not (SQLite's LIKE is case-insensitive, the index is not)."""
    prefix = object_name.lower() + "."
    return prefix, prefix[:-1] + "/"


def field_rows(model: OrgModel, object_name: str) -> list[FieldRow]:
    """The object's fields, in API name order. Two queries, whatever the number of fields."""
    fields = (Component.objects.filter(model=model, parent_key=object_name.lower(), type="CustomField",
                                       parent_type="CustomObject")
              .exclude(status=ComponentStatus.DELETED).only("full_name", "name_key", "label", "attributes"))
    low, high = _key_range(object_name)
    counts = dict(Dependency.objects.filter(model=model, target_type="CustomField", target_key__gte=low,
                                            target_key__lt=high)
                  .values("target_key").annotate(n=Count("source_id", distinct=True)).values_list("target_key", "n")
                  .order_by())
    return sorted((field_row(c, counts.get(c.name_key, 0)) for c in fields), key=lambda r: r.name_key)


def documented_keys(notes: QuerySet[Any], object_name: str) -> set[str]:
    """Name keys of the object's fields that have documentation. One query."""
    low, high = _key_range(object_name)
    return set(notes.filter(type="CustomField", name_key__gte=low, name_key__lt=high)
               .values_list("name_key", flat=True))


SORTS = ("label", "api_name", "type", "required", "description", "documented", "where_used")


@dataclass
class FieldQuery:
    """The table's sort, filters and page, parsed strictly from the query string (f-prefixed names,
    so they never meet the component page's own parameters); unknown values are dropped."""

    sort: str = "label"
    descending: bool = False
    q: str = ""  # in the label or the API name
    kind: str = ""
    documented: str = ""  # "yes" / "no"
    page: int = 1

    @classmethod
    def parse(cls, params: Mapping[str, Any]) -> FieldQuery:
        sort = str(params.get("fsort") or "")
        descending = sort.startswith("-")
        sort = sort.removeprefix("-")
        documented = str(params.get("fdoc") or "")
        try:
            page = max(1, int(str(params.get("fpage") or "1")))
        except ValueError:
            page = 1
        return cls(sort=sort if sort in SORTS else "label", descending=descending and sort in SORTS,
                   q=str(params.get("fq") or "").strip()[:200], kind=str(params.get("ftype") or "")[:80],
                   documented=documented if documented in ("yes", "no") else "", page=page)

    def as_query(self, **changes: Any) -> dict[str, str]:
        """The query string's parameters for this table (defaults left out), with `changes` applied."""
        values = {"sort": self.sort, "descending": self.descending, "q": self.q, "kind": self.kind,
                  "documented": self.documented, "page": self.page, **changes}
        out = {}
        if values["sort"] != "label" or values["descending"]:
            out["fsort"] = ("-" if values["descending"] else "") + values["sort"]
        for name, key in (("q", "fq"), ("kind", "ftype"), ("documented", "fdoc")):
            if values[name]:
                out[key] = str(values[name])
        if values["page"] != 1:
            out["fpage"] = str(values["page"])
        return out

    def sort_query(self, column: str) -> dict[str, str]:
        """Sorting on `column`, ascending first, the other way when it is already sorted on it."""
        return self.as_query(sort=column, descending=self.sort == column and not self.descending, page=1)


@dataclass
class FieldPage:
    rows: list[tuple[FieldRow, bool]]  # (field, documented)
    total: int  # the object's fields
    matching: int  # those the filters keep
    page: int
    pages: int
    kinds: list[str] = field(default_factory=list)  # the type filter's choices: the kinds present


def _sort_key(column: str, documented: set[str]) -> Any:
    if column == "documented":
        return lambda r: r.name_key in documented
    if column == "type":
        return lambda r: r.type_label.lower()
    if column == "api_name":
        return lambda r: r.name_key
    if column in ("required", "where_used"):
        return lambda r: getattr(r, column)
    return lambda r: getattr(r, column).lower()  # label, description


def matches(row: FieldRow, query: FieldQuery, documented: set[str]) -> bool:
    if query.q and query.q.lower() not in row.label.lower() and query.q.lower() not in row.name_key:
        return False
    if query.kind and row.kind != query.kind:
        return False
    return not query.documented or (row.name_key in documented) == (query.documented == "yes")


def field_page(rows: list[FieldRow], documented: set[str], query: FieldQuery, per_page: int = PER_PAGE) -> FieldPage:
    """The page of the table the query asks for; a page past the end shows the last one. Sorted in
    Python: an object has at most a few hundred fields, and the sort columns are worked out here."""
    kept = [r for r in rows if matches(r, query, documented)]
    kept.sort(key=lambda r: r.name_key)  # ties keep API name order, whichever way the column goes
    kept.sort(key=_sort_key(query.sort, documented), reverse=query.descending)
    pages = max(1, -(-len(kept) // per_page))
    page = min(query.page, pages)
    shown = kept[(page - 1) * per_page: page * per_page]
    return FieldPage(rows=[(r, r.name_key in documented) for r in shown], total=len(rows), matching=len(kept),
                     page=page, pages=pages, kinds=sorted({r.kind for r in rows if r.kind}, key=str.lower))
