"""Manual links across models of one implementation: kept by syncs, removed with either end."""

from __future__ import annotations

from typing import Any

import pytest

from orgbook.documentation import links, trees
from orgbook.documentation.models import ManualLink
from orgbook.errors import NotFound
from orgbook.runs.imports import import_path

from .conftest import DREAMHOUSE, imported


def test_a_link_from_a_node_to_a_component_survives_a_sync_and_goes_with_the_node(
        people: dict[str, Any], retail: Any, retail_models: dict[str, Any]) -> None:
    design = trees.create_reference_model(people["alice"], retail, "Process")
    node = trees.add_node(people["eddie"], design, "Price a property")
    prod = retail_models["production"]
    field = links.resolve_end(retail, {"model": prod.pk, "type": "CustomField", "full_name": "property__c.price__c"})
    link = links.add_link(people["eddie"], retail, node, field, "uses", "sets the asking price")
    import_path(prod, DREAMHOUSE)
    assert ManualLink.objects.filter(pk=link.pk).exists()
    seen = links.describe(links.links_of(field).get(), field)
    assert seen["direction"] == "used_by" and seen["other"]["name"] == "Price a property"
    trees.delete_node(node)
    assert not ManualLink.objects.filter(pk=link.pk).exists()


def test_a_link_goes_with_the_model_of_either_end(people: dict[str, Any], retail: Any,
                                                  retail_models: dict[str, Any]) -> None:
    a = links.resolve_end(retail, {"model": retail_models["uat"].pk, "type": "ApexClass", "full_name": "PropertyController"})
    b = links.resolve_end(retail, {"model": retail_models["design"].pk, "type": "CustomObject", "full_name": "Property__c"})
    links.add_link(people["eddie"], retail, a, b)
    retail_models["design"].delete()
    assert not ManualLink.objects.exists()


def test_an_end_in_another_implementation_is_not_found(people: dict[str, Any], retail: Any, wholesale: Any) -> None:
    other = imported(wholesale, "W prod", "production")
    with pytest.raises(NotFound):
        links.resolve_end(retail, {"model": other.pk, "type": "CustomObject", "full_name": "Property__c"})
