"""The right-hand panel (full page and htmx partial) and editing name and description."""

from __future__ import annotations

from typing import Any

from orgbook.implementations.models import Implementation
from tests.web.conftest import text


def test_panel_shows_the_selected_implementation(web_as: Any, acme_impls: Any) -> None:
    retail = acme_impls["retail"]
    response = web_as("vera").get(f"/s/acme/?impl={retail.pk}")
    panel = text(response).split("Implementation Retail", 1)[1]
    assert "Stores and POS" in panel
    assert "Production org Not connected" in panel


def test_htmx_gets_only_the_panel(web_as: Any, acme_impls: Any) -> None:
    service = acme_impls["service"]
    client = web_as("vera")
    partial = client.get(f"/s/acme/implementations/{service.pk}/panel/", headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert b"<html" not in partial.content and b"Service" in partial.content
    plain = client.get(f"/s/acme/implementations/{service.pk}/panel/")
    assert plain["Location"] == f"/s/acme/?impl={service.pk}"


def test_edit_name_and_description(web_as: Any, acme_impls: Any) -> None:
    retail = acme_impls["retail"]
    response = web_as("alice").post(
        f"/s/acme/implementations/{retail.pk}/edit/", {"name": "Retail EU", "description": "Stores"}, follow=True
    )
    assert "Saved Retail EU." in text(response)
    retail.refresh_from_db()
    assert (retail.name, retail.description) == ("Retail EU", "Stores")


def test_edit_to_a_taken_name_is_refused(web_as: Any, acme_impls: Any) -> None:
    retail = acme_impls["retail"]
    response = web_as("alice").post(f"/s/acme/implementations/{retail.pk}/edit/", {"name": "service", "description": ""})
    assert response.status_code == 400
    assert "already exists in this Space" in text(response)
    assert Implementation.objects.get(pk=retail.pk).name == "Retail"


def test_too_long_description_is_refused_with_the_count(web_as: Any, acme_impls: Any) -> None:
    retail = acme_impls["retail"]
    response = web_as("alice").post(f"/s/acme/implementations/{retail.pk}/edit/", {"name": "Retail", "description": "x" * 1001})
    assert "The description is 1001 characters; keep it to 1000." in text(response)
