from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from orgbook.implementations.models import OrgConnection
from tests.emulator import connect_org


@pytest.fixture
def conn(people: dict[str, Any], emu: Any, settings: Any, request: pytest.FixtureRequest) -> OrgConnection:
    """Acme's org of the module's `emu` connected (committed: a worker process reads it), its first
    sync not yet run; the module's POLL_MS paces the retrieve polls."""
    if connection.vendor != "postgresql":
        pytest.skip("needs DATABASE_URL=postgres://...")  # the postgres marker already deselects it elsewhere
    return connect_org(people, emu, settings, poll_ms=getattr(request.module, "POLL_MS", 50))
