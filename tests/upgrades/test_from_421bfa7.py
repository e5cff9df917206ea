"""A database made at 421bfa7 (orgmodels 0009 applied before 0008 existed) upgrades with `orgbook
migrate` at this commit: repaired (orgbook/migration_repairs.py), then migrated, with every row
it held, its token still opening the API, and the schema of a fresh database.

The database is a copy of tests/data/upgrades/at-421bfa7 (its README says how it was made); the
make/read script is the CI upgrade check's (.ci/upgrade_data.py), so the test exercises it too.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.corpus import REPOSITORY

FIXTURE = REPOSITORY / "tests" / "data" / "upgrades" / "at-421bfa7"
DATA = REPOSITORY / ".ci" / "upgrade_data.py"
REPAIRED = "Repaired the migration history: applied orgmodels.0008_dictionary_sort_indexes"


def _run(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """This commit's code as a process, on the SQLite database in data_dir."""
    env = {**os.environ, "ORGBOOK_DATA_DIR": str(data_dir), "DATABASE_URL": f"sqlite:///{data_dir / 'orgbook.sqlite3'}",
           "PYTHONPATH": str(REPOSITORY)}  # a script's own folder, not the current one, leads sys.path
    return subprocess.run([sys.executable, *args], cwd=REPOSITORY, env=env, capture_output=True, text=True,
                          timeout=300)


def _read(data_dir: Path, made: dict[str, Any] | None = None) -> dict[str, Any]:
    done = _run(data_dir, str(DATA), "read", *([json.dumps(made)] if made else []))
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return result


@pytest.fixture
def made_at_421bfa7(tmp_path: Path) -> Path:
    data_dir = tmp_path / "at-421bfa7"
    data_dir.mkdir()
    with gzip.open(FIXTURE / "orgbook.sqlite3.gz", "rb") as src, (data_dir / "orgbook.sqlite3").open("wb") as dst:
        shutil.copyfileobj(src, dst)
    return data_dir


def test_a_database_made_at_421bfa7_migrates_with_all_its_data(made_at_421bfa7: Path, tmp_path: Path) -> None:
    made = json.loads((FIXTURE / "made.json").read_text())
    before = _read(made_at_421bfa7)["rows"]
    assert before["orgmodels_component"] == made["components"] > 90  # the copy is the one README describes

    migrated = _run(made_at_421bfa7, "-m", "orgbook.cli", "migrate")

    assert migrated.returncode == 0, migrated.stderr
    assert migrated.stderr.count(REPAIRED) == 1
    after = _read(made_at_421bfa7, made)
    assert {table: after["rows"].get(table) for table in before} == before
    assert after["api"] == {"token": 200, "spaces": [made["space"]], "implementations": [made["implementation"]],
                            "components": made["components"], "note": made["note"]}
    fresh = tmp_path / "fresh"
    assert _run(fresh, "-m", "orgbook.cli", "migrate", "-v0").returncode == 0
    assert after["schema"] == _read(fresh)["schema"]  # 0008's indexes are there, its dropped one is gone

    again = _run(made_at_421bfa7, "-m", "orgbook.cli", "migrate")
    assert again.returncode == 0 and REPAIRED not in again.stderr
    assert "No migrations to apply." in again.stdout
