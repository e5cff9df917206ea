"""Renewing with fewer licences: a preview first, then the suspension, then the result."""

from __future__ import annotations

from typing import Any

from django.core import mail

from orgbook.implementations.models import Implementation, Renewal
from tests.web.conftest import text


def test_preview_lists_what_would_be_suspended_and_changes_nothing(web_as: Any, acme_impls: Any, people: Any) -> None:
    retail, service = acme_impls["retail"], acme_impls["service"]
    response = web_as("alice").post("/s/acme/subscription/renew/", {"connection_licences": 1, "keep": [str(retail.pk)]})
    page = text(response)
    assert response.status_code == 200
    assert "These implementations would be suspended: Service" in page
    assert "Retail" not in page.split("would be suspended:")[1].split("Suspended implementations")[0]
    assert "Confirm renewal" in page
    assert not Renewal.objects.exists()
    people["acme"].refresh_from_db()
    assert people["acme"].connection_licences == 3
    assert not Implementation.objects.get(pk=service.pk).is_suspended()


def test_confirming_suspends_the_excess_and_shows_the_result(web_as: Any, acme_impls: Any, people: Any) -> None:
    retail, service = acme_impls["retail"], acme_impls["service"]
    client = web_as("alice")
    response = client.post(
        "/s/acme/subscription/renew/",
        {"connection_licences": 1, "keep": [str(retail.pk)], "effective_on": "", "confirm": "1"}, follow=True,
    )
    page = text(response)
    assert "Renewal result" in page
    assert "Acme now has 1 connection licence from" in page
    assert "Suspended because there are fewer licences than active implementations: Service" in page
    assert Implementation.objects.get(pk=service.pk).is_suspended()
    assert not Implementation.objects.get(pk=retail.pk).is_suspended()
    assert any("Service" in m.body for m in mail.outbox)
    assert "1 of 1 connection licence in use" in page


def test_preview_without_suspension_says_so(web_as: Any, acme_impls: Any) -> None:
    response = web_as("alice").post("/s/acme/subscription/renew/", {"connection_licences": 5})
    assert "No implementation would be suspended." in text(response)


def test_future_renewal_is_recorded_not_applied(web_as: Any, acme_impls: Any) -> None:
    response = web_as("alice").post(
        "/s/acme/subscription/renew/", {"connection_licences": 0, "effective_on": "2999-01-01", "confirm": "1"}, follow=True
    )
    page = text(response)
    assert "It takes effect on 2999-01-01" in page
    assert "Scheduled" in page
    assert not Implementation.objects.filter(status="suspended").exists()


def test_negative_licences_are_refused_on_the_form(web_as: Any, acme_impls: Any) -> None:
    response = web_as("alice").post("/s/acme/subscription/renew/", {"connection_licences": -1, "confirm": "1"})
    assert response.status_code == 400
    assert "Give a number of 0 or more." in text(response)
    assert not Renewal.objects.exists()


def test_viewers_see_the_plan_but_not_the_renewal_form(web_as: Any, acme_impls: Any) -> None:
    client = web_as("vera")
    page = text(client.get("/s/acme/subscription/"))
    assert "2 of 3 connection licences in use" in page
    assert "Preview renewal" not in page
    assert client.post("/s/acme/subscription/renew/", {"connection_licences": 0, "confirm": "1"}).status_code == 403
    assert not Renewal.objects.exists()
