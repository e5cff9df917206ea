"""Canonical hashing: the same component hashes the same in mdapi and source format."""

from __future__ import annotations

import hashlib

from lxml import etree

from orgbook.metadata.xmlsafe import local_name

_OPENING: dict[object, str] = {}  # tag -> "<localname>": a few hundred distinct tags in any org


def _feed(parts: list[str], top: etree._Element) -> None:
    """`<tag>` @attributes text ... children ... `</>` for `top` and everything under it.

    One C-level walk (iterwalk) and one encode at the end; the bytes are exactly those of the
    recursive walk this replaced, so stored hashes stay valid (tests/metadata compares the two).
    """
    append = parts.append
    opening = _OPENING
    for event, el in etree.iterwalk(top, events=("start", "end")):
        if event == "end":
            append("</>")
            continue
        tag = el.tag
        name = opening.get(tag)
        if name is None:
            name = f"<{tag.rpartition('}')[2] if isinstance(tag, str) else ''}>"
            if len(opening) < 10_000:  # bounded: a hostile file cannot grow it without end
                opening[tag] = name
        append(name)
        items = el.items()
        if items:
            for key, value in sorted(items):
                # xsi:type on CMDT values matters; the namespace URI spelling does not.
                append(f"@{key.rpartition('}')[2]}={value}")
        text = el.text
        if text:
            text = text.strip()
            if text:
                append(text)


def canonical_hash(root: etree._Element, body: bytes | None = None, skip: frozenset[str] = frozenset()) -> str:
    """sha256 over tags (no namespace), attributes and stripped text, in document order.

    The root tag is skipped (mdapi `<fields>` vs source `<CustomField>`), and so is a
    top-level `<fullName>` (present in decomposed child files and some retrieves, absent in
    others); the identity lives in the component's key, not in its hash. Top-level elements
    whose local name is in `skip` are left out (a parent file's children: the same hash as the
    root with them removed).
    """
    parts: list[str] = []
    for child in root:
        name = local_name(child)
        if name != "fullName" and name not in skip:
            _feed(parts, child)
    h = hashlib.sha256("".join(parts).encode())
    if body is not None:
        h.update(b"\x00body\x00" + hashlib.sha256(body).digest())
    return h.hexdigest()


class CanonicalHasher:
    """`canonical_hash` one top-level element at a time, for a file read as a stream (its tree is
    never whole): `add` each child of the root in document order, then `hexdigest`. The bytes
    hashed are the same as `canonical_hash`'s (sha256 of a concatenation is the same fed in parts),
    so a streamed file's stored hash is the one the tree gives (tests/metadata compares them over
    the corpus). `canonical_hash`, the common path, keeps its one join and one encode."""

    def __init__(self, skip: frozenset[str] = frozenset()) -> None:
        self._h = hashlib.sha256()
        self._skip = skip

    def add(self, child: etree._Element) -> None:
        name = local_name(child)
        if name != "fullName" and name not in self._skip:
            parts: list[str] = []
            _feed(parts, child)
            self._h.update("".join(parts).encode())

    def hexdigest(self, body: bytes | None = None) -> str:
        h = self._h.copy()
        if body is not None:
            h.update(b"\x00body\x00" + hashlib.sha256(body).digest())
        return h.hexdigest()


def raw_hash(data: bytes) -> str:
    """For files that could not be parsed: at least a stable hash of the bytes."""
    return hashlib.sha256(data).hexdigest()
