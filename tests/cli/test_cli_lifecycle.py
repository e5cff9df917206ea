"""The `orgbook` CLI, run as a real process against a real data directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import run_orgbook


@pytest.fixture
def orgbook(data_dir: Path):  # type: ignore[no-untyped-def]
    """`orgbook ARGS` in a data directory of the test's own, already migrated."""

    def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return run_orgbook(data_dir, *args, stdin=stdin)

    return run


def test_the_lifecycle_from_the_command_line(orgbook) -> None:  # type: ignore[no-untyped-def]
    assert orgbook("user", "create", "--email", "ops@example.com", "--password-stdin",
                   stdin="a-long-password-1\n").returncode == 0
    space = json.loads(orgbook("space", "create", "Ops Co", "--admin", "ops@example.com", "--plan", "paid",
                               "--licences", "1", "--json").stdout)
    assert space["slug"] == "ops-co" and isinstance(space["id"], int)
    made = json.loads(orgbook("implementation", "create", "--space", "ops-co", "--as", "ops@example.com",
                              "--name", "Core", "--json").stdout)
    refused = orgbook("implementation", "create", "--space", "ops-co", "--as", "ops@example.com", "--name", "More",
                      "--json")
    assert refused.returncode == 1
    assert json.loads(refused.stdout)["error"]["code"] == "licence_exhausted"
    renewal = json.loads(orgbook("subscription", "renew", "--space", "ops-co", "--as", "ops@example.com",
                                 "--licences", "0", "--json").stdout)
    assert renewal["suspended"] == [made["id"]]
    again = orgbook("implementation", "reactivate", str(made["id"]), "--space", "ops-co", "--as", "ops@example.com")
    assert again.returncode == 1 and "licence" in again.stderr
    wrong = orgbook("implementation", "delete", str(made["id"]), "--space", "ops-co", "--as", "ops@example.com",
                    "--confirm", "core")
    assert wrong.returncode == 1 and "type the implementation's name exactly" in wrong.stderr
    listed = json.loads(orgbook("implementation", "list", "--space", "ops-co", "--as", "ops@example.com", "--json").stdout)
    assert [i["status"] for i in listed] == ["suspended"]


def test_a_token_from_the_cli_opens_the_api(orgbook) -> None:  # type: ignore[no-untyped-def]
    orgbook("user", "create", "--email", "t@example.com", "--password-stdin", stdin="a-long-password-1\n")
    token = orgbook("token", "create", "--email", "t@example.com").stdout.strip()
    assert token.startswith("obk_") and len(token) > 30


def test_a_bad_setting_stops_with_a_message_naming_the_variable(tmp_path: Path) -> None:
    env = {**os.environ, "ORGBOOK_DATA_DIR": str(tmp_path), "ORGBOOK_SUSPENDED_RETENTION_DAYS": "forever"}
    r = subprocess.run([sys.executable, "-m", "orgbook.cli", "check"], capture_output=True, text=True, env=env,
                       timeout=60)
    assert r.returncode == 2
    assert "ORGBOOK_SUSPENDED_RETENTION_DAYS must be a whole number" in r.stderr


def test_a_weak_password_is_refused_with_the_reason(orgbook) -> None:  # type: ignore[no-untyped-def]
    r = orgbook("user", "create", "--email", "w@example.com", "--password-stdin", stdin="short\n")
    assert r.returncode == 1 and "too short" in r.stderr
