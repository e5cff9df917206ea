"""Read components out of a Metadata API folder, an SFDX project, or a zip of either.

Every file is classified by the type directory it sits in and its suffix, with or without
`-meta.xml`, so one walk reads both formats, and the mixes real repositories hold. Each file is
parsed once; components are yielded one at a time so memory stays flat on large orgs.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from lxml import etree

from orgbook.metadata import attributes as attrs
from orgbook.metadata.archive import (
    ArchiveLimits,
    Source,
    UnreadableFileError,
    UnsafeArchiveError,
    open_source,
)
from orgbook.metadata.canonical import canonical_hash, raw_hash
from orgbook.metadata.components import KnownChildren, ParsedComponent, ReadProblem, SkippedFile
from orgbook.metadata.formats import META, SourceFormat, detect_format
from orgbook.metadata.names import decode_file_name, has_tokens, namespace_of, resolve_tokens
from orgbook.metadata.registry import REGISTRY, ChildType, MetadataType, Strategy
from orgbook.metadata.xmlsafe import MalformedXmlError, XmlError, local_name, parse_xml

log = logging.getLogger(__name__)
_SKIP_FILES = frozenset({"package.xml", "sfdx-project.json"})
_BUNDLE_DIRS = frozenset(
    t.directory for t in REGISTRY.types.values() if t.strategy in (Strategy.BUNDLE, Strategy.EXPANDED)
)

ProblemHandler = Callable[[ReadProblem], None]

# Part of every source digest: bump it when reading, attributes, hashing or dependency extraction
# change what a file gives, so files read by an older engine are read again instead of skipped.
READER_VERSION = "1"


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
class _Split:
    tags: frozenset[str]  # local names of the child elements
    left: list[etree._Element]  # children still in the tree


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
    """
    return ComponentStream(source, namespace_prefix, on_problem, strict, limits)


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
        self.skipped: list[str] = []  # files not parsed because their digest was known
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
            for item in _Reader(src, ns_prefix, on_problem, strict, self.known, self.known_hashes).run():
                if isinstance(item, SkippedFile):
                    self.skipped.append(item.path)
                yield item
        finally:
            if src is not source:
                src.close()


