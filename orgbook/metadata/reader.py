"""Read components out of a Metadata API folder, an SFDX project, or a zip of either.

Every file is classified by the type directory it sits in and its suffix, with or without
`-meta.xml`, so one walk reads both formats, and the mixes real repositories hold. Each file is
parsed once; components are yielded one at a time so memory stays flat on large orgs.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from lxml import etree

from orgbook.metadata import attributes as attrs
from orgbook.metadata import parallel, xmlstream
from orgbook.metadata.archive import (
    ArchiveLimits,
    Source,
    UnreadableFileError,
    UnsafeArchiveError,
    open_source,
)
from orgbook.metadata.canonical import CanonicalHasher, canonical_hash, raw_hash
from orgbook.metadata.components import KnownChildren, ParsedComponent, ReadProblem, ReadReport, SkippedFile
from orgbook.metadata.dependencies import STREAMED_EDGES, EdgeSet
from orgbook.metadata.formats import META, SourceFormat, detect_format
from orgbook.metadata.names import decode_file_name, has_tokens, namespace_of, resolve_tokens
from orgbook.metadata.registry import REGISTRY, ChildType, MetadataType, Strategy
from orgbook.metadata.xmlsafe import MalformedXmlError, XmlError, local_name, parse_xml

log = logging.getLogger(__name__)
_SKIP_FILES = frozenset({"package.xml", "sfdx-project.json"})
_BUNDLE_DIRS = frozenset(
    t.directory for t in REGISTRY.types.values()
    if t.strategy in (Strategy.BUNDLE, Strategy.EXPANDED, Strategy.WORKSPACE, Strategy.JSON_BUNDLE)
)

ProblemHandler = Callable[[ReadProblem], None]
# Types read as one component whose hash, attributes and edges can be worked out a top-level
# element at a time, so a large file of them is streamed (profiles, permission sets).
_STREAMED_WHOLE = frozenset(STREAMED_EDGES) & frozenset(attrs.STREAMED)

# Part of every source digest: bump it when reading, attributes, hashing or dependency extraction
# change what a file gives, so files read by an older engine are read again instead of skipped.
READER_VERSION = "2"  # 2: agent actions' and Lightning types' JSON files, orchestration evaluation flows


@dataclass(frozen=True)
class Target:
    """What one file holds, decided from its path alone."""

    kind: str  # "file" | "child" | "generic"
    type: str
    full_name: str
    parent_name: str | None = None
    body_path: str | None = None
    is_meta: bool = True

    def __repr__(self) -> str:
        # The dataclass's own repr, written out (it is part of every stored digest): the generated
        # one goes through a recursion guard and costs more than the rest of a skipped file's work.
        return _target_repr(self.kind, self.type, self.full_name, self.parent_name, self.body_path, self.is_meta)


def _target_repr(kind: str, type_: str, full_name: str, parent_name: str | None, body_path: str | None,
                 is_meta: bool) -> str:
    return (f"Target(kind={kind!r}, type={type_!r}, full_name={full_name!r}, parent_name={parent_name!r}, "
            f"body_path={body_path!r}, is_meta={is_meta!r})")


@dataclass(frozen=True)
class _Streamed:
    """What a streamed file's one component is made of, worked out element by element."""

    content_hash: str
    attributes: dict[str, object]
    label: str | None
    edges: tuple[tuple[str, str, str, str, tuple[str, ...]], ...]


@dataclass(frozen=True)
class _Split:
    tags: frozenset[str]  # local names of the child elements
    left: list[etree._Element]  # children still in the tree


# What the walk yields: components, or (`_Reader.defer`) files to parse elsewhere.
_Walked = ParsedComponent | SkippedFile | KnownChildren | parallel.FileJob


def _full_name_text(el: etree._Element, tags: dict[str, str]) -> str:
    """`attributes.child_text(el, "fullName") or ""`, looking at the first child first (where
    Salesforce writes it). `tags` caches `{ns}fullName` per element tag."""
    tag = el.tag
    wanted = tags.get(tag)
    if wanted is None:
        wanted = tags[tag] = tag[: tag.index("}") + 1] + "fullName" if tag[0] == "{" else "fullName"
    if len(el) and el[0].tag == wanted:
        return (el[0].text or "").strip()
    return attrs.child_text(el, "fullName") or ""


def iter_components(
    source: str | os.PathLike[str] | Source,
    *,
    namespace_prefix: str | None = None,
    on_problem: ProblemHandler | None = None,
    strict: bool = False,
    limits: ArchiveLimits | None = None,
    stream_above: int = xmlstream.STREAM_ABOVE,
    pool: parallel.ReadPool | None = None,
) -> ComponentStream:
    """Yield every component of a folder or zip, in path order.

    `namespace_prefix` resolves CumulusCI tokens (`___NAMESPACE___`, `%%%NAMESPACE%%%`), e.g.
    '' for an unmanaged deploy or 'pmdm__'; None keeps them as written.
    Unreadable files are reported to `on_problem` (logged when None) and kept as components
    with `error` set; `strict=True` raises instead.
    The stream's `known` (set before iterating) maps file paths to the `(source_digest,
    source_stat)` their components were read with last time: a file whose signature (size, times,
    inode; a zip member's CRC) is the same is not even read, one whose bytes digest is the same is
    not parsed, and a `SkippedFile` stands for its components.
    An object, workflow, labels or sharing rules file (a file holding children), a profile or a
    permission set larger than `stream_above` bytes is read a top-level element at a time
    (xmlstream.py), with the same components, hashes, attributes and dependencies.
    `pool`: parse the files in its worker processes (parallel.py), each component coming with
    its `prepared` forms; the stream yields the same components in the same order. On a re-import
    a file to parse takes to its worker the stored hashes of the components last read from it
    (`known_keys`), which is what the worker compares its components with.
    """
    stream = ComponentStream(source, namespace_prefix, on_problem, strict, limits)
    stream.stream_above = stream_above
    stream.pool = pool
    return stream


