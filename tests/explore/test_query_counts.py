"""Pinned SQL query counts: the dictionary and component pages do not grow with the model (no N+1)."""

from __future__ import annotations

from typing import Any

from orgbook.orgmodels.models import Dependency

from .conftest import make_component

DICTIONARY_MAX = 9  # session (when not in the cache), user, memberships, model, fingerprint (with the notes when filtered on them), census, saved views, count, page
COMPONENT_MAX = 12  # WARM_COMPONENT_MAX + 5 for the explorer when its cache is cold (uses, used by, impact x2, history)
# Served from the page cache: session (when not in the cache), user, memberships (the access check and the Space
# switcher), model, component (with whether it has manual links), documentation, presence in the models.
WARM_COMPONENT_MAX = 7


def _grow(model: Any) -> None:
    """Hundreds more rows of every shape the pages touch: objects, children, users of Price__c."""
    price = model.components.get(type="CustomField", name_key="property__c.price__c")
    for i in range(40):
        obj = make_component(model, "CustomObject", f"Extra{i}__c", label=f"Extra {i}")
        for j in range(5):
            field = make_component(model, "CustomField", f"Extra{i}__c.F{j}__c", label=f"F{j}", parent=obj.full_name)
            Dependency.objects.create(model=model, source=field, target_type="CustomField",
                                      target_key=price.name_key, target_name=price.full_name, where="formula")
        make_component(model, "ApexClass", f"Extra{i}", namespace="pkg" if i % 2 else "")
    model.version += 1  # what a sync that writes rows does; the component page's cache is keyed by it
    model.save(update_fields=["version"])


def test_the_dictionary_page_has_a_bounded_number_of_queries(dreamhouse: Any, web_as: Any,
                                                              django_assert_max_num_queries: Any) -> None:
    client = web_as("vera")
    params = {"col": ["type", "full_name", "label", "documented", "description", "parent"]}
    with django_assert_max_num_queries(DICTIONARY_MAX):
        assert client.get(f"/m/{dreamhouse.pk}/", params).status_code == 200
    _grow(dreamhouse)
    with django_assert_max_num_queries(DICTIONARY_MAX):
        assert client.get(f"/m/{dreamhouse.pk}/", params).status_code == 200


def test_the_component_page_has_a_bounded_number_of_queries(dreamhouse: Any, web_as: Any,
                                                             django_assert_max_num_queries: Any) -> None:
    client = web_as("vera")
    url = f"/m/{dreamhouse.pk}/c/CustomField/Property__c.Price__c"
    with django_assert_max_num_queries(COMPONENT_MAX):
        assert client.get(url, {"depth": 3}).status_code == 200
    _grow(dreamhouse)
    with django_assert_max_num_queries(COMPONENT_MAX) as ctx:
        r = client.get(url, {"depth": 3})
    assert r.status_code == 200 and b"Extra39__c.F4__c" in r.content
    assert len(ctx.captured_queries) <= COMPONENT_MAX


GRID_VARIANTS: list[dict[str, Any]] = [
    *({"sort": sign + key} for key in ("parent", "namespace", "status", "last_modified_date", "last_modified_by",
                                        "changed_version") for sign in ("", "-")),
    {"namespace": "-"}, {"status": "deleted"}, {"change": "updated"}, {"change": "new", "since_version": 1},
    {"changed_since": "2020-01-01"}, {"documented": "yes"}, {"documented": "no", "type": "CustomField"},
    {"q": "price"}, {"type": "CustomField", "parent": "Property__c"},
    {"type": "CustomField", "sort": "-last_modified_date"},
]


def test_every_sort_and_filter_of_the_dictionary_has_a_bounded_number_of_queries(
        dreamhouse: Any, web_as: Any, django_assert_max_num_queries: Any) -> None:
    client = web_as("vera")
    for grown in (False, True):
        if grown:
            _grow(dreamhouse)
        for params in GRID_VARIANTS:
            with django_assert_max_num_queries(DICTIONARY_MAX, info=str(params)):
                assert client.get(f"/m/{dreamhouse.pk}/", params).status_code == 200


def test_the_component_page_from_the_page_cache_reads_only_what_can_change(
        dreamhouse: Any, web_as: Any, people: dict[str, Any], django_assert_max_num_queries: Any) -> None:
    from orgbook.documentation.links import add_link

    client = web_as("vera")
    url = f"/m/{dreamhouse.pk}/c/CustomField/Property__c.Price__c"
    assert client.get(url).status_code == 200  # fills the page cache
    with django_assert_max_num_queries(WARM_COMPONENT_MAX):
        assert client.get(url).status_code == 200
    price = dreamhouse.components.get(type="CustomField", name_key="property__c.price__c")
    other = dreamhouse.components.get(type="ApexClass", name_key="propertycontroller")
    add_link(people["alice"], dreamhouse.implementation, price, other, description="hand-drawn")
    assert client.get(url).status_code == 200
    with django_assert_max_num_queries(WARM_COMPONENT_MAX + 1):  # the links with their ends
        r = client.get(url)
    assert b"hand-drawn" in r.content
