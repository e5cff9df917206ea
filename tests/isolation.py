"""A pytest plugin (`-p tests.isolation` in pyproject.toml) that gives every test run its own data directory.

Orgbook's settings create files in `ORGBOOK_DATA_DIR` when they are imported (the SQLite file, the
secret key, the token key file, the queue folders), and pytest-django imports them before any
conftest runs. A plugin named with `-p` is imported earlier still, so this is the one place that
can point them at a temporary folder: a test run never reads or writes a real install's `./var`
(its `token_keys` above all), whatever the environment says, and processes the tests start inherit
the same folder unless they are given their own. Each pytest-xdist worker imports this plugin afresh,
so each has a folder of its own too (the SQLite file, the cache, the queue), never its sibling's.
"""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

DATA_DIR = tempfile.mkdtemp(prefix="orgbook-tests-")
os.environ["ORGBOOK_DATA_DIR"] = DATA_DIR


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(DATA_DIR, ignore_errors=True)
