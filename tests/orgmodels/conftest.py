from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.corpus import DREAMHOUSE  # noqa: F401  (re-exported for the org model tests)

OBJECT = """<?xml version="1.0" encoding="UTF-8"?>
<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">
    <label>Invoice</label>
    <pluralLabel>Invoices</pluralLabel>
    <sharingModel>ReadWrite</sharingModel>
    <nameField><label>Invoice Number</label><type>AutoNumber</type></nameField>
    <fields>
        <fullName>Amount__c</fullName>
        <label>Amount</label>
        <type>Currency</type>
        <precision>{precision}</precision>
        <scale>2</scale>
    </fields>
    <fields>
        <fullName>Status__c</fullName>
        <label>Status</label>
        <type>Picklist</type>
        <valueSet><valueSetDefinition>
            <value><fullName>Open</fullName><default>true</default><label>Open</label></value>
            {extra_value}
        </valueSetDefinition></valueSet>
    </fields>
</CustomObject>
"""

PACKAGE = """<?xml version="1.0" encoding="UTF-8"?>
<Package xmlns="http://soap.sforce.com/2006/04/metadata">
    <types><members>*</members><name>CustomObject</name></types>
    <version>62.0</version>
</Package>
"""


def write_mdapi(root: Path, precision: int = 16, extra_value: str = "") -> Path:
    (root / "objects").mkdir(parents=True, exist_ok=True)
    (root / "package.xml").write_text(PACKAGE)
    (root / "objects" / "Invoice__c.object").write_text(OBJECT.format(precision=precision, extra_value=extra_value))
    return root


@pytest.fixture
def retail(people: dict[str, Any]) -> Any:
    from orgbook.implementations import lifecycle

    return lifecycle.create_implementation(people["acme"], people["alice"], "Retail")


def model_digest(model: Any) -> str:
    """Every component row of `model` as stored ((type, full name, content hash, status, definition)),
    its history and dependency counts and its version: equal digests mean the model is unchanged,
    byte for byte."""
    import hashlib

    from orgbook.orgmodels.models import Component, ComponentChange, Dependency, OrgModel

    h = hashlib.sha256()
    fresh = OrgModel.objects.get(pk=model.pk)
    h.update(f"version={fresh.version};synced={fresh.last_synced_at}".encode())
    rows = Component.objects.filter(model=model).order_by("type", "name_key").values_list(
        "type", "full_name", "content_hash", "status", "definition_z")
    for type_, full_name, content_hash, status, definition in rows:
        h.update(b"\x00".join([type_.encode(), full_name.encode(), content_hash.encode(), status.encode(),
                               bytes(definition)]))
    h.update(f"changes={ComponentChange.objects.filter(model=model).count()}".encode())
    h.update(f"dependencies={Dependency.objects.filter(model=model).count()}".encode())
    return h.hexdigest()


# A small source-format object with one field (the re-import and fresh-install tests).
SFDX_OBJECT = """<?xml version="1.0" encoding="UTF-8"?>
<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">
    <label>Invoice</label>
    <pluralLabel>Invoices</pluralLabel>
    <sharingModel>ReadWrite</sharingModel>
    <nameField><label>Invoice Number</label><type>AutoNumber</type></nameField>
</CustomObject>
"""
SFDX_AMOUNT = """<?xml version="1.0" encoding="UTF-8"?>
<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Amount__c</fullName>
    <label>Amount</label>
    <type>Currency</type>
    <precision>16</precision>
    <scale>2</scale>
</CustomField>
"""
