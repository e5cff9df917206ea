"""A connected org in the emulator, for sync tests over real HTTP."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from orgbook.implementations import lifecycle
from tests.corpus import DREAMHOUSE
from tests.emulator import acme_with, connect_org, emulator_fixture


def config() -> dict[str, Any]:
    """Acme's production org holding dreamhouse-lwc."""
    return acme_with(str(DREAMHOUSE))


emu = emulator_fixture(config)


@pytest.fixture
def connected(people: dict[str, Any], emu: Any, settings: Any) -> Any:
    """Acme's production org connected to implementation Retail (the first sync not yet run)."""
    return connect_org(people, emu, settings)


@pytest.fixture
def receiver(settings: Any) -> Iterator[dict[str, Any]]:
    """A webhook endpoint on 127.0.0.1 that records what it receives (the administrator allows that
    network on purpose: webhooks never call Orgbook's own network otherwise)."""
    settings.ORGBOOK_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    got: dict[str, Any] = {"requests": [], "status": 204}  # a test may set the status it answers

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            got["requests"].append((dict(self.headers), body))
            self.send_response(got["status"])
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    got["url"] = f"http://127.0.0.1:{server.server_address[1]}/hook"
    yield got
    server.shutdown()


PARIS = ZoneInfo("Europe/Paris")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in December 2026, in Paris: the schedule tests' Space zone."""
    return datetime(2026, 12, day, hour, minute, tzinfo=PARIS)


@pytest.fixture
def paris_retail(people: dict[str, Any]) -> Any:
    """Acme's Retail implementation, in a Space whose time zone is Europe/Paris."""
    people["acme"].time_zone = "Europe/Paris"
    people["acme"].save()
    return lifecycle.create_implementation(people["acme"], people["alice"], "Retail")
