"""Guessing API tokens stops after a few tries, and one token cannot flood the server: both answer 429
with the JSON error, when to retry and a Retry-After header; lockouts of known tokens are audited."""

from __future__ import annotations

import json
from typing import Any

import pytest
import time_machine
from django.test import Client

from orgbook.spaces.models import AuditEvent, PersonalAccessToken

pytestmark = pytest.mark.django_db
SPACES = "/api/v1/spaces"


def call(client: Client, token: str) -> Any:
    response = client.get(SPACES, headers={"Authorization": f"Bearer {token}"})
    response.body = json.loads(response.content)
    return response


def test_invalid_tokens_from_one_address_lock_it_out_even_with_a_valid_token(people: dict[str, Any],
                                                                              settings: Any) -> None:
    settings.ORGBOOK_TOKEN_ATTEMPTS, settings.ORGBOOK_TOKEN_LOCKOUT_MINUTES = 5, 15
    _, valid = PersonalAccessToken.issue(people["alice"], "script")
    guesser = Client(REMOTE_ADDR="203.0.113.9")
    with time_machine.travel("2026-03-02 10:00:00+00:00", tick=False) as clock:
        for n in range(5):
            assert call(guesser, f"obk_guess{n}").status_code == 401
        refused = call(guesser, valid)
        assert refused.status_code == 429 and refused["Retry-After"] == str(15 * 60)
        error = refused.body["error"]
        assert error["code"] == "rate_limited" and error["details"] == {"retry_after_seconds": 900}
        assert "Too many invalid access tokens" in error["message"] and "Try again in 15 minutes" in error["message"]
        # Alice's script, from its own address, is not locked out by someone else's guessing.
        assert call(Client(REMOTE_ADDR="198.51.100.7"), valid).status_code == 200
        clock.shift(10 * 60)
        assert call(guesser, valid)["Retry-After"] == str(5 * 60)
        clock.shift(5 * 60 + 1)
        assert call(guesser, valid).status_code == 200
    # Unknown tokens name nobody: no Space is told.
    assert not AuditEvent.objects.filter(action="token.locked_out").exists()


def test_a_lockout_with_a_revoked_token_is_in_its_owners_audit_log_once(people: dict[str, Any],
                                                                        settings: Any) -> None:
    settings.ORGBOOK_TOKEN_ATTEMPTS = 3
    token, raw = PersonalAccessToken.issue(people["eddie"], "old laptop")
    token.revoke()
    stranger = Client(REMOTE_ADDR="203.0.113.9")
    statuses = [call(stranger, raw).status_code for _ in range(6)]
    assert statuses == [401, 401, 401, 429, 429, 429]
    events = AuditEvent.objects.filter(action="token.locked_out")
    assert [(e.space, e.target_id) for e in events] == [(people["acme"], str(token.pk))]
    assert events[0].after["from_address"] == "203.0.113.9" and events[0].after["owner"] == "eddie@example.com"
    assert raw not in json.dumps(events[0].after) and raw not in events[0].target_repr


def test_one_token_over_its_rate_is_refused_until_the_window_slides(people: dict[str, Any], settings: Any) -> None:
    settings.ORGBOOK_TOKEN_RATE_PER_MINUTE = 4
    token, raw = PersonalAccessToken.issue(people["alice"], "busy script")
    script = Client(REMOTE_ADDR="198.51.100.7")
    with time_machine.travel("2026-03-02 10:00:00+00:00", tick=False) as clock:
        assert [call(script, raw).status_code for _ in range(4)] == [200] * 4
        refused = call(script, raw)
        assert call(script, raw).status_code == 429
        assert refused.status_code == 429 and refused.body["error"]["code"] == "rate_limited"
        assert "more than 4 requests in a minute" in refused.body["error"]["message"]
        assert refused["Retry-After"] == "60"  # the 4 requests weigh on the next minute until it is over
        # Another token of the same person has its own count.
        _, other = PersonalAccessToken.issue(people["alice"], "other script")
        assert call(script, other).status_code == 200
        clock.shift(90)  # half a minute into the next window: 4 × 0.5 = 2 counted, 2 more allowed
        assert [call(script, raw).status_code for _ in range(3)] == [200, 200, 429]
        clock.shift(60)
        assert call(script, raw).status_code == 200
    events = AuditEvent.objects.filter(action="token.rate_limited", target_id=str(token.pk))
    # Once a minute at most: the two refusals 90 s apart, not the requests refused in between.
    assert [e.space for e in events] == [people["acme"], people["acme"]]
    assert events[0].after["requests_per_minute"] == 4


def test_the_browser_session_is_not_throttled_by_token_guessing(people: dict[str, Any], settings: Any) -> None:
    settings.ORGBOOK_TOKEN_ATTEMPTS = 2
    browser = Client(REMOTE_ADDR="203.0.113.9")
    browser.force_login(people["alice"])
    for _ in range(3):
        call(Client(REMOTE_ADDR="203.0.113.9"), "obk_wrong")
    assert browser.get(SPACES).status_code == 200
