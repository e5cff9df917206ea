"""A suspended implementation is greyed with the deletion date; admins reactivate it when a licence is free."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.utils import dateformat

from orgbook.implementations import lifecycle
from orgbook.implementations.models import ConnectionStatus, Implementation, OrgConnection
from tests.web.conftest import text


def purge_date(impl: Implementation) -> str:
    impl.refresh_from_db()
    due = impl.purge_due_at()
    assert due is not None
    return dateformat.format(due.astimezone(ZoneInfo(impl.space.time_zone)), "j M Y")  # web/dates.py


def suspend_service(acme_impls: Any, people: Any) -> Implementation:
    """Renew Acme down to one licence keeping Retail: Service is suspended."""
    lifecycle.renew(people["acme"], people["alice"], 1, keep=[acme_impls["retail"].pk])
    return Implementation.objects.get(pk=acme_impls["service"].pk)


def test_suspended_card_is_greyed_with_the_deletion_date(web_as: Any, acme_impls: Any, people: Any) -> None:
    service = suspend_service(acme_impls, people)
    response = web_as("vera").get("/s/acme/")
    html, page = response.content.decode(), text(response)
    assert f'id="impl-{service.pk}"' in html and "impl-card is-suspended" in html
    assert f"Its content will be deleted on {purge_date(service)} unless it is reactivated." in page
    assert "A Space admin can reactivate it when a connection licence is free." in page


def test_admins_are_told_how_to_reactivate(web_as: Any, acme_impls: Any, people: Any) -> None:
    service = suspend_service(acme_impls, people)
    page = text(web_as("alice").get(f"/s/acme/?impl={service.pk}"))
    assert "free a connection licence (delete another implementation or renew with more licences), then choose Reactivate" in page
    assert f"Content deleted on {purge_date(service)}" in page
    assert "No connection licence is free (1 of 1 in use)." in page
    assert "Reactivate implementation" not in page


def test_reactivation_without_a_free_licence_is_refused_with_what_to_do(web_as: Any, acme_impls: Any, people: Any) -> None:
    service = suspend_service(acme_impls, people)
    response = web_as("alice").post(f"/s/acme/implementations/{service.pk}/reactivate/", follow=True)
    page = text(response)
    assert "Service cannot be reactivated. All 1 connection licence(s) are in use by 1 active implementation(s)." in page
    assert "Delete an implementation you no longer need, or renew the subscription with more licences." in page
    assert Implementation.objects.get(pk=service.pk).is_suspended()


def test_reactivating_after_freeing_a_licence(web_as: Any, acme_impls: Any, people: Any) -> None:
    service = suspend_service(acme_impls, people)
    OrgConnection.objects.create(implementation=service, kind="production", org_id="00D000000000002", org_name="Svc")
    client = web_as("alice")
    retail = acme_impls["retail"]
    client.post(f"/s/acme/implementations/{retail.pk}/delete/", {"confirm": "Retail"})
    panel = text(client.get(f"/s/acme/?impl={service.pk}"))
    assert "A connection licence is free (0 of 1 in use)" in panel
    response = client.post(f"/s/acme/implementations/{service.pk}/reactivate/", follow=True)
    page = text(response)
    assert "Service is active again. Its orgs need re-authorising before the next sync." in page
    assert "will be deleted on" not in page
    assert "Needs re-authorisation" in page
    assert not Implementation.objects.get(pk=service.pk).is_suspended()
    assert OrgConnection.objects.get(implementation=service).status == ConnectionStatus.NEEDS_REAUTH


def test_reactivating_an_active_implementation_says_it_is_not_suspended(web_as: Any, acme_impls: Any) -> None:
    retail = acme_impls["retail"]
    page = text(web_as("alice").post(f"/s/acme/implementations/{retail.pk}/reactivate/", follow=True))
    assert "Retail is not suspended." in page
