"""Shared helpers: the real corpus beside the repo, read once per test session."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from orgbook.metadata import ParsedComponent, ReadProblem, iter_components

CORPUS = Path(__file__).resolve().parents[3] / ".." / "shared" / "corpus"
DREAMHOUSE = CORPUS / "trailheadapps__dreamhouse-lwc"
PMM = CORPUS / "SalesforceFoundation__PMM"
V4S = CORPUS / "SalesforceFoundation__Volunteers-for-Salesforce"
LFC = CORPUS / "alexed1__LightningFlowComponents"


@lru_cache(maxsize=16)
def read(path: Path) -> tuple[tuple[ParsedComponent, ...], tuple[ReadProblem, ...]]:
    # The corpus ships beside the repository (../shared/corpus) here and in CI: its absence is a failure.
    assert path.exists(), f"corpus not found at {path}: put the shared/ folder beside the repository"
    problems: list[ReadProblem] = []
    return tuple(iter_components(path, on_problem=problems.append)), tuple(problems)


def components(path: Path) -> tuple[ParsedComponent, ...]:
    return read(path)[0]


def of_type(path: Path, type_name: str) -> list[ParsedComponent]:
    return [c for c in components(path) if c.type == type_name]


def one(path: Path, type_name: str, full_name: str, under: str = "") -> ParsedComponent:
    found = [c for c in of_type(path, type_name) if c.full_name == full_name and under in c.file_path]
    assert len(found) == 1, f"{type_name} {full_name}: {[c.file_path for c in found]}"
    return found[0]
