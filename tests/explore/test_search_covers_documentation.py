"""Search finds a component by what its documentation says, after name and label matches."""

from __future__ import annotations

from typing import Any

from orgbook.documentation.services import DocumentationEdit, save_documentation


def test_a_word_from_a_note_finds_the_component(people: dict[str, Any], dreamhouse: Any, web_as: Any) -> None:
    save_documentation(people["eddie"], dreamhouse.implementation, "CustomField", "Property__c.Price__c",
                       DocumentationEdit(note="Basis for the broker's commission.", base_revision=0))
    hits = web_as("vera").get(f"/api/v1/models/{dreamhouse.pk}/search", {"q": "commission"}).json()["items"]
    found = [h for h in hits if h["full_name"] == "Property__c.Price__c"]
    assert found and found[0]["matched"] == "documentation"
    page = web_as("vera").get(f"/m/{dreamhouse.pk}/search/", {"q": "commission"}).content.decode()
    assert "<code>Property__c.Price__c</code>" in page and "<strong>Asking Price</strong>" in page


def test_name_matches_rank_before_documentation_matches(people: dict[str, Any], dreamhouse: Any, web_as: Any) -> None:
    save_documentation(people["eddie"], dreamhouse.implementation, "CustomField", "Property__c.Beds__c",
                       DocumentationEdit(note="Compare with the asking price.", base_revision=0))
    hits = web_as("vera").get(f"/api/v1/models/{dreamhouse.pk}/search", {"q": "price"}).json()["items"]
    kinds = [h["matched"] for h in hits]
    assert kinds.index("documentation") > kinds.index("name")
