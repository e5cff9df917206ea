"""The `orgbook` command on a fresh install: real processes on an EMPTY data directory on the embedded
default (no DATABASE_URL), with no `orgbook migrate` first. Scripted set-ups work, and every failure is
one line on stderr saying what happened and what to do, with exit status 1, never a traceback.

These tests do not use conftest.py's migrated database: the empty directory is what they test.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest

from tests.orgmodels.conftest import SFDX_AMOUNT as FIELD
from tests.orgmodels.conftest import SFDX_OBJECT as OBJECT

from .conftest import run_orgbook as orgbook

PASSWORD = "a-long-password-1\n"


def ok(r: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    assert r.returncode == 0, r.stderr
    assert "Traceback" not in r.stderr + r.stdout
    return r


def one_line_error(r: subprocess.CompletedProcess[str], status: int = 1) -> str:
    """The single line on stderr of a command that failed with `status`."""
    assert "Traceback" not in r.stderr + r.stdout, r.stderr
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, r.stderr
    assert r.returncode == status, r.stderr
    return lines[0]


def set_up_space(data_dir: Path, **env: str) -> None:
    ok(orgbook(data_dir, "user", "create", "--email", "ops@example.com", "--password-stdin", stdin=PASSWORD, **env))
    ok(orgbook(data_dir, "space", "create", "Ops", "--admin", "ops@example.com", "--plan", "paid", "--licences", "2",
               **env))


def write_dx_project(root: Path) -> Path:
    """The smallest SFDX project: one custom object with one field."""
    obj = root / "force-app" / "main" / "default" / "objects" / "Invoice__c"
    (obj / "fields").mkdir(parents=True)
    (root / "sfdx-project.json").write_text('{"packageDirectories": [{"path": "force-app", "default": true}]}')
    (obj / "Invoice__c.object-meta.xml").write_text(OBJECT)
    (obj / "fields" / "Amount__c.field-meta.xml").write_text(FIELD)
    return root


def test_a_scripted_set_up_works_on_an_empty_data_directory(tmp_path: Path) -> None:
    data = tmp_path / "data"
    set_up_space(data)
    made = json.loads(ok(orgbook(data, "implementation", "create", "--space", "ops", "--as", "ops@example.com",
                                 "--name", "Core", "--json")).stdout)
    project = write_dx_project(tmp_path / "project")
    imported = json.loads(ok(orgbook(data, "import", str(project), "--space", "ops", "--implementation", "Core",
                                     "--model", "Prod", "--json")).stdout)
    assert imported["added"] >= 2  # the object and its field
    assert ok(orgbook(data, "token", "create", "--email", "ops@example.com")).stdout.startswith("obk_")
    renewal = json.loads(ok(orgbook(data, "subscription", "renew", "--space", "ops", "--as", "ops@example.com",
                                    "--licences", "1", "--keep", str(made["id"]), "--json")).stdout)
    assert renewal["connection_licences"] == 1 and renewal["suspended"] == []


def test_bad_arguments_are_one_line_and_touch_no_database(tmp_path: Path) -> None:
    missing = one_line_error(orgbook(tmp_path, "user", "create"))
    assert "required: --email" in missing and "orgbook user create --help" in missing
    assert "invalid int value" in one_line_error(orgbook(tmp_path, "subscription", "renew", "--space", "s", "--as", "a@b.c",
                                                      "--licences", "many"))
    assert "unknown command 'usr'" in one_line_error(orgbook(tmp_path, "usr", "create"))
    helped = orgbook(tmp_path, "user", "create", "--help")
    assert helped.returncode == 0 and "--password-stdin" in helped.stdout
    assert not (tmp_path / "orgbook.sqlite3").exists()  # neither help nor a usage error migrates


def test_an_unreadable_emulator_config_is_named(tmp_path: Path) -> None:
    (tmp_path / "broken.json").write_text("{not json")
    assert "cannot read the emulator config" in one_line_error(orgbook(tmp_path, "fakeforce", "--config",
                                                                       str(tmp_path / "missing.json")))
    assert "is not JSON" in one_line_error(orgbook(tmp_path, "fakeforce", "--config", str(tmp_path / "broken.json")))


def test_a_missing_space_is_named(tmp_path: Path) -> None:
    line = one_line_error(orgbook(tmp_path, "import", str(tmp_path), "--space", "nowhere", "--implementation", "Core",
                                  "--model", "Prod"))
    assert "No Space with slug nowhere" in line


def test_a_missing_implementation_is_named_with_how_to_list_them(tmp_path: Path) -> None:
    set_up_space(tmp_path)
    line = one_line_error(orgbook(tmp_path, "import", str(tmp_path), "--space", "ops", "--implementation", "Nope",
                                  "--model", "Prod"))
    assert "No implementation called Nope in Ops" in line and "orgbook implementation list --space ops" in line


def test_a_user_that_does_not_exist_is_named_with_how_to_create_one(tmp_path: Path) -> None:
    line = one_line_error(orgbook(tmp_path, "token", "create", "--email", "ghost@example.com"))
    assert "No user with email ghost@example.com" in line and "orgbook user create" in line


def test_user_create_without_a_terminal_asks_for_password_stdin(tmp_path: Path) -> None:
    line = one_line_error(orgbook(tmp_path, "user", "create", "--email", "ops@example.com"))  # stdin: /dev/null
    assert "--password-stdin" in line


def test_a_locked_database_ends_in_seconds_with_one_line(tmp_path: Path) -> None:
    ok(orgbook(tmp_path, "user", "create", "--email", "ops@example.com", "--password-stdin", stdin=PASSWORD))
    holder = sqlite3.connect(tmp_path / "orgbook.sqlite3", isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        started = time.monotonic()
        r = orgbook(tmp_path, "user", "create", "--email", "b@example.com", "--password-stdin", stdin=PASSWORD,
                    ORGBOOK_SQLITE_TIMEOUT="1")
        assert time.monotonic() - started < 15
    finally:
        holder.close()
    line = one_line_error(r)
    assert "database is locked" in line and "try again" in line


def test_a_data_directory_that_cannot_be_created_is_named(tmp_path: Path) -> None:
    # Tests run as root in CI, and root ignores permission bits: a directory under a regular file cannot
    # be made by anyone, which is the same failure a read-only parent gives an ordinary user.
    (tmp_path / "a-file").write_text("")
    line = one_line_error(orgbook(tmp_path / "a-file" / "data", "user", "create", "--email", "ops@example.com",
                                  "--password-stdin", stdin=PASSWORD))
    assert "data directory" in line and str(tmp_path / "a-file" / "data") in line and "ORGBOOK_DATA_DIR" in line


def test_a_read_only_database_file_is_named(tmp_path: Path) -> None:
    ok(orgbook(tmp_path, "user", "create", "--email", "ops@example.com", "--password-stdin", stdin=PASSWORD))
    db = tmp_path / "orgbook.sqlite3"
    # chmod makes it read-only for an ordinary user; root ignores that, so also set the header's write
    # version above 2, which makes SQLite itself open the file read-only for anyone
    # (https://www.sqlite.org/fileformat2.html, "File format version numbers").
    header = bytearray(db.read_bytes())
    header[18] = 3
    db.write_bytes(bytes(header))
    db.chmod(0o400)  # read-only, and private as Orgbook keeps it (0444 would add the W001 warning)
    args = ("user", "create", "--email", "b@example.com", "--password-stdin")
    line = one_line_error(orgbook(tmp_path, *args, stdin=PASSWORD))
    assert "read-only" in line and str(db) in line
    # The traceback is one setting away, for a bug report.
    assert "Traceback" in orgbook(tmp_path, *args, stdin=PASSWORD, ORGBOOK_DEBUG="1").stderr


def test_a_configured_database_with_unapplied_migrations_asks_for_orgbook_migrate(tmp_path: Path) -> None:
    # A sqlite:/// DATABASE_URL stands for PostgreSQL here (whatever DATABASE_URL this run has): what is
    # tested is that a configured database is never migrated behind the operator's back.
    (tmp_path / "configured.sqlite3").write_bytes(b"")
    url = {"DATABASE_URL": f"sqlite:///{tmp_path / 'configured.sqlite3'}"}
    args = ("user", "create", "--email", "ops@example.com", "--password-stdin")
    line = one_line_error(orgbook(tmp_path, *args, stdin=PASSWORD, **url))
    assert "unapplied migrations" in line and "run `orgbook migrate`" in line
    ok(orgbook(tmp_path, "migrate", "-v0", **url))
    ok(orgbook(tmp_path, *args, stdin=PASSWORD, **url))


@pytest.mark.postgres
def test_on_a_fresh_postgresql_database_commands_ask_for_migrate_then_the_set_up_works(tmp_path: Path) -> None:
    """The production database: a new, empty PostgreSQL database (as docs/deploy.md has the admin
    create one). Commands stop with one line until `orgbook migrate` has run, then all work."""
    import uuid

    import psycopg

    server = os.environ.get("DATABASE_URL", "")  # the PostgreSQL run's; a database of our own beside its test one
    assert server.startswith("postgres"), "the postgres marker's tests run with DATABASE_URL=postgres://... (.ci/run)"
    name = f"orgbook_fresh_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        url = {"DATABASE_URL": server.rsplit("/", 1)[0] + "/" + name}
        data = tmp_path / "data"
        stop = one_line_error(orgbook(data, "user", "create", "--email", "ops@example.com", "--password-stdin",
                                      stdin=PASSWORD, **url))
        assert "run `orgbook migrate`" in stop
        ok(orgbook(data, "migrate", "-v0", **url))
        set_up_space(data, **url)
        made = json.loads(ok(orgbook(data, "implementation", "create", "--space", "ops", "--as", "ops@example.com",
                                     "--name", "Core", "--json", **url)).stdout)
        project = write_dx_project(tmp_path / "project")
        imported = json.loads(ok(orgbook(data, "import", str(project), "--space", "ops", "--implementation", "Core",
                                         "--model", "Prod", "--json", **url)).stdout)
        assert imported["added"] >= 2
        assert ok(orgbook(data, "token", "create", "--email", "ops@example.com", **url)).stdout.startswith("obk_")
        renewal = json.loads(ok(orgbook(data, "subscription", "renew", "--space", "ops", "--as", "ops@example.com",
                                        "--licences", "1", "--keep", str(made["id"]), "--json", **url)).stdout)
        assert renewal["suspended"] == []
        assert not (data / "orgbook.sqlite3").exists()  # everything went to PostgreSQL
    finally:
        with psycopg.connect(server.rsplit("/", 1)[0] + "/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
