"""The hardened parser refuses XXE, entity bombs and oversize input, and names bad lines."""

from __future__ import annotations

import pytest

from orgbook.metadata.xmlsafe import MalformedXmlError, UnsafeXmlError, local_name, parse_xml


def test_parses_ordinary_metadata() -> None:
    root = parse_xml(b'<?xml version="1.0"?><CustomObject xmlns="http://soap.sforce.com/2006/04/metadata"><label>A</label></CustomObject>')
    assert local_name(root) == "CustomObject"


def test_refuses_external_entity_xxe(tmp_path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET")
    xxe = f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]><r>&x;</r>'.encode()
    with pytest.raises(UnsafeXmlError, match="DOCTYPE"):
        parse_xml(xxe, "evil.object")


def test_refuses_billion_laughs() -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>'
    with pytest.raises(UnsafeXmlError):
        parse_xml(bomb, "bomb.xml")


def test_refuses_external_dtd_and_network() -> None:
    with pytest.raises(UnsafeXmlError):
        parse_xml(b'<!DOCTYPE r SYSTEM "http://example.invalid/x.dtd"><r/>', "net.xml")


def test_refuses_oversize_input() -> None:
    with pytest.raises(UnsafeXmlError, match="limit"):
        parse_xml(b"<r>" + b"a" * 2000 + b"</r>", "big.xml", max_bytes=1000)


def test_malformed_xml_names_file_and_line() -> None:
    with pytest.raises(MalformedXmlError) as info:
        parse_xml(b"<a>\n<b>\n</c>\n</a>", "objects/X.object")
    assert info.value.name == "objects/X.object" and info.value.line == 3
    assert "objects/X.object: line 3" in str(info.value)


def test_empty_document_is_malformed() -> None:
    with pytest.raises(MalformedXmlError):
        parse_xml(b"", "empty.xml")


_ENTITY_DOC = '<?xml version="1.0" encoding="{declared}"?><!DOCTYPE r [<!ENTITY x "expanded">]><r>&x;</r>'


@pytest.mark.parametrize(("declared", "codec", "bom"), [
    ("UTF-16", "utf-16", b""),  # Python writes a byte-order mark
    ("UTF-16", "utf-16-le", b""),  # no mark: told by the first bytes
    ("UTF-16", "utf-16-be", b""),
    ("UTF-32", "utf-32", b""),
    ("UTF-32", "utf-32-be", b""),
    ("IBM037", "cp037", b""),  # EBCDIC
    ("UTF-8", "utf-8", b"\xef\xbb\xbf"),
])
def test_refuses_a_doctype_in_any_encoding_the_parser_reads(declared, codec, bom) -> None:
    data = bom + _ENTITY_DOC.format(declared=declared).encode(codec)
    with pytest.raises(UnsafeXmlError, match="DOCTYPE"):
        parse_xml(data, "objects/X.object")


def test_refuses_a_doctype_hidden_by_utf7() -> None:
    data = _ENTITY_DOC.format(declared="UTF-7").replace("<!", "+ADw-!").encode()
    with pytest.raises(UnsafeXmlError, match="DOCTYPE"):
        parse_xml(data, "x.xml")


def test_refuses_an_encoding_python_does_not_know() -> None:
    with pytest.raises(UnsafeXmlError, match="not supported"):
        parse_xml(b'<?xml version="1.0" encoding="X-MADE-UP"?><r/>', "x.xml")


@pytest.mark.parametrize("codec", ["utf-16", "utf-32", "utf-16-le"])
def test_still_reads_utf16_and_utf32_without_a_doctype(codec) -> None:
    data = '<?xml version="1.0" encoding="{}"?><r>é</r>'.format(codec.split("-l")[0].upper()).encode(codec)
    assert parse_xml(data, "x.xml").text == "é"
