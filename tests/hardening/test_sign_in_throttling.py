"""Guessing passwords stops after a few tries: once 100 wrong passwords in 30 s were followed by the
right one signing in. The lockout is per account and address, says how long, and is in the audit log."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from orgbook.spaces.models import AuditEvent

pytestmark = pytest.mark.django_db
PASSWORD = "correct-horse-battery"  # the `people` fixture's


def sign_in(client: Client, email: str, password: str) -> Any:
    return client.post("/login/", {"username": email, "password": password})


def test_after_the_limit_even_the_right_password_is_refused_for_a_while(people: dict[str, Any]) -> None:
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert sign_in(attacker, "alice@example.com", "guess").status_code == 200  # the form again, with its error
    assert sign_in(attacker, "alice@example.com", "guess").status_code == 429  # the last allowed wrong one
    refused = sign_in(attacker, "Alice@Example.com", PASSWORD)  # the address's case does not matter
    assert refused.status_code == 429
    page = refused.content.decode()
    assert "Too many wrong passwords" in page and f"paused for {settings.AXES_COOLOFF_TIME.seconds // 60} minutes" in page
    assert "_auth_user_id" not in attacker.session
    # Alice, from her own address, still signs in: a lockout does not lock the member out.
    alice = Client(REMOTE_ADDR="198.51.100.7")
    assert sign_in(alice, "alice@example.com", PASSWORD).status_code == 302
    assert alice.session["_auth_user_id"] == str(people["alice"].pk)


def test_a_lockout_is_in_the_audit_log_of_the_accounts_spaces_once(people: dict[str, Any]) -> None:
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(settings.AXES_FAILURE_LIMIT + 3):
        sign_in(attacker, "eddie@example.com", "guess")
    events = AuditEvent.objects.filter(action="login.locked_out")
    assert [(e.space, e.target_id) for e in events] == [(people["acme"], str(people["eddie"].pk))]
    assert events[0].after["from_address"] == "203.0.113.9"


def test_a_success_before_the_limit_starts_the_count_again(people: dict[str, Any]) -> None:
    client = Client(REMOTE_ADDR="198.51.100.7")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "vera@example.com", "typo")
    assert sign_in(client, "vera@example.com", PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        sign_in(client, "vera@example.com", "typo")
    assert sign_in(client, "vera@example.com", PASSWORD).status_code == 302
