"""A connected org in the emulator, for sync tests over real HTTP."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.connections.conftest import CLIENT_ID, CLIENT_SECRET, login_as
from tests.corpus import DREAMHOUSE


def config() -> dict[str, Any]:
    return {"client_id": CLIENT_ID, "client_secret": CLIENT_SECRET, "redirect_uris": ["*"],
            "orgs": [{"key": "acme", "name": "Acme", "org_id": "00D5g000004AcmeEAC", "sandbox": False,
                      "edition": "Enterprise Edition", "my_domain": "acme",
                      "users": [{"username": "ann@acme.com", "password": "pw-ann", "name": "Ann Admin"}],
                      "metadata": str(DREAMHOUSE)}]}


@pytest.fixture
def emu() -> Iterator[Any]:
    from fakeforce import Emulator

    with Emulator.from_config(config()) as emulator:
        yield emulator


@pytest.fixture
def connected(people: dict[str, Any], emu: Any, settings: Any) -> Any:
    """Acme's production org connected to implementation Retail (the first sync not yet run)."""
    from orgbook.implementations import connect, lifecycle

    settings.ORGBOOK_SF_CLIENT_ID, settings.ORGBOOK_SF_CLIENT_SECRET = CLIENT_ID, CLIENT_SECRET
    settings.ORGBOOK_SF_LOGIN_URL, settings.ORGBOOK_SF_SANDBOX_LOGIN_URL = emu.login_url, emu.sandbox_login_url
    settings.ORGBOOK_SF_POLL_MS = 20
    impl = lifecycle.create_implementation(people["acme"], people["alice"], "Retail")
    state, code = login_as(emu, connect.begin(people["alice"], impl, "production"), "ann@acme.com")
    return connect.complete(people["alice"], state, code)


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