class ComponentStream:
    """The iterator `iter_components` returns; `known` lets a re-import skip unchanged files."""

    def __init__(self, source: str | os.PathLike[str] | Source, ns_prefix: str | None,
                 on_problem: ProblemHandler | None, strict: bool, limits: ArchiveLimits | None) -> None:
        self.known: Mapping[str, tuple[str, str]] = {}
        # (type, lower-cased full name) -> (content hash, element digest) stored: in a file that
        # is read again, a child whose element digest is the same is yielded in a `KnownChildren`
        # batch, and a component whose hash is the same without attributes or definition (the
        # caller keeps what it stored), so the 79 unchanged fields of a changed `.object` cost a
        # serialisation and a digest each, not a hash and attributes.
        self.known_hashes: Mapping[tuple[str, str], tuple[str, str]] = {}
        # path -> the keys of `known_hashes` last read from that file: what a worker parsing it
        # is given of them (it cannot ask the whole model). A component it is not given (moved
        # from another file) is parsed in full, and the caller finds it unchanged by its hash.
        self.known_keys: Mapping[str, Sequence[tuple[str, str]]] = {}
        self.skipped: list[str] = []  # files not parsed because their digest was known
        self.stream_above = xmlstream.STREAM_ABOVE
        self.streamed: list[str] = []  # files read a top-level element at a time (xmlstream.py)
        self.report = ReadReport()  # where every file went; complete once the stream ends
        self.pool: parallel.ReadPool | None = None
        self._args = (source, ns_prefix, on_problem, strict, limits)
        self._gen: Iterator[ParsedComponent | SkippedFile | KnownChildren] | None = None

    def __iter__(self) -> ComponentStream:
        return self

    def __next__(self) -> ParsedComponent | SkippedFile | KnownChildren:
        if self._gen is None:
            self._gen = self._run()
        return next(self._gen)

    def close(self) -> None:
        if self._gen is not None:
            self._gen.close()  # type: ignore[attr-defined]

    def _run(self) -> Iterator[ParsedComponent | SkippedFile | KnownChildren]:
        source, ns_prefix, on_problem, strict, limits = self._args
        src = open_source(source, limits)
        try:
            reader = _Reader(src, ns_prefix, on_problem, strict, self.known, self.known_hashes, self.report)
            reader.stream_above, reader.streamed, reader.known_keys = self.stream_above, self.streamed, self.known_keys
            pool = self.pool
            if pool is not None and pool.size and not strict:
                reader.defer = True
                items: Iterator[ParsedComponent | SkippedFile | KnownChildren] = _Ordered(reader, pool).run()
            else:  # nothing deferred: the walk yields components only
                items = cast(Iterator[ParsedComponent | SkippedFile | KnownChildren], reader.run())
            for item in items:
                if isinstance(item, SkippedFile):
                    self.skipped.append(item.path)
                yield item
        finally:
            if src is not source:
                src.close()


