"""The implementation panel leads to its org models and documentation, except while suspended."""

from __future__ import annotations

from typing import Any

from django.test import Client

from orgbook.implementations import lifecycle
from orgbook.orgmodels.models import OrgModel


def _page(user: Any, impl: Any) -> str:
    client = Client()
    client.force_login(user)
    return client.get(f"/s/acme/?impl={impl.pk}").content.decode()


def test_the_panel_lists_models_and_links_documentation(people: dict[str, Any]) -> None:
    impl = lifecycle.create_implementation(people["acme"], people["alice"], "Retail")
    model = OrgModel.objects.create(implementation=impl, name="Design", kind="reference")
    html = _page(people["vera"], impl)
    assert "Design" in html and f"/d/s/acme/m/{model.pk}/coverage/" in html
    assert f'href="/m/{model.pk}/"' in html  # its dictionary
    assert f"/d/s/acme/i/{impl.pk}/" in html
    assert "New reference model" not in html  # viewers read only


def test_a_suspended_implementation_offers_no_way_into_its_content(people: dict[str, Any]) -> None:
    impl = lifecycle.create_implementation(people["acme"], people["alice"], "Retail")
    OrgModel.objects.create(implementation=impl, name="Design", kind="reference")
    lifecycle.suspend(impl, None, reason="test")
    html = _page(people["alice"], impl)
    assert f"/d/s/acme/i/{impl.pk}/" not in html
