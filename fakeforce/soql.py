"""A minimal SOQL subset: SELECT f, ... FROM Obj [WHERE c AND c ...] [ORDER BY f [ASC|DESC]] [LIMIT n].

`SELECT COUNT() FROM ...` answers only a count. Fields may follow a relationship
(`LastModifiedBy.Name`) when the object offers it. Conditions: `field = value`, `!=`, `<`, `>`,
`<=`, `>=`, `IN (...)`, `NOT IN (...)`; values are quoted strings, numbers, true/false/null and
datetime literals (`2024-01-01T00:00:00Z`, `...000+0000`), which compare as instants.
String comparison is case-insensitive as in SOQL; ID fields compare on their 15-char form so 15-
and 18-char IDs match.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from . import ids


class SoqlError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class Condition:
    field: str
    op: str
    values: list[Any]


@dataclass
class Query:
    fields: list[str]
    sobject: str
    where: list[Condition] = field(default_factory=list)
    order_by: str | None = None
    descending: bool = False
    limit: int | None = None
    count: bool = False  # SELECT COUNT(): the answer is totalSize with no records


_TOKEN = re.compile(r"\s*(?:('(?:[^'\\]|\\.)*')|(!=|<=|>=|[=<>(),])|([A-Za-z0-9_.$:\-+]+))")


def _tokens(text: str) -> list[str]:
    pos, out = 0, []
    text = text.strip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise SoqlError("MALFORMED_QUERY", f"unexpected token at: {text[pos:pos + 20]!r}")
        out.append(m.group(0).strip())
        pos = m.end()
    return out


_DATETIME = re.compile(r"^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:?\d{2})$")


def parse_datetime(text: str) -> datetime | None:
    """A SOQL datetime literal or a REST datetime value, or None if `text` is neither."""
    m = _DATETIME.match(text)
    if not m:
        return None
    zone = "+00:00" if m.group(4) == "Z" else m.group(4)
    return datetime.fromisoformat(f"{m.group(1)}T{m.group(2)}{m.group(3) or ''}{zone}")


def _value(tok: str) -> Any:
    if tok.startswith("'"):
        return re.sub(r"\\(.)", r"\1", tok[1:-1])
    low = tok.lower()
    if low in ("true", "false"):
        return low == "true"
    if low == "null":
        return None
    when = parse_datetime(tok)
    if when is not None:
        return when
    try:
        return float(tok) if "." in tok else int(tok)
    except ValueError:
        return tok  # date literals and the like compare as text


def parse(text: str) -> Query:
    toks = _tokens(text)
    low = [t.lower() for t in toks]
    if not low or low[0] != "select" or "from" not in low:
        raise SoqlError("MALFORMED_QUERY", "unexpected token: expected SELECT ... FROM")
    frm = low.index("from")
    fields = [t for t in toks[1:frm] if t != ","]
    if not fields:
        raise SoqlError("MALFORMED_QUERY", "unexpected token: 'FROM'")
    if len(toks) <= frm + 1:
        raise SoqlError("MALFORMED_QUERY", "unexpected end of query after FROM")
    count = [f.lower() for f in fields] == ["count", "(", ")"]
    if not count and ("(" in fields or ")" in fields):
        raise SoqlError("MALFORMED_QUERY", "only COUNT() is supported among aggregate functions by this emulator")
    q = Query(fields=[] if count else fields, sobject=toks[frm + 1], count=count)
    i = frm + 2
    while i < len(toks):
        word = low[i]
        if word == "where":
            i = _parse_where(toks, low, i + 1, q)
        elif word == "order" and i + 2 < len(toks) and low[i + 1] == "by":
            q.order_by = toks[i + 2]
            i += 3
            if i < len(toks) and low[i] in ("asc", "desc"):
                q.descending = low[i] == "desc"
                i += 1
        elif word == "limit" and i + 1 < len(toks) and toks[i + 1].isdigit():
            q.limit = int(toks[i + 1])
            i += 2
        else:
            raise SoqlError("MALFORMED_QUERY", f"unexpected token: '{toks[i]}'")
    return q


def _parse_where(toks: list[str], low: list[str], i: int, q: Query) -> int:
    while i < len(toks):
        if i + 2 > len(toks):
            raise SoqlError("MALFORMED_QUERY", "unexpected end of WHERE clause")
        name, op = toks[i], low[i + 1]
        if op == "not" and i + 2 < len(toks) and low[i + 2] == "in":
            op, i = "not in", i + 1
        if op in ("in", "not in"):
            if i + 2 >= len(toks) or toks[i + 2] != "(":
                raise SoqlError("MALFORMED_QUERY", "expected ( after IN")
            j, values = i + 3, []
            while j < len(toks) and toks[j] != ")":
                if toks[j] != ",":
                    values.append(_value(toks[j]))
                j += 1
            q.where.append(Condition(name, op, values))
            i = j + 1
        elif op in ("=", "!=", "<", ">", "<=", ">=") and i + 2 < len(toks):
            q.where.append(Condition(name, op, [_value(toks[i + 2])]))
            i += 3
        else:
            raise SoqlError("MALFORMED_QUERY", f"unexpected token: '{toks[i + 1]}'")
        if i < len(toks) and low[i] == "and":
            i += 1
            continue
        if i < len(toks) and low[i] == "or":
            raise SoqlError("MALFORMED_QUERY", "OR is not supported by this emulator")
        return i
    return i


def _norm(value: Any) -> Any:
    if isinstance(value, str):
        return value[:15] if ids.looks_like_id(value) and value[:3].isalnum() and value[:1] == "0" else value.lower()
    return value


def _matches(row: dict[str, Any], cond: Condition, canon: dict[str, str]) -> bool:
    raw = row.get(canon[cond.field.lower()])
    if any(isinstance(v, datetime) for v in cond.values):
        # A datetime field compared with a datetime literal: compare instants, not text.
        raw = parse_datetime(raw) if isinstance(raw, str) else raw
        if raw is not None and not isinstance(raw, datetime):
            raise SoqlError("INVALID_FIELD", f"value of filter criterion for field '{cond.field}' must be of "
                            "the field's type and should not be enclosed in quotes")
    actual = _norm(raw)
    wanted = [_norm(v) for v in cond.values]
    if cond.op == "=":
        return actual == wanted[0]
    if cond.op == "!=":
        return actual != wanted[0]
    if cond.op == "in":
        return actual in wanted
    if cond.op == "not in":
        return actual not in wanted
    if actual is None or wanted[0] is None:
        return False
    try:
        return bool({"<": actual < wanted[0], ">": actual > wanted[0],
                     "<=": actual <= wanted[0], ">=": actual >= wanted[0]}[cond.op])
    except TypeError:
        return False


def execute(q: Query, rows: list[dict[str, Any]], known_fields: list[str]) -> list[dict[str, Any]]:
    """Filter, order, limit and project rows; field names are matched case-insensitively."""
    canon = {f.lower(): f for f in known_fields}
    for name in [*q.fields, *(c.field for c in q.where), *([q.order_by] if q.order_by else [])]:
        if name.lower() not in canon:
            raise SoqlError("INVALID_FIELD", f"No such column '{name}' on entity '{q.sobject}'. If you are "
                            "attempting to use a custom field, be sure to append the '__c' after the custom "
                            "field name. Please reference your WSDL or the describe call for the appropriate names.")
    hits = [r for r in rows if all(_matches(r, c, canon) for c in q.where)]
    if q.order_by:
        col = canon[q.order_by.lower()]
        hits.sort(key=lambda r: (r.get(col) is None, r.get(col) or ""), reverse=q.descending)
    if q.limit is not None:
        hits = hits[: q.limit]
    return [{canon[f.lower()]: r.get(canon[f.lower()]) for f in q.fields} for r in hits]