class _Reader:
    def __init__(self, source: Source, ns_prefix: str | None, on_problem: ProblemHandler | None, strict: bool,
                 known: Mapping[str, tuple[str, str]] | None = None,
                 known_hashes: Mapping[tuple[str, str], tuple[str, str]] | None = None,
                 report: ReadReport | None = None) -> None:
        self.source = source
        self.report = report if report is not None else ReadReport()
        self.root = ""  # the package directory being read
        # What the files read so far claim as their own content: body file -> component file,
        # folder -> component file (a bundle's folder). Files that gave no component are
        # matched against them when reading ends (`_account`).
        self.claimed_files: dict[str, str] = {}
        self.claimed_folders: dict[str, str] = {}
        self.unclassified: list[tuple[str, str]] = []  # (path, its package directory)
        self.known = known if known is not None else {}
        self.known_hashes = known_hashes if known_hashes is not None else {}
        self.digest = ""  # of the file being read; '' for components that must never be skipped
        self.stat = ""  # its signature
        self.facts = b""  # how the file being read was classified (part of every digest made from it)
        self._bytes: dict[str, bytes] = {}  # read for the digest, handed to the parse
        self.ns_prefix = ns_prefix
        self.on_problem = on_problem
        self.strict = strict
        self.projects = {p.rpartition("/")[0] for p in source.paths if p.rpartition("/")[2] == "sfdx-project.json"}
        self.synthetic_done: set[str] = set()
        self.dir_format = SourceFormat.SFDX
        self.stream_above = xmlstream.STREAM_ABOVE
        self.streamed: list[str] = []
        self.parts: list[str] = []  # the JSON files read into the body of the component being read
        self.parts_root = ""  # the folder they are named relative to (the component file's)
        self._bundle_files: dict[str, list[str]] | None = None
        self.defer = False  # hand each file to parse over as a `FileJob` (read in a worker)
        self.known_keys: Mapping[str, Sequence[tuple[str, str]]] = {}  # ComponentStream.known_keys

    def run(self) -> Iterator[_Walked]:
        for path, why in self.source.skipped:
            self._report(ReadProblem(path, f"{path}: skipped, {why}.", "unsafe"))
        detected = detect_format(self.source)
        for problem in detected.problems:
            self._report(problem)
        self.report.project = detected.project
        roots = _outermost(detected.package_dirs)
        for root in roots:
            self.root = root
            self.dir_format = detected.dir_formats.get(root, detected.format)
            for path in self.source.files(root):
                yield from self._read_path(path, root)
        self._account(roots, bool(detected.project))

    def _account(self, roots: list[str], has_project: bool) -> None:
        """The report: every file that gave no component, as part of one that did or with its reason."""
        report = self.report
        report.files, report.roots = len(self.source.paths), list(roots)
        report.skipped.extend((path, f"refused: {why}") for path, why in self.source.skipped)
        for path, root in self.unclassified:
            owner = self._owner(path)
            if owner is not None:
                report.parts[path] = owner
            else:
                report.skipped.append((path, _reason(path, root)))
        read = set(roots)
        for path in self.source.paths:
            if not any(path.startswith(r + "/") or r == "" for r in read):
                report.skipped.append((path, _outside_reason(path, has_project)))

    def _owner(self, path: str) -> str | None:
        owner = self.claimed_files.get(path)
        folder = path.rpartition("/")[0]
        while owner is None and folder:
            owner = self.claimed_folders.get(folder)
            folder = folder.rpartition("/")[0]
        return owner

    def _claim(self, path: str, target: Target) -> None:
        """Record which other files this component file stands for."""
        if target.body_path and target.body_path != path:
            self.claimed_files[target.body_path] = path
        elif path.endswith(META):
            self.claimed_files[path[: -len(META)]] = path  # a body whose type the reader does not know
        folder, _, name = path.rpartition("/")
        mtype = REGISTRY.get(target.type)
        strategy = mtype.strategy if mtype is not None else None
        if strategy is Strategy.EXPANDED:  # `staticresources/X.resource-meta.xml` and `staticresources/X/`
            self.claimed_folders[_join(folder, _split(name)[0])] = path
        elif strategy in (Strategy.BUNDLE, Strategy.WORKSPACE, Strategy.JSON_BUNDLE) or (
                target.type in _PARENT_TYPES and target.kind == "child"):
            self.claimed_folders[folder] = path
        elif (mtype is None or not mtype.children) and folder.rpartition("/")[2] == _split(name)[0]:
            # `genAiFunctions/X/X.genAiFunction-meta.xml` with `X/input/schema.json`: a folder named
            # after its one component is that component's (not `objects/X/`, which holds children).
            self.claimed_folders[folder] = path

    def _read_path(self, path: str, root: str) -> Iterator[_Walked]:
        rel = path[len(root) + 1 :] if root else path
        parts = rel.split("/")
        target = classify(parts, self.source.exists, path)
        if target is None and self.dir_format is SourceFormat.MDAPI:
            target = unknown_mdapi_file(parts, self.source.exists, path)
        if target is None:
            self.unclassified.append((path, root))
            return
        self._claim(path, target)
        self.digest, self.stat, self._bytes = "", "", {}
        self.parts, self.parts_root = self._json_parts(path, target), path.rpartition("/")[0]
        try:
            yield from self._synthetic_parent(path, target)
            known = self.known.get(path)
            stat = self._signature(path, target)
            if known and stat and known[1] == stat:
                yield SkippedFile(path, known[0], stat)
                return
            digest = self._source_digest(path, target)
            if known and known[0] == digest:
                yield SkippedFile(path, digest, stat)
                return
            self.digest, self.stat = digest, stat
            if self.defer:  # the bytes read for the digest go with it: every file the parse may need
                yield parallel.FileJob(path, root, self.dir_format.value, target, digest, stat, self.facts,
                                       self.parts, self._bytes, self._known_in(path))
                return
            yield from self._read_target(path, target)
        except (XmlError, UnsafeArchiveError, UnreadableFileError) as exc:
            self.digest = self.stat = ""
            yield from self._failed(path, target, exc)
        finally:
            self._bytes = {}

    def _known_in(self, path: str) -> dict[tuple[str, str], tuple[str, str]]:
        """The stored hashes of the components last read from `path`, for the worker parsing it."""
        known = self.known_hashes
        return {key: found for key in self.known_keys.get(path, ()) if (found := known.get(key)) is not None}

    def read_job(self, job: parallel.FileJob) -> Iterator[ParsedComponent | KnownChildren]:
        """The parse `_read_path` handed over (`defer`), done here: in a worker, or in the
        stream's process for a reading too small to start workers. Either way it compares what
        it reads with the stored hashes the job carries, so both give the same components."""
        self.root, self.dir_format = job.root, SourceFormat(job.dir_format)
        self.known_hashes = job.known
        self.digest, self.stat, self.facts, self._bytes = job.digest, job.stat, job.facts, dict(job.data)
        self.parts, self.parts_root = job.parts, job.path.rpartition("/")[0]
        try:
            yield from self._read_target(job.path, job.target)
        except (XmlError, UnsafeArchiveError, UnreadableFileError) as exc:
            self.digest = self.stat = ""
            yield from self._failed(job.path, job.target, exc)
        finally:
            self._bytes = {}

    def _signature(self, path: str, target: Target) -> str:
        """The file's (and body file's) signatures with how it is classified; '' when unknown."""
        facts = (READER_VERSION, repr(target), self.dir_format.value, self._project(path), repr(self.ns_prefix))
        self.facts = "\x00".join(facts).encode()
        h = hashlib.blake2b(self.facts, digest_size=16)
        body = target.body_path
        for name in [*((path,) if body is None or body == path else (path, body)), *self.parts]:
            if self.source.exists(name):
                sig = self.source.signature(name)
                if not sig:
                    return ""
                h.update(f"\x00{sig}".encode())
        return h.hexdigest()

    def _source_digest(self, path: str, target: Target) -> str:
        """Everything the components of this file are made from: its bytes, its body file's,
        what the path says it holds, and how the folder around it was read."""
        h = hashlib.blake2b(self.facts, digest_size=16)
        for name in dict.fromkeys((path, target.body_path, *self.parts)):  # a lone body file is its own body_path
            if name and self.source.exists(name):
                data = self._bytes[name] = self.source.read(name)
                h.update(b"\x00%d\x00" % len(data))
                h.update(data)
        return h.hexdigest()

    def _read(self, path: str) -> bytes:
        data = self._bytes.pop(path, None)
        return data if data is not None else self.source.read(path)

    def _problem(self, path: str, exc: Exception) -> None:
        kind = "malformed" if isinstance(exc, MalformedXmlError) else "unsafe"
        kind = "error" if isinstance(exc, UnreadableFileError) else kind
        self._report(ReadProblem(path, str(exc), kind))

    def _report(self, problem: ReadProblem) -> None:
        if self.on_problem is not None:
            self.on_problem(problem)
        else:
            log.warning("metadata read problem: %s", problem.message)

    def _failed(self, path: str, target: Target, exc: Exception) -> Iterator[ParsedComponent]:
        """Report, then keep the component (never drop it) without trusting its content."""
        if self.strict:
            raise exc
        self._problem(path, exc)
        keep_raw = isinstance(exc, MalformedXmlError)
        data = self._read(path) if keep_raw else b""
        parent_type = REGISTRY.children[target.type].parent if target.type in REGISTRY.children else None
        yield ParsedComponent(
            type=target.type if target.kind != "generic" else "Unknown",
            full_name=self._name(target.full_name),
            file_path=path,
            definition=data,
            content_hash=raw_hash(data),
            parent_type=parent_type,
            parent_name=self._name(target.parent_name) if target.parent_name else None,
            namespace=namespace_of(target.full_name),
            project=self._project(path),
            package_dir=self.root,
            error=str(exc),
        )

    def _name(self, name: str) -> str:
        return resolve_tokens(name, self.ns_prefix)

    def _project(self, path: str) -> str:
        if not self.projects:
            return ""
        folder = path.rpartition("/")[0]
        while folder:
            if folder in self.projects:
                return folder
            folder = folder.rpartition("/")[0]
        return ""

    def _synthetic_parent(self, path: str, target: Target) -> Iterator[ParsedComponent]:
        """`objects/Contact/fields/*` without `Contact.object-meta.xml` still gives a CustomObject."""
        if target.kind != "child" or target.type != "CustomField" or not target.parent_name:
            return
        folder = path.rsplit("/", 2)[0]
        if folder in self.synthetic_done:
            return
        self.synthetic_done.add(folder)
        own = f"{folder}/{folder.rpartition('/')[2]}.object{META}"
        if self.source.exists(own):
            return
        name = self._name(decode_file_name(folder.rpartition("/")[2]))
        yield ParsedComponent(
            type="CustomObject", full_name=name, file_path=folder, definition=b"",
            content_hash=raw_hash(b""), namespace=namespace_of(name), project=self._project(path),
            format=SourceFormat.SFDX.value, synthetic=True, attributes={"synthetic": True}, package_dir=self.root,
        )

    def _data(self, path: str) -> bytes:
        data = self._read(path)
        # Only a file that holds a token is decoded: UTF-16 or broken bytes without one are left
        # for the parser to read or report.
        if self.ns_prefix is not None and has_tokens(data):
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise MalformedXmlError(
                    f"{path}: not UTF-8 ({exc.reason} at byte {exc.start}), so its namespace tokens cannot "
                    "be replaced; save it as UTF-8.", path, None) from None
            data = resolve_tokens(text, self.ns_prefix).encode("utf-8")
        return data

    def _body(self, target: Target) -> bytes | None:
        if target.body_path and self.source.exists(target.body_path):
            return self._read(target.body_path)
        return self._parts_body() if self.parts else None

    def _json_parts(self, path: str, target: Target) -> list[str]:
        """The JSON files of a Lightning type's folder (`lightningDesktopGenAi/renderer.json`, an
        editor) or of an agent action's or planner bundle's own folder (`input/schema.json`,
        `output/schema.json`): they name other components, so they are read with the component."""
        folder, _, name = path.rpartition("/")
        if target.type != "LightningTypeBundle":
            base, ext, _ = _split(name)
            if ext not in _JSON_PART_SUFFIXES or folder.rpartition("/")[2] != base:
                return []
        if self._bundle_files is None:
            self._bundle_files = {}
            for p in self.source.paths:
                segments = p.split("/")
                for i, segment in enumerate(segments[:-2]):
                    if segment in _JSON_PART_DIRS:
                        self._bundle_files.setdefault("/".join(segments[: i + 2]), []).append(p)
        return [p for p in self._bundle_files.get(folder, ()) if p != path and p.endswith(".json")]

    def _parts_body(self) -> bytes:
        """The component's JSON files as one JSON document: `{relative path: its content}`, in path
        order (a file that is not JSON is kept as its text; one that cannot be read is left out)."""
        folder = self.parts_root
        doc: dict[str, Any] = {}
        for part in self.parts:
            try:
                data = self._read(part)
            except (UnsafeArchiveError, UnreadableFileError):
                continue
            try:
                doc[part[len(folder) + 1:]] = json.loads(data.decode("utf-8-sig"))
            except (ValueError, UnicodeDecodeError, RecursionError):
                doc[part[len(folder) + 1:]] = data.decode("utf-8", "replace")
        return json.dumps(doc, indent=2, ensure_ascii=False).encode("utf-8")

    def _read_target(self, path: str, target: Target) -> Iterator[ParsedComponent | KnownChildren]:
        if target.type in _JSON_TYPES:
            yield self._json_component(path, target)
            return
        if not target.is_meta:  # a body file without its -meta.xml
            body = self._read(path)
            yield self._component(path, target, b"", None, body)
            return
        data = self._data(path)
        if target.kind != "generic" and len(data) > self.stream_above:
            mtype = REGISTRY.get(target.type)
            if target.kind != "child" and mtype is not None and mtype.children:
                self.streamed.append(path)
                yield from self._stream_parent(path, target, data, mtype)
                return
            if target.kind != "child" and target.type in _STREAMED_WHOLE:
                self.streamed.append(path)
                yield self._stream_whole(path, target, data)
                return
        root = parse_xml(data, path)
        if target.kind == "generic":
            target = Target("generic", local_name(root) or "Unknown", target.full_name)
        mtype = REGISTRY.get(target.type)
        if target.kind != "child" and mtype is not None and mtype.children:
            left: list[etree._Element] = []  # unchanged children, still in the tree
            yield from self._split_children(path, target, list(root), mtype, left)
            # The file without its children is the parent's definition: hashed skipping them,
            # serialised (with the unchanged ones removed) only when that hash is new.
            split = _Split(frozenset(c.xml_tag for c in mtype.children), left)
            yield self._component(path, target, b"", root, self._body(target), split=split)
            return
        yield self._component(path, target, data, root, self._body(target))

    def _stream_parent(self, path: str, target: Target, data: bytes,
                       mtype: MetadataType) -> Iterator[ParsedComponent | KnownChildren]:
        """`_read_target` for a large file holding children (an object with 260,000 fields): each
        child is split out as it is read and then removed from the tree, so the tree holds the
        parent's own elements and one child. The file is read once first, keeping nothing, so a
        broken one gives no child (as `parse_xml` would have refused it whole)."""
        xmlstream.check_whole(data, path)
        stream = xmlstream.TopLevel(data, path)
        yield from self._split_children(path, target, stream, mtype, None)
        root = stream.root
        assert root is not None  # TopLevel raised otherwise
        split = _Split(frozenset(c.xml_tag for c in mtype.children), [])
        yield self._component(path, target, b"", root, self._body(target), split=split)

    def _stream_whole(self, path: str, target: Target, data: bytes) -> ParsedComponent:
        """`_read_target` for a large profile or permission set: one component, its hash,
        attributes and edges worked out element by element (what canonical_hash, attrs.extract
        and iter_dependencies give for the whole tree). Only the first element of each tag stays
        in the tree, for the label."""
        stream = xmlstream.TopLevel(data, path)
        hasher, generic, edges = CanonicalHasher(), attrs.Generic(), EdgeSet()
        grant = STREAMED_EDGES[target.type]
        kept: set[object] = set()
        for el in stream:
            hasher.add(el)
            generic.add(el)
            grant(edges, el)
            if el.tag in kept:
                parent = el.getparent()
                if parent is not None:
                    parent.remove(el)
            else:
                kept.add(el.tag)
        root = stream.root
        assert root is not None  # TopLevel raised otherwise
        body = self._body(target)
        streamed = _Streamed(hasher.hexdigest(body), attrs.STREAMED[target.type](generic.result()),
                             attrs.label_of(root, target.type), tuple(edges.seen))
        return self._component(path, target, data, root, body, streamed=streamed)

    def _json_component(self, path: str, target: Target) -> ParsedComponent:
        """A component whose source is JSON (a DigitalExperience content item, a Lightning type):
        its descriptor's bytes (and its body's) hashed as written, its top-level scalars as attributes."""
        data = self._read(path)
        body = self._read(target.body_path) if target.body_path and target.body_path != path and \
            self.source.exists(target.body_path) else None
        if body is None and self.parts:
            body = self._parts_body()
        full_name = self._name(target.full_name)
        parent_name = self._name(target.parent_name) if target.parent_name else None
        attributes = _json_scalars(data)
        if target.type == "DigitalExperience":
            attributes["contentType"] = full_name.partition(".")[2].partition("/")[0]
            content = _json_scalars(body or b"")
            attributes.update({k: content[k] for k in ("title", "urlName") if k in content})
        return ParsedComponent(
            type=target.type, full_name=full_name, file_path=path, definition=data,
            content_hash=raw_hash(data if body is None else data + b"\x00" + body),
            parent_type=_PARENT_TYPES.get(target.type), parent_name=parent_name,
            label=attributes.get("title") or attributes.get("label"), namespace=namespace_of(full_name),
            body=body, attributes=attributes, project=self._project(path), package_dir=self.root,
            format=self.dir_format.value, source_digest=self.digest, source_stat=self.stat,
        )

    def _split_children(self, path: str, target: Target, elements: Iterable[etree._Element], mtype: MetadataType,
                        left: list[etree._Element] | None) -> Iterator[ParsedComponent | KnownChildren]:
        """Children inside a parent file (mdapi `.object`, `.workflow`, `.labels`) become their own components.

        On a re-read, a child whose element digest is the stored one costs a serialisation and
        a digest: it joins a `KnownChildren` batch (yielded before the next changed child, so
        the document order holds) instead of becoming a `ParsedComponent`, and stays in the tree
        (in `left`: removing an element from lxml's tree costs as much as serialising it).
        `left` None: the file is streamed, and every child leaves the tree once read."""
        tags = {c.xml_tag: c for c in mtype.children}
        known_hashes = self.known_hashes
        base = hashlib.blake2b(self.facts, digest_size=16) if self.digest else None
        unchanged: list[tuple[str, str, str, str]] = []
        full_name_tags: dict[str, str] = {}
        for el in elements:
            child = tags.get(local_name(el))
            if child is None:
                continue
            # Translations name their children by `<name>` (CustomObjectTranslation's `<fields>`), not
            # `<fullName>`: without it every field translation of a file was one blank-named component.
            short = _full_name_text(el, full_name_tags) or attrs.child_text(el, "name") or ""
            full = short if child.name == "CustomLabel" else f"{target.full_name}.{short}"
            definition = etree.tostring(el, encoding="UTF-8")
            element_digest = ""
            if base is not None:  # the child's own bytes say whether it changed
                h = base.copy()
                h.update(f"\x00{_target_repr('child', child.name, full, target.full_name, None, True)}\x00".encode())
                h.update(definition)
                element_digest = h.hexdigest()
                full_name = self._name(full)
                known = known_hashes.get((child.name, full_name.lower()))
                if known and known[1] == element_digest:  # unchanged: identity and digests only
                    unchanged.append((child.name, full_name, known[0], element_digest))
                    if left is None:
                        _detach(el)
                    else:
                        left.append(el)
                    continue
            if unchanged:
                yield KnownChildren(path, unchanged)
                unchanged = []
            child_target = Target("child", child.name, full, target.full_name)
            yield self._component(path, child_target, definition, el, None, element_digest=element_digest)
            _detach(el)
        if unchanged:
            yield KnownChildren(path, unchanged)

    def _component(
        self, path: str, target: Target, definition: bytes, el: etree._Element | None, body: bytes | None,
        element_digest: str | None = None, split: _Split | None = None, streamed: _Streamed | None = None,
    ) -> ParsedComponent:
        """`element_digest` not None: a child split out of its file (which holds the file's digests).
        `split`: `el` is a parent file's root that still holds the unchanged children; its
        definition is the root serialised without them.
        `streamed`: the hash, attributes, label and edges of a streamed file (`el` is what is left
        of its tree, not the whole)."""
        full_name = self._name(target.full_name)
        parent_name = self._name(target.parent_name) if target.parent_name else None
        child = REGISTRY.children.get(target.type) if target.kind == "child" else None
        known = self.known_hashes.get((target.type, full_name.lower()))
        # A file split into children keeps its digests on its own component only: a changed
        # `.object` then updates one row, not its 80 unchanged fields' rows.
        own_digest, own_stat = (self.digest, self.stat) if element_digest is None else ("", "")
        element_digest = element_digest or ""
        skip = split.tags if split is not None else frozenset()
        if streamed is not None:
            content_hash = streamed.content_hash
        else:
            content_hash = canonical_hash(el, body, skip) if el is not None else raw_hash(body or b"")
        fmt = _format_of(path, target, self.dir_format).value
        if known and known[0] == content_hash:
            return ParsedComponent(
                type=target.type, full_name=full_name, file_path=path, definition=b"", content_hash=content_hash,
                parent_type=child.parent if child else None, parent_name=parent_name, project=self._project(path),
                format=fmt, source_digest=own_digest, source_stat=own_stat, element_digest=element_digest,
                unchanged=True, package_dir=self.root)
        if split is not None and el is not None:
            for kept in split.left:
                el.remove(kept)
            definition = etree.tostring(el, encoding="UTF-8", xml_declaration=True)
        short = full_name.rpartition(".")[2] if child else full_name
        if streamed is not None:
            attributes, label = streamed.attributes, streamed.label
        else:
            attributes = attrs.extract(target.type, el, full_name, parent_name, body) if el is not None else {}
            label = attrs.label_of(el, target.type) if el is not None else None
        attributes = attributes or attrs.body_only(target.type, body)
        return ParsedComponent(
            type=target.type,
            full_name=full_name,
            file_path=path,
            definition=definition,
            content_hash=content_hash,
            parent_type=child.parent if child else None,
            parent_name=parent_name,
            label=label,
            namespace=namespace_of(short) or namespace_of(full_name),
            body=body,
            attributes=attributes,
            project=self._project(path),
            format=fmt,
            source_digest=own_digest,
            source_stat=own_stat,
            element_digest=element_digest,
            element=el if streamed is None else None,
            edges=streamed.edges if streamed is not None else None,
            package_dir=self.root,
        )


