"""Hardened XML parsing and small serialisation helpers (no entity expansion, no network)."""

from __future__ import annotations

from xml.sax.saxutils import escape

from lxml import etree

MD_NS = "http://soap.sforce.com/2006/04/metadata"
SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, remove_blank_text=True, huge_tree=False)


def parse(data: bytes) -> etree._Element:
    return etree.fromstring(data, parser=_PARSER)


def local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def child_text(el: etree._Element, name: str) -> str | None:
    for c in el:
        if local(c) == name:
            return c.text or ""
    return None


def children_named(el: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in el if local(c) == name]


def to_bytes(root: etree._Element) -> bytes:
    etree.indent(root, space="    ")
    body: bytes = etree.tostring(root, encoding="UTF-8", xml_declaration=False)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body + b"\n"


def md_element(tag: str) -> etree._Element:
    return etree.Element(f"{{{MD_NS}}}{tag}", nsmap={None: MD_NS})


def esc(value: object) -> str:
    return escape(str(value))


def el(tag: str, value: object | None) -> str:
    """One simple element; None renders as xsi:nil like the Metadata API does."""
    if value is None:
        return f'<{tag} xsi:nil="true"/>'
    if isinstance(value, bool):
        value = "true" if value else "false"
    return f"<{tag}>{esc(value)}</{tag}>"
