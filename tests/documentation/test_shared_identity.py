"""A note written once appears on the same component in every model of the implementation, and nowhere else."""

from __future__ import annotations

from typing import Any

from orgbook.documentation import services
from orgbook.documentation.services import DocumentationEdit

from .conftest import PRICE, imported, write_invoice


def test_a_note_written_in_a_sandbox_is_read_back_on_production_and_a_reference_model(
        people: dict[str, Any], retail: Any, retail_models: dict[str, Any], wholesale: Any) -> None:
    other = imported(wholesale, "Wholesale production", "production")
    services.save_documentation(people["eddie"], retail, "CustomField", "property__c.price__C",
                                DocumentationEdit(note="Asking price in **EUR**."), model=retail_models["uat"])
    doc = services.find(retail, *PRICE)
    assert doc is not None and doc.full_name == "Property__c.Price__c" and doc.written_in_name == "UAT"
    assert "<strong>EUR</strong>" in services.as_dict(doc)["note_html"]
    assert services.find(wholesale, *PRICE) is None
    assert other.implementation_id == wholesale.pk


def test_the_panel_shows_where_the_component_exists_and_where_the_note_was_written(
        people: dict[str, Any], retail: Any, retail_models: dict[str, Any]) -> None:
    from orgbook.documentation.panel import panel_context
    from orgbook.orgmodels.services import model_for_import

    model_for_import(retail, "Empty design", "reference")
    services.save_documentation(people["eddie"], retail, *PRICE, DocumentationEdit(note="x"),
                                model=retail_models["uat"])
    ctx = panel_context(people["vera"], retail_models["production"], *PRICE)
    places = {p["model"].name: p["status"] for p in ctx["documentation_presence"]}
    assert places == {"Retail production": "present", "UAT": "present", "Target design": "present",
                      "Empty design": "absent"}
    assert [p["kind"] for p in ctx["documentation_presence"]][:2] == ["production", "sandbox"]
    assert ctx["documentation"].written_in_name == "UAT"
    assert ctx["salesforce_description"] is None  # dreamhouse's Price__c has none


def test_the_components_own_description_and_help_text_are_beside_the_note(
        people: dict[str, Any], retail: Any, tmp_path: Any) -> None:
    from orgbook.documentation.panel import panel_context
    from orgbook.orgmodels.services import model_for_import
    from orgbook.runs.imports import import_path

    model = model_for_import(retail, "Billing", "sandbox")
    import_path(model, write_invoice(tmp_path))
    ctx = panel_context(people["vera"], model, "CustomField", "Invoice__c.Amount__c")
    assert ctx["salesforce_description"] == "Total including tax"
    assert ctx["salesforce_help_text"] == "What the customer pays"
    assert ctx["documentation"] is None and not ctx["documentation_can_edit"]


def test_a_note_on_a_component_no_model_has_is_refused(people: dict[str, Any], retail: Any,
                                                       retail_models: dict[str, Any]) -> None:
    import pytest

    from orgbook.errors import NotFound

    with pytest.raises(NotFound):
        services.save_documentation(people["eddie"], retail, "CustomField", "Nope__c.Gone__c",
                                    DocumentationEdit(note="x"))
