"""Search finds a component by what its documentation says, after name and label matches."""

from __future__ import annotations

from typing import Any

from orgbook.documentation.services import DocumentationEdit, save_documentation


def test_a_word_from_a_note_finds_the_component(people: dict[str, Any], dreamhouse: Any, as_user: Any) -> None:
    save_documentation(people["eddie"], dreamhouse.implementation, "CustomField", "Property__c.Price__c",
                       DocumentationEdit(note="Basis for the broker's commission.", base_revision=0))
    body = as_user("vera").get(f"/api/v1/models/{dreamhouse.pk}/search", {"q": "commission"}).json()
    hits = body["items"] if isinstance(body, dict) else body
    found = [h for h in hits if h["full_name"] == "Property__c.Price__c"]
    assert found and found[0]["matched"] == "documentation"
    page = as_user("vera").get(f"/m/{dreamhouse.pk}/search/", {"q": "commission"}).content.decode()
    assert "Property__c.Price__c" in page or "Asking Price" in page


def test_name_matches_rank_before_documentation_matches(people: dict[str, Any], dreamhouse: Any, as_user: Any) -> None:
    save_documentation(people["eddie"], dreamhouse.implementation, "CustomField", "Property__c.Beds__c",
                       DocumentationEdit(note="Compare with the asking price.", base_revision=0))
    body = as_user("vera").get(f"/api/v1/models/{dreamhouse.pk}/search", {"q": "price"}).json()
    hits = body["items"] if isinstance(body, dict) else body
    kinds = [h["matched"] for h in hits]
    assert kinds.index("documentation") > kinds.index("name")
