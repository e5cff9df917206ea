from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests import corpus
from tests.api.conftest import api_as  # noqa: F401  (the API client fixture, reused)
from tests.corpus import DREAMHOUSE  # noqa: F401,E402  (re-exported for the documentation tests)
from tests.invoice import invoice, write_mdapi

PRICE = ("CustomField", "Property__c.Price__c")


@pytest.fixture
def wholesale(people: dict[str, Any]) -> Any:
    from orgbook.implementations import lifecycle

    return lifecycle.create_implementation(people["acme"], people["alice"], "Wholesale")


def imported(implementation: Any, name: str, kind: str) -> Any:
    return corpus.imported(implementation, name, kind, DREAMHOUSE)


@pytest.fixture
def retail_models(retail: Any) -> dict[str, Any]:
    """Retail with production, a sandbox (UAT) and a reference model, all holding dreamhouse-lwc."""
    return {"production": imported(retail, "Retail production", "production"),
            "uat": imported(retail, "UAT", "sandbox"),
            "design": imported(retail, "Target design", "reference")}


INVOICE = invoice("""    <fields>
        <fullName>Amount__c</fullName>
        <description>Total including tax</description>
        <inlineHelpText>What the customer pays</inlineHelpText>
        <label>Amount</label>
        <type>Currency</type>
        <precision>16</precision>
        <scale>2</scale>
    </fields>
    {extra}
""")


def write_invoice(root: Path, extra: str = "") -> Path:
    """A Metadata API folder with Invoice__c (Amount__c has a description and help text)."""
    return write_mdapi(root, INVOICE.format(extra=extra))
