"""`orgbook import` as a real process: the contract other tools rely on (docs/cli.md)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.corpus import DREAMHOUSE, V4S

from .conftest import run_orgbook

VOLUNTEERS = V4S


def _run(data_dir: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return run_orgbook(data_dir, *args, stdin=stdin, timeout=300)


@pytest.fixture
def space(data_dir: Path) -> Path:
    _run(data_dir, "user", "create", "--email", "ops@example.com", "--password-stdin", stdin="a-long-password-1\n")
    _run(data_dir, "space", "create", "Ops", "--admin", "ops@example.com", "--plan", "paid", "--licences", "2")
    _run(data_dir, "implementation", "create", "--space", "ops", "--as", "ops@example.com", "--name", "Core")
    return data_dir


def test_import_prints_the_contracted_json_and_a_second_import_changes_nothing(space: Path) -> None:
    first = _run(space, "import", str(DREAMHOUSE), "--space", "ops", "--implementation", "Core", "--model", "Dreamhouse",
                 "--kind", "reference", "--json")
    assert first.returncode == 0, first.stderr
    body = json.loads(first.stdout)
    assert set(body) == {"model_id", "run_id", "components", "added", "changed", "removed", "skipped", "skipped_total",
                         "collisions", "identical_copies", "project"}
    assert {s["path"] for s in body["skipped"]} >= {"sfdx-project.json"} and body["collisions"] == []
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


def test_a_bad_import_exits_non_zero_with_its_reasons_and_changes_nothing(space: Path, tmp_path: Path) -> None:
    """Issue 19: an empty zip once printed {"components": 0, "removed": 93} and exited 0."""
    first = _run(space, "import", str(DREAMHOUSE), "--space", "ops", "--implementation", "Core", "--model", "Design",
                 "--json")
    assert first.returncode == 0, first.stderr
    empty = tmp_path / "empty.zip"
    empty.write_bytes(b"PK\x05\x06" + b"\x00" * 18)  # the 22-byte zip of the probe
    r = _run(space, "import", str(empty), "--space", "ops", "--implementation", "Core", "--model", "Design", "--json")
    assert r.returncode == 1 and "Read no components" in r.stderr
    error = json.loads(r.stdout)["error"]
    assert error["code"] == "incomplete_reading" and error["details"]["read"] == 0
    assert error["details"]["present"] == json.loads(first.stdout)["components"]
    again = json.loads(_run(space, "import", str(DREAMHOUSE), "--space", "ops", "--implementation", "Core",
                            "--model", "Design", "--json").stdout)
    assert (again["components"], again["added"], again["removed"]) == (json.loads(first.stdout)["components"], 0, 0)
