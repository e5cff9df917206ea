"""Faster code paths of the reader give exactly what the plain ones gave.

Stored content hashes must not change (every component of an existing model would show as
"Updated" on its next sync), so the canonical hash is compared with the recursive walk it
replaced, over every element of the corpus.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from lxml import etree

from orgbook.metadata import apex
from orgbook.metadata.canonical import canonical_hash
from orgbook.metadata.xmlsafe import XmlError, local_name, parse_xml

CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus"
XML_SUFFIXES = (".xml", ".object", ".layout", ".flow", ".profile", ".labels", ".workflow")


def _walk(h: hashlib._Hash, el: etree._Element) -> None:
    h.update(b"<" + local_name(el).encode() + b">")
    for key in sorted(el.attrib):
        h.update(b"@" + key.rpartition("}")[2].encode() + b"=" + el.attrib[key].encode())
    text = (el.text or "").strip()
    if text:
        h.update(text.encode())
    for child in el:
        _walk(h, child)
    h.update(b"</>")


def reference_hash(root: etree._Element, body: bytes | None = None) -> str:
    """The canonical hash as first written: a recursive walk feeding sha256 piece by piece."""
    h = hashlib.sha256()
    for child in root:
        if local_name(child) != "fullName":
            _walk(h, child)
    if body is not None:
        h.update(b"\x00body\x00" + hashlib.sha256(body).digest())
    return h.hexdigest()


def corpus_roots() -> list[etree._Element]:
    roots = []
    for path in sorted(CORPUS.rglob("*")):
        if path.is_file() and path.name.endswith(XML_SUFFIXES):
            try:
                roots.append(parse_xml(path.read_bytes(), str(path)))
            except XmlError:
                continue
    return roots


def test_the_canonical_hash_is_the_same_as_the_recursive_walk_for_every_corpus_element() -> None:
    roots = corpus_roots()
    assert len(roots) > 1000
    compared = 0
    for root in roots:
        for el in [root, *root]:
            body = b"class X {}" if compared % 3 == 0 else None
            assert canonical_hash(el, body) == reference_hash(el, body)
            compared += 1
    assert compared > 10_000


def test_the_canonical_hash_keeps_attributes_unicode_and_nesting() -> None:
    xml = ('<CustomMetadata xmlns="http://soap.sforce.com/2006/04/metadata" '
           'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><values><field>Größe</field>'
           '<value xsi:type="xsd:string" b="2">  Ünïcode  </value></values><values><field/></values>'
           '<fullName>ignored</fullName></CustomMetadata>')
    root = parse_xml(xml.encode())
    assert canonical_hash(root) == reference_hash(root)
    swapped = xml.replace("<values><field/></values>", "").replace("<values><field>", "<values><field/></values><values><field>")
    moved = parse_xml(swapped.encode())
    assert canonical_hash(moved) != canonical_hash(root)  # order still counts


def _tokenizer_strip(source: str) -> str:
    return "".join(m.group() for m in apex._TOKEN_RE.finditer(source) if m.lastgroup != "comment")


def test_stripping_apex_comments_matches_the_tokenizer() -> None:
    samples = [
        "public class A { // note\n String s = 'it''s // not a comment'; /* block\n */ Integer i = 1/2; }",
        "trigger T on Account (before insert) { /* unterminated",
        "String s = 'unterminated\n // real comment\n x = a/b/*c*/;",
        "String u = 'esc \\' /* still string */'; // tail",
        "/**/ /*/ x */ ///\n'/*'",
    ]
    for sample in samples:
        assert apex.strip_comments(sample) == _tokenizer_strip(sample)
