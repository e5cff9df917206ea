"""Hostile uploads (issue 19, items 10 and 13): one bad file is a read problem naming it, the
rest of the upload is still read, and nothing raises anything but the archive-level error."""

from __future__ import annotations

import json
import os
import socket
import zipfile

import pytest

from orgbook.metadata import (
    ParsedComponent,
    ReadProblem,
    UnreadableFileError,
    UnsafeArchiveError,
    iter_components,
    open_source,
)
from orgbook.metadata.tests import hostile

META_NS = b'xmlns="http://soap.sforce.com/2006/04/metadata"'


def read_all(source) -> tuple[list[ParsedComponent], list[ReadProblem]]:
    problems: list[ReadProblem] = []
    found = [c for c in iter_components(source, on_problem=problems.append) if isinstance(c, ParsedComponent)]
    return found, problems


@pytest.mark.parametrize("damage", sorted(hostile.ENTRY_DAMAGE))
def test_a_damaged_zip_entry_is_a_read_problem_and_the_rest_is_read(tmp_path, damage) -> None:
    path = tmp_path / "upload.zip"
    path.write_bytes(hostile.ENTRY_DAMAGE[damage](hostile.mdapi_zip(), hostile.VICTIM))
    found, problems = read_all(path)
    assert [(p.path, p.kind) for p in problems] == [(hostile.VICTIM, "error")]
    assert "classes/Bad.cls-meta.xml in upload.zip: the zip entry cannot be read" in problems[0].message
    good = [c for c in found if c.full_name == "Good"]
    assert good and good[0].error is None and good[0].body == hostile.CLASS
    bad = [c for c in found if c.full_name == "Bad"]
    assert bad and bad[0].error  # kept, never trusted


def test_the_damaged_entry_raises_one_documented_error_when_read_directly(tmp_path) -> None:
    path = tmp_path / "upload.zip"
    path.write_bytes(hostile.corrupt_stream(hostile.mdapi_zip(), hostile.VICTIM))
    with open_source(path) as source, pytest.raises(UnreadableFileError, match="invalid block type"):
        source.read(hostile.VICTIM)


def test_an_entry_name_that_is_not_utf8_under_the_utf8_flag_refuses_the_archive_clearly(tmp_path) -> None:
    path = tmp_path / "names.zip"
    path.write_bytes(hostile.utf8_flag_on_invalid_name(hostile.mdapi_zip(), hostile.VICTIM))
    with pytest.raises(UnsafeArchiveError, match="names.zip: an entry name is not valid UTF-8"):
        open_source(path)


@pytest.mark.parametrize("lie", [hostile.lying_directory_size, hostile.lying_directory_magic])
def test_a_zip_with_a_lying_header_is_refused_with_its_name(tmp_path, lie) -> None:
    path = tmp_path / "liar.zip"
    path.write_bytes(lie(hostile.mdapi_zip()))
    with pytest.raises(UnsafeArchiveError, match="liar.zip is not a readable zip file"):
        list(iter_components(path))


def _project(tmp_path):
    root = tmp_path / "project"
    (root / "classes").mkdir(parents=True)
    (root / "classes" / "Good.cls").write_bytes(hostile.CLASS)
    (root / "classes" / "Good.cls-meta.xml").write_bytes(hostile.CLASS_META)
    return root


@pytest.mark.timeout(20)  # the bug was a read that blocked forever
def test_a_named_pipe_in_a_folder_is_skipped_with_a_problem_and_never_opened(tmp_path) -> None:
    root = _project(tmp_path)
    os.mkfifo(root / "classes" / "Pipe.cls-meta.xml")
    found, problems = read_all(root)
    assert [c.full_name for c in found] == ["Good"]
    assert [(p.path, p.kind) for p in problems] == [("classes/Pipe.cls-meta.xml", "unsafe")]
    assert "a named pipe is not a file" in problems[0].message


