"""`orgbook import` as a real process: the contract other tools rely on (docs/cli.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.corpus import DREAMHOUSE, V4S

pytestmark = pytest.mark.django_db(transaction=True)

VOLUNTEERS = V4S


def _run(tmp_path: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ORGBOOK_DATA_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    return subprocess.run([sys.executable, "-m", "orgbook.cli", *args], input=stdin, capture_output=True, text=True,
                          env=env, timeout=300)


@pytest.fixture
def space(tmp_path: Path) -> Path:
    assert _run(tmp_path, "migrate", "-v0").returncode == 0
    _run(tmp_path, "user", "create", "--email", "ops@example.com", "--password-stdin", stdin="a-long-password-1\n")
    _run(tmp_path, "space", "create", "Ops", "--admin", "ops@example.com", "--plan", "paid", "--licences", "2")
    _run(tmp_path, "implementation", "create", "--space", "ops", "--as", "ops@example.com", "--name", "Core")
    return tmp_path


def test_import_prints_the_contracted_json_and_a_second_import_changes_nothing(space: Path) -> None:
    first = _run(space, "import", str(DREAMHOUSE), "--space", "ops", "--implementation", "Core", "--model", "Dreamhouse",
                 "--kind", "reference", "--json")
    assert first.returncode == 0, first.stderr
    body = json.loads(first.stdout)
    assert set(body) == {"model_id", "components", "added", "changed", "removed"}
    assert body["components"] == body["added"] > 90 and body["removed"] == 0
    second = json.loads(_run(space, "import", str(DREAMHOUSE), "--space", "ops", "--implementation", "Core",
                             "--model", "Dreamhouse", "--json").stdout)
    assert (second["model_id"], second["added"], second["changed"], second["removed"]) == (body["model_id"], 0, 0, 0)


def test_a_metadata_api_folder_imports_too(space: Path) -> None:
    r = _run(space, "import", str(VOLUNTEERS / "src"), "--space", "ops", "--implementation", "Core", "--model", "V4S",
             "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["components"] > 600


def test_an_unknown_implementation_is_a_clear_error(space: Path) -> None:
    r = _run(space, "import", str(DREAMHOUSE), "--space", "ops", "--implementation", "Nope", "--model", "X")
    assert r.returncode == 1 and "No implementation called Nope" in r.stderr
