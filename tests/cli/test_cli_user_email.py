"""`orgbook user create` refuses an address that is not an email address, by the same Django rule as
invitations (tests/lifecycle/test_email_addresses.py), before any account is made."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from .conftest import run_orgbook


def test_the_cli_refuses_an_account_for_something_that_is_not_an_address(data_dir: Path) -> None:
    done = run_orgbook(data_dir, "user", "create", "--email", "ops@", "--password-stdin",
                       stdin="long-enough-password-1\n")
    assert done.returncode == 1 and "--email must be an email address" in done.stderr
    with sqlite3.connect(data_dir / "orgbook.sqlite3") as db:
        assert db.execute("SELECT count(*) FROM auth_user").fetchone() == (0,)
