"""What Orgbook writes in its data directory is for its own user only (0600 files, 0700 folders),
and every command, `orgbook serve` first, warns when an older or restored directory is not."""

from __future__ import annotations

import stat
from pathlib import Path

from tests.cli.conftest import run_orgbook


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_data_directory_and_everything_in_it_is_private(tmp_path: Path) -> None:
    data = tmp_path / "data"
    r = run_orgbook(data, "user", "create", "--email", "ops@example.com", "--password-stdin", stdin="a-long-password-1\n")
    assert r.returncode == 0, r.stderr
    made = [data, *data.rglob("*")]
    assert any(p.name == "orgbook.sqlite3" for p in made) and any(p.name == "secret_key" for p in made)
    assert {str(p.relative_to(tmp_path)): oct(_mode(p)) for p in made if _mode(p) & 0o077} == {}
    assert "orgbook.W001" not in r.stderr


def test_commands_warn_when_the_data_directory_is_readable_by_others(tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert run_orgbook(data, "migrate", "-v0").returncode == 0
    data.chmod(0o755)
    (data / "orgbook.sqlite3").chmod(0o644)  # as an earlier version, a copy or a restore left it
    r = run_orgbook(data, "check")
    assert r.returncode == 0
    assert "orgbook.W001" in r.stderr and f"chmod -R go-rwx {data}" in r.stderr
    assert f"{data} (drwxr-xr-x)" in r.stderr and "orgbook.sqlite3 (-rw-r--r--)" in r.stderr
    run_orgbook(data, "check")  # the check changes nothing by itself
    assert _mode(data / "orgbook.sqlite3") == 0o644
