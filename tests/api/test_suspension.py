"""A suspended implementation: content locked for everyone, nothing deleted, reactivation rules."""

from __future__ import annotations

from datetime import UTC
from typing import Any

import pytest

from orgbook.implementations import lifecycle
from orgbook.implementations.models import ConnectionStatus, Implementation, OrgConnection


@pytest.fixture
def three(people: dict[str, Any]) -> list[Implementation]:
    return [lifecycle.create_implementation(people["acme"], people["alice"], n) for n in ("A", "B", "C")]


def _set_activity(impl: Implementation, day: int) -> None:
    from datetime import datetime

    Implementation.objects.filter(pk=impl.pk).update(last_activity_at=datetime(2026, 1, day, tzinfo=UTC))


def test_preview_says_who_would_be_suspended_and_changes_nothing(api_as: Any, three: list[Implementation]) -> None:
    _set_activity(three[0], 3)
    _set_activity(three[1], 1)  # oldest activity
    _set_activity(three[2], 2)
    r = api_as("alice").call("POST", "/spaces/acme/subscription/renewals", {"connection_licences": 2, "preview": True})
    assert r.status_code == 200
    assert [s["name"] for s in r.json_body["would_suspend"]] == ["B"]
    assert not Implementation.objects.filter(status="suspended").exists()
    assert api_as("alice").call("GET", "/spaces/acme/subscription").json_body["connection_licences"] == 3


def test_renewal_suspends_unkept_first_then_oldest_activity(api_as: Any, three: list[Implementation]) -> None:
    from django.core import mail

    a, b, c = three
    _set_activity(a, 1)
    _set_activity(b, 2)
    _set_activity(c, 3)
    r = api_as("alice").call("POST", "/spaces/acme/subscription/renewals",
                             {"connection_licences": 1, "keep": [a.pk]})
    assert r.status_code == 201
    assert sorted(r.json_body["suspended"]) == sorted([b.pk, c.pk])
    statuses = dict(Implementation.objects.values_list("name", "status"))
    assert statuses == {"A": "active", "B": "suspended", "C": "suspended"}
    assert any("B: its content will be deleted on" in m.body for m in mail.outbox)
    assert mail.outbox[-1].to == ["alice@example.com"]


def test_a_renewal_dated_in_the_future_waits_for_its_date(api_as: Any, three: list[Implementation]) -> None:
    import time_machine

    r = api_as("alice").call("POST", "/spaces/acme/subscription/renewals",
                             {"connection_licences": 1, "effective_date": "2099-01-01"})
    assert r.status_code == 201 and r.json_body["applied_at"] is None
    assert not Implementation.objects.filter(status="suspended").exists()
    with time_machine.travel("2099-01-01 12:00Z", tick=False):
        lifecycle.apply_due_renewals()
    assert Implementation.objects.filter(status="suspended").count() == 2


@pytest.mark.parametrize("body", [{"connection_licences": -1}, {"connection_licences": "two"}, {},
                                  {"connection_licences": 1, "keep": [999999]},
                                  {"connection_licences": 1, "effective_date": "tomorrow"}])
def test_a_bad_renewal_is_refused_and_changes_nothing(api_as: Any, three: list[Implementation], body: Any) -> None:
    r = api_as("alice").call("POST", "/spaces/acme/subscription/renewals", body)
    assert r.status_code == 400, r.json_body
    assert not Implementation.objects.filter(status="suspended").exists()


def test_nobody_opens_a_suspended_implementations_content(api_as: Any, three: list[Implementation]) -> None:
    lifecycle.suspend(three[0], None, reason="test")
    for who in ("alice", "eddie", "vera"):
        r = api_as(who).call("GET", f"/spaces/acme/implementations/{three[0].pk}/content")
        assert r.status_code == 403
        assert r.json_body["error"]["code"] == "implementation_suspended"
        assert "reactivate" in r.json_body["error"]["message"]
    # but it still shows in the list, greyed, with its purge date
    listed = api_as("vera").call("GET", f"/spaces/acme/implementations/{three[0].pk}").json_body
    assert listed["status"] == "suspended" and listed["purge_on"] is not None


def test_reactivation_needs_a_free_licence(api_as: Any, people: dict[str, Any], three: list[Implementation]) -> None:
    api_as("alice").call("POST", "/spaces/acme/subscription/renewals", {"connection_licences": 2})
    suspended = Implementation.objects.get(status="suspended")
    r = api_as("alice").call("POST", f"/spaces/acme/implementations/{suspended.pk}/reactivate")
    assert r.status_code == 409 and r.json_body["error"]["code"] == "licence_exhausted"


def test_reactivation_restores_access_and_asks_to_reauthorise_orgs(api_as: Any, three: list[Implementation]) -> None:
    OrgConnection.objects.create(implementation=three[2], kind="production", org_id="00D000000000009AAA")
    api_as("alice").call("POST", "/spaces/acme/subscription/renewals", {"connection_licences": 2, "keep": [three[0].pk, three[1].pk]})
    assert Implementation.objects.get(pk=three[2].pk).is_suspended()
    api_as("alice").call("DELETE", f"/spaces/acme/implementations/{three[0].pk}", {"confirm": "A"})
    r = api_as("alice").call("POST", f"/spaces/acme/implementations/{three[2].pk}/reactivate")
    assert r.status_code == 200 and r.json_body["status"] == "active"
    assert r.json_body["production"]["status"] == ConnectionStatus.NEEDS_REAUTH
    assert api_as("vera").call("GET", f"/spaces/acme/implementations/{three[2].pk}/content").status_code == 200


def test_reactivating_an_active_implementation_is_a_clear_conflict(api_as: Any, three: list[Implementation]) -> None:
    r = api_as("alice").call("POST", f"/spaces/acme/implementations/{three[0].pk}/reactivate")
    assert r.status_code == 409 and "not suspended" in r.json_body["error"]["message"]