def _detach(el: etree._Element) -> None:
    """Take a read child out of its file's tree (its tail goes with it, as in a whole parse)."""
    parent = el.getparent()
    if parent is not None:
        parent.remove(el)


# Components whose folder's JSON files are read with them (`_json_parts`): Lightning types, and the
# files of these suffixes in a folder of their own name (`genAiFunctions/X/X.genAiFunction-meta.xml`).
_JSON_PART_SUFFIXES = frozenset({"genAiFunction", "genAiPlannerBundle"})
_JSON_PART_DIRS = frozenset({"lightningTypes", "genAiFunctions", "genAiPlannerBundles"})

# Types read from JSON files, and the parent of those that are children of another component.
_JSON_TYPES = frozenset({"DigitalExperience", "LightningTypeBundle"})
_PARENT_TYPES = {"DigitalExperience": "DigitalExperienceBundle"}


def _json_scalars(data: bytes) -> dict[str, Any]:
    """Top-level strings, numbers and booleans of a JSON object (`_meta.json`: apiName, type, path)."""
    try:
        loaded = json.loads(data.decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError, RecursionError):
        return {}
    if not isinstance(loaded, dict):
        return {}
    return {k: v[:4000] if isinstance(v, str) else v for k, v in loaded.items()
            if isinstance(k, str) and isinstance(v, str | int | float | bool)}


