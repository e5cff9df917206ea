"""The shape of an answer, without its values: what a reader of it depends on.

XML: every element's path by namespace and local name, whether it is `xsi:nil`, whether it carries
`xsi:type`, and which namespace the prefix of a QName text (a fault's `faultcode`) is bound to.
JSON: every key's path and the JSON type of its value. Two answers of the same request have the
same shape when they differ only in values and in how many times a repeated element occurs.
"""

from __future__ import annotations

import json
from typing import Any

from lxml import etree

XSI = "http://www.w3.org/2001/XMLSchema-instance"
ALIASES = {
    "http://schemas.xmlsoap.org/soap/envelope/": "soapenv",
    "http://soap.sforce.com/2006/04/metadata": "md",
    "urn:fault.partner.soap.sforce.com": "fault",
    "urn:partner.soap.sforce.com": "partner",
    XSI: "xsi",
}
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_blank_text=True)


def _name(tag: str) -> str:
    qname = etree.QName(tag)
    return f"{ALIASES.get(qname.namespace or '', qname.namespace or '')}:{qname.localname}"


def xml_shape(data: bytes) -> set[str]:
    root = etree.fromstring(data, parser=_PARSER)
    found: set[str] = set()
    _walk(root, "", found)
    return found


def _walk(el: Any, parent: str, found: set[str]) -> None:
    if not isinstance(el.tag, str):
        return
    path = f"{parent}/{_name(el.tag)}"
    found.add(f"{path} nil" if el.get(f"{{{XSI}}}nil") in ("true", "1") else path)
    if el.get(f"{{{XSI}}}type") is not None:
        found.add(f"{path} @xsi:type")
    text = (el.text or "").strip()
    if etree.QName(el).localname == "faultcode" and ":" in text:
        prefix = text.split(":", 1)[0]
        found.add(f"{path} ={ALIASES.get(el.nsmap.get(prefix, ''), el.nsmap.get(prefix, '?'))}:*")
    for child in el:
        _walk(child, path, found)


def json_shape(data: bytes | Any, prune: tuple[str, ...] = ()) -> set[str]:
    """Key paths with value types; `prune` drops the paths below some keys (record fields, which
    depend on the query, not on the answer's shape)."""
    value = json.loads(data) if isinstance(data, bytes) else data
    found: set[str] = set()
    _visit(value, "$", found, prune)
    return found


def _visit(value: Any, path: str, found: set[str], prune: tuple[str, ...]) -> None:
    found.add(f"{path}: {_type(value)}")
    if path in prune:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            _visit(item, f"{path}.{key}", found, prune)
    elif isinstance(value, list):
        for item in value:
            _visit(item, f"{path}[]", found, prune)


def _type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return {str: "string", list: "array", dict: "object"}[type(value)]


def differences(real: set[str], emulated: set[str]) -> dict[str, set[str]]:
    return {"only real": real - emulated, "only emulator": emulated - real}
