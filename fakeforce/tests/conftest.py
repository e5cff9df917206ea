from __future__ import annotations

from collections.abc import Iterator

import pytest

from fakeforce import Emulator
from fakeforce.tests import flow


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator.from_config(flow.config()) as e:
        yield e


@pytest.fixture(autouse=True)
def _fast_password_hashing() -> None:
    """Shadow the root conftest's Django fixture: the emulator has no Django."""