def _format_of(path: str, target: Target, dir_format: SourceFormat) -> SourceFormat:
    """Per file: a Metadata API folder may hold source files (CumulusCI bundles do)."""
    mtype = REGISTRY.get(target.type)
    paired = mtype is not None and mtype.strategy in (Strategy.CONTENT, Strategy.BUNDLE, Strategy.EXPANDED)
    if paired or not target.is_meta:
        return dir_format  # `Foo.cls-meta.xml` is the same in both formats
    return SourceFormat.SFDX if path.endswith(META) else SourceFormat.MDAPI


def _reason(path: str, root: str) -> str:
    """Why a file in a package directory gave no component."""
    name = path.rpartition("/")[2]
    if name == "package.xml" or name.startswith("destructiveChanges"):
        return "deployment manifest, not a component"
    if name in ("sfdx-project.json", ".forceignore"):
        return "project file (a nested project's); not a component"
    rel = path[len(root) + 1 :] if root else path
    index = _type_dir_index(rel.split("/"))
    if index is not None:
        folder = rel.split("/")[index]
        types = "/".join(t.name for t in REGISTRY.by_directory(folder))
        return f"not a {types} file, although it is in a {folder}/ folder"
    return "not a metadata file: no metadata type folder or file suffix matches it"


def _outside_reason(path: str, has_project: bool) -> str:
    name = path.rpartition("/")[2]
    if not has_project:
        return "outside the project's folder (the one holding package.xml or the metadata folders)"
    if name == "sfdx-project.json":
        return "project file: its namespace, package directories and API version are the model's project facts"
    if name == ".forceignore":
        return "project file: .forceignore governs deployments; every file in a package directory is read"
    if name == "package.xml" or name.startswith("destructiveChanges"):
        return "deployment manifest, not a component"
    return "outside the package directories sfdx-project.json lists (only those are read)"


