"""A connected org synced twice, with changes by two people in between: what the changes pages show."""

from __future__ import annotations

from typing import Any

from orgbook.orgmodels.models import SyncRun
from orgbook.runs.syncs import sync_connection
from tests.sync.metadata import PRICE

RISK = """<?xml version="1.0" encoding="UTF-8"?>
<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Risk__c</fullName>
    <label>Risk</label>
    <length>40</length>
    <type>Text</type>
</CustomField>
"""


def sync_with_changes(connected: Any, emu: Any) -> tuple[SyncRun, SyncRun]:
    """The first sync, then a scheduled one after Jane Admin changed Price__c (precision and scale),
    Raj Dev added Risk__c and Tags__c was deleted (Salesforce does not say by whom)."""
    sync_connection(connected, "first")
    first = SyncRun.objects.filter(model__connection=connected).order_by("id").last()
    emu.modify_component("acme", "CustomField", "Property__c.Price__c", PRICE, by="Jane Admin")
    emu.add_component("acme", "CustomField", "Property__c.Risk__c", RISK, by="Raj Dev")
    emu.delete_component("acme", "CustomField", "Property__c.Tags__c", by="Raj Dev")
    sync_connection(connected, "scheduled")
    second = SyncRun.objects.filter(model__connection=connected).order_by("id").last()
    assert first is not None and second is not None and first.pk != second.pk
    return first, second
