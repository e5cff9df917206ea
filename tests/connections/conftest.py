"""Orgbook's connect flow against the fakeforce emulator over real HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from tests.emulator import CLIENT_ID, CLIENT_SECRET, CONFIG, emulator_fixture, login_as, point_at

__all__ = ["CLIENT_ID", "CLIENT_SECRET", "CONFIG", "login_as"]  # what other test folders import from here

emu = emulator_fixture(CONFIG, scope="module")


@pytest.fixture
def salesforce(emu: Any, settings: Any) -> Any:
    point_at(emu, settings, CLIENT_ID, CLIENT_SECRET)
    return emu