def _outermost(dirs: tuple[str, ...]) -> list[str]:
    """Drop package dirs nested in another one, so no file is read twice."""
    result: list[str] = []
    # Shortest first, then as sfdx-project.json lists them (a set's order would change with the
    # hash seed, and with it which copy of a component in two package dirs the model holds).
    for d in sorted(dict.fromkeys(dirs), key=len):
        if not any(d == r or d.startswith(r + "/") or r == "" for r in result):
            result.append(d)
    return result


# --- classification: path -> Target --------------------------------------------------------


def classify(parts: list[str], exists: Callable[[str], bool], path: str) -> Target | None:
    """Decide from the path alone what component a file holds (None: not a component file)."""
    name = parts[-1]
    if name in _SKIP_FILES or name.startswith("destructiveChanges"):
        return None
    index = _type_dir_index(parts)
    if index is None:
        if name.endswith(META):
            return _generic(name)
        # A Metadata API file with its own suffix in a folder the registry does not know
        # (`analyticSnapshots/X.snapshot`): read, and typed by its root element; unless it has a
        # -meta.xml beside it (`wave/X.wdash`): then it is that component's body.
        if REGISTRY.knows_suffix(name.rpartition(".")[2]) and not exists(path + META):
            return _generic(name)
        return None
    types = REGISTRY.by_directory(parts[index])
    rest = parts[index + 1 :]
    strategy = types[0].strategy
    if strategy is Strategy.BUNDLE:
        return _bundle(types[0], rest, path)
    if strategy is Strategy.WORKSPACE:
        return _workspace(types[0], rest, path, exists)
    if strategy is Strategy.JSON_BUNDLE:
        if len(rest) == 2 and rest[1] == types[0].descriptor:
            return Target("file", types[0].name, decode_file_name(rest[0]), body_path=path, is_meta=False)
        return None  # the bundle's other files
    if strategy is Strategy.EXPANDED and len(rest) > 1:
        return None  # content inside an expanded static resource / experience folder
    if strategy in (Strategy.FOLDERED, Strategy.FOLDER):
        return _foldered(types, rest, path, exists)
    return _in_type_dir(types, rest, path, exists)


# Files that are content, never a type's XML definition, wherever they sit.
_CONTENT_EXTENSIONS = frozenset({"json", "js", "css", "html", "txt", "csv", "md", "png", "jpg", "jpeg", "gif",
                                 "svg", "pdf", "zip"})


def unknown_mdapi_file(parts: list[str], exists: Callable[[str], bool], path: str) -> Target | None:
    """In a Metadata API folder (a retrieve's zip), a type the registry does not know keeps its
    XML in `dir/X.suffix` (omniScripts/X.os, genAiPlugins/X.genAiPlugin) or, for a bundle,
    `dir/X/X.suffix` (genAiPlannerBundles/X/X.genAiPlannerBundle), with no -meta.xml: read it as
    a generic component named after its root element, as an import reads the source file."""
    name = parts[-1]
    if len(parts) not in (2, 3) or name.endswith(META) or REGISTRY.by_directory(parts[0]) or exists(path + META):
        return None
    base, ext, _ = _split(name)
    if not base or not ext or ext.lower() in _CONTENT_EXTENSIONS or (len(parts) == 3 and parts[1] != base):
        return None
    return Target("generic", "", decode_file_name(base))