class _Reader:
    def __init__(self, source: Source, ns_prefix: str | None, on_problem: ProblemHandler | None, strict: bool,
                 known: Mapping[str, tuple[str, str]] | None = None,
                 known_hashes: Mapping[tuple[str, str], tuple[str, str]] | None = None) -> None:
        self.source = source
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

    def run(self) -> Iterator[ParsedComponent | SkippedFile | KnownChildren]:
        for path, why in self.source.skipped:
            self._report(ReadProblem(path, f"{path}: skipped, {why}.", "unsafe"))
        detected = detect_format(self.source)
        for problem in detected.problems:
            self._report(problem)
        for root in _outermost(detected.package_dirs):
            self.dir_format = detected.dir_formats.get(root, detected.format)
            for path in self.source.files(root):
                yield from self._read_path(path, root)

    def _read_path(self, path: str, root: str) -> Iterator[ParsedComponent | SkippedFile | KnownChildren]:
        rel = path[len(root) + 1 :] if root else path
        target = classify(rel.split("/"), self.source.exists, path)
        if target is None:
            return
        self.digest, self.stat, self._bytes = "", "", {}
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
            yield from self._read_target(path, target)
        except (XmlError, UnsafeArchiveError, UnreadableFileError) as exc:
            self.digest = self.stat = ""
            yield from self._failed(path, target, exc)
        finally:
            self._bytes = {}

    def _signature(self, path: str, target: Target) -> str:
        """The file's (and body file's) signatures with how it is classified; '' when unknown."""
        facts = (READER_VERSION, repr(target), self.dir_format.value, self._project(path), repr(self.ns_prefix))
        self.facts = "\x00".join(facts).encode()
        h = hashlib.blake2b(self.facts, digest_size=16)
        body = target.body_path
        for name in (path,) if body is None or body == path else (path, body):
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
        for name in dict.fromkeys((path, target.body_path)):  # a lone body file is its own body_path
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
            format=SourceFormat.SFDX.value, synthetic=True, attributes={"synthetic": True},
        )

    def _parse(self, path: str) -> tuple[bytes, etree._Element]:
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
        return data, parse_xml(data, path)

    def _body(self, target: Target) -> bytes | None:
        if target.body_path and self.source.exists(target.body_path):
            return self._read(target.body_path)
        return None

    def _read_target(self, path: str, target: Target) -> Iterator[ParsedComponent | KnownChildren]:
        if not target.is_meta:  # a body file without its -meta.xml
            body = self._read(path)
            yield self._component(path, target, b"", None, body)
            return
        data, root = self._parse(path)
        if target.kind == "generic":
            target = Target("generic", local_name(root) or "Unknown", target.full_name)
        mtype = REGISTRY.get(target.type)
        if target.kind != "child" and mtype is not None and mtype.children:
            left: list[etree._Element] = []  # unchanged children, still in the tree
            yield from self._split_children(path, target, root, mtype, left)
            # The file without its children is the parent's definition: hashed skipping them,
            # serialised (with the unchanged ones removed) only when that hash is new.
            split = _Split(frozenset(c.xml_tag for c in mtype.children), left)
            yield self._component(path, target, b"", root, self._body(target), split=split)
            return
        yield self._component(path, target, data, root, self._body(target))

    def _split_children(self, path: str, target: Target, root: etree._Element, mtype: MetadataType,
                        left: list[etree._Element]) -> Iterator[ParsedComponent | KnownChildren]:
        """Children inside a parent file (mdapi `.object`, `.workflow`, `.labels`) become their own components.

        On a re-read, a child whose element digest is the stored one costs a serialisation and
        a digest: it joins a `KnownChildren` batch (yielded before the next changed child, so
        the document order holds) instead of becoming a `ParsedComponent`, and stays in the tree
        (in `left`: removing an element from lxml's tree costs as much as serialising it)."""
        tags = {c.xml_tag: c for c in mtype.children}
        known_hashes = self.known_hashes
        base = hashlib.blake2b(self.facts, digest_size=16) if self.digest else None
        unchanged: list[tuple[str, str, str, str]] = []
        full_name_tags: dict[str, str] = {}
        for el in list(root):
            child = tags.get(local_name(el))
            if child is None:
                continue
            short = _full_name_text(el, full_name_tags)
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
                    left.append(el)
                    continue
            if unchanged:
                yield KnownChildren(path, unchanged)
                unchanged = []
            child_target = Target("child", child.name, full, target.full_name)
            yield self._component(path, child_target, definition, el, None, element_digest=element_digest)
            root.remove(el)
        if unchanged:
            yield KnownChildren(path, unchanged)

    def _component(
        self, path: str, target: Target, definition: bytes, el: etree._Element | None, body: bytes | None,
        element_digest: str | None = None, split: _Split | None = None,
    ) -> ParsedComponent:
        """`element_digest` not None: a child split out of its file (which holds the file's digests).
        `split`: `el` is a parent file's root that still holds the unchanged children; its
        definition is the root serialised without them."""
        full_name = self._name(target.full_name)
        parent_name = self._name(target.parent_name) if target.parent_name else None
        child = REGISTRY.children.get(target.type) if target.kind == "child" else None
        known = self.known_hashes.get((target.type, full_name.lower()))
        # A file split into children keeps its digests on its own component only: a changed
        # `.object` then updates one row, not its 80 unchanged fields' rows.
        own_digest, own_stat = (self.digest, self.stat) if element_digest is None else ("", "")
        element_digest = element_digest or ""
        skip = split.tags if split is not None else frozenset()
        content_hash = canonical_hash(el, body, skip) if el is not None else raw_hash(body or b"")
        fmt = _format_of(path, target, self.dir_format).value
        if known and known[0] == content_hash:
            return ParsedComponent(
                type=target.type, full_name=full_name, file_path=path, definition=b"", content_hash=content_hash,
                parent_type=child.parent if child else None, parent_name=parent_name, project=self._project(path),
                format=fmt, source_digest=own_digest, source_stat=own_stat, element_digest=element_digest,
                unchanged=True)
        if split is not None and el is not None:
            for kept in split.left:
                el.remove(kept)
            definition = etree.tostring(el, encoding="UTF-8", xml_declaration=True)
        short = full_name.rpartition(".")[2] if child else full_name
        attributes = attrs.extract(target.type, el, full_name, parent_name, body) if el is not None else {}
        attributes = attributes or attrs.body_only(target.type, body)
        return ParsedComponent(
            type=target.type,
            full_name=full_name,
            file_path=path,
            definition=definition,
            content_hash=content_hash,
            parent_type=child.parent if child else None,
            parent_name=parent_name,
            label=attrs.label_of(el, target.type) if el is not None else None,
            namespace=namespace_of(short) or namespace_of(full_name),
            body=body,
            attributes=attributes,
            project=self._project(path),
            format=fmt,
            source_digest=own_digest,
            source_stat=own_stat,
            element_digest=element_digest,
            element=el,
        )


def _format_of(path: str, target: Target, dir_format: SourceFormat) -> SourceFormat:
    """Per file: a Metadata API folder may hold source files (CumulusCI bundles do)."""
    mtype = REGISTRY.get(target.type)
    paired = mtype is not None and mtype.strategy in (Strategy.CONTENT, Strategy.BUNDLE, Strategy.EXPANDED)
    if paired or not target.is_meta:
        return dir_format  # `Foo.cls-meta.xml` is the same in both formats
    return SourceFormat.SFDX if path.endswith(META) else SourceFormat.MDAPI


def _outermost(dirs: tuple[str, ...]) -> list[str]:
    """Drop package dirs nested in another one, so no file is read twice."""
    result: list[str] = []
    for d in sorted(set(dirs), key=len):
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
        return _generic(name) if name.endswith(META) else None
    types = REGISTRY.by_directory(parts[index])
    rest = parts[index + 1 :]
    strategy = types[0].strategy
    if strategy is Strategy.BUNDLE:
        return _bundle(types[0], rest, path)
    if strategy is Strategy.EXPANDED and len(rest) > 1:
        return None  # content inside an expanded static resource / experience folder
    if strategy in (Strategy.FOLDERED, Strategy.FOLDER):
        return _foldered(types, rest, path, exists)
    return _in_type_dir(types, rest, path, exists)


def _type_dir_index(parts: list[str]) -> int | None:
    """The type folder a file sits in: the first bundle folder, else the deepest type folder."""
    deepest = None
    for i, part in enumerate(parts[:-1]):
        if not REGISTRY.by_directory(part):
            continue
        if part in _BUNDLE_DIRS and len(parts) - i >= 3:
            return i  # anything inside a bundle belongs to it, whatever its folder names
        deepest = i
    return deepest


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
