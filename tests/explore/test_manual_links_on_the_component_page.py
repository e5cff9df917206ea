"""Manual links: drawn on a component page, shown with the dependencies and in the graph, removable."""

from __future__ import annotations

from typing import Any

from django.test import Client

from orgbook.documentation.models import ManualLink


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_editor_draws_a_link_that_shows_with_dependencies_and_in_the_graph(people: dict[str, Any],
                                                                             dreamhouse: Any) -> None:
    editor = _client(people["eddie"])
    r = editor.post(f"/m/{dreamhouse.pk}/links/add/", {
        "type": "CustomField", "full_name": "Property__c.Price__c", "direction": "uses",
        "target_model": dreamhouse.pk, "target_type": "ApexClass", "target_full_name": "PropertyController",
        "description": "priced in the controller"})
    assert r.status_code == 302
    page = _client(people["vera"]).get(f"/m/{dreamhouse.pk}/c/CustomField/Property__c.Price__c").content.decode()
    assert "manual link: priced in the controller" in page  # with the dependencies
    svg = page[page.index('<section id="graph"'):page.index('<section id="history"')]
    assert "PropertyController" in svg
    other = _client(people["vera"]).get(f"/m/{dreamhouse.pk}/c/ApexClass/PropertyController").content.decode()
    links_section = other[other.index('<section id="links"'):]
    assert "used by" in links_section and "Property__c.Price__c" in links_section  # seen from the far end


def test_a_link_is_removed_and_viewers_cannot_draw(people: dict[str, Any], dreamhouse: Any) -> None:
    body = {"type": "CustomField", "full_name": "Property__c.Price__c", "direction": "uses",
            "target_model": dreamhouse.pk, "target_type": "ApexClass", "target_full_name": "PropertyController"}
    assert _client(people["vera"]).post(f"/m/{dreamhouse.pk}/links/add/", body).status_code == 403
    _client(people["eddie"]).post(f"/m/{dreamhouse.pk}/links/add/", body)
    link = ManualLink.objects.get()
    _client(people["eddie"]).post(f"/m/{dreamhouse.pk}/links/{link.pk}/delete/",
                                  {"type": "CustomField", "full_name": "Property__c.Price__c"})
    assert not ManualLink.objects.exists()


def test_a_link_to_a_component_that_does_not_exist_is_refused(people: dict[str, Any], dreamhouse: Any) -> None:
    r = _client(people["eddie"]).post(f"/m/{dreamhouse.pk}/links/add/", {
        "type": "CustomField", "full_name": "Property__c.Price__c", "target_type": "ApexClass",
        "target_full_name": "Nope"})
    # The component page again, the name typed kept and the reason under it.
    assert r.status_code == 400 and not ManualLink.objects.exists()
    page = r.content.decode()
    assert 'value="Nope"' in page and "No ApexClass called Nope" in page
