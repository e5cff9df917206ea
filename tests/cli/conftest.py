"""`orgbook` as a real process, and one migrated database shared by the CLI tests.

Migrating a fresh SQLite database costs each process seconds; the tests that are not about a fresh
install start from a copy of one migrated in this session instead (test_fresh_install.py does not).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


def run_orgbook(data_dir: Path, *args: str, stdin: str | None = None, timeout: int = 120,
                **env: str) -> subprocess.CompletedProcess[str]:
    """`orgbook ARGS` on the embedded default in `data_dir`. The caller's settings (DATABASE_URL on the
    PostgreSQL run, ORGBOOK_DATA_DIR in CI) are left out; `env` adds some. No stdin unless given, as in
    a script."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "CELERY_", "ORGBOOK_"))}
    return subprocess.run([sys.executable, "-m", "orgbook.cli", *args], input=stdin, capture_output=True, text=True,
                          env={**base, "ORGBOOK_DATA_DIR": str(data_dir), **env}, timeout=timeout,
                          stdin=subprocess.DEVNULL if stdin is None else None)


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The embedded default's database file, migrated once per test session."""
    data_dir = tmp_path_factory.mktemp("migrated-template")
    r = run_orgbook(data_dir, "migrate", "-v0")
    assert r.returncode == 0, r.stderr
    database = data_dir / "orgbook.sqlite3"
    # The migrating process checkpointed its write-ahead log when it closed: the file alone is the database.
    assert not Path(f"{database}-wal").exists()
    return database


@pytest.fixture
def data_dir(tmp_path: Path, migrated_database: Path) -> Path:
    """A data directory of its own for the test, holding a copy of the migrated database."""
    shutil.copyfile(migrated_database, tmp_path / "orgbook.sqlite3")
    return tmp_path
