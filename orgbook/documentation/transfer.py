"""Moving an implementation's documentation out (CSV, JSON, a static HTML site) and in (CSV)."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.template.loader import render_to_string

from orgbook.documentation import services
from orgbook.documentation.markup import render_note
from orgbook.documentation.models import Documentation
from orgbook.documentation.services import DocumentationEdit
from orgbook.errors import Invalid
from orgbook.implementations.access import require_active
from orgbook.implementations.models import Implementation
from orgbook.orgmodels.exports import safe_cell, unescape_cell
from orgbook.orgmodels.models import Component, Dependency

CSV_HEADER = ["type", "full_name", "note", "links", "tags", "owner", "reviewed"]
IMPORT_MAX_ROWS = 20_000


def _links_cell(links: list[dict[str, str]]) -> str:
    """Links in one cell: "Title <https://...>" separated by new lines."""
    return "\n".join(f"{link['title']} <{link['url']}>" for link in links)


def _parse_links_cell(text: str, line: int) -> list[dict[str, str]]:
    out = []
    for part in filter(None, (p.strip() for p in re.split(r"[\n;]", text or ""))):
        m = re.fullmatch(r"(?:(.*?)\s*<)?(\S+?)>?", part)
        url = m.group(2) if m else part
        out.append({"url": url, "title": (m.group(1) if m and m.group(1) else url)})
    try:
        return services.clean_links(out)
    except Invalid as exc:
        raise Invalid(f"Line {line}: {exc.message} Nothing was imported.", line=line) from None


def rows(implementation: Implementation) -> list[dict[str, Any]]:
    return [{**(services.as_dict(d) or {}), "note_html": None} for d in services.for_implementation(implementation)]


def export_csv(implementation: Implementation) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for d in services.for_implementation(implementation):
        writer.writerow([safe_cell(cell) for cell in (
            d.type, d.full_name, d.note, _links_cell(d.links), ", ".join(d.tags),
            d.owner.email if d.owner else "", "yes" if d.is_reviewed() else "")])
    return buffer.getvalue()


def export_json(implementation: Implementation) -> str:
    items = [{k: v for k, v in r.items() if k != "note_html"} for r in rows(implementation)]
    return json.dumps({"implementation": implementation.name, "documentation": items}, indent=2)


def _slug(doc: Documentation) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{doc.type}-{doc.full_name}")[:180] + ".html"


def export_site(implementation: Implementation) -> bytes:
    """A zip: index.html and one page per documented component with its attributes and dependencies."""
    docs = list(services.for_implementation(implementation))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        entries = []
        for doc in docs:
            component = (Component.objects.filter(model__implementation=implementation, type=doc.type,
                                                  name_key=doc.name_key)
                         .select_related("model").order_by("model__kind", "model__name").first())
            uses = (list(Dependency.objects.filter(source=component).order_by("target_type", "target_key")
                         .values_list("target_type", "target_name")) if component else [])
            page = render_to_string("web/documentation/export_page.html", {
                "implementation": implementation, "doc": doc, "note_html": render_note(doc.note),
                "component": component, "attributes": sorted((component.attributes or {}).items()) if component else [],
                "uses": uses})
            name = _slug(doc)
            archive.writestr(name, page)
            entries.append({"doc": doc, "href": name})
        archive.writestr("index.html", render_to_string("web/documentation/export_index.html",
                                                        {"implementation": implementation, "entries": entries}))
    return buffer.getvalue()


@dataclass
class ImportRow:
    line: int
    type: str
    full_name: str
    note: str
    links: list[dict[str, str]] | None


@dataclass
class ImportResult:
    imported: int = 0
    unmatched: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"imported": self.imported, "unmatched": self.unmatched}


def parse_import_csv(text: str) -> list[ImportRow]:
    """Columns type, full_name, note, links (header row required). A malformed file refuses everything."""
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except (StopIteration, csv.Error):
        raise Invalid("The file is empty. Nothing was imported.") from None
    missing = [c for c in ("type", "full_name", "note") if c not in header]
    if missing:
        raise Invalid(f"The header row needs the columns type, full_name, note (and optionally links); "
                      f"missing: {', '.join(missing)}. Nothing was imported.")
    col = {name: header.index(name) for name in ("type", "full_name", "note", "links") if name in header}
    out: list[ImportRow] = []
    try:
        for line, cells in enumerate(reader, 2):
            if not any(c.strip() for c in cells):
                continue
            if len(out) >= IMPORT_MAX_ROWS:
                raise Invalid(f"More than {IMPORT_MAX_ROWS} rows. Nothing was imported.")
            if len(cells) <= max(col.values()):
                raise Invalid(f"Line {line}: {len(cells)} columns, the file needs {max(col.values()) + 1}. "
                              "Nothing was imported.", line=line)
            t, name = cells[col["type"]].strip(), cells[col["full_name"]].strip()
            if not t or not name:
                raise Invalid(f"Line {line}: type and full_name are required. Nothing was imported.", line=line)
            links = _parse_links_cell(unescape_cell(cells[col["links"]]), line) if "links" in col else None
            out.append(ImportRow(line, t, name, unescape_cell(cells[col["note"]]), links))
    except csv.Error as exc:
        raise Invalid(f"The file is not valid CSV ({exc}). Nothing was imported.") from None
    return out


@transaction.atomic
def import_csv(user: Any, implementation: Implementation, text: str) -> ImportResult:
    """Imported rows overwrite the note (and links when the column is there), as a new revision."""
    require_active(implementation)
    result = ImportResult()
    for row in parse_import_csv(text):
        if services.component_exists(implementation, row.type, row.full_name) is None:
            result.unmatched.append({"line": row.line, "type": row.type, "full_name": row.full_name})
            continue
        current = services.find(implementation, row.type, row.full_name)
        edit = DocumentationEdit(note=row.note, links=row.links, base_revision=current.revision if current else 0)
        services.save_documentation(user, implementation, row.type, row.full_name, edit)
        result.imported += 1
    return result
