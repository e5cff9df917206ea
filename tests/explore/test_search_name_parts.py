"""Search on real projects: a typo inside one word part of a compound API name still finds it, and
translations come after the component they translate (issue 14: `Trigger_Handlr__c` found nothing, and
a field's label found 1 field and 9 CustomFieldTranslations, all scored 100)."""

from __future__ import annotations

from typing import Any

import pytest

from orgbook.orgmodels.search import is_translation, name_parts, search
from tests.corpus import EDA, PMM

from .conftest import make_component


def _import(retail: Any, name: str, folder: Any) -> Any:
    from orgbook.orgmodels.services import model_for_import
    from orgbook.runs.imports import import_path

    model = model_for_import(retail, name, "production")
    import_path(model, folder)
    return model


@pytest.fixture
def eda_tdtm(retail: Any) -> Any:
    # EDA's TDTM package directory: Trigger_Handler__c with its fields, tab and 14 translations.
    return _import(retail, "EDA", EDA / "force-app" / "main" / "tdtm")


@pytest.fixture
def pmm(retail: Any) -> Any:
    return _import(retail, "PMM", PMM)


def test_name_parts_split_on_underscores_dots_dashes_and_case() -> None:
    assert name_parts("Trigger_Handlr__c") == ["trigger", "handlr"]
    assert name_parts("Property__c.Asking_Price__c") == ["property", "asking", "price"]
    assert name_parts("NumPresentServiceDeliveries__c") == ["num", "present", "service", "deliveries"]
    assert name_parts("Service__c-en_GB.Name__c") == ["service", "en", "gb", "name"]


def test_a_typo_in_one_part_of_a_compound_name_finds_it(eda_tdtm: Any) -> None:
    for query in ("Trigger_Handlr__c", "trigger_handlr", "TriggerHandlr", "Triger_Handler__c"):
        hits = search(eda_tdtm, query, limit=5)
        assert hits and (hits[0].type, hits[0].full_name) == ("CustomObject", "Trigger_Handler__c"), query
        assert hits[0].matched == "similar" and hits[0].score < 45  # below every real match
    # Both parts must be there: one right part alone is not a match.
    assert not any(h.full_name == "Trigger_Handler__c" for h in search(eda_tdtm, "Trigger_Zzzzzz__c"))


def test_a_typo_in_the_object_part_finds_the_field(dreamhouse: Any) -> None:
    make_component(dreamhouse, "CustomField", "Lead.Property_Price__c", label="Property price", parent="Lead")
    names = [h.full_name for h in search(dreamhouse, "Propety_Price__c", limit=5)]
    assert set(names[:2]) == {"Property__c.Price__c", "Lead.Property_Price__c"}
    # Fewer extra parts rank first: Price__c before Price_Sold__c.
    assert names.index("Property__c.Price__c") < names.index("Property__c.Price_Sold__c")
    assert [h.full_name for h in search(dreamhouse, "Property__c.Prcie__c", limit=1)] == ["Property__c.Price__c"]


def test_translations_rank_below_the_field_they_translate(pmm: Any) -> None:
    for query in ("Service Delivery Field Set", "ServiceDeliveryFieldSet__c"):
        hits = search(pmm, query, limit=25)
        assert (hits[0].type, hits[0].full_name) == ("CustomField", "Service__c.ServiceDeliveryFieldSet__c")
        translations = [h for h in hits if is_translation(h.type)]
        assert len(translations) >= 9  # the field's translations are still found, after it
        assert all(is_translation(h.type) for h in hits[1:len(translations) + 1])
    label = search(pmm, "Number of Present Service Deliveries", limit=25)
    fields = [i for i, h in enumerate(label) if h.type == "CustomField"]
    first_translation = min(i for i, h in enumerate(label) if is_translation(h.type))
    assert len(fields) == 5 and max(fields) < first_translation


def test_an_objects_translations_come_after_it_and_its_tab(eda_tdtm: Any) -> None:
    hits = search(eda_tdtm, "Trigger_Handler__c", limit=40)
    kinds = [h.type for h in hits]
    assert kinds[:2] == ["CustomObject", "CustomTab"]
    last_real = max(i for i, h in enumerate(hits) if not is_translation(h.type))
    assert all(is_translation(h.type) for h in hits[last_real + 1:]) and "CustomObjectTranslation" in kinds


def test_translations_no_longer_crowd_out_other_matches(pmm: Any) -> None:
    # Before: Quantity__c's 9 translations (all scored 100) came before the other Quantity field, and
    # ServiceDelivery__c's translations before the serviceDeliveryRow component.
    for query, other in (("Quantity", "ServiceSchedule__c.DefaultServiceQuantity__c"),
                         ("Service Delivery", "serviceDeliveryRow")):
        hits = search(pmm, query, limit=100)
        first_translation = min(i for i, h in enumerate(hits) if is_translation(h.type))
        assert other in [h.full_name for h in hits[:first_translation]], query
