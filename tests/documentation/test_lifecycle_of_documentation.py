"""Documentation goes with the implementation; a removed model keeps only what another model still has."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from orgbook.documentation import services
from orgbook.documentation.models import Documentation, Revision
from orgbook.documentation.services import DocumentationEdit
from orgbook.orgmodels.services import model_for_import
from orgbook.runs.imports import import_path

from .conftest import PRICE, write_invoice


def test_removing_a_model_keeps_documentation_another_model_still_has(
        people: dict[str, Any], retail: Any, retail_models: dict[str, Any], tmp_path: Path) -> None:
    billing = model_for_import(retail, "Billing sandbox", "sandbox")
    import_path(billing, write_invoice(tmp_path))
    services.save_documentation(people["eddie"], retail, *PRICE, DocumentationEdit(note="kept"), model=billing)
    services.save_documentation(people["eddie"], retail, "CustomField", "Invoice__c.Amount__c",
                                DocumentationEdit(note="only in billing"), model=billing)
    billing.delete()
    assert services.find(retail, *PRICE).note == "kept"
    assert services.find(retail, "CustomField", "Invoice__c.Amount__c") is None


def test_prune_can_be_called_after_a_disconnect(people: dict[str, Any], retail: Any,
                                               retail_models: dict[str, Any]) -> None:
    services.save_documentation(people["eddie"], retail, *PRICE, DocumentationEdit(note="n"))
    assert services.prune_orphaned_documentation(retail.pk) == 0


def test_deleting_the_implementation_deletes_its_documentation(
        people: dict[str, Any], retail: Any, retail_models: dict[str, Any]) -> None:
    from orgbook.implementations import lifecycle

    services.save_documentation(people["eddie"], retail, *PRICE, DocumentationEdit(note="n"))
    lifecycle.delete_implementation(retail, people["alice"], "Retail")
    assert not Documentation.objects.exists() and not Revision.objects.exists()
