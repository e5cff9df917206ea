"""One hardened lxml parser for every piece of XML that comes from outside (orgs, uploads).

Entity resolution, DTD loading and network access are off, huge trees are refused, input is
capped in bytes, and any DOCTYPE is refused outright: Salesforce metadata never carries one, so
a DOCTYPE can only be an attack (XXE, billion laughs) or a mistake.

The DOCTYPE check reads the document in the encoding the parser will use (a UTF-16 or UTF-32
byte-order mark, the XML declaration's `encoding`), since `<!DOCTYPE` in UTF-16 is not the
ASCII bytes; and the parsed tree is checked again for a DTD, whatever the pre-check missed.
"""

from __future__ import annotations

import codecs
import re
import threading

from lxml import etree

MD_NS = "http://soap.sforce.com/2006/04/metadata"
# The largest XML file read whole, stated in docs/supported-types.md. `parse_xml` holds a file's
# whole lxml tree: reading one takes about 13 times its size (bench/large_file.py: a 50.1 MB
# profile with 300,000 field permissions peaked at 678 MB), so 32 MiB keeps a read under about
# 500 MB. The largest types (objects, profiles, permission sets) are streamed above a few MiB
# instead, up to xmlstream.MAX_STREAMED_XML_BYTES.
DEFAULT_MAX_XML_BYTES = 32 * 1024 * 1024

# A DOCTYPE or ENTITY declaration near the start of the document (after the XML declaration
# and comments); checked on raw bytes so nothing is parsed before the refusal.
_DOCTYPE_RE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_DOCTYPE_TEXT_RE = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
# How XML spec appendix F tells the encoding before any declaration is read: byte-order marks
# (UTF-32 before UTF-16, whose mark starts the same way), then the first bytes of `<?xml`.
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_FIRST_BYTES = {b"\x00\x00\x00<": "utf-32-be", b"<\x00\x00\x00": "utf-32-le", b"\x00<\x00?": "utf-16-be",
                b"<\x00?\x00": "utf-16-le", b"\x4c\x6f\xa7\x94": "cp037"}
_DECLARED_RE = re.compile(rb"<\?xml[^>]{0,200}?\bencoding\s*=\s*[\"']([A-Za-z][A-Za-z0-9._:-]{0,40})[\"']")
# Encodings in which `<!DOCTYPE` can only be the ASCII bytes the raw check looks for.
_ASCII_SAFE = frozenset({"utf-8", "utf-8-sig", "ascii", "latin-1"} | {f"iso8859-{n}" for n in range(1, 17)}
                        | {f"cp{n}" for n in range(1250, 1259)})
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


def check_safe(data: bytes, name: str, max_bytes: int = DEFAULT_MAX_XML_BYTES, *, streamed: bool = False) -> None:
    """Refuse oversized input and any DOCTYPE/ENTITY declaration before parsing.

    `streamed`: the file is read a top-level element at a time (xmlstream.py), so its limit is
    larger and the advice differs."""
    if len(data) > max_bytes:
        size, limit = f"{len(data) / 2**20:.1f} MiB", f"{max_bytes / 2**20:.0f} MiB"
        if streamed:
            raise UnsafeXmlError(
                f"{name}: {size} is over the {limit} limit for one object, profile or permission set file; it "
                "was not read. Retrieve it in parts (a profile or permission set with fewer objects per retrieve, "
                "an object in source format, one file per field) or leave it out of the upload."
            )
        raise UnsafeXmlError(
            f"{name}: {size} is over the {limit} limit for one XML file (objects, profiles and permission sets "
            "are read in parts and may be larger; other files are read whole, about 11 times their size in "
            "memory); it was not read. Split it or leave it out of the upload."
        )
    if _DOCTYPE_RE.search(data) or _doctype_in_text(data, name):
        raise doctype_refused(name)


def doctype_refused(name: str) -> UnsafeXmlError:
    return UnsafeXmlError(
        f"{name}: DOCTYPE/ENTITY declarations are refused (Salesforce metadata never has one); "
        "remove the declaration and upload again."
    )


def _encoding(data: bytes) -> str:
    """The encoding the parser will read `data` in, as libxml2 tells it; 'utf-8' by default."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return encoding
    detected = _FIRST_BYTES.get(data[:4])
    if detected is not None:
        return detected
    declared = _DECLARED_RE.match(data, 0, 256)
    return declared.group(1).decode("ascii") if declared else "utf-8"


def _doctype_in_text(data: bytes, name: str) -> bool:
    """A DOCTYPE in a document whose encoding is not ASCII-compatible (UTF-16, UTF-32, EBCDIC,
    UTF-7...); an encoding Python does not know is refused, since libxml2 might."""
    encoding = _encoding(data)
    try:
        codec = codecs.lookup(encoding).name
    except LookupError:
        raise UnsafeXmlError(f"{name}: the encoding {encoding!r} is not supported; save the file as UTF-8.") from None
    if codec in _ASCII_SAFE:
        return False
    return _DOCTYPE_TEXT_RE.search(data.decode(codec, errors="replace")) is not None


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
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None:  # whatever the byte check missed
        raise doctype_refused(name)
    return root


def local_name(el: etree._Element) -> str:
    """The tag without its namespace (`{ns}fields` -> `fields`); '' for comments/PIs."""
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]
