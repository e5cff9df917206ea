"""Search by label or API name: ranked, tolerant of suffixes, underscores, case and small typos."""

from __future__ import annotations

from typing import Any

from orgbook.orgmodels.search import normalize, search

from .conftest import make_component


def _top(model: Any, q: str, n: int = 3) -> list[str]:
    return [h.full_name for h in search(model, q, limit=n)]


def test_normalize_drops_suffixes_underscores_and_case() -> None:
    assert normalize("Property__c.Asking_Price__c") == "property.askingprice"
    assert normalize("Asking Price") == "askingprice"
    assert normalize("Broker__r") == "broker"


def test_price_finds_the_price_field_by_api_name_and_by_its_label_asking_price(dreamhouse: Any) -> None:
    hits = search(dreamhouse, "price")
    assert hits[0].full_name == "Property__c.Price__c" and hits[0].label == "Asking Price"
    assert "Property__c.Price_Sold__c" in [h.full_name for h in hits]
    assert _top(dreamhouse, "Price__c", 1) == ["Property__c.Price__c"]
    assert _top(dreamhouse, "PRICE", 1) == ["Property__c.Price__c"]
    assert _top(dreamhouse, "asking price", 1) == ["Property__c.Price__c"]
    assert _top(dreamhouse, "Property.Price", 1) == ["Property__c.Price__c"]


def test_exact_names_outrank_prefixes_which_outrank_substrings(dreamhouse: Any) -> None:
    make_component(dreamhouse, "CustomField", "Property__c.Reprice_Date__c", label="Reprice date", parent="Property__c")
    names = [h.full_name for h in search(dreamhouse, "price", limit=10)]
    assert names.index("Property__c.Price__c") < names.index("Property__c.Price_Sold__c") \
        < names.index("Property__c.Reprice_Date__c")


def test_a_typo_still_finds_the_field_but_ranks_below_real_matches(dreamhouse: Any) -> None:
    assert "Property__c.Price__c" in _top(dreamhouse, "prcie", 5)
    hits = search(dreamhouse, "brokr", limit=5)
    assert hits and hits[0].full_name.startswith("Broker__c") and hits[0].matched == "similar"
    assert all(h.score < 45 for h in hits)
    assert search(dreamhouse, "zzzqqq") == []


def test_when_nothing_matches_short_words_are_not_counted_as_similar(dreamhouse: Any) -> None:
    # "Date Pre Market" has the word "Pre", which is not a typo of "price".
    assert "Property__c.Date_Pre_Market__c" not in _top(dreamhouse, "price", 25)


def test_the_api_returns_ranked_hits(dreamhouse: Any, web_as: Any) -> None:
    r = web_as("vera").get(f"/api/v1/models/{dreamhouse.pk}/search", {"q": "price"})
    assert r.status_code == 200
    items = r.json()["items"]
    assert items[0]["full_name"] == "Property__c.Price__c" and items[0]["score"] >= items[1]["score"]
    typed = web_as("vera").get(f"/api/v1/models/{dreamhouse.pk}/search", {"q": "broker", "type": "CustomObject"})
    assert [i["full_name"] for i in typed.json()["items"]] == ["Broker__c"]


def test_as_you_type_returns_a_partial_and_the_full_page_works_without_script(dreamhouse: Any, web_as: Any) -> None:
    partial = web_as("vera").get(f"/m/{dreamhouse.pk}/search/", {"q": "price", "partial": "1"})
    assert partial.status_code == 200 and b"<html" not in partial.content and b"Asking Price" in partial.content
    full = web_as("vera").get(f"/m/{dreamhouse.pk}/search/", {"q": "price"})
    assert b"<html" in full.content and b"Property__c.Price__c" in full.content
