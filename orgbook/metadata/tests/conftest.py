"""Shared helpers: the real corpus (tests/corpus.py), read once per test session."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from orgbook.metadata import ParsedComponent, ReadProblem, iter_components
from tests.corpus import DREAMHOUSE, LFC, PMM, V4S  # noqa: F401  (re-exported for the reader tests)


@lru_cache(maxsize=16)
def read(path: Path) -> tuple[tuple[ParsedComponent, ...], tuple[ReadProblem, ...]]:
    # The corpus ships inside the repository (tests/corpus.py): its absence is a failure.
    assert path.exists(), f"corpus project not found at {path}"
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
