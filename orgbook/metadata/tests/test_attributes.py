"""Type-aware attributes, JSON-serialisable."""

from __future__ import annotations

import json

from orgbook.metadata.attributes import extract
from orgbook.metadata.tests.conftest import DREAMHOUSE, LFC, PMM, V4S, components, one
from orgbook.metadata.xmlsafe import parse_xml

NS = 'xmlns="http://soap.sforce.com/2006/04/metadata"'


def test_all_corpus_attributes_survive_a_json_round_trip() -> None:
    """Attributes are stored as JSON: what the reader gives must read back equal, or the page and the
    compare would show values that differ from what was read."""
    checked = 0
    for repo in (DREAMHOUSE, PMM, V4S):
        for c in components(repo):
            assert json.loads(json.dumps(c.attributes)) == c.attributes, (c.type, c.full_name)
            checked += 1
    assert checked > 1_000  # the three projects were read, not skipped


def test_custom_field_with_global_value_set() -> None:
    el = parse_xml(f"<CustomField {NS}><fullName>Region__c</fullName><type>Picklist</type><required>true</required><valueSet><valueSetName>Regions</valueSetName></valueSet></CustomField>".encode())
    a = extract("CustomField", el, "Account.Region__c", "Account", None)
    assert (a["valueSetName"], a["required"], a["picklistValues"], a["object"]) == ("Regions", True, [], "Account")


def test_custom_object_attributes() -> None:
    a = one(DREAMHOUSE, "CustomObject", "Property__c").attributes
    assert a["label"] == "Property" and a["pluralLabel"] == "Properties" and a["custom"] is True
    assert a["nameField"]["type"] == "Text"


def test_validation_rule_attributes() -> None:
    a = one(PMM, "ValidationRule", "ServiceDelivery__c.PROGRAM_MATCH").attributes
    assert a["active"] is True and "errorMessage" in a


def test_apex_attributes_from_meta_and_body() -> None:
    el = parse_xml(f"<ApexTrigger {NS}><apiVersion>60.0</apiVersion><status>Active</status></ApexTrigger>".encode())
    body = b"/* docs */ trigger T on Account (before insert, after update) { // x\n }"
    a = extract("ApexTrigger", el, "T", None, body)
    assert (a["apiVersion"], a["status"], a["triggerObject"], a["triggerEvents"]) == (60.0, "Active", "Account", ["before insert", "after update"])
    assert a["lengthWithoutComments"] == len("triggerTonAccount(beforeinsert,afterupdate){}")


def test_flow_attributes() -> None:
    a = one(LFC, "Flow", "Task_Set_Related_To_Fields").attributes
    assert a["label"] and a["elementCounts"]["recordUpdates"] == 1


def test_record_type_and_list_view() -> None:
    rt = one(V4S, "RecordType", "Campaign.Volunteers_Campaign").attributes
    assert rt["label"] and isinstance(rt["picklists"], list)
    lv = one(DREAMHOUSE, "ListView", "Property__c.All").attributes
    assert lv["filterScope"] == "Everything"


def test_profile_counts() -> None:
    manage = one(PMM, "PermissionSet", "PMDM_Manage").attributes
    assert manage["objectPermissions"] == 8 and manage["classAccesses"] >= 1
    assert manage["counts"]["fieldPermissions"] == 90


def test_custom_label() -> None:
    label = next(c for c in components(V4S) if c.type == "CustomLabel")
    assert "value" in label.attributes and "language" in label.attributes