def test_a_socket_in_a_folder_is_skipped_with_a_problem(tmp_path, monkeypatch) -> None:
    root = _project(tmp_path)
    server = socket.socket(socket.AF_UNIX)
    try:
        monkeypatch.chdir(root / "classes")  # a socket path is limited to about 100 bytes
        server.bind("Sock.cls-meta.xml")
        found, problems = read_all(root)
    finally:
        server.close()
    assert [c.full_name for c in found] == ["Good"]
    assert "a socket is not a file" in problems[0].message


@pytest.mark.timeout(20)
def test_a_file_swapped_for_a_named_pipe_after_listing_is_refused_without_blocking(tmp_path) -> None:
    root = _project(tmp_path)
    source = open_source(root)
    target = root / "classes" / "Good.cls-meta.xml"
    target.unlink()
    os.mkfifo(target)
    with pytest.raises(UnreadableFileError, match="a named pipe is not a file"):
        source.read("classes/Good.cls-meta.xml")


def test_a_folder_name_that_is_not_utf8_is_skipped_with_a_problem(tmp_path) -> None:
    root = _project(tmp_path)
    os.mkdir(os.fsencode(root / "classes") + b"/\xff\xfe")
    os.mkdir(os.fsencode(root) + b"/objects\xff")
    with open(os.fsencode(root / "classes") + b"/\xff\xfe/X.cls-meta.xml", "wb") as fh:
        fh.write(hostile.CLASS_META)
    found, problems = read_all(root)
    assert [c.full_name for c in found] == ["Good"]
    assert sorted(p.path for p in problems) == ["classes/\\udcff\\udcfe", "objects\\udcff"]
    assert all("not valid UTF-8" in p.message for p in problems)
    for p in problems:
        p.message.encode("utf-8")  # fit for a database


def test_paths_over_path_max_are_a_read_problem(tmp_path) -> None:
    root = _project(tmp_path)
    fd = os.open(root / "classes", os.O_RDONLY)
    try:  # 20 folders of 250 characters: over Linux's 4,096-byte PATH_MAX, made relative to each other
        for _ in range(20):
            os.mkdir("d" * 250, dir_fd=fd)
            fd, old = os.open("d" * 250, os.O_RDONLY, dir_fd=fd), fd
            os.close(old)
        with open(os.open("Deep.cls-meta.xml", os.O_WRONLY | os.O_CREAT, 0o600, dir_fd=fd), "wb") as fh:
            fh.write(hostile.CLASS_META)
    finally:
        os.close(fd)
    found, problems = read_all(root)
    assert [c.full_name for c in found] == ["Good"]
    assert len(problems) == 1 and "cannot be read (File name too long)" in problems[0].message


def test_a_deeply_nested_sfdx_project_json_is_a_read_problem(tmp_path) -> None:
    root = _project(tmp_path)
    (root / "sfdx-project.json").write_text('{"packageDirectories": ' + "[" * 100_000 + "]" * 100_000 + "}")
    found, problems = read_all(root)
    assert [c.full_name for c in found] == ["Good"]
    assert [(p.path, p.kind) for p in problems] == [("sfdx-project.json", "malformed")]
    assert "nested too deeply" in problems[0].message


