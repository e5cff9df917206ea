"""The value objects the readers yield."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ParsedComponent:
    """One metadata component as read from a folder or zip.

    `definition` is the component's own XML: for a child (CustomField, WorkflowRule, ...) the
    child element serialised; for a parent (CustomObject, Workflow, ...) the file without its
    child elements, so mdapi and decomposed source give the same bytes to hash.
    `content_hash` is a sha256 of a canonical form (namespaces, whitespace, root tag name and
    the top-level fullName ignored), so the same component hashes the same in both formats.
    `project` is the folder of the nearest `sfdx-project.json` ('' for the root): repositories
    hold the same flow in several sub-projects, so (type, full_name) alone is not a unique key.
    `synthetic` marks a parent that has no file of its own (an `objects/Contact/` folder that
    only holds fields).
    """

    type: str
    full_name: str
    file_path: str
    definition: bytes
    content_hash: str
    parent_type: str | None = None
    parent_name: str | None = None
    label: str | None = None
    namespace: str | None = None
    body: bytes | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    project: str = ""
    format: str = ""  # "mdapi" or "source": how this file was written
    synthetic: bool = False
    error: str | None = None  # set when the file was unreadable; the component is kept anyway
    # Digest of what this component was read from (file bytes, body, classification); '' for
    # components that must be read again every time (unreadable files, synthetic parents).
    source_digest: str = ""
    source_stat: str = ""  # digest of the file's size/mtime/ctime/inode (zip: CRC), with its classification
    # For a child split out of a parent file: digest of its own element (with how the file was
    # read), so an unchanged field of a changed `.object` is known without hashing it.
    element_digest: str = ""
    # The parsed element `definition` was serialised from, so dependency extraction does not
    # parse it again (None for body-only and unreadable components).
    element: Any = field(default=None, compare=False, repr=False)
    # Dependencies (to_type, to_name, where) worked out while the reader streamed a large file
    # whose tree was never whole (a profile with 400,000 field permissions); None: from `element`.
    edges: tuple[tuple[str, str, str, str, tuple[str, ...]], ...] | None = field(default=None, compare=False, repr=False)
    # Yielded with only its identity, hash and source: the caller said it stored this hash already.
    unchanged: bool = False
    # The package directory (of sfdx-project.json) the file was read from; '' when the source has
    # none. The same component in two package directories is reported with both.
    package_dir: str = ""
    # What the ingest makes of it (stored forms, edges), made in the worker process that parsed it
    # (parallel.Prepared); None when it was read in the caller's process.
    prepared: Any = field(default=None, compare=False, repr=False)

    @property
    def key(self) -> tuple[str, str]:
        """Identity inside an org model, case-insensitive as Salesforce compares names."""
        return (self.type, self.full_name.lower())


@dataclass(frozen=True)
class SkippedFile:
    """A file whose digest matched the one its components were last read with: not parsed.

    Only yielded when the caller passed known digests (a re-import into the same model)."""

    path: str
    digest: str
    stat: str = ""  # the file's signature now (it may differ from the stored one when the bytes did not)


@dataclass(frozen=True)
class KnownChildren:
    """Children of a re-read file whose own element is unchanged (its bytes digest is the one
    stored): their identity and digests only, no hash, attributes or definition.

    Only yielded when the caller passed known hashes (a re-import into the same model), in
    document order with the file's other components: `children` holds
    `(type, full_name, content_hash, element_digest)`."""

    path: str
    children: list[tuple[str, str, str, str]]


@dataclass(frozen=True)
class ReadProblem:
    """A file that could not be read as expected; reading goes on."""

    path: str
    message: str
    kind: str = "error"  # "malformed", "unsafe", "error"


@dataclass
class ReadReport:
    """Where every file of a source went, filled in as the stream is read and complete once it ends.

    Each file is a component's source (the `file_path` of a component, or listed in `parts` with
    the file of the component it belongs to: a bundle's content, a body beside its -meta.xml) or
    in `skipped` with the reason it gave no component. `project` holds what sfdx-project.json
    says about the project (`formats.project_facts`)."""

    files: int = 0
    roots: list[str] = field(default_factory=list)  # the package directories read ('' = the whole source)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    parts: dict[str, str] = field(default_factory=dict)
    project: dict[str, Any] = field(default_factory=dict)

    def package_dir_of(self, path: str) -> str:
        """The package directory a file was read from ('' when none holds it)."""
        return next((r for r in self.roots if r and path.startswith(r + "/")), "")
