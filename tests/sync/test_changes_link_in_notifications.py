"""The sync email and the webhook carry the run's changes page, absolute from ORGBOOK_BASE_URL
(issue 15): following it shows what the sync changed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from tests.sync.changes import sync_with_changes


@pytest.fixture
def eager() -> Iterator[None]:
    from orgbook.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def test_the_email_and_the_webhook_link_the_runs_changes(people: dict[str, Any], connected: Any, emu: Any,
                                                         receiver: dict[str, Any], eager: None,
                                                         settings: Any) -> None:
    settings.BASE_URL = "https://orgbook.example.com"
    client = Client()
    client.force_login(people["alice"])
    assert client.post("/api/v1/spaces/acme/webhooks", {"url": receiver["url"]},
                       content_type="application/json").status_code == 201
    _, run = sync_with_changes(connected, emu)
    url = f"https://orgbook.example.com/s/acme/runs/{run.pk}/changes/"
    assert len(mail.outbox) == 1 and url in mail.outbox[0].body.splitlines()[1]
    payload = json.loads(receiver["requests"][-1][1])
    assert payload["run"] == run.pk and payload["changes_url"] == url
    page = client.get(url.removeprefix(settings.BASE_URL))
    assert page.status_code == 200 and "Property__c.Price__c" in page.content.decode()
