"""One large XML file read a top-level element at a time, with bounded memory (issue 19, item 8).

`parse_xml` holds a file's whole lxml tree, about 11 times the file's size (a 63.5 MB object with
260,000 fields: 665 MB; bench/README.md, "One very large file"). The largest files Salesforce writes are a Metadata API object with its
fields, rules, record types and list views, and a profile or permission set listing every field:
the reader streams those (reader.py `_stream_parent`, `_stream_whole`), handing each element
under the root to its caller once it is complete, and the caller removes it from the tree when it
is done with it, so the tree never holds more than one of them and what the caller keeps.

The parser is the same as `parse_xml`'s (no entities, no network, no DTD, no huge trees: a text
node over 10 MB or nesting over 256 levels is an error), the same DOCTYPE checks run on the bytes
and on the parsed document, and the limit is stated: MAX_STREAMED_XML_BYTES.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

from lxml import etree

from orgbook.metadata.xmlsafe import MalformedXmlError, check_safe, doctype_refused

# Files of a streamed type larger than this are streamed (reader.py); smaller ones are parsed
# whole, which is faster for the many small files of an org.
STREAM_ABOVE = 4 * 1024 * 1024
# The largest file of a streamed type that is read, stated in docs/supported-types.md. It is the
# per-file limit of any upload (archive.py `ArchiveLimits.max_file_bytes`); bench/bigfile.py
# measures an import at that size (bench/README.md).
MAX_STREAMED_XML_BYTES = 64 * 1024 * 1024

_OPTIONS = {"resolve_entities": False, "no_network": True, "load_dtd": False, "dtd_validation": False,
            "huge_tree": False, "remove_comments": True, "remove_pis": True}


class TopLevel:
    """The root's children of one document, in order, each given once it is complete with its
    tail (the whitespace after it, part of its serialisation and of the parent's), so removing it
    from the tree then leaves exactly what removing it from a whole parse leaves. `root` is the
    root element once the first child is given (its other children: those the caller kept)."""

    def __init__(self, data: bytes, name: str) -> None:
        check_safe(data, name, MAX_STREAMED_XML_BYTES, streamed=True)
        self.data, self.name = data, name
        self.root: etree._Element | None = None

    def __iter__(self) -> Iterator[etree._Element]:
        context = etree.iterparse(io.BytesIO(self.data), events=("start", "end"), **_OPTIONS)
        depth = 0
        done: etree._Element | None = None  # the last complete child, given at the next event at its level
        try:
            for event, el in context:
                if event == "start":
                    if depth == 0:
                        self.root = el
                    elif depth == 1 and done is not None:
                        yield done
                        done = None
                    depth += 1
                    continue
                depth -= 1
                if depth == 1:
                    done = el
                elif depth == 0 and done is not None:
                    yield done
                    done = None
        except etree.XMLSyntaxError as exc:
            line = exc.lineno if exc.lineno else None
            raise MalformedXmlError(f"{self.name}: line {line}: {exc.msg}", self.name, line) from exc
        if self.root is None:
            raise MalformedXmlError(f"{self.name}: line 1: empty document", self.name, 1)
        docinfo = self.root.getroottree().docinfo
        if docinfo.doctype or docinfo.internalDTD is not None:  # whatever the byte check missed
            raise doctype_refused(self.name)


def check_whole(data: bytes, name: str) -> None:
    """Read the whole file once, keeping nothing, so that a file split into components is known
    to be readable before its first component is given (a file found broken half way would
    otherwise have given half its children)."""
    stream = TopLevel(data, name)
    for el in stream:
        parent = el.getparent()
        if parent is not None:
            parent.remove(el)
