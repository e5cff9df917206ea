"""After a sync that changed something: a summary email grouped by who changed what; signed webhooks."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from orgbook.runs.syncs import sync_connection
from tests.sync.metadata import PRICE


@pytest.fixture
def eager() -> Iterator[None]:
    from orgbook.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def _admin(people: dict[str, Any]) -> Client:
    client = Client()
    client.force_login(people["alice"])
    return client


def test_a_sync_that_changed_something_emails_a_summary_grouped_by_who(people: dict[str, Any], connected: Any,
                                                                       emu: Any) -> None:
    sync_connection(connected, "first")
    assert not mail.outbox  # the first sync's baseline is not news
    emu.modify_component("acme", "CustomField", "Property__c.Price__c", PRICE, by="Jane Admin")
    emu.delete_component("acme", "CustomField", "Property__c.Tags__c", by="Raj Dev")
    sync_connection(connected, "scheduled")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["alice@example.com"]
    body = mail.outbox[0].body
    # listMetadata no longer lists a deleted component, so Salesforce does not say who deleted it
    assert body.index("Jane Admin (") < body.index("Property__c.Price__c") < body.index("Who is not known (")
    assert body.index("Who is not known (") < body.index("Property__c.Tags__c")
    price_line = next(line for line in body.splitlines() if "Property__c.Price__c [" in line)
    assert "precision" in price_line and "scale" in price_line  # which attributes changed
    link = next(line.strip() for line in body.splitlines() if line.strip().endswith("/c/CustomField/Property__c.Price__c"))
    page = _admin(people).get(link.removeprefix("http://127.0.0.1:8000"))
    assert page.status_code == 200 and "Asking Price" in page.content.decode()


def test_nothing_changed_sends_nothing(connected: Any) -> None:
    sync_connection(connected, "first")
    sync_connection(connected, "scheduled")
    assert not mail.outbox


def test_chosen_recipients_get_the_summary(people: dict[str, Any], connected: Any, emu: Any) -> None:
    path = f"/api/v1/spaces/acme/implementations/{connected.implementation_id}/connections/{connected.pk}/settings"
    r = _admin(people).put(path, {"recipients": ["ops@example.com"], "sync_time": "23:15"}, content_type="application/json")
    assert r.status_code == 200 and r.json() == {"recipients": ["ops@example.com"], "sync_time": "23:15",
                                                 "manual_sync_only": False}
    sync_connection(connected, "first")
    emu.modify_component("acme", "CustomField", "Property__c.Price__c", PRICE)
    sync_connection(connected, "scheduled")
    assert mail.outbox[-1].to == ["ops@example.com"]


def test_webhooks_are_signed_with_the_secret(people: dict[str, Any], connected: Any, receiver: dict[str, Any],
                                             eager: None) -> None:
    r = _admin(people).post("/api/v1/spaces/acme/webhooks", {"url": receiver["url"]}, content_type="application/json")
    assert r.status_code == 201
    secret = r.json()["secret"]
    sync_connection(connected, "first")
    headers, body = receiver["requests"][-1]
    assert headers["X-Orgbook-Event"] == "sync.completed"
    expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    assert headers["X-Orgbook-Signature"] == expected
    payload = json.loads(body)
    assert payload["event"] == "sync.completed" and payload["added"] > 80 and payload["space"] == "acme"
    assert "secret" not in _admin(people).get("/api/v1/spaces/acme/webhooks").json()[0]


def test_a_failed_sync_fires_sync_failed(people: dict[str, Any], connected: Any, emu: Any, receiver: dict[str, Any],
                                         eager: None) -> None:
    _admin(people).post("/api/v1/spaces/acme/webhooks", {"url": receiver["url"], "events": ["sync.failed"]},
                        content_type="application/json")
    # Not UNKNOWN_EXCEPTION (the default): a sync leaves out what that fails on and goes on.
    emu.inject_fault(org="acme", kind="failed_retrieve", times=5, code="INVALID_CROSS_REFERENCE_KEY")
    with pytest.raises(Exception):
        sync_connection(connected, "first")
    assert [json.loads(b)["event"] for _, b in receiver["requests"]] == ["sync.failed"]


def test_only_admins_manage_webhooks(people: dict[str, Any]) -> None:
    client = Client()
    client.force_login(people["eddie"])
    r = client.post("/api/v1/spaces/acme/webhooks", {"url": "https://example.com/h"}, content_type="application/json")
    assert r.status_code == 403
