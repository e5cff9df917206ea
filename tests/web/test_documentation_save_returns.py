"""Saving documentation from a component's page goes back to that page, at the documentation, not to a
separate page titled by the API name."""

from __future__ import annotations

from typing import Any


def save(client: Any, model_id: int, next_path: str, revision: int = 0) -> Any:
    return client.post(f"/d/s/acme/m/{model_id}/c/CustomField/Property__c.Price__c/",
                       {"note": f"The asking price (r{revision + 1}).", "base_revision": str(revision), "next": next_path})


def test_saving_from_a_component_returns_to_it(web_as: Any, dreamhouse: Any) -> None:
    client = web_as("alice")
    component = f"/m/{dreamhouse.pk}/c/CustomField/Property__c.Price__c"
    html = client.get(component).content.decode()
    assert f'name="next" value="{component}"' in html  # the panel's form carries where it started
    response = save(client, dreamhouse.pk, component)
    assert response.status_code == 302 and response["Location"] == component + "#documentation"
    assert "The asking price (r1)." in client.get(component).content.decode()


def test_a_next_to_another_site_is_ignored(web_as: Any, dreamhouse: Any) -> None:
    own = f"/d/s/acme/m/{dreamhouse.pk}/c/CustomField/Property__c.Price__c/"
    for revision, elsewhere in enumerate(("https://evil.example/", "//evil.example/x", "")):
        response = save(web_as("alice"), dreamhouse.pk, elsewhere, revision)
        assert response.status_code == 302 and response["Location"] == own, elsewhere
