"""When a reading may replace an org model: the rule every import, upload and sync checks after
reading and before writing (docs/user/syncing.md, "When an import is refused").

A bad or empty zip once replaced a 93-component production model with nothing and reported
success. A reading now replaces a model only when it is complete:
- it read at least one component (no org and no project has none; an empty reading is always
  a mistake, and deleting a model is done by deleting it);
- no file was refused (unsafe, malformed, too large): what it holds was not read, so the reading
  is not the whole picture (once confirmed, what was stored from it stays as it was: ingest.py
  `_keep_refused`);
- it removes no more than MAX_REMOVED_SHARE of the model's present components, or REMOVAL_FLOOR
  components, whichever is more (a small model may lose a few in one go).
The last two give way when the user confirms (`--allow-removals`, the box on the upload page):
a repository that really dropped a package, or a file the user knows is broken.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from orgbook.errors import IncompleteReading

MAX_REMOVED_SHARE = 0.25
REMOVAL_FLOOR = 10
LISTED = 200  # refused files carried in the error (the count is always whole)


@dataclass(frozen=True)
class Rule:
    """Which checks apply. Syncs read what Salesforce sends: only "read nothing" applies to them
    (a retrieve's odd file is Salesforce's, and the org itself decides what was deleted), and only
    when it would empty a model (a first sync that finds nothing empties nothing)."""

    refuse_refused: bool = True
    limit_removals: bool = True
    allow_removals: bool = False  # the user confirmed refused files and removals
    empty_ok_when_empty: bool = False  # reading nothing into a model with nothing present


IMPORT = Rule()
CONFIRMED_IMPORT = Rule(allow_removals=True)
SYNC = Rule(refuse_refused=False, limit_removals=False, empty_ok_when_empty=True)


@dataclass
class Reading:
    """What a reading would do to the model, counted before anything is written."""

    read: int  # components read, unchanged ones included
    removes: int  # present components it would mark deleted
    present: int  # present components before it
    refused: dict[str, str] = field(default_factory=dict)  # path -> reason


def removal_limit(present: int) -> int:
    return max(REMOVAL_FLOOR, int(present * MAX_REMOVED_SHARE))


def check(rule: Rule, reading: Reading, model_name: str, *, complete: bool) -> None:
    """Raise IncompleteReading when `reading` may not replace the model under `rule`.

    `complete=False` (an incremental sync) reads only what changed: reading nothing is normal there."""
    refused = [{"path": p, "message": m} for p, m in sorted(reading.refused.items())]
    details = {"read": reading.read, "removes": reading.removes, "present": reading.present,
               "refused_count": len(refused), "refused": refused[:LISTED]}
    kept = f"{model_name} was left as it was"
    if complete and reading.read == 0 and not (rule.empty_ok_when_empty and reading.present == 0):
        why = f"; {_refused_summary(refused)}" if refused else ""
        raise IncompleteReading(
            f"Read no components{why}, so {kept}. Give an SFDX project (with sfdx-project.json), a Metadata API "
            "folder (with package.xml) or a zip of either.", **details)
    if rule.allow_removals:
        return
    confirm = "confirm the import (--allow-removals, or the box on the upload page)"
    if rule.refuse_refused and refused:
        raise IncompleteReading(
            f"{_refused_summary(refused)}, so {kept}. Fix or remove them and import again, or {confirm} to store "
            "the rest (what was stored from a refused file stays as it was).", **details)
    if rule.limit_removals and reading.removes > removal_limit(reading.present):
        share = round(100 * reading.removes / max(reading.present, 1))
        raise IncompleteReading(
            f"This reading would remove {reading.removes:,} of the {reading.present:,} components of {model_name} "
            f"({share}%; an import may remove {int(MAX_REMOVED_SHARE * 100)}% or {REMOVAL_FLOOR} without "
            f"confirmation), so {kept}. If they were really deleted, {confirm}.", **details)


def _refused_summary(refused: list[dict[str, str]]) -> str:
    first = refused[0]
    more = f" and {len(refused) - 1} more" if len(refused) > 1 else ""
    files = "file was" if len(refused) == 1 else "files were"
    return f"{len(refused)} {files} refused ({first['path']}: {first['message'][:300]}{more})"
