"""Database ids as they arrive from outside: in a URL (the path converter of every route, the
web's and the API's) or in a query string, a form or a JSON body (`parse_id`).

Django's `int` converter and `int()` take any number of digits, and a number past the 64-bit range
made SQLite raise OverflowError and PostgreSQL "integer out of range": a 500. No row can have such
an id, so it is simply not found.
"""

from __future__ import annotations

from typing import Any

from django.urls import register_converter

DIGITS = 18  # 10**18 - 1 is below 2**63 - 1, the largest id either database stores


def parse_id(value: Any) -> int | None:
    """A positive id from a string or an int, or None when it cannot name a row."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= DIGITS:
        number = int(value)
    else:
        return None
    return number if 0 < number < 10**DIGITS else None


class IdConverter:
    """`<id:name>`: 1 to 18 digits; a longer number does not match the route (404)."""

    regex = f"[0-9]{{1,{DIGITS}}}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


def register() -> None:
    """Make `<id:name>` (Django routes) and `{id:name}` (django-ninja routes) available; idempotent."""
    register_converter(IdConverter, "id")
