"""Canonical hashing: the same component hashes the same in mdapi and source format."""

from __future__ import annotations

import hashlib

from lxml import etree

from orgbook.metadata.xmlsafe import local_name


def _feed(h: hashlib._Hash, el: etree._Element) -> None:
    h.update(b"<" + local_name(el).encode() + b">")
    for key in sorted(el.attrib):
        # xsi:type on CMDT values matters; the namespace URI spelling does not.
        h.update(b"@" + key.rpartition("}")[2].encode() + b"=" + el.attrib[key].encode())
    text = (el.text or "").strip()
    if text:
        h.update(text.encode())
    for child in el:
        _feed(h, child)
    h.update(b"</>")


def canonical_hash(root: etree._Element, body: bytes | None = None) -> str:
    """sha256 over tags (no namespace), attributes and stripped text, in document order.

    The root tag is skipped (mdapi `<fields>` vs source `<CustomField>`), and so is a
    top-level `<fullName>` (present in decomposed child files and some retrieves, absent in
    others); the identity lives in the component's key, not in its hash.
    """
    h = hashlib.sha256()
    for child in root:
        if local_name(child) != "fullName":
            _feed(h, child)
    if body is not None:
        h.update(b"\x00body\x00" + hashlib.sha256(body).digest())
    return h.hexdigest()


def raw_hash(data: bytes) -> str:
    """For files that could not be parsed: at least a stable hash of the bytes."""
    return hashlib.sha256(data).hexdigest()