def _type_dir_index(parts: list[str]) -> int | None:
    """The type folder a file sits in: the first bundle folder, else the deepest type folder
    whose types take the file's suffix (`classes/email/X.cls-meta.xml` is an Apex class in a
    sub-folder named like the email templates' folder), else the deepest type folder."""
    found: list[int] = []
    for i, part in enumerate(parts[:-1]):
        if not REGISTRY.by_directory(part):
            continue
        if part in _BUNDLE_DIRS and len(parts) - i >= 3:
            return i  # anything inside a bundle belongs to it, whatever its folder names
        found.append(i)
    if len(found) > 1:
        for i in reversed(found):
            if _takes(REGISTRY.by_directory(parts[i]), parts[-1]):
                return i
    return found[-1] if found else None


def _takes(types: list[MetadataType], name: str) -> bool:
    """Whether a file of this name can be a component of one of `types`."""
    _, ext, is_meta = _split(name)
    for t in types:
        if ext and ext in (t.suffix, *t.content_suffixes):
            return True
        if any(c.suffix == ext for c in t.children):
            return True
        if t.name == "Document" or (t.strategy is Strategy.FOLDER and is_meta and not ext):
            return True
    return False


def _split(name: str) -> tuple[str, str, bool]:
    """`Foo.cls-meta.xml` -> ('Foo', 'cls', True); `Account.object` -> ('Account', 'object', False)."""
    is_meta = name.endswith(META)
    stem = name[: -len(META)] if is_meta else name
    base, _, ext = stem.rpartition(".")
    if not base:
        return stem, "", is_meta
    return base, ext, is_meta


def _generic(name: str) -> Target:
    base, _, _ = _split(name)
    return Target("generic", "", decode_file_name(base))


def _bundle(mtype: MetadataType, rest: list[str], path: str) -> Target | None:
    # lwc/myCmp/myCmp.js-meta.xml is the component; every other file in the folder is content.
    # Real repos hold a few descriptors not named after their folder; the folder names the bundle.
    if len(rest) != 2 or not rest[1].endswith(META):
        return None
    base, ext, _ = _split(rest[1])
    if ext not in mtype.content_suffixes:
        return None
    folder = path.rpartition("/")[0]
    return Target("file", mtype.name, rest[0], body_path=f"{folder}/{base}.{ext}")


def _workspace(mtype: MetadataType, rest: list[str], path: str, exists: Callable[[str], bool]) -> Target | None:
    """`digitalExperiences/site/X/X.digitalExperience-meta.xml` is the bundle `site/X`; each
    `<contentType>/<item>/_meta.json` (with `content.json` beside it) is a DigitalExperience named
    `site/X.<contentType>/<item>`, as the Metadata API names it. Other files (`mobile/mobile.json`
    variants) belong to their item."""
    if len(rest) == 3 and rest[2].endswith(f".{mtype.suffix}{META}"):
        return Target("file", mtype.name, f"{rest[0]}/{rest[1]}")
    if len(rest) != 5 or rest[4] not in ("_meta.json", "content.json"):
        return None
    folder = path.rpartition("/")[0]
    if rest[4] == "content.json" and exists(f"{folder}/_meta.json"):
        return None  # the item is read from its _meta.json, with this file as its body
    bundle = f"{rest[0]}/{rest[1]}"
    return Target("child", "DigitalExperience", f"{bundle}.{rest[2]}/{rest[3]}", bundle,
                  body_path=f"{folder}/content.json", is_meta=False)


# Foldered types whose item file is XML itself; EmailTemplate and Document are a body file with
# a -meta.xml beside it.
_XML_ITEMS = frozenset({"Report", "Dashboard"})


def _foldered(types: list[MetadataType], rest: list[str], path: str, exists: Callable[[str], bool]) -> Target | None:
    item = next(t for t in types if t.strategy is Strategy.FOLDERED)
    folder_type = item.folder_type or ""
    base, ext, is_meta = _split(rest[-1])
    prefix = "/".join(decode_file_name(p) for p in rest[:-1])
    if ext == REGISTRY.types[folder_type].suffix or (is_meta and not ext):
        folder_name = base if ext else rest[-1][: -len(META)]
        return Target("file", folder_type, _join(prefix, decode_file_name(folder_name)))
    if not prefix:
        return None  # items always sit in a folder
    if ext == item.suffix and item.name == "Document":
        return Target("file", item.name, _join(prefix, _document_name(base, path, exists)))
    if ext == item.suffix and item.name in _XML_ITEMS:
        # The file is the definition: mdapi `Folder/X.report`, source `Folder/X.report-meta.xml`.
        return Target("file", item.name, _join(prefix, decode_file_name(base)))
    if ext == item.suffix:
        return _content_target(item, _join(prefix, decode_file_name(base)), path, is_meta, exists)
    if item.name == "Document" and is_meta:  # mdapi: logo.png-meta.xml
        return Target("file", item.name, _join(prefix, decode_file_name(f"{base}.{ext}")))
    return None


def _document_name(base: str, path: str, exists: Callable[[str], bool]) -> str:
    # Source format names a document `logo.document-meta.xml` beside `logo.png`; the full
    # name keeps the content file's extension, as in mdapi.
    folder = path.rpartition("/")[0]
    for ext in ("png", "jpg", "jpeg", "gif", "svg", "pdf", "txt", "html", "csv", "zip", "js", "css"):
        if exists(f"{folder}/{base}.{ext}"):
            return decode_file_name(f"{base}.{ext}")
    return decode_file_name(base)


def _join(prefix: str, name: str) -> str:
    return f"{prefix}/{name}" if prefix else name


def _content_target(mtype: MetadataType, full: str, path: str, is_meta: bool, exists: Callable[[str], bool]) -> Target | None:
    """Body + -meta.xml pairs: driven by the meta file; a lone body file is still a component."""
    if is_meta:
        return Target("file", mtype.name, full, body_path=path[: -len(META)])
    if exists(path + META):
        return None
    return Target("file", mtype.name, full, body_path=path, is_meta=False)


