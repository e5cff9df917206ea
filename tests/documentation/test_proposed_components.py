"""A proposed component gives way to the synced one, and its documentation stays attached."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from orgbook.documentation import services
from orgbook.documentation.models import ProposedComponent
from orgbook.documentation.proposed import add_proposed
from orgbook.documentation.services import DocumentationEdit
from orgbook.errors import Conflict, Invalid
from orgbook.orgmodels.services import model_for_import
from orgbook.runs.imports import import_path

from .conftest import write_invoice

DISCOUNT = """<fields>
        <fullName>Discount__c</fullName>
        <label>Discount</label>
        <type>Percent</type><precision>5</precision><scale>2</scale>
    </fields>"""


def test_a_sync_bringing_the_same_identity_merges_the_proposed_component(
        people: dict[str, Any], retail: Any, tmp_path: Path) -> None:
    model = model_for_import(retail, "Billing", "sandbox")
    import_path(model, write_invoice(tmp_path / "v1"))
    add_proposed(people["eddie"], model, "CustomField", "Invoice__c.discount__c", "Discount")
    services.save_documentation(people["eddie"], retail, "CustomField", "Invoice__c.Discount__c",
                                DocumentationEdit(note="Planned: max 20%."), model=model)
    import_path(model, write_invoice(tmp_path / "v2", extra=DISCOUNT))
    assert not ProposedComponent.objects.filter(model=model).exists()
    doc = services.find(retail, "CustomField", "INVOICE__C.DISCOUNT__C")
    assert doc is not None and doc.note == "Planned: max 20%."
    presence = services.presence(retail, "CustomField", "Invoice__c.Discount__c")
    assert presence[0]["status"] == "present" and not presence[0]["proposed"]


def test_a_proposed_component_must_be_new_and_of_a_known_type(people: dict[str, Any], retail: Any,
                                                              tmp_path: Path) -> None:
    model = model_for_import(retail, "Billing", "sandbox")
    import_path(model, write_invoice(tmp_path))
    with pytest.raises(Conflict):
        add_proposed(people["eddie"], model, "CustomField", "Invoice__c.Amount__c")
    with pytest.raises(Invalid):
        add_proposed(people["eddie"], model, "NotAType", "X")
