"""The audit log reads as sentences ("Ana renewed to 1 licence; Acme Services was suspended"), with
values as people write them (no None, no lists in brackets, no microseconds); it filters by person,
date range and target as well as action, and exports what the filters keep as CSV, escaped against
formula injection like the other exports. Before, it showed `suspended: ['Acme Retail']`,
`suspended_at: None` and times to the microsecond."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from orgbook.implementations import lifecycle
from orgbook.spaces import audit, auditlog
from orgbook.spaces.models import AuditEvent
from tests.web.conftest import text

pytestmark = pytest.mark.django_db


@pytest.fixture
def renewed(people: dict[str, Any]) -> dict[str, Any]:
    """Ana (alice, named) renews Acme to 1 licence keeping Retail: Acme Services is suspended."""
    alice, acme = people["alice"], people["acme"]
    alice.first_name = "Ana"
    alice.save()
    retail = lifecycle.create_implementation(acme, alice, "Retail")
    services = lifecycle.create_implementation(acme, alice, "Acme Services")
    lifecycle.renew(acme, alice, 1, keep=[retail.pk])
    return {"retail": retail, "services": services}


def page_text(client: Any, query: str = "") -> str:
    return text(client.get(f"/s/acme/audit/{query}")).split("What happened Details", 1)[1]


def test_events_read_as_sentences_without_machine_values(web_as: Any, renewed: dict[str, Any]) -> None:
    response = web_as("alice").get("/s/acme/audit/")
    page = page_text(web_as("alice"))
    assert "Ana renewed to 1 licence; Acme Services was suspended." in page
    assert "Acme Services was suspended after a renewal to fewer licences." in page
    assert "Ana created the implementation Acme Services." in page
    html = response.content.decode()
    for machine in ("None", "['", "subscription.renewed", "implementation.suspended", "suspended_at:"):
        assert machine not in page, machine
    assert "]" not in page.replace("[", "")
    # Times to the minute, never with seconds or microseconds (an ISO value like 2026-12-02T21:45:01.123456).
    suspended = AuditEvent.objects.get(action="implementation.suspended")
    stored = suspended.after["suspended_at"]
    assert "." in stored  # stored with microseconds…
    shown = auditlog.format_value(stored, ZoneInfo("UTC"))
    assert shown == datetime.fromisoformat(stored).astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%d %H:%M")
    assert stored not in html and shown in page  # …shown to the minute


def test_every_known_action_has_a_sentence_and_unknown_ones_still_read_as_words(people: dict[str, Any]) -> None:
    acme = people["acme"]
    odd = audit.record(acme, None, "thing.went_sideways", None, after={"x": None})
    assert auditlog.sentence(odd) == "Orgbook: thing: went sideways"
    invited = audit.record(acme, people["alice"], "member.invited", None, after={"email": "n@example.com",
                                                                                 "role": "editor"})
    assert auditlog.sentence(invited) == "alice@example.com invited n@example.com as Editor."
    assert auditlog.format_value(None) == "none" and auditlog.format_value([]) == "none"
    assert auditlog.format_value(["A", "B", "C"]) == "A, B and C"
    assert auditlog.format_value(True) == "yes"


def test_filters_by_person_date_range_and_target(web_as: Any, renewed: dict[str, Any], people: dict[str, Any]) -> None:
    acme = people["acme"]
    audit.record(acme, None, "org.needs_reauth", renewed["retail"], after={"reason": "refresh token revoked"})
    old = audit.record(acme, people["eddie"], "member.invited", None, after={"email": "old@example.com", "role": "viewer"})
    AuditEvent.objects.filter(pk=old.pk).update(at=timezone.now() - timedelta(days=40))
    client = web_as("alice")
    eddie_only = page_text(client, "?person=eddie@example.com")
    assert "eddie@example.com invited old@example.com as Viewer." in eddie_only and "Ana" not in eddie_only
    system_only = page_text(client, "?person=system")
    assert "Retail needs re-authorisation: refresh token revoked." in system_only
    assert "Ana" not in system_only and "eddie" not in system_only
    today = timezone.now().date()
    recent = page_text(client, f"?from={(today - timedelta(days=7)).isoformat()}&to={today.isoformat()}")
    assert "old@example.com" not in recent and "Ana renewed to 1 licence" in recent
    back_then = (today - timedelta(days=40)).isoformat()
    assert "old@example.com" in page_text(client, f"?from={back_then}&to={back_then}")
    by_target = page_text(client, "?target=services")
    assert "Acme Services was suspended" in by_target and "created the implementation Retail." not in by_target
    # The filter form offers people by name and actions in words.
    html = client.get("/s/acme/audit/").content.decode()
    assert '<option value="eddie@example.com">eddie@example.com</option>' in html
    assert ">Subscription: renewed</option>" in html


def test_csv_export_keeps_the_filters_and_escapes_formulas(web_as: Any, renewed: dict[str, Any],
                                                           people: dict[str, Any]) -> None:
    people["acme"].connection_licences = 5
    people["acme"].save()
    lifecycle.create_implementation(people["acme"], people["alice"], "=SUM(A1)")
    client = web_as("alice")
    assert 'href="/s/acme/audit/export.csv?target=services"' in client.get("/s/acme/audit/?target=services").content.decode()
    response = client.get("/s/acme/audit/export.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="audit-acme-' in response["Content-Disposition"]
    table = list(csv.reader(io.StringIO(response.content.decode())))
    assert table[0] == ["When", "Time zone", "Who", "What happened", "Action", "Target", "Before", "After"]
    said = [row[3] for row in table[1:]]
    assert "Ana renewed to 1 licence; Acme Services was suspended." in said
    formula = next(row for row in table[1:] if row[4] == "implementation.created" and "SUM" in row[5])
    assert formula[5] == "'=SUM(A1)"
    assert "None" not in "".join(",".join(r) for r in table)
    filtered = client.get("/s/acme/audit/export.csv?target=services")
    rows = list(csv.reader(io.StringIO(filtered.content.decode())))[1:]
    assert rows and all("Services" in r[5] for r in rows)


def test_only_space_admins_see_or_export_it(web_as: Any, renewed: dict[str, Any]) -> None:
    for name in ("eddie", "vera"):
        assert web_as(name).get("/s/acme/audit/").status_code == 403
        assert web_as(name).get("/s/acme/audit/export.csv").status_code == 403
    assert web_as("mallory").get("/s/acme/audit/export.csv").status_code == 404


def test_membership_events_name_the_member(people: dict[str, Any]) -> None:
    from orgbook.spaces import members
    from orgbook.spaces.models import Membership, Role

    alice = people["alice"]
    alice.first_name = "Ana"
    alice.save()
    eddie = Membership.objects.get(user=people["eddie"])
    members.change_role(eddie, Role.ADMIN, alice)
    changed = AuditEvent.objects.get(action="member.role_changed")
    assert auditlog.sentence(changed) == "Ana changed the role of eddie@example.com from Editor to Space admin."
    members.remove(Membership.objects.get(user=alice, space=people["acme"]), alice)
    left = AuditEvent.objects.get(action="member.removed")
    assert auditlog.sentence(left) == "Ana left the Space."
    members.remove(Membership.objects.get(user=people["vera"]), people["eddie"])
    removed = AuditEvent.objects.filter(action="member.removed").first()
    assert auditlog.sentence(removed) == "eddie@example.com removed vera@example.com (Viewer)."


def test_a_filter_the_log_cannot_use_is_named_under_its_field(web_as: Any, renewed: dict[str, Any]) -> None:
    html = web_as("alice").get("/s/acme/audit/", {"from": "last week", "person": "nobody@example.com"}).content.decode()
    assert 'id="audit-from_error"' in html and "Give a date, like 2026-12-31." in html
    assert 'id="audit-person_error"' in html and "Pick one of the options in the list." in html
    assert 'value="last week"' in html  # kept as typed, to correct
    undated = web_as("alice").get("/s/acme/audit/", {"from": "last week"}).content.decode()
    assert "Ana renewed to 1 licence" in undated  # still the log, without the date it could not read
