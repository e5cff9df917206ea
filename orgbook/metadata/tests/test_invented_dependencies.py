"""No invented edges (issue 14): an edge only when the text is known to name what it points at."""

from __future__ import annotations

from orgbook.metadata import ParsedComponent, SchemaIndex, iter_dependencies
from orgbook.metadata.tests.conftest import LFC, components, one
from tests.corpus import AUTOMOTIVE, PMM

NS = 'xmlns="http://soap.sforce.com/2006/04/metadata"'


def targets(c: ParsedComponent, schema: SchemaIndex | None = None) -> set[tuple[str, str]]:
    return {(d.to_type, d.to_name) for d in iter_dependencies(c, schema)}


def test_record_triggered_flow_formula_names_its_own_resources_not_trigger_fields() -> None:
    # A real record-triggered flow on Case, given a formula and a constant as the issue saw them.
    flow = one(AUTOMOTIVE, "Flow", "SDO_Service_Case_Creation")
    xml = flow.definition.replace(
        b"<start>",
        b"<constants><name>limit_days</name><dataType>Number</dataType><value><numberValue>3</numberValue></value></constants>"
        b"<formulas><name>threshold</name><dataType>Number</dataType>"
        b"<expression>{!limit_days} * 2 + {!$Record.Priority_Score__c}</expression></formulas><start>", 1)
    got = targets(ParsedComponent(type="Flow", full_name=flow.full_name, file_path="x", definition=xml, content_hash=""))
    assert ("CustomField", "Case.threshold") not in got
    assert ("CustomField", "Case.limit_days") not in got
    assert ("CustomField", "Case.Priority_Score__c") in got  # `$Record.` is the trigger object
    assert ("CustomObject", "Case") in got and ("CustomField", "Case.Origin") in got  # what was true stays


def test_lfc_flow_formulas_keep_their_record_fields() -> None:
    flow = one(LFC, "Flow", "Task_Set_Related_To_Fields")
    got = {(d.to_type, d.to_name) for d in iter_dependencies(flow) if d.where.startswith(("formulas:", "start"))}
    assert got == {("CustomField", "Task.WhatId"), ("CustomObject", "Task")}


def test_every_corpus_flow_formula_edge_is_reached_through_a_record() -> None:
    # Over every flow of PMM and LFC: a formula's field edge comes from `$Record` or a record variable.
    for project in (PMM, LFC):
        for flow in (c for c in components(project) if c.type == "Flow"):
            for d in iter_dependencies(flow):
                if d.where.startswith("formulas:") and d.to_type == "CustomField":
                    expression = flow.definition.decode()
                    field = d.to_name.rpartition(".")[2]
                    assert f"$Record.{field}" in expression or f".{field}}}" in expression, (flow.full_name, d)


def test_custom_metadata_text_values_are_data() -> None:
    text_field = ParsedComponent(type="CustomField", full_name="Payment_Map__mdt.Object_Name__c", file_path="x",
                                 definition=b"", content_hash="", parent_type="CustomObject", parent_name="Payment_Map__mdt",
                                 attributes={"type": "Text"})
    record = ParsedComponent(
        type="CustomMetadata", full_name="Payment_Map.Default", file_path="x", content_hash="",
        definition=f"<CustomMetadata {NS}><values><field>Object_Name__c</field><value>Payment</value></values>"
                   f"<values><field>Field_Name__c</field><value>Amount__c</value></values></CustomMetadata>".encode(),
        attributes={"values": {"Object_Name__c": "Payment", "Field_Name__c": "Amount__c"}})
    got = targets(record, SchemaIndex.from_components([text_field]))
    assert ("CustomObject", "Payment") not in got and ("CustomField", "Payment.Amount__c") not in got
    assert got == {("CustomObject", "Payment_Map__mdt"), ("CustomField", "Payment_Map__mdt.Object_Name__c"),
                   ("CustomField", "Payment_Map__mdt.Field_Name__c")}


def test_metadata_relationship_to_another_type_names_its_record() -> None:
    rel = ParsedComponent(type="CustomField", full_name="Rule__mdt.Bucket__c", file_path="x", definition=b"",
                          content_hash="", parent_type="CustomObject", parent_name="Rule__mdt",
                          attributes={"type": "MetadataRelationship", "referenceTo": "Bucket__mdt"})
    record = ParsedComponent(type="CustomMetadata", full_name="Rule.A", file_path="x", content_hash="",
                             definition=f"<CustomMetadata {NS}/>".encode(), attributes={"values": {"Bucket__c": "Gold"}})
    assert ("CustomMetadata", "Bucket.Gold") in targets(record, SchemaIndex.from_components([rel]))


def test_standard_relationship_not_named_after_its_object_stops_at_the_lookup_field() -> None:
    flow = one(LFC, "Flow", "Handle_User_Deactivation")
    got = targets(flow)
    assert ("CustomField", "Manager.Username") not in got  # there is no object called Manager
    assert ("CustomField", "User.ManagerId") in got


def test_orchestration_entry_and_exit_actions_run_flows() -> None:
    xml = (f"<Flow {NS}><processType>Orchestrator</processType><orchestratedStages><name>Review</name>"
           "<exitActionName>Stage_Exit</exitActionName><exitActionType>flow</exitActionType>"
           "<stageSteps><name>Approve</name><actionName>Approve_Screen</actionName><actionType>stepInteractive</actionType>"
           "<entryActionName>Step_Entry</entryActionName><entryActionType>flow</entryActionType>"
           "<exitActionName>Step_Exit</exitActionName><exitActionType>flow</exitActionType></stageSteps>"
           "</orchestratedStages></Flow>")
    got = {(d.to_name, d.where) for d in iter_dependencies(ParsedComponent(
        type="Flow", full_name="Orch", file_path="x", definition=xml.encode(), content_hash="")) if d.to_type == "Flow"}
    assert got == {("Approve_Screen", "stageSteps:Approve"), ("Step_Entry", "stageSteps:Approve:entryAction"),
                   ("Step_Exit", "stageSteps:Approve:exitAction"), ("Stage_Exit", "orchestratedStages:Review:exitAction")}
