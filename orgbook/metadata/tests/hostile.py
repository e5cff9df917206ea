"""Hostile inputs for the reader tests and the fuzz test: zips damaged byte by byte.

Each damage is applied to one entry of a well-formed zip, at the offsets the zip format fixes
(APPNOTE 4.3.7 local file header, 4.3.12 central directory header), so a test says exactly
what is wrong with the entry instead of relying on a random flip.
"""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Callable

CLASS = b"public class Good { }"
CLASS_META = (b'<?xml version="1.0" encoding="UTF-8"?><ApexClass xmlns="http://soap.sforce.com/2006/04/metadata">'
              b"<apiVersion>60.0</apiVersion><status>Active</status></ApexClass>")
PACKAGE = (b'<?xml version="1.0" encoding="UTF-8"?><Package xmlns="http://soap.sforce.com/2006/04/metadata">'
           b"<version>60.0</version></Package>")
VICTIM = "classes/Bad.cls-meta.xml"


def mdapi_zip(compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    """package.xml, a good class and a victim class, in a zip of the Metadata API format."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        zf.writestr("package.xml", PACKAGE)
        zf.writestr("classes/Good.cls", CLASS)
        zf.writestr("classes/Good.cls-meta.xml", CLASS_META)
        zf.writestr("classes/Bad.cls", CLASS.replace(b"Good", b"Bad"))
        zf.writestr(VICTIM, CLASS_META * 40)  # long enough for a deflate stream worth damaging
    return buf.getvalue()


def _offsets(data: bytes, name: str) -> tuple[int, int]:
    """(local header offset, central directory header offset) of an entry."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        local = zf.getinfo(name).header_offset
    end = data.rindex(b"PK\x05\x06")
    (central,) = struct.unpack("<I", data[end + 16 : end + 20])
    while data[central + 46 : central + 46 + len(name)] != name.encode():
        name_len, extra_len, comment_len = struct.unpack("<HHH", data[central + 28 : central + 34])
        central += 46 + name_len + extra_len + comment_len
    return local, central


def _patch(data: bytes, at: int, new: bytes) -> bytes:
    return data[:at] + new + data[at + len(new) :]


def _field(data: bytes, name: str, local_at: int | None, central_at: int | None, fmt: str, value: int) -> bytes:
    local, central = _offsets(data, name)
    if local_at is not None:
        data = _patch(data, local + local_at, struct.pack(fmt, value))
    if central_at is not None:
        data = _patch(data, central + central_at, struct.pack(fmt, value))
    return data


def _data_start(data: bytes, name: str) -> int:
    local, _ = _offsets(data, name)
    name_len, extra_len = struct.unpack("<HH", data[local + 26 : local + 30])
    return local + 30 + name_len + extra_len


def bad_crc(data: bytes, name: str) -> bytes:
    return _field(data, name, 14, 16, "<I", 0xDEADBEEF)


def header_name_differs(data: bytes, name: str) -> bytes:
    local, _ = _offsets(data, name)
    return _patch(data, local + 30, b"X")  # the local header's copy of the name only


def bad_magic(data: bytes, name: str) -> bytes:
    local, _ = _offsets(data, name)
    return _patch(data, local, b"PK\x09\x09")


def deflate64(data: bytes, name: str) -> bytes:
    return _field(data, name, 8, 10, "<H", 9)


def unknown_method(data: bytes, name: str) -> bytes:
    return _field(data, name, 8, 10, "<H", 99)


def _flags(data: bytes, name: str, bit: int) -> bytes:
    local, central = _offsets(data, name)
    (flags,) = struct.unpack("<H", data[central + 8 : central + 10])
    return _field(data, name, 6, 8, "<H", flags | bit)


def encrypted(data: bytes, name: str) -> bytes:
    return _flags(data, name, 0x1)


def patched_data(data: bytes, name: str) -> bytes:
    return _flags(data, name, 0x20)


def strong_encryption(data: bytes, name: str) -> bytes:
    return _flags(data, name, 0x40)


def corrupt_stream(data: bytes, name: str) -> bytes:
    start = _data_start(data, name)
    return _patch(data, start, b"\xff" * 8)  # an invalid deflate block type


def short_stream(data: bytes, name: str) -> bytes:
    """The directory says the compressed data is 10 bytes long: the stream stops mid-way."""
    return _field(data, name, 18, 20, "<I", 10)


def early_eof(data: bytes, name: str) -> bytes:
    """A stored entry said to run past the end of the file."""
    data = _field(data, name, 8, 10, "<H", zipfile.ZIP_STORED)
    for local_at, central_at in ((18, 20), (22, 24)):
        data = _field(data, name, local_at, central_at, "<I", len(data) + 1000)
    return data


def truncated_header(data: bytes, name: str) -> bytes:
    """The central directory points into the middle of the local header."""
    local, central = _offsets(data, name)
    return _patch(data, central + 42, struct.pack("<I", local + 20))


ENTRY_DAMAGE: dict[str, Callable[[bytes, str], bytes]] = {
    "bad CRC": bad_crc,
    "local header name differs": header_name_differs,
    "bad local header magic": bad_magic,
    "Deflate64": deflate64,
    "unknown method": unknown_method,
    "encrypted": encrypted,
    "patched data": patched_data,
    "strong encryption": strong_encryption,
    "corrupt deflate stream": corrupt_stream,
    "stream cut short": short_stream,
    "early EOF": early_eof,
    "truncated local header": truncated_header,
}


def utf8_flag_on_invalid_name(data: bytes, name: str) -> bytes:
    """The central directory's name becomes invalid UTF-8 with the UTF-8 flag (bit 11) set."""
    data = _flags(data, name, 0x800)
    _, central = _offsets(data, name)
    return _patch(data, central + 46, b"\xff\xfe")


def lying_directory_size(data: bytes) -> bytes:
    """The end record says the central directory is larger than the whole file."""
    end = data.rindex(b"PK\x05\x06")
    return _patch(data, end + 12, struct.pack("<I", len(data) * 4))


def lying_directory_magic(data: bytes) -> bytes:
    """The end record is right but the central directory it points at is not one."""
    end = data.rindex(b"PK\x05\x06")
    (central,) = struct.unpack("<I", data[end + 16 : end + 20])
    return _patch(data, central, b"PK\x07\x07")
