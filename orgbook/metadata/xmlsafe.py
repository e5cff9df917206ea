"""One hardened lxml parser for every piece of XML that comes from outside (orgs, uploads).

Entity resolution, DTD loading and network access are off, huge trees are refused, input is
capped in bytes, and any DOCTYPE is refused outright: Salesforce metadata never carries one, so
a DOCTYPE can only be an attack (XXE, billion laughs) or a mistake.
"""

from __future__ import annotations

import re
import threading

from lxml import etree

MD_NS = "http://soap.sforce.com/2006/04/metadata"
DEFAULT_MAX_XML_BYTES = 64 * 1024 * 1024  # the largest real profiles are tens of MB

# A DOCTYPE or ENTITY declaration near the start of the document (after the XML declaration
# and comments); checked on raw bytes so nothing is parsed before the refusal.
_DOCTYPE_RE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_local = threading.local()  # lxml parsers are not thread-safe; one per thread


class XmlError(ValueError):
    """Base class for XML that cannot be accepted."""


class UnsafeXmlError(XmlError):
    """The XML carries a DOCTYPE/entity declaration or is too large."""


class MalformedXmlError(XmlError):
    """The XML is not well-formed; the message names the file and line."""

    def __init__(self, message: str, name: str, line: int | None) -> None:
        super().__init__(message)
        self.name = name
        self.line = line


def _parser() -> etree.XMLParser:
    parser = getattr(_local, "parser", None)
    if parser is None:
        parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            load_dtd=False,
            dtd_validation=False,
            huge_tree=False,
            remove_comments=True,
            remove_pis=True,
        )
        _local.parser = parser
    return parser


def check_safe(data: bytes, name: str, max_bytes: int = DEFAULT_MAX_XML_BYTES) -> None:
    """Refuse oversized input and any DOCTYPE/ENTITY declaration before parsing."""
    if len(data) > max_bytes:
        raise UnsafeXmlError(
            f"{name}: {len(data)} bytes is over the {max_bytes}-byte limit for one XML file; "
            "split the upload or raise the limit."
        )
    if _DOCTYPE_RE.search(data):
        raise UnsafeXmlError(
            f"{name}: DOCTYPE/ENTITY declarations are refused (Salesforce metadata never has one); "
            "remove the declaration and upload again."
        )


def parse_xml(data: bytes, name: str = "<xml>", max_bytes: int = DEFAULT_MAX_XML_BYTES) -> etree._Element:
    """Parse bytes with the hardened parser and return the root element."""
    check_safe(data, name, max_bytes)
    try:
        root = etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else None
        raise MalformedXmlError(f"{name}: line {line}: {exc.msg}", name, line) from exc
    if root is None:
        raise MalformedXmlError(f"{name}: line 1: empty document", name, 1)
    return root


def local_name(el: etree._Element) -> str:
    """The tag without its namespace (`{ns}fields` -> `fields`); '' for comments/PIs."""
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]
