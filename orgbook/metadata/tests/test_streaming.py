"""Large objects, profiles and permission sets are read a top-level element at a time (issue 19,
item 8: a 60 MB object took an import to 1.3 GB), and give exactly what the whole-tree reading
gives: the same components, definitions, hashes (stored hashes must not change), attributes,
labels and dependencies. Memory is measured in bench/bigfile.py, not here; these tests check the
streamed path is taken and its output is the tree's."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from orgbook.metadata import (
    KnownChildren,
    ParsedComponent,
    ReadProblem,
    SchemaIndex,
    SkippedFile,
    iter_components,
    iter_dependencies,
)
from orgbook.metadata.reader import ComponentStream
from orgbook.metadata.xmlstream import STREAM_ABOVE
from tests.corpus import PROJECTS, V4S

NEVER = 2**62  # stream_above: every file read whole
Item = ParsedComponent | SkippedFile | KnownChildren


def _read(stream: ComponentStream) -> list[tuple[Item, list[object] | None]]:
    """Every item with the dependencies of its components (what the ingest stores)."""
    return _with_dependencies(list(stream), None)


def _with_dependencies(items: list[Item], only: set[str] | None) -> list[tuple[Item, list[object] | None]]:
    """`only`: just the dependencies of components read from these files."""
    return [(c, list(iter_dependencies(c, SchemaIndex()))
             if isinstance(c, ParsedComponent) and (only is None or c.file_path in only) else None)
            for c in items]


def _differences(whole: list[tuple[Item, list[object] | None]],
                 streamed: list[tuple[Item, list[object] | None]]) -> list[str]:
    assert len(whole) == len(streamed)
    out = []
    for (a, deps_a), (b, deps_b) in zip(whole, streamed, strict=True):
        if a != b or deps_a != deps_b:
            out.append(f"{getattr(a, 'file_path', a)}: {getattr(a, 'full_name', '')}")
    return out


def _kind(path: str) -> str:
    return re.sub(r"-meta\.xml$", "", path).rpartition(".")[2]


# The kinds of file each project streams when every file of a streamed type is (stream_above=0):
# together every streamed kind, in both formats (799 files).
STREAMED_KINDS = {
    "SFDC-Assets__omnistudio-demo": set(),
    "SalesforceFoundation__EDA": {"labels", "object", "objectTranslation"},
    "SalesforceFoundation__PMM": {"labels", "object", "objectTranslation", "permissionset", "sharingRules"},
    "SalesforceFoundation__Volunteers-for-Salesforce": {"labels", "object", "objectTranslation", "workflow"},
    "SalesforceLabs__InnovationHubCoDevelopment": {"labels", "object", "permissionset", "profile"},
    "alexed1__LightningFlowComponents": {"labels", "object", "objectTranslation", "permissionset", "profile"},
    "salesforce-misc__Data360AgentforceSolutionKitRetail": {"bot", "object", "permissionset", "profile"},
    "salesforce-misc__DataCloudAndAgentForceForAutomotive": {"bot", "labels", "object", "permissionset", "profile"},
    "trailheadapps__dreamhouse-lwc": {"object", "permissionset"},
}


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_streaming_gives_what_the_whole_tree_gives_for_every_corpus_file(name: str) -> None:
    stream = iter_components(PROJECTS[name], on_problem=lambda p: None, stream_above=0)
    items = list(stream)
    files = set(stream.streamed)  # the other files are read whole either way: their components are compared
    streamed = _with_dependencies(items, files)
    whole = _with_dependencies(list(iter_components(PROJECTS[name], on_problem=lambda p: None, stream_above=NEVER)),
                               files)
    assert {_kind(p) for p in stream.streamed} == STREAMED_KINDS[name]
    assert _differences(whole, streamed) == []
    # The hashes the tree gives are the ones stored: a streamed re-read is "no change".
    assert [c.content_hash for c, _ in streamed if isinstance(c, ParsedComponent)] == \
        [c.content_hash for c, _ in whole if isinstance(c, ParsedComponent)]


def test_a_re_read_streams_the_same_known_children_and_changed_components(tmp_path: Path) -> None:
    """A re-import tells the reader what it stored: unchanged fields come back as KnownChildren
    batches, changed ones as components; streamed, in the same order, with the same digests."""
    first = list(iter_components(V4S, on_problem=lambda p: None))
    known = {(c.type, c.full_name.lower()): (c.content_hash, c.element_digest)
             for c in first if isinstance(c, ParsedComponent)}
    # Every fifth component "changed" since it was stored.
    known = {k: v for i, (k, v) in enumerate(sorted(known.items())) if i % 5}
    results = []
    for above in (NEVER, 0):
        stream = iter_components(V4S, on_problem=lambda p: None, stream_above=above)
        stream.known_hashes = known
        results.append(_read(stream))
    assert _differences(*results) == []
    assert any(isinstance(c, KnownChildren) for c, _ in results[1])


def _object(fields: int) -> bytes:
    """Fields with a long description each, so a few thousand make a file over STREAM_ABOVE."""
    body = b"".join(
        b"    <fields>\n        <fullName>F%06d__c</fullName>\n        <description>%s</description>\n"
        b"        <label>F %d</label>\n        <referenceTo>Account</referenceTo>\n"
        b"        <relationshipName>R%d</relationshipName>\n        <type>Lookup</type>\n    </fields>\n"
        % (i, b"Why this lookup exists. " * 60, i, i) for i in range(fields))
    return (b'<?xml version="1.0" encoding="UTF-8"?>\n<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">\n'
            b"    <label>Big</label>\n" + body +
            b"    <validationRules>\n        <fullName>Rule</fullName>\n        <active>true</active>\n"
            b"        <errorConditionFormula>ISBLANK(F000001__c)</errorConditionFormula>\n"
            b"        <errorMessage>Required</errorMessage>\n    </validationRules>\n"
            b"    <sharingModel>ReadWrite</sharingModel>\n</CustomObject>\n")


def _profile(permissions: int) -> bytes:
    body = b"".join(
        b"    <fieldPermissions>\n        <editable>%s</editable>\n        <field>Big__c.F%06d__c</field>\n"
        b"        <readable>%s</readable>\n    </fieldPermissions>\n"
        % (b"true" if i % 3 == 0 else b"false", i, b"false" if i % 7 == 0 else b"true") for i in range(permissions))
    return (b'<?xml version="1.0" encoding="UTF-8"?>\n<Profile xmlns="http://soap.sforce.com/2006/04/metadata">\n'
            b"    <classAccesses>\n        <apexClass>BigController</apexClass>\n        <enabled>true</enabled>\n"
            b"    </classAccesses>\n    <custom>true</custom>\n" + body +
            b"    <tabVisibilities>\n        <tab>Big__c</tab>\n        <visibility>DefaultOn</visibility>\n"
            b"    </tabVisibilities>\n    <userLicense>Salesforce</userLicense>\n</Profile>\n")


def _folder(root: Path, *, fields: int = 0, permissions: int = 0) -> Path:
    """A Metadata API folder holding an object and/or a profile over STREAM_ABOVE."""
    root.mkdir()
    (root / "package.xml").write_text(
        '<?xml version="1.0"?><Package xmlns="http://soap.sforce.com/2006/04/metadata"><version>62.0</version></Package>')
    for kind, count, path, make in (("object", fields, root / "objects" / "Big__c.object", _object),
                                    ("profile", permissions, root / "profiles" / "Big.profile", _profile)):
        if count:
            path.parent.mkdir()
            path.write_bytes(make(count))
            assert path.stat().st_size > STREAM_ABOVE, kind
    return root


@pytest.fixture
def large(tmp_path: Path) -> Path:
    return _folder(tmp_path / "large", fields=3_000, permissions=30_000)


@pytest.fixture
def large_profile(tmp_path: Path) -> Path:
    return _folder(tmp_path / "profile", permissions=30_000)


def test_a_large_object_and_profile_are_streamed_by_default_with_the_trees_output(large: Path) -> None:
    stream = iter_components(large)
    streamed = _read(stream)
    assert stream.streamed == ["objects/Big__c.object", "profiles/Big.profile"]
    assert _differences(_read(iter_components(large, stream_above=NEVER)), streamed) == []
    components = [c for c, _ in streamed if isinstance(c, ParsedComponent)]
    assert Counter(c.type for c in components) == {"CustomField": 3_000, "ValidationRule": 1, "CustomObject": 1,
                                                   "Profile": 1}
    profile, deps = next((c, d) for c, d in streamed if isinstance(c, ParsedComponent) and c.type == "Profile")
    assert profile.attributes["fieldPermissions"] == 30_000 and profile.attributes["userLicense"] == "Salesforce"
    assert profile.element is None and profile.edges is not None  # no whole tree was kept
    granted = sum(1 for i in range(30_000) if i % 3 == 0 or i % 7)
    assert deps is not None and len(deps) == granted + 2  # field permissions, the class, the tab


def test_a_large_object_broken_at_its_end_gives_no_field(tmp_path: Path) -> None:
    """The file is read once before its first field is given: a broken one is one refused
    component, as a whole parse gives, never half its fields."""
    large = _folder(tmp_path / "object", fields=3_000)
    path = large / "objects" / "Big__c.object"
    path.write_bytes(path.read_bytes().replace(b"</CustomObject>", b"</CustomObjec>"))
    problems: list[ReadProblem] = []
    stream = iter_components(large, on_problem=problems.append)
    found = [c for c in stream if isinstance(c, ParsedComponent)]
    assert stream.streamed == ["objects/Big__c.object"]
    assert [(c.type, bool(c.error)) for c in found] == [("CustomObject", True)]
    assert [(p.path, p.kind) for p in problems] == [("objects/Big__c.object", "malformed")]


def test_a_large_profile_nested_too_deep_is_refused_like_a_whole_parse(large_profile: Path) -> None:
    large = large_profile
    path = large / "profiles" / "Big.profile"
    path.write_bytes(path.read_bytes().replace(b"<custom>true</custom>",
                                               b"<custom>" + b"<a>" * 300 + b"</a>" * 300 + b"</custom>"))
    problems: list[ReadProblem] = []
    found = [c for c in iter_components(large, on_problem=problems.append) if isinstance(c, ParsedComponent)]
    assert [c.type for c in found if c.error] == ["Profile"]
    assert [(p.path, p.kind) for p in problems] == [("profiles/Big.profile", "malformed")]
    assert "depth" in problems[0].message.lower()


def test_a_large_file_with_a_doctype_is_refused_before_it_is_read(large_profile: Path) -> None:
    large = large_profile
    path = large / "profiles" / "Big.profile"
    data = path.read_bytes()
    path.write_bytes(data.replace(b"?>\n", b'?>\n<!DOCTYPE Profile [<!ENTITY e "x">]>\n', 1))
    problems: list[ReadProblem] = []
    found = [c for c in iter_components(large, on_problem=problems.append) if isinstance(c, ParsedComponent)]
    assert [c.type for c in found if c.error] == ["Profile"]
    assert [(p.path, p.kind) for p in problems] == [("profiles/Big.profile", "unsafe")]
