"""Naming rules: namespaces, file-name decoding, CumulusCI tokens."""

from __future__ import annotations

import re
from urllib.parse import unquote

# Suffixes Salesforce appends to custom names (`__c` fields/objects, `__mdt` types, ...).
CUSTOM_SUFFIXES = frozenset(
    {"c", "mdt", "e", "x", "b", "r", "s", "kav", "ka", "share", "history", "feed", "pc", "chn", "xo", "dlm", "dll", "ds", "hd", "vs"}
)
_NS_RE = re.compile(r"^([A-Za-z][A-Za-z0-9]{0,14})__([A-Za-z0-9].*)$")
_FIRST_SEGMENT_RE = re.compile(r"[./:\-]")
NAMESPACE_FILE_TOKEN = "___NAMESPACE___"
NAMESPACE_XML_TOKEN = "%%%NAMESPACE%%%"


def namespace_of(full_name: str) -> str | None:
    """The managed-package namespace of a name (`ns__Obj__c.ns__F__c` -> `ns`), else None.

    `Object__c` has none: the text before `__` is only a namespace when another `__suffix`
    follows, or when the name carries no custom suffix at all (`ns__ApexClass`).
    Geolocation parts (`Location__Latitude__s`) are not namespaces.
    """
    first = _FIRST_SEGMENT_RE.split(full_name, maxsplit=1)[0]
    match = _NS_RE.match(first)
    if not match:
        return None
    rest = match.group(2)
    if rest.lower().endswith(("__latitude__s", "__longitude__s")) and rest.count("__") == 1:
        return None  # `Location__Latitude__s`: a geolocation part of field Location__c
    if rest.lower() in ("latitude__s", "longitude__s"):
        return None
    if "__" in rest:
        return match.group(1)
    if rest.lower() in CUSTOM_SUFFIXES:
        return None  # `Object__c`: the suffix, not a namespace
    return match.group(1)


def strip_namespace(name: str) -> str:
    """`usf3__GetFieldInformation` -> `GetFieldInformation`; other names unchanged."""
    ns = namespace_of(name)
    return name[len(ns) + 2 :] if ns else name


def decode_file_name(name: str) -> str:
    """File names percent-encode characters a file system dislikes (`%2E`, `%3A`, `%26`)."""
    return unquote(name) if "%" in name else name


def has_tokens(data: bytes) -> bool:
    """Whether UTF-8 (or ASCII-compatible) bytes hold a CumulusCI namespace token."""
    return NAMESPACE_FILE_TOKEN.encode() in data or NAMESPACE_XML_TOKEN.encode() in data


def resolve_tokens(text: str, namespace_prefix: str | None) -> str:
    """Replace CumulusCI namespace tokens, or keep them as written when no prefix is given."""
    if namespace_prefix is None:
        return text
    return text.replace(NAMESPACE_FILE_TOKEN, namespace_prefix).replace(NAMESPACE_XML_TOKEN, namespace_prefix)
