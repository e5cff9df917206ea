"""A webhook that cannot be delivered shows as failing and is tried again: once, restored without its
key files, deliveries failed in the worker with no retry while the API still said `"200"`."""

from __future__ import annotations

from typing import Any

import pytest
from celery.exceptions import Retry
from django.test import Client

from orgbook.implementations import vault
from orgbook.orgmodels.models import Webhook
from orgbook.orgmodels.notify import deliver_webhook

pytestmark = pytest.mark.django_db


def _listed(people: dict[str, Any]) -> dict[str, Any]:
    client = Client()
    client.force_login(people["alice"])
    return dict(client.get("/api/v1/spaces/acme/webhooks").json()[0])


def _deliver(hook: Webhook) -> None:
    """One delivery attempt as the worker runs it; a retry it asks for is raised (Retry)."""
    deliver_webhook.apply(args=[hook.pk, "sync.completed", {"x": 1}], throw=True)


def test_a_secret_that_cannot_be_decrypted_is_a_failure_shown_and_retried(people: dict[str, Any],
                                                                          receiver: dict[str, Any]) -> None:
    hook = Webhook.objects.create(space=people["acme"], url=receiver["url"], events=list(Webhook.EVENTS),
                                  secret_enc=vault.encrypt("s"), last_status="200")
    Webhook.objects.filter(pk=hook.pk).update(secret_enc=b"gAAAAA-encrypted-with-a-key-that-is-gone")
    with pytest.raises(Retry):
        _deliver(hook)
    status = _listed(people)["last_status"]
    assert status.startswith("failed: ") and "decrypt" in status and "token_keys" in status
    assert receiver["requests"] == []  # nothing unsigned was sent


def test_an_error_answer_is_shown_as_a_failure_and_retried_then_success_clears_it(
        people: dict[str, Any], receiver: dict[str, Any]) -> None:
    hook = Webhook.objects.create(space=people["acme"], url=receiver["url"], events=list(Webhook.EVENTS),
                                  secret_enc=vault.encrypt("s"))
    receiver["status"] = 500
    with pytest.raises(Retry) as retry:
        _deliver(hook)
    assert retry.value.when == 30  # the first retry in 30 s, then 60, 120… (Celery's backoff)
    assert _listed(people)["last_status"] == "failed: HTTP 500"
    receiver["status"] = 204
    _deliver(hook)
    assert _listed(people)["last_status"] == "204" and len(receiver["requests"]) == 2
