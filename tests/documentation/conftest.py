from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import api_as  # noqa: F401  (the API client fixture, reused)
from tests.corpus import DREAMHOUSE  # noqa: F401,E402  (re-exported for the documentation tests)

PRICE = ("CustomField", "Property__c.Price__c")


@pytest.fixture
def retail(people: dict[str, Any]) -> Any:
    from orgbook.implementations import lifecycle

    return lifecycle.create_implementation(people["acme"], people["alice"], "Retail")


@pytest.fixture
def wholesale(people: dict[str, Any]) -> Any:
    from orgbook.implementations import lifecycle

    return lifecycle.create_implementation(people["acme"], people["alice"], "Wholesale")


def imported(implementation: Any, name: str, kind: str) -> Any:
    from orgbook.orgmodels.services import model_for_import
    from orgbook.runs.imports import import_path

    model = model_for_import(implementation, name, kind)
    import_path(model, DREAMHOUSE)
    return model


@pytest.fixture
def retail_models(retail: Any) -> dict[str, Any]:
    """Retail with production, a sandbox (UAT) and a reference model, all holding dreamhouse-lwc."""
    return {"production": imported(retail, "Retail production", "production"),
            "uat": imported(retail, "UAT", "sandbox"),
            "design": imported(retail, "Target design", "reference")}


INVOICE = """<?xml version="1.0" encoding="UTF-8"?>
<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">
    <label>Invoice</label>
    <pluralLabel>Invoices</pluralLabel>
    <sharingModel>ReadWrite</sharingModel>
    <nameField><label>Invoice Number</label><type>AutoNumber</type></nameField>
    <fields>
        <fullName>Amount__c</fullName>
        <description>Total including tax</description>
        <inlineHelpText>What the customer pays</inlineHelpText>
        <label>Amount</label>
        <type>Currency</type>
        <precision>16</precision>
        <scale>2</scale>
    </fields>
    {extra}
</CustomObject>
"""
PACKAGE = """<?xml version="1.0" encoding="UTF-8"?>
<Package xmlns="http://soap.sforce.com/2006/04/metadata">
    <types><members>*</members><name>CustomObject</name></types>
    <version>62.0</version>
</Package>
"""


def write_invoice(root: Path, extra: str = "") -> Path:
    """A Metadata API folder with Invoice__c (Amount__c has a description and help text)."""
    (root / "objects").mkdir(parents=True, exist_ok=True)
    (root / "package.xml").write_text(PACKAGE)
    (root / "objects" / "Invoice__c.object").write_text(INVOICE.format(extra=extra))
    return root