def _in_type_dir(types: list[MetadataType], rest: list[str], path: str, exists: Callable[[str], bool]) -> Target | None:
    base, ext, is_meta = _split(rest[-1])
    name = decode_file_name(base)
    child = _child_of(types, ext)
    if child is not None:
        return _child_target(child, rest, name)
    mtype = next((t for t in types if t.suffix == ext), None)
    if mtype is None:
        return _generic(rest[-1]) if is_meta else None
    if mtype.strategy is Strategy.CONTENT:
        return _content_target(mtype, name, path, is_meta, exists)
    if mtype.strategy is Strategy.EXPANDED and not is_meta:
        return None  # mdapi `.resource` body; its -meta.xml is the component
    return Target("file", mtype.name, name)


def _child_of(types: list[MetadataType], ext: str) -> ChildType | None:
    child = REGISTRY.child_by_suffix(ext)
    if child is None or all(child.parent != t.name for t in types):
        return None
    return child


def _child_target(child: ChildType, rest: list[str], name: str) -> Target:
    # objects/Account/fields/Tier__c.field-meta.xml; objectTranslations/Account-es/X.fieldTranslation-meta.xml
    if child.name == "CustomLabel":
        return Target("child", child.name, name, "CustomLabels", )
    parent = decode_file_name(rest[0]) if len(rest) >= 2 else ""
    return Target("child", child.name, f"{parent}.{name}", parent, )


# --- reading in worker processes (parallel.py) ---------------------------------------------------------


class _Given(Source):
    """The bytes a `FileJob` carries, as the reader asks for them."""

    def __init__(self, files: dict[str, bytes]) -> None:
        super().__init__("", ArchiveLimits())
        self._files = files

    def exists(self, path: str) -> bool:
        return path in self._files

    def read(self, path: str) -> bytes:
        return self._files[path]


def read_jobs(settings: parallel.Settings, jobs: list[parallel.FileJob]) -> parallel.BatchResult:
    """Parse a batch of files as the stream's own reader would, each component `prepare`d."""
    problems: list[ReadProblem] = []
    items: list[list[ParsedComponent | KnownChildren]] = []
    streamed: list[str] = []
    for job in jobs:
        reader = _Reader(_Given(job.data), settings.ns_prefix, problems.append, False)
        reader.projects, reader.stream_above, reader.streamed = set(settings.projects), settings.stream_above, streamed
        items.append([parallel.prepare(item) if isinstance(item, ParsedComponent) else item
                      for item in reader.read_job(job)])
    return parallel.BatchResult(items, problems, streamed)


class _Batch:
    """Consecutive entries of the walk: files to parse (`jobs`, by index in `slots`) and what the
    walk yielded between them, in order; `number` once handed to the pool."""

    __slots__ = ("slots", "jobs", "size", "number", "here")

    def __init__(self) -> None:
        self.slots: list[int | ParsedComponent | SkippedFile | KnownChildren] = []
        self.jobs: list[parallel.FileJob] = []
        self.size = 0
        self.number: int | None = None
        self.here = False  # parsed in this process: too small a reading to start workers for


class _Ordered:
    """The walk's components in the walk's order, the files to parse read in the pool's workers.

    Workers start only once START_AFTER batches are waiting; a reading that ends before that is
    parsed here. At most `pool.limit` batches are out at once, so memory stays flat."""

    def __init__(self, reader: _Reader, pool: parallel.ReadPool) -> None:
        self.reader, self.pool = reader, pool
        self.settings = parallel.Settings(reader.ns_prefix, reader.stream_above, frozenset(reader.projects))
        self.batches: deque[_Batch] = deque()
        self.open: _Batch | None = None
        self.waiting: list[_Batch] = []  # closed, not yet handed to the pool
        self.out = 0  # handed to the pool and not yet yielded
        # Reads the batches parsed here: a reader of its own, since the walk's reader is mid-walk.
        self.local = _Reader(reader.source, reader.ns_prefix, reader.on_problem, reader.strict)
        self.local.projects, self.local.stream_above, self.local.streamed = (
            reader.projects, reader.stream_above, reader.streamed)

    def run(self) -> Iterator[ParsedComponent | SkippedFile | KnownChildren]:
        for item in self.reader.run():
            if not self.batches and not isinstance(item, parallel.FileJob):
                yield item  # nothing waits before it (a re-import's unchanged files): straight on
                continue
            batch = self.open
            if batch is None:
                batch = self.open = _Batch()
                self.batches.append(batch)
            if isinstance(item, parallel.FileJob):
                batch.slots.append(len(batch.jobs))
                batch.jobs.append(item)
                batch.size += sum(len(b) for b in item.data.values())
                if len(batch.jobs) >= parallel.BATCH_FILES or batch.size >= parallel.BATCH_BYTES:
                    self._close()
                    yield from self._ready(block=False)
            else:
                batch.slots.append(item)
        self._close()
        if self.pool.started or len(self.waiting) >= parallel.START_AFTER:
            self._submit()
        else:
            for batch in self.waiting:
                batch.here = True
            self.waiting = []
        yield from self._ready(block=True)

    def _close(self) -> None:
        batch, self.open = self.open, None
        if batch is None:
            return
        if not batch.jobs:
            batch.here = True
            return
        self.waiting.append(batch)
        if self.pool.started or len(self.waiting) >= parallel.START_AFTER:
            self._submit()

    def _submit(self) -> None:
        for batch in self.waiting:
            batch.number = self.pool.submit(self.settings, batch.jobs)
            self.out += 1
        self.waiting = []

    def _ready(self, block: bool) -> Iterator[ParsedComponent | SkippedFile | KnownChildren]:
        while self.batches:
            batch = self.batches[0]
            if batch is self.open:
                return
            if batch.here:
                self.batches.popleft()
                for slot in batch.slots:
                    if isinstance(slot, int):
                        yield from self.local.read_job(batch.jobs[slot])
                    else:
                        yield slot
                continue
            if batch.number is None or (not block and self.out < self.pool.limit):
                return  # waiting for the workers to start, or room for more: go on walking
            self.batches.popleft()
            self.out -= 1
            result = self.pool.result(batch.number, self.settings, batch.jobs)
            for problem in result.problems:
                self.reader._report(problem)
            self.reader.streamed.extend(result.streamed)
            for slot in batch.slots:
                if isinstance(slot, int):
                    yield from result.items[slot]
                else:
                    yield slot
