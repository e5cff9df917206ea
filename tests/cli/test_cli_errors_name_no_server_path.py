"""`orgbook import --json` errors name what the user typed, never the data directory or the
installation (the path check of tests/hardening/test_no_server_paths_in_errors.py, for the CLI)."""

from __future__ import annotations

import json
import sysconfig
import zipfile
from pathlib import Path

import pytest

from .conftest import run_orgbook


@pytest.fixture
def space(data_dir: Path) -> Path:
    run_orgbook(data_dir, "user", "create", "--email", "ops@example.com", "--password-stdin",
                stdin="a-long-password-1\n")
    run_orgbook(data_dir, "space", "create", "Ops", "--admin", "ops@example.com", "--plan", "paid", "--licences", "2")
    run_orgbook(data_dir, "implementation", "create", "--space", "ops", "--as", "ops@example.com", "--name", "Core")
    return data_dir


def _import(data_dir: Path, path: str) -> dict[str, str]:
    r = run_orgbook(data_dir, "import", path, "--space", "ops", "--implementation", "Core", "--model", "Design",
                    "--kind", "reference", "--json", timeout=300)
    assert r.returncode != 0, r.stdout
    error: dict[str, str] = json.loads(r.stdout)["error"]
    for text in (error["message"], r.stderr):
        assert str(data_dir) not in text and sysconfig.get_paths()["purelib"] not in text, text
    return error


def test_import_errors_name_the_given_path(space: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    mine = tmp_path_factory.mktemp("mine")
    assert _import(space, "no-such-project")["message"].startswith("no-such-project does not exist.")
    bad = mine / "project.zip"
    bad.write_bytes(b"not a zip at all")
    assert _import(space, str(bad))["message"].startswith(f"{bad} is neither a folder nor a zip file")
    broken = mine / "broken.zip"
    with zipfile.ZipFile(broken, "w") as zf:
        zf.writestr("sfdx-project.json", '{"packageDirectories": [{"path": "force-app", "default": true}]}')
        zf.writestr("force-app/main/default/objects/A__c/A__c.object-meta.xml", "<CustomObject><label>x")
    error = _import(space, str(broken))
    assert error["code"] in ("incomplete_reading", "invalid")
