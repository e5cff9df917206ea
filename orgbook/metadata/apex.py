"""A small Apex tokenizer: comments and strings are skipped so references inside them never count."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import NamedTuple

_TOKEN_RE = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>//[^\n]*|/\*.*?(?:\*/|\Z))
  | (?P<str>'(?:\\.|[^'\\\n])*'?)
  | (?P<id>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<num>\d+(?:\.\d+)?[lLdD]?)
  | (?P<op>.)
    """,
    re.S | re.X,
)


class Token(NamedTuple):
    kind: str  # "id" | "str" | "num" | "op"
    text: str


def tokenize(source: str) -> Iterator[Token]:
    for match in _TOKEN_RE.finditer(source):
        kind = match.lastgroup or "op"
        if kind not in ("ws", "comment"):
            yield Token(kind, match.group())


# Comments and strings only: outside them, `/` and `'` always start a token (identifiers and
# numbers hold neither), so one regex substitution drops exactly the tokenizer's comments.
_COMMENT_OR_STR_RE = re.compile(r"(?P<comment>//[^\n]*|/\*.*?(?:\*/|\Z))|'(?:\\.|[^'\\\n])*'?", re.S)


def _keep_strings(match: re.Match[str]) -> str:
    return "" if match.group("comment") is not None else match.group()


def strip_comments(source: str) -> str:
    """The source without comments (strings kept), for a length that ignores documentation."""
    return _COMMENT_OR_STR_RE.sub(_keep_strings, source)


def decode(body: bytes | None) -> str:
    return body.decode("utf-8", errors="replace") if body else ""


_TRIGGER_RE = re.compile(r"^\s*trigger\s+(\w+)\s+on\s+(\w+)\s*\(([^)]*)\)", re.I | re.M)


def trigger_header(source: str) -> tuple[str, list[str]] | None:
    """`trigger T on Account (before insert, after update)` -> ('Account', ['before insert', 'after update'])."""
    match = _TRIGGER_RE.search(strip_comments(source))
    if not match:
        return None
    events = [" ".join(e.split()).lower() for e in match.group(3).split(",") if e.strip()]
    return match.group(2), events
