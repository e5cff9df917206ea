"""Webhooks never call Orgbook's own network: once a webhook to http://127.0.0.1:8209/ was accepted,
called with its signature, and its last status worked as a port probe."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test import Client

from orgbook.implementations import vault
from orgbook.orgmodels import outbound
from orgbook.orgmodels.models import Webhook
from orgbook.orgmodels.notify import deliver_webhook

pytestmark = pytest.mark.django_db


@pytest.fixture
def local_server() -> Iterator[dict[str, Any]]:
    """Something listening on this machine that must never be called, and a redirect to it."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            hits.append(self.path)
            self.send_response(307 if self.path == "/redirect" else 204)
            self.send_header("Location", f"http://127.0.0.1:{server.server_address[1]}/inside")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield {"port": server.server_address[1], "hits": hits}
    server.shutdown()


def _admin(people: dict[str, Any]) -> Client:
    client = Client()
    client.force_login(people["alice"])
    return client


@pytest.mark.parametrize("url, kind", [
    ("http://127.0.0.1:8209/", "loopback"), ("http://localhost/hook", "loopback"), ("http://[::1]/", "loopback"),
    ("http://10.1.2.3/hook", "private"), ("https://192.168.0.10/", "private"), ("http://172.16.5.5/", "private"),
    ("http://169.254.169.254/latest/meta-data/", "link-local"), ("http://[::ffff:127.0.0.1]/", "loopback"),
    ("http://0.0.0.0/", "unspecified"),
])
def test_a_webhook_to_the_own_network_is_refused_with_the_reason(people: dict[str, Any], url: str, kind: str) -> None:
    r = _admin(people).post("/api/v1/spaces/acme/webhooks", {"url": url}, content_type="application/json")
    assert r.status_code == 400, r.content
    message = r.json()["error"]["message"]
    assert kind in message and "ORGBOOK_WEBHOOK_ALLOWED_NETWORKS" in message
    assert not Webhook.objects.exists()


def test_an_allowed_network_is_called_on_purpose(people: dict[str, Any], settings: Any,
                                                 local_server: dict[str, Any]) -> None:
    settings.ORGBOOK_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    url = f"http://127.0.0.1:{local_server['port']}/hook"
    r = _admin(people).post("/api/v1/spaces/acme/webhooks", {"url": url}, content_type="application/json")
    assert r.status_code == 201
    assert deliver_webhook.apply(args=[r.json()["id"], "sync.completed", {"x": 1}]).get() == "204"
    assert local_server["hits"] == ["/hook"]


def test_a_delivery_checks_the_address_again_and_does_not_retry_a_blocked_one(
        people: dict[str, Any], local_server: dict[str, Any]) -> None:
    # Saved while the name pointed elsewhere (or before this check existed): delivery refuses it.
    hook = Webhook.objects.create(space=people["acme"], url=f"http://127.0.0.1:{local_server['port']}/hook",
                                  events=list(Webhook.EVENTS), secret_enc=vault.encrypt("s"))
    assert deliver_webhook.apply(args=[hook.pk, "sync.completed", {"x": 1}]).get() == "blocked"
    hook.refresh_from_db()
    assert hook.last_status.startswith("blocked: 127.0.0.1 is 127.0.0.1, a loopback address")
    assert local_server["hits"] == []


def test_a_redirect_is_an_answer_not_followed(people: dict[str, Any], settings: Any,
                                              local_server: dict[str, Any]) -> None:
    settings.ORGBOOK_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    response = outbound.post(f"http://127.0.0.1:{local_server['port']}/redirect", data=b"{}", timeout=5)
    assert response.status_code == 307 and local_server["hits"] == ["/redirect"]
