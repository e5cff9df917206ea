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


# The header up to its `(`, then the first `)` found with str.find. `^[^\S\n]*` (not `^\s*`):
# under re.M, `^\s*` at every line start ran over all the blank lines after it (a class with
# 10,000 commented-out lines took 7.2 s); and a `[^)]*\)` tail ran to the end of the text from
# every candidate. The first candidate is the old pattern's match: a later one sees no `)` the
# first one would not.
_TRIGGER_HEAD_RE = re.compile(r"^[^\S\n]*trigger\s+(\w+)\s+on\s+(\w+)\s*\(", re.I | re.M)


def trigger_header(source: str) -> tuple[str, list[str]] | None:
    """`trigger T on Account (before insert, after update)` -> ('Account', ['before insert', 'after update'])."""
    text = strip_comments(source)
    match = _TRIGGER_HEAD_RE.search(text)
    if not match:
        return None
    close = text.find(")", match.end())
    if close < 0:
        return None
    events = [" ".join(e.split()).lower() for e in text[match.end() : close].split(",") if e.strip()]
    return match.group(2), events
