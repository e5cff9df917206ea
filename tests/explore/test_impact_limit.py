"""Impact on a heavily used component: the walk stops at its limit, nearest first, and the page says so."""

from __future__ import annotations

import zlib
from typing import Any

from orgbook.orgmodels import impact
from orgbook.orgmodels.models import Component, Dependency


def _users(model: Any, target: Component, n: int, prefix: str) -> list[Component]:
    """`n` Apex classes that each read `target` (bulk: thousands of rows)."""
    made = Component.objects.bulk_create([
        Component(model=model, type="ApexClass", full_name=f"{prefix}{i:05d}", name_key=f"{prefix}{i:05d}".lower(),
                  definition_z=zlib.compress(b"<ApexClass/>"), content_hash=f"{prefix}{i}",
                  added_version=model.version, changed_version=model.version)
        for i in range(n)])
    Dependency.objects.bulk_create([
        Dependency(model=model, source=c, target_type=target.type, target_key=target.name_key,
                   target_name=target.full_name, where="SOQL") for c in made])
    model.version += 1  # as the sync that brought them would (the pages are cached per version)
    model.save(update_fields=["version"])
    return made


def test_impact_stops_at_its_limit_with_the_nearest_components_first(dreamhouse: Any) -> None:
    price = dreamhouse.components.get(type="CustomField", name_key="property__c.price__c")
    direct = {(e.type, e.full_name) for e in impact.impact(dreamhouse, "CustomField", "Property__c.Price__c", 1)}
    first = _users(dreamhouse, price, 30, "Reader")
    _users(dreamhouse, first[0], 30, "Caller")  # depth 2, through Reader00000
    whole = impact.impact(dreamhouse, "CustomField", "Property__c.Price__c", 2)
    limit = len(direct) + 30 + 5
    capped = impact.impact(dreamhouse, "CustomField", "Property__c.Price__c", 2, limit=limit)
    assert len(whole) > limit and len(capped) == limit
    assert capped == whole[:limit]  # every direct user before any second-hand one
    assert {e.depth for e in capped[:len(direct) + 30]} == {1} and {e.depth for e in capped[-5:]} == {2}


def test_the_page_says_when_the_walk_stopped_at_its_limit(dreamhouse: Any, web_as: Any) -> None:
    price = dreamhouse.components.get(type="CustomField", name_key="property__c.price__c")
    url = f"/m/{dreamhouse.pk}/c/CustomField/Property__c.Price__c"
    assert "The walk stopped" not in web_as("vera").get(url, {"depth": 1}).content.decode()
    _users(dreamhouse, price, impact.IMPACT_LIMIT, "Reader")
    page = web_as("vera").get(url, {"depth": 1}).content.decode()
    assert f"The walk stopped at its limit of {impact.IMPACT_LIMIT} components" in page
    csv = web_as("vera").get(f"/m/{dreamhouse.pk}/c/CustomField/Property__c.Price__c/impact.csv", {"depth": 1})
    assert csv.status_code == 200 and csv.content.decode().count("\n") == impact.IMPACT_LIMIT + 1


def test_a_component_using_another_in_several_places_is_listed_once_with_the_first_place(dreamhouse: Any) -> None:
    price = dreamhouse.components.get(type="CustomField", name_key="property__c.price__c")
    (reader,) = _users(dreamhouse, price, 1, "Reader")
    Dependency.objects.create(model=dreamhouse, source=reader, target_type=price.type, target_key=price.name_key,
                              target_name=price.full_name, where="Apex")
    edges = [e for e in impact.impact(dreamhouse, "CustomField", "Property__c.Price__c", 2)
             if e.full_name == reader.full_name]
    assert [(e.depth, e.where, e.via) for e in edges] == [(1, "Apex", "Property__c.Price__c")]
