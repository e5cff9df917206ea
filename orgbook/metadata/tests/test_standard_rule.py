"""The rule that says what a referenced-but-undefined component is (docs/dependencies.md)."""

from __future__ import annotations

import pytest

from orgbook.metadata.standard import classify


@pytest.mark.parametrize(("type_", "name", "kind", "namespace"), [
    ("CustomField", "Opportunity.Amount", "standard", ""),
    ("CustomField", "ContentDocumentLink.LinkedEntityId", "standard", ""),
    ("CustomObject", "DuplicateRecordSet", "standard", ""),
    ("CustomField", "Property__c.OwnerId", "standard", ""),  # a standard field of a custom object
    ("GenAiFunction", "EmployeeCopilot__AnswerQuestionsWithKnowledge", "standard", "EmployeeCopilot"),
    ("CustomObject", "ssot__Opportunity__dlm", "standard", "ssot"),  # Data Cloud's standard model
    ("Flow", "usf3__Helper_Flow", "managed", "usf3"),
    ("ApexClass", "ns__Class", "managed", "ns"),
    ("CustomField", "Account.hed__Primary_Language__c", "managed", "hed"),
    ("CustomObject", "hed__Course__c", "managed", "hed"),
    ("CustomObject", "Vehicle_Telemetric__dlm", "missing", ""),
    ("CustomField", "Opportunity.Margin__c", "missing", ""),
    ("CustomField", "Trigger_Handler__c.Object__c", "missing", ""),
    ("Flow", "SDO_Service_Case_Routing", "missing", ""),
    ("CustomField", "Property__c.Location__Latitude__s", "missing", ""),
])
def test_classify(type_: str, name: str, kind: str, namespace: str) -> None:
    got = classify(type_, name)
    assert (got.kind, got.namespace) == (kind, namespace)


def test_own_namespace_is_not_a_managed_package() -> None:
    assert classify("CustomObject", "hed__Course__c", own_namespace="hed").kind == "missing"
    assert classify("Flow", "usf3__Helper_Flow").mark == "in managed package usf3"
