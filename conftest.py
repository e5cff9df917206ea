"""Shared fixtures: named people in two Spaces (healthchecks' BaseTestCase, as pytest fixtures)."""

from __future__ import annotations

import shutil
from typing import Any

import pytest


def pytest_configure(config: pytest.Config) -> None:
    # The browser tests' output folder (pytest-playwright's --output: screenshots of failed tests) is
    # emptied once per run, here, in the process that starts pytest-xdist's workers (or the only one);
    # tests/browser/conftest.py keeps each worker from emptying it again when its first test starts.
    if hasattr(config, "workerinput"):
        return
    output = config.getoption("output", None)
    if output:
        shutil.rmtree(output, ignore_errors=True)


@pytest.fixture
def make_user(db: Any) -> Any:
    from django.contrib.auth import get_user_model

    def make(email: str, password: str = "correct-horse-battery") -> Any:
        return get_user_model().objects.create_user(username=email, email=email, password=password)

    return make


@pytest.fixture
def people(make_user: Any) -> dict[str, Any]:
    """alice: Space admin, eddie: editor, vera: viewer in Acme; mallory: admin of Globex only."""
    from orgbook.implementations import lifecycle
    from orgbook.spaces.models import Membership, Role

    alice, eddie, vera, mallory = (make_user(f"{n}@example.com") for n in ("alice", "eddie", "vera", "mallory"))
    acme = lifecycle.create_space("Acme", alice, plan="paid", licences=3)
    Membership.objects.create(space=acme, user=eddie, role=Role.EDITOR)
    Membership.objects.create(space=acme, user=vera, role=Role.VIEWER)
    globex = lifecycle.create_space("Globex", mallory, plan="paid", licences=2)
    return {"alice": alice, "eddie": eddie, "vera": vera, "mallory": mallory, "acme": acme, "globex": globex}


@pytest.fixture
def retail(people: dict[str, Any]) -> Any:
    """Acme's implementation Retail, made by alice, with no org connected."""
    from orgbook.implementations import lifecycle

    return lifecycle.create_implementation(people["acme"], people["alice"], "Retail")


@pytest.fixture
def dreamhouse(retail: Any) -> Any:
    """Retail's production model holding dreamhouse-lwc, imported once."""
    from tests.corpus import DREAMHOUSE, imported

    return imported(retail, "Dreamhouse", "production", DREAMHOUSE)


@pytest.fixture
def web_as(people: dict[str, Any]) -> Any:
    """A browser-like client signed in as one of the named people: web_as("vera")."""
    from django.test import Client

    def make(name: str) -> Any:
        client = Client()
        client.force_login(people[name])
        return client

    return make


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # argon2 is deliberately slow; tests that are not about hashing use a fast hasher.
    # tests/test_settings.py checks that the real settings hash with argon2.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _own_page_cache(settings: Any) -> None:
    # Each test gets an empty page cache of its own: test databases reuse ids and frozen clocks reuse
    # times, so a cache shared between tests (or with other test runs) could serve another test's page.
    # tests/explore/test_component_page_cache.py checks the configured backends themselves.
    import uuid

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": f"test-{uuid.uuid4()}"}}
