"""CSV and XLSX exports of any explorer list: rows come from an iterator, never a list of models."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook

FORMATS = ("csv", "xlsx")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _plain(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat(sep=" ", timespec="seconds")
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    return value


# Spreadsheet apps run a cell starting with one of these as a formula (OWASP's list for CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A cell of any export (CSV or XLSX) kept as text: a leading apostrophe before a formula start,
    and before an apostrophe that already leads one, so that `unescape_cell` gives the value back."""
    if isinstance(value, str) and value[:1] in (*FORMULA_START, "'"):
        return "'" + value
    return value


def unescape_cell(text: str) -> str:
    """What `safe_cell` wrote, read back (a documentation CSV export imports again); a hand-written
    cell that merely starts with an apostrophe keeps it."""
    if text[:1] == "'" and text[1:2] in (*FORMULA_START, "'") and len(text) > 1:
        return text[1:]
    return text


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(header)
    for row in rows:
        writer.writerow([safe_cell(_plain(v)) for v in row])
        if buf.tell() > 64 * 1024:
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue()


def xlsx_bytes(header: Sequence[str], rows: Iterable[Sequence[Any]], title: str = "Export") -> bytes:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title[:31] or "Export")
    ws.append(list(header))
    for row in rows:
        ws.append([safe_cell(_plain(v)) for v in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def response(fmt: str, filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> HttpResponse:
    """A download in `fmt`. Rows are consumed from an iterator (the database cursor streams); the
    file itself is built in memory, which at 100,000 rows is about 15 MB of CSV."""
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in filename)[:120]
    if fmt == "xlsx":
        resp = HttpResponse(xlsx_bytes(header, rows), content_type=XLSX)
    else:
        resp = HttpResponse(csv_lines(header, rows), content_type="text/csv; charset=utf-8")
    resp["Content-Disposition"] = f'attachment; filename="{safe}.{fmt}"'
    return resp
