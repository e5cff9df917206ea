"""The import report: where every file of an import went, and what happened to copies of a component.

A model holds one component per identity (type + full name). When two files give the same
component, the first one read (the first package directory in sfdx-project.json's order) is the
model's copy; a second copy with different content is a **collision**, reported with both paths,
their package directories and which one the model holds, and kept beside the component
(`ComponentCopy`: its page and the API say where else it is defined and show the difference); an
identical copy is only counted. A sync's report says the same of the files its retrieves gave, and
what Salesforce would not give (`left_out`). `orgbook import --json`, the run and upload pages and the API
(`/api/v1/models/{model}/runs/{run}`) show the report; docs/supported-types.md describes it.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from orgbook.metadata import ParsedComponent, ReadReport

# A run keeps at most this many skipped files (the total is always kept): a project with a
# hundred thousand stray files must not make one huge row.
MAX_SKIPPED = 5000
MAX_COLLISIONS = 2000

Key = tuple[str, str]


@dataclass(frozen=True)
class Other:
    """The other copy of a collision: where it is and its content (the reader's bytes)."""

    key: Key
    path: str
    package_dir: str
    content_hash: str
    label: str
    definition: bytes
    body: bytes | None


class Kept(Protocol):
    """key -> (path, compact content hash) of the copy kept of each component read so far."""

    def add(self, key: Key, path: str, content_hash: int) -> bool: ...  # False: a copy was kept already
    def get(self, key: Key) -> tuple[str, int] | None: ...
    def __contains__(self, key: object) -> bool: ...
    def __len__(self) -> int: ...
    def close(self) -> None: ...


class KeptInMemory:
    """In a dict: for a re-sync, whose stored components' keys (`ingest._stored`) are in memory
    already, so this adds a slot and a tuple per component, and costs no query."""

    def __init__(self) -> None:
        self._first: dict[Key, tuple[str, int]] = {}

    def add(self, key: Key, path: str, content_hash: int) -> bool:
        if key in self._first:
            return False
        self._first[key] = (path, content_hash)
        return True

    def get(self, key: Key) -> tuple[str, int] | None:
        return self._first.get(key)

    def __contains__(self, key: object) -> bool:
        return key in self._first

    def __len__(self) -> int:
        return len(self._first)

    def close(self) -> None:
        self._first = {}


class KeptOnDisk:
    """In a private SQLite database: for a first import, where nothing else holds the keys. Its
    pages beyond an 8 MB cache go to a file in `directory` (the data directory, which Orgbook can
    always write), unlinked as soon as it is open: nothing is left when it is closed or the process
    dies. At 100,000 components a dict of them held about 26 MB of Python objects and, with what
    they fragmented, 30 MB of the import's peak memory (bench/README.md, issue 18); each key costs
    a statement instead (about 2 microseconds)."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        fd, path = tempfile.mkstemp(prefix="keys-", suffix=".sqlite3", dir=directory)
        os.close(fd)
        try:
            self._db = sqlite3.connect(path, isolation_level=None)
        finally:
            os.unlink(path)  # open, the database goes on in the nameless file
        try:
            for pragma in ("journal_mode = OFF", "synchronous = OFF", "cache_size = -8192"):
                self._db.execute(f"PRAGMA {pragma}")  # no journal: no second file beside it
            self._db.execute("CREATE TABLE kept (type TEXT, name TEXT, path TEXT, hash INTEGER, "
                             "PRIMARY KEY (type, name)) WITHOUT ROWID")
            self._db.execute("BEGIN")  # never committed: the database is thrown away
        except sqlite3.Error:
            self._db.close()
            raise
        self._cursor = self._db.cursor()
        self._count = 0

    def add(self, key: Key, path: str, content_hash: int) -> bool:
        self._cursor.execute("INSERT OR IGNORE INTO kept VALUES (?, ?, ?, ?)", (key[0], key[1], path, content_hash))
        added = self._cursor.rowcount == 1
        self._count += added
        return added

    def get(self, key: Key) -> tuple[str, int] | None:
        row = self._cursor.execute("SELECT path, hash FROM kept WHERE type = ? AND name = ?", key).fetchone()
        return (row[0], row[1]) if row is not None else None

    def __contains__(self, key: object) -> bool:
        return isinstance(key, tuple) and self.get(key) is not None

    def __len__(self) -> int:
        return self._count

    def close(self) -> None:
        self._db.close()


@dataclass
class Copies:
    """Every component identity read so far, with the file and content hash of the copy kept."""

    first: Kept = field(default_factory=KeptInMemory)
    collisions: list[dict[str, Any]] = field(default_factory=list)
    identical: int = 0
    # The other copies of collisions as read, kept beside the component (`ComponentCopy`).
    others: list[Other] = field(default_factory=list)

    def kept(self, key: Key, path: str, content_hash: str) -> bool:
        """Keep this copy of `key` unless one was kept already; whether it was."""
        # One entry per component of the org, so kept small: the hash as an int, not 64 characters.
        return self.first.add(key, path, _compact(content_hash))

    def again(self, type_: str, full_name: str, key: Key, path: str, content_hash: str,
              parsed: ParsedComponent | None = None) -> str | None:
        """A second copy of `key` from `path`: counted when identical, else a collision whose
        warning message is returned. `content_hash` '' means unknown (treated as different).
        `parsed`: the copy as read (not when its file was skipped as unchanged), kept in `others`."""
        kept_path, kept_hash = self.first.get(key) or ("", 0)
        if content_hash and _compact(content_hash) == kept_hash:
            self.identical += 1
            return None
        self.collisions.append({"type": type_, "name": full_name, "kept": kept_path, "other": path})
        if parsed is not None and len(self.others) < MAX_COLLISIONS:
            self.others.append(Other(key, path, parsed.package_dir, content_hash, (parsed.label or "")[:400],
                                     parsed.definition, parsed.body))
        return (f"{type_} {full_name} appears twice with different content: the model holds the copy in "
                f"{kept_path or 'the first file read'}, not the one in {path}")


def _compact(content_hash: str) -> int:
    """What `first` keeps of a content hash to tell an identical copy: Python's 64-bit hash of it
    (a small int, cheap to make), never stored or compared across processes. Two different
    contents of one component meeting on it (a chance of 2**-64) would be counted identical."""
    return hash(content_hash)


def build(read: ReadReport | None, copies: Copies, left_out: Sequence[tuple[str, str]] = (),
          refused: Mapping[str, str] | None = None) -> dict[str, Any]:
    """The report stored on the run. Without `read` only the copies are known. `left_out`: what a
    sync could not get from Salesforce (a type it could not list or retrieve, a component it could
    not read), as (what, why); kept as `left_out` with its total. `refused`: files the reader
    refused (unsafe, malformed, too large), path -> why: listed with the skipped files, "refused: why"
    (a sync keeps what the model held of them; an import is refused unless the user confirmed)."""
    collisions = [_with_dirs(c, read) for c in copies.collisions[:MAX_COLLISIONS]]
    report: dict[str, Any] = {"collisions": collisions, "collisions_total": len(copies.collisions),
                              "identical_copies": copies.identical}
    if left_out:
        report["left_out"] = [{"what": w, "reason": r} for w, r in list(left_out)[:MAX_SKIPPED]]
        report["left_out_total"] = len(left_out)
    if read is None:
        return report
    listed = {path for path, _ in read.skipped}
    skipped = sorted([*read.skipped, *((path, f"refused: {why}") for path, why in (refused or {}).items()
                                       if path not in listed)])
    report.update({
        "files": read.files,
        "parts": len(read.parts),
        "skipped": [{"path": p, "reason": r} for p, r in skipped[:MAX_SKIPPED]],
        "skipped_total": len(skipped),
        "package_dirs": read.roots,
        "project": read.project,
    })
    return report


def _with_dirs(collision: dict[str, Any], read: ReadReport | None) -> dict[str, Any]:
    if read is None:
        return collision
    return {**collision, "kept_package_dir": read.package_dir_of(collision["kept"]),
            "other_package_dir": read.package_dir_of(collision["other"])}


def skipped_by_reason(report: dict[str, Any]) -> list[tuple[str, int]]:
    """Reasons with how many stored files each, most common first (the pages' summary)."""
    counts: dict[str, int] = {}
    for entry in report.get("skipped", []):
        counts[entry["reason"]] = counts.get(entry["reason"], 0) + 1
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))
