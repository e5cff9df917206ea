"""Fuzzing the metadata readers (issue 19, item 13): hostile input gives a read problem or the
archive's refusal, never another exception; no input takes over 5 s; memory stays bounded.

Inputs are real corpus files mutated (byte flips, cuts, insertions of a DOCTYPE, deep nesting,
namespace tokens, markup that used to be quadratic, other encodings), laid out in a folder or a
zip with structural oddities (a named pipe, a name that is not UTF-8, a damaged zip entry).

The seed is fixed (derandomize) so CI runs the same cases every time; ORGBOOK_FUZZ_EXAMPLES
raises the number of cases per test for a longer run (bench/README.md has the figures of one).
"""

from __future__ import annotations

import io
import os
import resource
import tempfile
import time
import zipfile
from collections.abc import Callable
from datetime import timedelta
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orgbook.metadata import (
    ParsedComponent,
    ReadProblem,
    UnsafeArchiveError,
    XmlError,
    iter_components,
    iter_dependencies,
    parse_xml,
)
from orgbook.metadata.tests import hostile
from tests.corpus import DREAMHOUSE, LFC, PMM, V4S

EXAMPLES = int(os.environ.get("ORGBOOK_FUZZ_EXAMPLES", "800"))
LIMIT_S = 5.0
FUZZ = settings(
    derandomize=True,  # the same cases on every run: CI never turns red by luck
    database=None,  # nothing written into the repository
    max_examples=EXAMPLES,
    deadline=timedelta(seconds=LIMIT_S),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Real files of the types with their own readers and scanners, smallest first per suffix.
SUFFIXES = (".object", ".cls-meta.xml", ".page-meta.xml", ".email-meta.xml", ".js-meta.xml",
            ".field-meta.xml", ".object-meta.xml", ".flow", ".flow-meta.xml", ".profile", ".labels",
            ".labels-meta.xml", ".workflow", ".report", ".layout", ".permissionset", "sfdx-project.json")
PER_SUFFIX = 3
MAX_SEED_BYTES = 64 * 1024


# The corpus keeps metadata only (its NOTICE): code bodies are written here, in the shapes the
# scanners read, at the paths they would have in a project.
CODE = (
    ("force-app/main/default/classes/PropertyController.cls",
     b"public with sharing class PropertyController {\n    // Property__c.Price__c\n    @AuraEnabled\n"
     b"    public static List<Property__c> find(String q) { return [SELECT Id, Broker__r.Name FROM Property__c]; }\n}\n"),
    ("force-app/main/default/triggers/PropertyTrigger.trigger",
     b"/* header */\ntrigger PropertyTrigger on Property__c (before insert, after update) {\n"
     b"    PropertyService.handle(Trigger.new);\n}\n"),
    ("force-app/main/default/pages/PropertyPage.page",
     b'<apex:page standardController="Property__c" extensions="PropertyExt, ns.Pricing">\n'
     b'  <!-- <c:Old/> --><c:Header title="{!Property__c.Name}"/>\n  <apex:include pageName="Footer"/>\n'
     b"  {!$Label.Welcome} {!Property__c.Broker__r.Email__c}\n</apex:page>\n"),
    ("force-app/main/default/aura/propertyTile/propertyTile.cmp",
     b'<aura:component controller="PropertyController" extends="c:base" implements="force:hasRecordId">\n'
     b'  <aura:registerEvent name="select" type="c:PropertySelected"/>\n  <c:propertyCard p="{!v.p}"/>\n'
     b"  {!$Label.c.Title}\n</aura:component>\n"),
    ("force-app/main/default/lwc/propertyList/propertyList.js",
     b"import { LightningElement, wire } from 'lwc';\nimport find from '@salesforce/apex/PropertyController.find';\n"
     b"import NAME from '@salesforce/schema/Property__c.Name';\nimport T from '@salesforce/label/c.Title';\n"
     b"import { x } from 'c/util'; // import y from 'c/no'\nexport default class PropertyList extends LightningElement {}\n"),
    ("force-app/main/default/email/unfiled$public/Welcome.email",
     b"Dear {!Contact.FirstName},\n{!Receiving_User.Title} {!Property__c.Price__c}\n"),
)


@cache
def seeds() -> tuple[tuple[str, bytes], ...]:
    """(path relative to its project, bytes) of real files, a few per suffix, and code bodies."""
    found: dict[str, list[tuple[int, str, Path]]] = {s: [] for s in SUFFIXES}
    for root in (DREAMHOUSE, PMM, V4S, LFC):
        for path in sorted(root.rglob("*")):
            suffix = next((s for s in SUFFIXES if path.name.endswith(s)), None)
            if suffix and path.is_file() and path.stat().st_size <= MAX_SEED_BYTES:
                found[suffix].append((path.stat().st_size, str(path.relative_to(root)), path))
    picked = [sorted(files)[:PER_SUFFIX] for files in found.values()]
    return CODE + tuple((rel, path.read_bytes()) for files in picked for _, rel, path in files)


INSERTS = [
    b'<!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>', b"<!ENTITY a 'b'>", b"&x;",
    b"<a>" * 400, b"<a>" * 300 + b"</a>" * 300, b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"\xc3",
    b"%%%NAMESPACE%%%", b"___NAMESPACE___", b"{!", b"{!$Label.c.X}", b"<ns:tag ", b"<apex:page controller='",
    b"import ", b"import x from 'c/y';", b"trigger T on Account (", b"//", b"/*", b"'", b'"', b"`",
    b"]]>", b"<![CDATA[", b"<?xml version='1.0' encoding='UTF-16'?>", b"<fullName>", b"</fields>",
    b"\n" * 64, "é€𝄞".encode(), b"[" * 2000,
]
# Mostly a few copies; sometimes 20,000, where a quadratic scan shows (16,000 `<ns:tag`: 44 s).
REPEATS = [1, 1, 2, 3, 10, 50, 20_000]
MAX_INSERT_BYTES = 200_000  # a large upload is the memory test's and bench/large_file.py's work
ENCODINGS = ["utf-16", "utf-16-be", "utf-32", "latin-1", "cp037"]


@st.composite
def mutated(draw: st.DrawFn, data: bytes) -> bytes:
    """A few mutations of `data`, drawn in order."""
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(data)))
        op = draw(st.sampled_from(["flip", "cut", "insert", "repeat", "encode", "drop"]))
        if op == "flip" and data:
            at = min(at, len(data) - 1)
            data = data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
        elif op == "cut":
            data = data[:at]
        elif op == "insert":
            insert = draw(st.sampled_from(INSERTS))
            copies = min(draw(st.sampled_from(REPEATS)), MAX_INSERT_BYTES // len(insert))
            data = data[:at] + insert * copies + data[at:]
        elif op == "repeat":
            data = data[:at] + data[at : at + 64] * draw(st.integers(2, 400)) + data[at:]
        elif op == "encode":
            data = data.decode("utf-8", "replace").encode(draw(st.sampled_from(ENCODINGS)), "replace")
        elif op == "drop":
            data = data[:at] + data[at + draw(st.integers(1, 200)) :]
    return data


@st.composite
def case(draw: st.DrawFn) -> tuple[str, bytes]:
    rel, data = draw(st.sampled_from(seeds()))
    return rel, draw(mutated(data))


def timed(work: Callable[[], object]) -> None:
    # CPU time of this process, not wall time: a quadratic reader still fails; a busy CI machine does not.
    start = time.process_time()
    work()
    elapsed = time.process_time() - start
    assert elapsed < LIMIT_S, f"{elapsed:.1f} s"


def read_everything(source: str | os.PathLike[str]) -> list[ReadProblem]:
    """What an import does with an upload: every component and its dependencies. Only
    UnsafeArchiveError (the upload refused as a whole) may escape."""
    problems: list[ReadProblem] = []
    try:
        for item in iter_components(source, on_problem=problems.append):
            if isinstance(item, ParsedComponent):
                list(iter_dependencies(item))
    except UnsafeArchiveError:
        pass
    return problems


def write_project(root: Path, rel: str, data: bytes, oddity: str) -> None:
    """The mutated file at its real place, its unmutated companion beside it, and an oddity."""
    target = root / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    companion = target.with_name(target.name.removesuffix("-meta.xml")) if rel.endswith("-meta.xml") \
        else target.with_name(target.name + "-meta.xml")
    if not companion.exists():
        companion.write_bytes(hostile.CLASS_META if rel.endswith(".cls") else b"public class X {}")
    if oddity == "fifo":
        os.mkfifo(target.with_name("Pipe.cls-meta.xml"))
    elif oddity == "not utf-8":
        (Path(os.fsdecode(os.fsencode(target.parent) + b"/\xff.cls-meta.xml"))).write_bytes(hostile.CLASS_META)
    elif oddity == "project":
        (root / "sfdx-project.json").write_bytes(b'{"packageDirectories": [{"path": "' + data[:40] + b'"}]}')


ODDITIES = ["none", "fifo", "not utf-8", "project"]


def zipped(root: Path) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(root.rglob("*")):
            if path.is_file():
                zf.write(path, str(path.relative_to(root)))
    return buf.getvalue()


@FUZZ
@given(case())
def test_parse_xml_raises_only_xml_errors(sample: tuple[str, bytes]) -> None:
    rel, data = sample

    def parse() -> None:
        try:
            parse_xml(data, rel)
        except XmlError:
            pass

    timed(parse)


@FUZZ
@given(case(), st.sampled_from(["ApexClass", "ApexTrigger", "ApexPage", "ApexComponent", "AuraDefinitionBundle",
                                "LightningComponentBundle", "EmailTemplate"]))
def test_body_scanners_take_any_text(sample: tuple[str, bytes], type_name: str) -> None:
    rel, data = sample
    component = ParsedComponent(type=type_name, full_name="X", file_path=rel, definition=b"", content_hash="",
                                body=data)
    timed(lambda: list(iter_dependencies(component)))


@FUZZ
@given(case(), st.sampled_from(ODDITIES))
def test_a_folder_reads_to_the_end(sample: tuple[str, bytes], oddity: str) -> None:
    rel, data = sample
    with tempfile.TemporaryDirectory() as tmp:
        write_project(Path(tmp), rel, data, oddity)
        timed(lambda: read_everything(tmp))


@FUZZ
@given(case(), st.sampled_from(ODDITIES[:1] + ODDITIES[3:]), st.sampled_from(["none", *hostile.ENTRY_DAMAGE]),
       st.lists(st.tuples(st.integers(0, 10**6), st.integers(1, 255)), max_size=3))
def test_a_zip_reads_to_the_end_or_is_refused(sample: tuple[str, bytes], oddity: str, damage: str,
                                              flips: list[tuple[int, int]]) -> None:
    rel, data = sample
    with tempfile.TemporaryDirectory() as tmp:
        write_project(Path(tmp) / "p", rel, data, oddity)
        archive = zipped(Path(tmp) / "p")
        if damage != "none":
            archive = hostile.ENTRY_DAMAGE[damage](archive, rel)
        for at, mask in flips:  # anywhere, the central directory included
            at %= len(archive)
            archive = archive[:at] + bytes([archive[at] ^ mask]) + archive[at + 1 :]
        path = Path(tmp) / "upload.zip"
        path.write_bytes(archive)
        timed(lambda: read_everything(path))


def test_memory_stays_bounded_over_the_fuzz_cases() -> None:
    """The largest case (a mutated file with 400-fold repeats) must not take the process far:
    run every seed's worst mutation and compare the peak resident size."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with tempfile.TemporaryDirectory() as tmp:
        for i, (rel, data) in enumerate(seeds()):
            blown = data[:64] * 400 + data + b"<a>" * 400 * 50
            write_project(Path(tmp) / str(i), rel, blown, "none")
            read_everything(Path(tmp) / str(i))
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 256, f"peak resident size grew by {grown_mb:.0f} MB"
