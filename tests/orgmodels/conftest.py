from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.corpus import DREAMHOUSE  # noqa: F401  (re-exported for the org model tests)
from tests.invoice import invoice
from tests.invoice import write_mdapi as invoice_folder

OBJECT = invoice("""    <fields>
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
""")


def write_mdapi(root: Path, precision: int = 16, extra_value: str = "") -> Path:
    return invoice_folder(root, OBJECT.format(precision=precision, extra_value=extra_value))


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
SFDX_OBJECT = invoice()
SFDX_AMOUNT = """<?xml version="1.0" encoding="UTF-8"?>
<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Amount__c</fullName>
    <label>Amount</label>
    <type>Currency</type>
    <precision>16</precision>
    <scale>2</scale>
</CustomField>
"""
