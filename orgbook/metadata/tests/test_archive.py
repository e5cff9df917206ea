"""Zip and folder reading: traversal, symlinks and bombs are refused with a clear message."""

from __future__ import annotations

import os
import stat
import zipfile

import pytest

from orgbook.metadata import ArchiveLimits, UnsafeArchiveError, iter_components, open_source

OBJ = b'<?xml version="1.0"?><CustomObject xmlns="http://soap.sforce.com/2006/04/metadata"><fields><fullName>A__c</fullName><type>Text</type></fields><label>X</label></CustomObject>'
PKG = b'<?xml version="1.0"?><Package xmlns="http://soap.sforce.com/2006/04/metadata"><version>60.0</version></Package>'


def make_zip(path, entries: dict[str, bytes]):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return path


def test_reads_an_mdapi_zip_with_unpackaged_prefix(tmp_path) -> None:
    z = make_zip(tmp_path / "r.zip", {"unpackaged/package.xml": PKG, "unpackaged/objects/X__c.object": OBJ})
    names = {(c.type, c.full_name) for c in iter_components(z)}
    assert names == {("CustomObject", "X__c"), ("CustomField", "X__c.A__c")}


def test_zip_slip_is_refused(tmp_path) -> None:
    z = make_zip(tmp_path / "slip.zip", {"../../etc/evil.object": OBJ})
    with pytest.raises(UnsafeArchiveError, match=r"'\.\.'"):
        open_source(z)


def test_absolute_paths_are_refused(tmp_path) -> None:
    z = make_zip(tmp_path / "abs.zip", {"/etc/passwd": b"x"})
    with pytest.raises(UnsafeArchiveError, match="absolute"):
        open_source(z)


def test_symlink_in_zip_is_refused(tmp_path) -> None:
    path = tmp_path / "link.zip"
    with zipfile.ZipFile(path, "w") as zf:
        info = zipfile.ZipInfo("objects/link.object")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")
    with pytest.raises(UnsafeArchiveError, match="symlink"):
        open_source(path)


def test_symlink_in_folder_is_refused(tmp_path) -> None:
    (tmp_path / "src").mkdir()
    os.symlink("/etc/passwd", tmp_path / "src" / "x.object")
    with pytest.raises(UnsafeArchiveError, match="symlink"):
        open_source(tmp_path / "src")


def test_a_file_swapped_for_a_symlink_after_listing_is_refused_when_read(tmp_path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "x.object").write_text("<CustomObject/>")
    source = open_source(tmp_path / "src")
    assert source.read("x.object") == b"<CustomObject/>"
    (tmp_path / "src" / "x.object").unlink()
    os.symlink("/etc/passwd", tmp_path / "src" / "x.object")
    with pytest.raises(UnsafeArchiveError, match="symlink"):
        source.read("x.object")


def test_zip_bomb_ratio_is_refused(tmp_path) -> None:
    z = make_zip(tmp_path / "bomb.zip", {"objects/X.object": b"\0" * (5 * 1024 * 1024)})
    with pytest.raises(UnsafeArchiveError, match="zip bomb"):
        open_source(z)


def test_total_uncompressed_cap(tmp_path) -> None:
    z = make_zip(tmp_path / "t.zip", {f"f{i}.xml": os.urandom(1000) for i in range(5)})
    with pytest.raises(UnsafeArchiveError, match="expands"):
        open_source(z, ArchiveLimits(max_total_bytes=3000))


def test_per_file_cap(tmp_path) -> None:
    z = make_zip(tmp_path / "f.zip", {"big.xml": os.urandom(5000)})
    with pytest.raises(UnsafeArchiveError, match="per-file"):
        open_source(z, ArchiveLimits(max_file_bytes=1000))


def test_file_count_cap(tmp_path) -> None:
    z = make_zip(tmp_path / "n.zip", {f"f{i}.xml": b"x" for i in range(20)})
    with pytest.raises(UnsafeArchiveError, match="file limit"):
        open_source(z, ArchiveLimits(max_files=10))


def test_folder_file_count_cap(tmp_path) -> None:
    for i in range(5):
        (tmp_path / f"f{i}.xml").write_bytes(b"x")
    with pytest.raises(UnsafeArchiveError, match="more than 3 files"):
        open_source(tmp_path, ArchiveLimits(max_files=3))


def test_not_a_zip_or_folder(tmp_path) -> None:
    f = tmp_path / "x.txt"
    f.write_text("hello")
    with pytest.raises(UnsafeArchiveError, match="neither"):
        open_source(f)
