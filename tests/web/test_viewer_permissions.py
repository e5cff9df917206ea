"""Viewers and editors see no admin actions, and posting them anyway answers 403."""

from __future__ import annotations

from typing import Any

import pytest

from orgbook.implementations import lifecycle
from orgbook.implementations.models import Implementation
from tests.web.conftest import text

ADMIN_LABELS = ("Connect Org", "New implementation", "Delete implementation", "Reactivate implementation", "Audit log")
ADMIN_URLS = ("/edit/", "/delete/", "/reactivate/", "/connect/", "/implementations/new/", "/audit/")


@pytest.mark.parametrize("who", ["vera", "eddie"])
def test_no_admin_actions_on_the_implementations_page(web_as: Any, acme_impls: Any, people: Any, who: str) -> None:
    lifecycle.renew(people["acme"], people["alice"], 1, keep=[acme_impls["retail"].pk])
    service = acme_impls["service"]
    response = web_as(who).get(f"/s/acme/?impl={service.pk}")
    page, html = text(response), response.content.decode()
    assert "Only Space admins can edit, delete or reactivate implementations." in page
    for label in ADMIN_LABELS:
        assert label not in page, label
    for url in ADMIN_URLS:
        assert url not in html, url


def test_admins_do_see_them(web_as: Any, acme_impls: Any) -> None:
    page = text(web_as("alice").get("/s/acme/"))
    for label in ("Connect Org", "New implementation", "Delete implementation", "Edit", "Audit log"):
        assert label in page, label


@pytest.mark.parametrize("who", ["vera", "eddie"])
def test_posting_admin_actions_is_forbidden_and_changes_nothing(web_as: Any, acme_impls: Any, people: Any, who: str) -> None:
    lifecycle.renew(people["acme"], people["alice"], 1, keep=[acme_impls["retail"].pk])
    retail, service = acme_impls["retail"], acme_impls["service"]
    lifecycle.renew(people["acme"], people["alice"], 3)
    client = web_as(who)
    for path, data in [
        ("/s/acme/implementations/new/", {"name": "Sneaky"}),
        (f"/s/acme/implementations/{retail.pk}/edit/", {"name": "Renamed"}),
        (f"/s/acme/implementations/{retail.pk}/delete/", {"confirm": "Retail"}),
        (f"/s/acme/implementations/{service.pk}/reactivate/", {}),
        ("/s/acme/connect/", {"kind": "production"}),
        ("/s/acme/connect/implementation/?kind=production", {"implementation": "new", "name": "Sneaky"}),
        ("/s/acme/subscription/renew/", {"connection_licences": 0, "confirm": "1"}),
    ]:
        response = client.post(path, data)
        assert response.status_code == 403, path
        assert "Ask a Space admin." in text(response)
    assert sorted(Implementation.objects.values_list("name", "status")) == [("Retail", "active"), ("Service", "suspended")]


def test_audit_log_is_for_admins_only(web_as: Any, people: Any) -> None:
    assert web_as("vera").get("/s/acme/audit/").status_code == 403
    assert web_as("eddie").get("/s/acme/audit/").status_code == 403