def test_an_unreadable_sfdx_project_json_in_a_zip_is_a_read_problem(tmp_path) -> None:
    path = tmp_path / "p.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("sfdx-project.json", json.dumps({"packageDirectories": [{"path": "force-app"}]}) * 50)
        zf.writestr("force-app/classes/Good.cls", hostile.CLASS)
        zf.writestr("force-app/classes/Good.cls-meta.xml", hostile.CLASS_META)
    path.write_bytes(hostile.corrupt_stream(path.read_bytes(), "sfdx-project.json"))
    found, problems = read_all(path)
    assert [c.full_name for c in found] == ["Good"]
    assert [p.path for p in problems] == ["sfdx-project.json"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-32"])
def test_a_namespace_prefix_on_a_utf16_file_reads_it_as_without_one(tmp_path, encoding) -> None:
    root = _project(tmp_path)
    text = hostile.CLASS_META.decode().replace('encoding="UTF-8"', f'encoding="{encoding.upper()}"')
    (root / "classes" / "Good.cls-meta.xml").write_bytes(text.encode(encoding))
    plain, plain_problems = read_all(root)
    prefixed, problems = read_all_with_prefix(root)
    assert problems == plain_problems == []
    assert [c.content_hash for c in prefixed] == [c.content_hash for c in plain]


def read_all_with_prefix(root) -> tuple[list[ParsedComponent], list[ReadProblem]]:
    problems: list[ReadProblem] = []
    found = [c for c in iter_components(root, namespace_prefix="ns__", on_problem=problems.append)
             if isinstance(c, ParsedComponent)]
    return found, problems


def test_a_namespace_token_in_a_file_that_is_not_utf8_is_a_read_problem(tmp_path) -> None:
    root = _project(tmp_path)
    bad = b'<?xml version="1.0"?><ApexClass ' + META_NS + b"><description>%%%NAMESPACE%%% \xff</description></ApexClass>"
    (root / "classes" / "Good.cls-meta.xml").write_bytes(bad)
    found, problems = read_all_with_prefix(root)
    assert [(p.path, p.kind) for p in problems] == [("classes/Good.cls-meta.xml", "malformed")]
    assert "not UTF-8" in problems[0].message and found[0].error


def test_an_xml_file_over_the_stated_limit_is_a_read_problem_and_the_rest_is_read(tmp_path) -> None:
    """A type read whole (a layout) is refused over 32 MiB; objects, profiles and permission sets
    are streamed and have their own limit (the next test)."""
    root = _project(tmp_path)
    (root / "layouts").mkdir()
    big = (b'<?xml version="1.0" encoding="UTF-8"?><Layout ' + META_NS + b"><layoutSections>"
           + b"<layoutColumns><layoutItems><field>Name</field></layoutItems></layoutColumns>" * 450_000
           + b"</layoutSections></Layout>")
    assert len(big) > 32 * 1024 * 1024
    (root / "layouts" / "Account-Big.layout").write_bytes(big)
    found, problems = read_all(root)
    assert [c.full_name for c in found if not c.error] == ["Good"]
    assert [(p.path, p.kind) for p in problems] == [("layouts/Account-Big.layout", "unsafe")]
    assert "over the 32 MiB limit for one XML file" in problems[0].message


def test_a_streamed_file_over_its_stated_limit_is_a_read_problem_and_the_rest_is_read(tmp_path, monkeypatch) -> None:
    """The streamed limit is the per-file limit of an upload (64 MiB), which refuses a larger file
    first; set lower here so a small file shows the reader's own refusal and its advice."""
    from orgbook.metadata import xmlstream

    monkeypatch.setattr(xmlstream, "MAX_STREAMED_XML_BYTES", 1024 * 1024)
    root = _project(tmp_path)
    (root / "profiles").mkdir()
    big = (b'<?xml version="1.0" encoding="UTF-8"?><Profile ' + META_NS + b">"
           + b"<fieldPermissions><editable>true</editable><field>A__c.B__c</field></fieldPermissions>" * 20_000
           + b"</Profile>")
    (root / "profiles" / "Big.profile").write_bytes(big)
    problems: list[ReadProblem] = []
    found = [c for c in iter_components(root, on_problem=problems.append, stream_above=0)
             if isinstance(c, ParsedComponent)]
    assert [c.full_name for c in found if not c.error] == ["Good"]
    assert [(p.path, p.kind) for p in problems] == [("profiles/Big.profile", "unsafe")]
    assert "is over the 1 MiB limit for one object, profile or permission set file" in problems[0].message
    assert "Retrieve it in parts" in problems[0].message
