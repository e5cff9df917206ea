"""Every fact in tests/data/corpus/FACTS.md, read from the real repositories."""

from __future__ import annotations

from collections import Counter

import pytest

from orgbook.metadata import (
    SchemaIndex,
    SourceFormat,
    detect_format,
    iter_components,
    iter_dependencies,
    open_source,
)
from orgbook.metadata.names import strip_namespace
from orgbook.metadata.tests.conftest import DREAMHOUSE, LFC, PMM, V4S, components, of_type, one, read
from orgbook.metadata.xmlsafe import parse_xml


def deps(path, type_name, full_name, under=""):
    comps = components(path)
    schema = SchemaIndex.from_components(comps)
    return {(d.to_type, d.to_name) for d in iter_dependencies(one(path, type_name, full_name, under), schema)}


def dep_list(component):
    return list(iter_dependencies(component))


# --- dreamhouse -------------------------------------------------------------------------------


def test_dreamhouse_1_two_custom_objects_with_7_and_25_fields() -> None:
    objects = sorted(c.full_name for c in of_type(DREAMHOUSE, "CustomObject") if not c.synthetic)
    assert objects == ["Broker__c", "Property__c"]
    per_object = Counter(c.parent_name for c in of_type(DREAMHOUSE, "CustomField"))
    assert per_object == {"Broker__c": 7, "Property__c": 25}


def test_dreamhouse_2_price_is_currency_8_0_asking_price() -> None:
    a = one(DREAMHOUSE, "CustomField", "Property__c.Price__c").attributes
    assert (a["type"], a["precision"], a["scale"], a["label"]) == ("Currency", 8, 0, "Asking Price")


def test_dreamhouse_3_broker_lookup_and_dependency() -> None:
    field = one(DREAMHOUSE, "CustomField", "Property__c.Broker__c")
    a = field.attributes
    assert (a["type"], a["referenceTo"], a["relationshipName"], a["deleteConstraint"]) == ("Lookup", "Broker__c", "Properties", "SetNull")
    assert ("CustomObject", "Broker__c") in deps(DREAMHOUSE, "CustomField", "Property__c.Broker__c")


def test_dreamhouse_4_days_on_market_formula_references_date_listed() -> None:
    a = one(DREAMHOUSE, "CustomField", "Property__c.Days_On_Market__c").attributes
    assert (a["type"], a["precision"], a["scale"], a["formula"]) == ("Number", 18, 0, "TODAY() - Date_Listed__c")
    assert ("CustomField", "Property__c.Date_Listed__c") in deps(DREAMHOUSE, "CustomField", "Property__c.Days_On_Market__c")


def test_dreamhouse_5_formula_tag_over_a_line_break() -> None:
    a = one(DREAMHOUSE, "CustomField", "Property__c.Record_Link__c").attributes
    assert a["type"] == "Text"
    assert a["formula"] == "LEFT($Api.Partner_Server_URL_260, FIND( '/services', $Api.Partner_Server_URL_260))+ Id"


def test_dreamhouse_6_status_picklist_and_location() -> None:
    status = one(DREAMHOUSE, "CustomField", "Property__c.Status__c").attributes
    assert status["type"] == "Picklist" and status["restricted"] is True
    assert status["picklistValues"] == ["Contracted", "Pre Market", "Available", "Under Agreement", "Closed"]
    location = one(DREAMHOUSE, "CustomField", "Property__c.Location__c").attributes
    assert (location["type"], location["scale"]) == ("Location", 7)


def test_dreamhouse_7_create_property_flow() -> None:
    flow = one(DREAMHOUSE, "Flow", "Create_property")
    a = flow.attributes
    assert (a["processType"], a["status"], a["apiVersion"]) == ("Flow", "Active", "64.0")
    counts = a["elementCounts"]
    expected = {"screens": 10, "decisions": 2, "recordLookups": 2, "recordCreates": 1, "recordUpdates": 1, "actionCalls": 1}
    assert {k: counts[k] for k in expected} == expected
    edges = dep_list(flow)
    created = {d.to_name for d in edges if d.where == "recordCreates:create_property" and d.to_type == "CustomField"}
    names = "Address__c Baths__c Beds__c Broker__c City__c Date_Listed__c Description__c Location__Latitude__s Location__Longitude__s Name Price__c State__c Status__c Tags__c Zip__c"
    assert created == {f"Property__c.{n}" for n in names.split()}
    updated = {d.to_name for d in edges if d.where.startswith("recordUpdates") and d.to_type == "CustomField"}
    assert {"Property__c.Picture__c", "Property__c.Thumbnail__c"} <= updated
    looked_up = {d.to_name for d in edges if d.where.startswith("recordLookups") and d.to_type == "CustomObject"}
    assert looked_up == {"ContentDocumentLink", "ContentVersion"}
    targets = {(d.to_type, d.to_name) for d in edges}
    assert ("ApexClass", "GeocodingService") in targets
    assert ("LightningComponentBundle", "navigateToRecord") in targets


def test_dreamhouse_8_permission_set_counts() -> None:
    ps = one(DREAMHOUSE, "PermissionSet", "dreamhouse")
    a = ps.attributes
    assert (a["objectPermissions"], a["fieldPermissions"], a["classAccesses"], a["tabSettings"]) == (2, 33, 3, 5)
    root = parse_xml(ps.definition)
    ns = {"m": "http://soap.sforce.com/2006/04/metadata"}
    for op in root.findall("m:objectPermissions", ns):
        flags = [op.findtext(f"m:{f}", namespaces=ns) for f in ("allowCreate", "allowDelete", "allowEdit", "allowRead", "modifyAllRecords", "viewAllRecords")]
        assert flags == ["true"] * 6
    classes = {d.to_name for d in dep_list(ps) if d.to_type == "ApexClass"}
    assert classes == {"PagedResult", "PropertyController", "SampleDataController"}
    assert {d.to_name for d in dep_list(ps) if d.to_type == "CustomObject"} == {"Broker__c", "Property__c"}


def test_dreamhouse_9_property_layout() -> None:
    a = one(DREAMHOUSE, "Layout", "Property__c-Property Layout").attributes
    assert a["fieldCount"] == 26
    assert a["sections"] == ["Information", "Description", "Dates", "Pictures", "System Information", "Custom Links"]
    assert a["relatedLists"] == ["RelatedFileList", "RelatedActivityList", "RelatedHistoryList"]


def test_dreamhouse_10_record_page_custom_lwc() -> None:
    page = one(DREAMHOUSE, "FlexiPage", "Property_Record_Page")
    custom = {k: v for k, v in page.attributes["components"].items() if ":" not in k}
    assert custom == {"brokerCard": 2, "daysOnMarket": 1, "propertyCarousel": 1, "propertyLocation": 1, "propertyMap": 1}
    lwc = {d.to_name for d in dep_list(page) if d.to_type == "LightningComponentBundle"}
    assert lwc == set(custom)


# --- PMM --------------------------------------------------------------------------------------


def test_pmm_1_project_namespace_and_tokens() -> None:
    with open_source(PMM) as src:
        detected = detect_format(src)
    assert detected.format is SourceFormat.SFDX
    assert len(detected.package_dirs) == 4 and detected.namespace == "pmdm" and detected.api_version == "49.0"
    # Source names are not prefixed, so nothing gets a namespace from its name.
    assert {c.namespace for c in components(PMM)} == {None}
    kept = [c.full_name for c in of_type(PMM, "CustomMetadata") if "cmdts" in c.file_path]
    assert all(n.startswith("___NAMESPACE___") for n in kept)
    resolved = [c.full_name for c in iter_components(PMM / "unpackaged/config/cmdts", namespace_prefix="")]
    assert "FeatureGate.ServiceDeliveriesToContact" in resolved


def test_pmm_2_thirteen_object_folders() -> None:
    objects = {c.full_name: c for c in of_type(PMM, "CustomObject") if "force-app" in c.file_path}
    custom = {n for n in objects if n.endswith("__c")}
    assert custom == {"Program__c", "ProgramCohort__c", "ProgramEngagement__c", "Service__c", "ServiceDelivery__c", "ServiceParticipant__c", "ServiceSchedule__c", "ServiceSession__c"}
    assert {n for n in objects if n.endswith("__mdt")} == {"Bucket__mdt", "BucketedField__mdt", "BucketedValue__mdt", "FeatureGate__mdt"}
    assert objects["Contact"].synthetic
    contact = [c for c in components(PMM) if c.parent_name == "Contact" and "force-app" in c.file_path]
    assert Counter(c.type for c in contact) == {"CustomField": 7, "FieldSet": 1}


def test_pmm_3_program_engagement_children_and_lookups() -> None:
    kids = Counter(c.type for c in components(PMM) if c.parent_name == "ProgramEngagement__c")
    assert kids == {"CustomField": 17, "ValidationRule": 7, "FieldSet": 2, "ListView": 3, "CompactLayout": 1}
    program = one(PMM, "CustomField", "ProgramEngagement__c.Program__c").attributes
    assert (program["referenceTo"], program["relationshipName"]) == ("Program__c", "Program_Engagements")
    cohort = one(PMM, "CustomField", "ProgramEngagement__c.ProgramCohort__c").attributes
    assert (cohort["referenceTo"], cohort["relationshipName"]) == ("ProgramCohort__c", "ProgramEngagements")
    assert one(PMM, "CustomField", "ProgramEngagement__c.Account__c").attributes["referenceTo"] == "Account"


def test_pmm_4_program_matches_cohort_rule() -> None:
    rule = one(PMM, "ValidationRule", "ProgramEngagement__c.PROGRAM_MATCHES_COHORT_PROGRAM")
    assert rule.attributes["active"] is True
    formula = rule.attributes["errorConditionFormula"]
    assert "\n" in formula
    assert "".join(formula.split()) == "".join(
        "AND(!ISBLANK(Program__c), !ISBLANK(ProgramCohort__c), ProgramCohort__r.Program__c != Program__c)".split()
    )
    found = deps(PMM, "ValidationRule", "ProgramEngagement__c.PROGRAM_MATCHES_COHORT_PROGRAM")
    for name in ("ProgramEngagement__c.Program__c", "ProgramEngagement__c.ProgramCohort__c", "ProgramCohort__c.Program__c"):
        assert ("CustomField", name) in found


def test_pmm_5_validation_rules_per_object() -> None:
    rules = [c for c in of_type(PMM, "ValidationRule")]
    assert Counter(c.parent_name for c in rules) == {"ProgramEngagement__c": 7, "ProgramCohort__c": 3, "ServiceDelivery__c": 2, "Program__c": 1}
    found = deps(PMM, "ValidationRule", "ServiceDelivery__c.PROGRAM_MATCH")
    assert {("CustomField", "Service__c.Program__c"), ("CustomField", "ProgramEngagement__c.Program__c")} <= found


def test_pmm_6_custom_metadata_records() -> None:
    records = of_type(PMM, "CustomMetadata")
    assert len(records) == 31
    main = Counter(c.full_name.split(".")[0] for c in records if "force-app" in c.file_path)
    assert main == {"BucketedValue": 8, "Bucket": 7, "FeatureGate": 7, "BucketedField": 5}
    cmdts = [c.full_name for c in records if "unpackaged/config/cmdts" in c.file_path]
    assert len(cmdts) == 4
    assert "___NAMESPACE___FeatureGate.___NAMESPACE___ServiceDeliveriesToContact" in cmdts


def test_pmm_7_cmdt_record_links_to_field() -> None:
    record = one(PMM, "CustomMetadata", "BucketedField.AttendanceStatuses")
    assert record.attributes["values"] == {"Field__c": "AttendanceStatus__c", "Object__c": "ServiceDelivery__c"}
    assert b'xsi:type="xsd:string"' in record.definition
    assert ("CustomField", "ServiceDelivery__c.AttendanceStatus__c") in deps(PMM, "CustomMetadata", "BucketedField.AttendanceStatuses")
    assert any(c.full_name == "ServiceDelivery__c.AttendanceStatus__c" for c in of_type(PMM, "CustomField"))


def test_pmm_8_permission_sets() -> None:
    sets = {c.full_name: c for c in of_type(PMM, "PermissionSet")}
    assert set(sets) == {"PMDM_Deliver", "PMDM_Manage", "PMDM_View", "PMDM_Community_Deliver", "PMDM_Community_Manage", "PMDM_Community_View"}
    assert sets["PMDM_Deliver"].label == "PMM : Deliver"
    assert {n: sets[n].attributes["fieldPermissions"] for n in ("PMDM_Deliver", "PMDM_Manage", "PMDM_View")} == {"PMDM_Deliver": 90, "PMDM_Manage": 90, "PMDM_View": 89}
    assert all(sets[n].attributes["objectPermissions"] == 8 for n in ("PMDM_Deliver", "PMDM_Manage", "PMDM_View"))
    expected = {"PMDM_Deliver": "true true true false", "PMDM_Manage": "true true true true", "PMDM_View": "false true false false"}
    ns = {"m": "http://soap.sforce.com/2006/04/metadata"}
    for name, flags in expected.items():
        root = parse_xml(sets[name].definition)
        op = next(e for e in root.findall("m:objectPermissions", ns) if e.findtext("m:object", namespaces=ns) == "ServiceDelivery__c")
        got = [op.findtext(f"m:{f}", namespaces=ns) for f in ("allowCreate", "allowRead", "allowEdit", "allowDelete", "viewAllRecords", "modifyAllRecords")]
        assert got == flags.split() + ["false", "false"]


def test_pmm_9_process_builder_flows_outside_package_dirs() -> None:
    assert not [c for c in of_type(PMM, "Flow") if "force-app" in c.file_path]
    flows = {c.full_name: c for c in iter_components(PMM / "unpackaged/config/dev") if c.type == "Flow"}
    assert set(flows) == {"ServiceDelivery", "Auto_Populate_Date_And_Name_On_Program_Engagement"}
    assert all((f.attributes["processType"], f.attributes["status"]) == ("Workflow", "Active") for f in flows.values())
    sd = {(d.to_type, d.to_name) for d in iter_dependencies(flows["ServiceDelivery"])}
    assert ("CustomObject", "%%%NAMESPACE%%%ServiceDelivery__c") in sd
    auto = {(d.to_type, d.to_name) for d in iter_dependencies(flows["Auto_Populate_Date_And_Name_On_Program_Engagement"])}
    assert ("CustomObject", "%%%NAMESPACE%%%ProgramEngagement__c") in auto
    fields = {n.rpartition(".")[2].replace("%%%NAMESPACE%%%", "") for t, n in auto if t == "CustomField"}
    assert {"ApplicationDate__c", "StartDate__c", "EndDate__c", "Stage__c"} <= fields


def test_pmm_10_sharing_rules_and_labels() -> None:
    rules = [c for c in of_type(PMM, "SharingRules")]
    assert len(rules) == 9 and all("experience_cloud/sharingRules" in c.file_path for c in rules)
    names = sorted(c.full_name for c in rules)
    assert sum(n.startswith("___NAMESPACE___") for n in names) == 8 and "Contact" in names
    assert Counter(c.parent_name for c in of_type(PMM, "SharingOwnerRule")) == {n: 1 for n in names}
    assert len(of_type(PMM, "CustomLabel")) == 157


# --- Volunteers for Salesforce (mdapi) ---------------------------------------------------------


def test_v4s_1_package_xml_and_object_files() -> None:
    root = parse_xml((V4S / "src/package.xml").read_bytes())
    ns = {"m": "http://soap.sforce.com/2006/04/metadata"}
    assert root.findtext("m:version", namespaces=ns) == "40.0"
    assert root.findtext("m:fullName", namespaces=ns) == "Volunteers for Salesforce"
    types = root.findall("m:types", ns)
    assert len(types) == 31
    members = {t.findtext("m:name", namespaces=ns): t.findall("m:members", ns) for t in types}
    assert len(members["CustomObject"]) == 7 and len(members["CustomField"]) == 101
    objects = {c.full_name for c in of_type(V4S, "CustomObject")}
    assert len(objects) == 12 and {"Campaign", "Contact", "Lead", "OpportunityCompetitor", "Site"} <= objects
    assert len(of_type(V4S, "CustomField")) == 101
    assert {m.text for m in members["CustomField"]} == {c.full_name for c in of_type(V4S, "CustomField")}


def test_v4s_2_format_detected_from_files() -> None:
    with open_source(V4S) as src:
        detected = detect_format(src)
    assert detected.format is SourceFormat.MDAPI
    assert detected.package_dirs == ("src",) and detected.namespace == "GW_Volunteers"
    assert {c.format for c in of_type(V4S, "CustomField")} == {"mdapi"}


def test_v4s_3_volunteer_job_object() -> None:
    kids = Counter(c.type for c in components(V4S) if c.parent_name == "Volunteer_Job__c")
    assert (kids["CustomField"], kids["ValidationRule"], kids["ListView"], kids["WebLink"]) == (18, 1, 3, 5)
    assert one(V4S, "CustomObject", "Volunteer_Job__c").attributes["sharingModel"] == "ControlledByParent"
    campaign = one(V4S, "CustomField", "Volunteer_Job__c.Campaign__c").attributes
    assert (campaign["type"], campaign["referenceTo"], campaign["relationshipName"]) == ("MasterDetail", "Campaign", "Volunteer_Jobs")


@pytest.mark.parametrize(
    ("field", "operation", "summarized", "key"),
    [
        ("Number_of_Completed_Hours__c", "sum", "Volunteer_Hours__c.Total_Hours_Worked__c", "Volunteer_Hours__c.Volunteer_Job__c"),
        ("First_Shift__c", "min", "Volunteer_Shift__c.Start_Date_Time__c", None),
        ("Number_of_Shifts__c", "count", None, "Volunteer_Shift__c.Volunteer_Job__c"),
    ],
)
def test_v4s_4_roll_up_summaries(field, operation, summarized, key) -> None:
    a = one(V4S, "CustomField", f"Volunteer_Job__c.{field}").attributes
    assert a["summaryOperation"] == operation
    found = deps(V4S, "CustomField", f"Volunteer_Job__c.{field}")
    if summarized:
        assert a["summarizedField"] == summarized and ("CustomField", summarized) in found
    if key:
        assert a["summaryForeignKey"] == key and ("CustomField", key) in found


def test_v4s_5_volunteer_hours_relationships() -> None:
    fields = {c.full_name.split(".")[1]: c.attributes for c in of_type(V4S, "CustomField") if c.parent_name == "Volunteer_Hours__c"}
    md = {n: a["referenceTo"] for n, a in fields.items() if a["type"] == "MasterDetail"}
    assert md == {"Contact__c": "Contact", "Volunteer_Job__c": "Volunteer_Job__c"}
    assert {n for n, a in fields.items() if a["type"] == "Lookup"} == {"Volunteer_Shift__c", "Volunteer_Recurrence_Schedule__c"}


def test_v4s_6_hours_required_rule() -> None:
    a = one(V4S, "ValidationRule", "Volunteer_Hours__c.HoursRequiredOnCompletion").attributes
    assert a["active"] is True and a["errorDisplayField"] == "Hours_Worked__c"
    assert a["errorConditionFormula"] == "AND(ISPICKVAL(Status__c, 'Completed') , ISNULL( Hours_Worked__c ))"
    rules = of_type(V4S, "ValidationRule")
    assert len(rules) == 7 and len({c.parent_name for c in rules}) == 4


def test_v4s_7_workflows() -> None:
    workflows = of_type(V4S, "Workflow")
    assert len(workflows) == 8
    with_rules = {c.parent_name for c in of_type(V4S, "WorkflowRule")}
    assert len([w for w in workflows if w.full_name not in with_rules]) == 5
    kids = Counter(c.type for c in components(V4S) if c.parent_type == "Workflow" and c.parent_name == "Volunteer_Hours__c")
    assert (kids["WorkflowRule"], kids["WorkflowAlert"], kids["WorkflowFieldUpdate"]) == (4, 3, 2)
    one(V4S, "WorkflowRule", "Volunteer_Hours__c.Volunteer Hours - Set Planned Start Date %26 Time")
    reminder = one(V4S, "WorkflowRule", "Volunteer_Hours__c.Volunteer Hours Reminder Email")
    assert (reminder.attributes["active"], reminder.attributes["triggerType"]) == (False, "onCreateOrTriggeringUpdate")
    found = {d.to_name for d in iter_dependencies(reminder, SchemaIndex.from_components(components(V4S))) if d.to_type == "CustomField"}
    for name in ("Volunteer_Hours__c.Status__c", "Contact.Email", "Contact.Volunteer_Auto_Reminder_Email_Opt_Out__c", "Volunteer_Hours__c.Start_Date__c"):
        assert name in found


def test_v4s_8_labels() -> None:
    labels = of_type(V4S, "CustomLabel")
    assert len(labels) == 181 and {c.parent_name for c in labels} == {"CustomLabels"}
    assert all(c.file_path == "src/labels/CustomLabels.labels" for c in labels)


def test_v4s_9_translations() -> None:
    assert len(of_type(V4S, "CustomObjectTranslation")) == 70
    assert sorted(c.full_name for c in of_type(V4S, "Translations")) == ["de", "en_US", "es", "fr", "iw", "ja", "nl_NL"]


def test_v4s_10_campaign_record_type_and_fields() -> None:
    rt = one(V4S, "RecordType", "Campaign.Volunteers_Campaign")
    assert rt.attributes["active"] is True
    assert len([c for c in of_type(V4S, "CustomField") if c.parent_name == "Campaign"]) == 6


# --- LightningFlowComponents -------------------------------------------------------------------


def source_flows():
    return [c for c in of_type(LFC, "Flow") if c.file_path.endswith(".flow-meta.xml")]


def test_lfc_statistics_process_types_and_triggers() -> None:
    flows = source_flows()
    assert len(flows) == 278 and len({c.full_name for c in flows}) == 264
    kinds = Counter(c.attributes.get("processType") for c in flows)
    assert kinds == {"Flow": 206, "AutoLaunchedFlow": 45, "Orchestrator": 18, "AppProcess": 5, "RecommendationStrategy": 3, "EvaluationFlow": 1}
    auto = Counter(c.attributes.get("triggerType") for c in flows if c.attributes.get("processType") == "AutoLaunchedFlow")
    assert auto == {None: 33, "RecordAfterSave": 7, "RecordBeforeSave": 1, "Scheduled": 4}
    orch = Counter(c.attributes.get("triggerType") for c in flows if c.attributes.get("processType") == "Orchestrator")
    assert orch == {"RecordAfterSave": 16, None: 2}
    app = Counter(c.attributes.get("triggerType") for c in flows if c.attributes.get("processType") == "AppProcess")
    assert app == {"RecordAfterSave": 1, None: 4}


def test_lfc_statistics_status_and_api_version() -> None:
    flows = source_flows()
    assert Counter(c.attributes.get("status") for c in flows) == {"Draft": 140, "Active": 116, "Obsolete": 10, "InvalidDraft": 6, None: 6}
    assert sum("apiVersion" not in c.attributes for c in flows) == 77


def test_lfc_statistics_element_totals() -> None:
    totals: Counter[str] = Counter()
    for c in source_flows():
        totals.update(c.attributes["elementCounts"])
    expected = {"recordLookups": 141, "recordCreates": 35, "recordUpdates": 32, "recordDeletes": 3, "subflows": 50, "actionCalls": 282, "screens": 410, "decisions": 165, "formulas": 142, "loops": 45, "orchestratedStages": 19}
    assert {k: totals[k] for k in expected} == expected


def _action_types():
    ns = {"m": "http://soap.sforce.com/2006/04/metadata"}
    for c in source_flows():
        for call in parse_xml(c.definition).findall("m:actionCalls", ns):
            yield c, call.findtext("m:actionType", namespaces=ns), call.findtext("m:actionName", namespaces=ns)


def test_lfc_statistics_action_calls_and_subflows() -> None:
    types = Counter(t for _, t, _ in _action_types())
    assert types == {"apex": 236, "component": 24, "chatterPost": 11, "emailSimple": 10, "customNotificationAction": 1}
    assert len({n for _, t, n in _action_types() if t == "apex"}) == 108
    subflow_targets = {d.to_name for c in source_flows() for d in dep_list(c) if d.to_type == "Flow" and d.where.startswith("subflows")}
    assert len(subflow_targets) == 27
    assert subflow_targets <= {c.full_name for c in of_type(LFC, "Flow")}


def test_lfc_statistics_screen_components() -> None:
    ns = {"m": "http://soap.sforce.com/2006/04/metadata"}
    names = Counter(e.text for c in source_flows() for e in parse_xml(c.definition).iterfind(".//m:extensionName", ns))
    assert len(names) == 60
    assert sum(v for k, v in names.items() if k.startswith("c:")) == 230
    assert (names["c:datatable"], names["c:fsc_flowButtonBar"], names["flowruntime:email"], names["c:dualListBox2"]) == (37, 25, 21, 21)


def test_lfc_1_layout_of_sub_projects() -> None:
    projects = {c.project for c in components(LFC)} - {""}
    roots = Counter(p.split("/")[0] for p in {c.project for c in source_flows()})
    assert 150 <= len(projects) <= 190  # a few sub-project folders have no sfdx-project.json of their own
    by_root = Counter(c.file_path.split("/")[0] for c in source_flows())
    assert by_root == {"flow_apps": 146, "flow_action_components": 87, "flow_screen_components": 43, "flow_process_components": 2}
    assert set(roots) - {""} <= {"flow_apps", "flow_action_components", "flow_screen_components", "flow_process_components"}
    orch = [c for c in source_flows() if c.project == "flow_apps/OrchestratorResources"]
    assert len(orch) == 40
    assert any(c.project == "flow_action_components/WebEx Actions" for c in components(LFC))
    assert any(c.project == "flow_apps/Flow-Based Knowledge" for c in components(LFC))


def test_lfc_2_duplicate_flow_names_keyed_by_project() -> None:
    counts = Counter(c.full_name for c in source_flows())
    assert len([n for n, k in counts.items() if k > 1]) == 13
    dups = {c.project for c in source_flows() if c.full_name == "DemoFlow_GetRecommendationsWithFlowAction"}
    assert dups == {"flow_action_components/ExecuteNBAStrategy", "flow_apps/OrchestratorResources", "flow_apps/Flow-Based Knowledge"}
    copies = {c.project: c for c in source_flows() if c.full_name == "Twenty_Questions_Troubleshooter"}
    queried = {
        p: {d.to_name.split(".")[1] for d in dep_list(c) if d.where == "recordLookups:Load_Current_Node" and d.to_type == "CustomField"}
        for p, c in copies.items()
    }
    assert {"Node_Content__c", "End_Node__c", "Continuation_Node__c", "ContinuationDiagnosticNode__c"} <= queried["flow_apps/KnowledgeTree"]
    assert {"Node_Content__c", "Use_Knowledge_Article_Content__c", "Knowledge__c"} <= queried["flow_apps/troubleshooterFlow"]
    assert "End_Node__c" not in queried["flow_apps/troubleshooterFlow"]


def test_lfc_3_trigger_objects() -> None:
    flows = [c for c in source_flows() if c.attributes.get("triggerObject")]
    assert len(flows) == 25
    assert Counter(c.attributes["triggerObject"] for c in flows) == {"Opportunity": 6, "Contract": 5, "Case": 5, "Account": 3, "User": 2, "OrderApprovalProcess__c": 2, "Task": 1, "Lead": 1}
    app = [c for c in flows if c.attributes["processType"] == "AppProcess"]
    assert [c.full_name for c in app] == ["Content_Publication_Orchestration_1"]
    assert (app[0].attributes["triggerType"], app[0].attributes["triggerObject"], app[0].attributes["recordTriggerType"]) == ("RecordAfterSave", "Lead", "Create")
    scheduled = {c.full_name for c in source_flows() if c.attributes.get("triggerType") == "Scheduled"}
    assert scheduled == {"TestScheduleFlow", "CheckToday", "Get_Credit_Score_Via_Schedule", "Scheduled_Recommendations"}
    assert not [c for c in source_flows() if c.full_name in scheduled and c.attributes.get("triggerObject")]


def test_lfc_4_before_save_flow_on_task() -> None:
    flow = one(LFC, "Flow", "Task_Set_Related_To_Fields")
    a = flow.attributes
    assert (a["processType"], a["status"], a["apiVersion"], a["triggerObject"], a["triggerType"], a["recordTriggerType"]) == ("AutoLaunchedFlow", "Active", "55.0", "Task", "RecordBeforeSave", "CreateAndUpdate")
    assert a["filterFormula"] == "(ISNEW() && NOT(ISBLANK({!$Record.WhatId})))\n|| ISCHANGED({!$Record.WhatId})"
    edges = {(d.to_type, d.to_name) for d in dep_list(flow)}
    assert ("CustomObject", "EntityDefinition") in edges
    assert ("CustomField", "Activity.Related_To_Type__c") in edges
    assert any(c.file_path.endswith("objects/Activity/fields/Related_To_Type__c.field-meta.xml") for c in of_type(LFC, "CustomField"))


def test_lfc_5_scheduled_path_notification() -> None:
    a = one(LFC, "Flow", "Send_Opportunity_Notification").attributes
    assert (a["processType"], a["status"], a["triggerObject"], a["triggerType"], a["recordTriggerType"]) == ("AutoLaunchedFlow", "Draft", "Opportunity", "RecordAfterSave", "Update")
    assert a["startFilters"] == [{"field": "OwnerId", "operator": "EqualTo", "value": "placeholder"}, {"field": "StageName", "operator": "IsChanged", "value": "true"}]
    assert a["scheduledPaths"] == ["AsyncAfterCommit"]
    assert a["elementCounts"]["actionCalls"] == 1


def test_lfc_6_orchestrator_user_deactivation() -> None:
    flow = one(LFC, "Flow", "Handle_User_Deactivation")
    a = flow.attributes
    assert (a["processType"], a["status"], a["apiVersion"], a["triggerObject"], a["recordTriggerType"]) == ("Orchestrator", "Obsolete", "55.0", "User", "CreateAndUpdate")
    assert a["startFilters"] == [{"field": "Reassignment_Requested__c", "operator": "EqualTo", "value": "true"}]
    assert a["doesRequireRecordChangedToMeetCriteria"] is True and a["elementCounts"]["orchestratedStages"] == 2
    steps = [d.to_name for d in dep_list(flow) if d.where.startswith("stageSteps")]
    assert set(steps) == {"Invite_Owner_to_Confirm_Interest", "Wait_for_User_to_Responsd", "Reassign_Accounts", "Notify_account_owner"}
    here = {c.full_name for c in of_type(LFC, "Flow") if c.project == flow.project}
    assert set(steps) <= here
    checkbox = one(LFC, "CustomField", "User.Reassignment_Requested__c", under="DeactivateUser").attributes
    assert (checkbox["type"], checkbox["defaultValue"]) == ("Checkbox", "false")


def test_lfc_7_orchestrator_order_demo_and_dangling_references() -> None:
    flow = one(LFC, "Flow", "Orchestrator_Order_Demo")
    assert (flow.attributes["status"], flow.attributes["apiVersion"], flow.attributes["triggerObject"]) == ("Active", "52.0", "OrderApprovalProcess__c")
    steps = {d.to_name for d in dep_list(flow) if d.where.startswith("stageSteps")}
    assert steps == {"Orchestration_Step_Flow_Approval_Request", "Orchestration_Step_Flow_Approval_Request_with_Teams"}
    assert steps <= {c.full_name for c in of_type(LFC, "Flow")}
    known = {(c.type, c.full_name) for c in components(LFC)}
    edges = {(d.to_type, d.to_name) for n in ("OrderManager", "OrderTaker") for c in of_type(LFC, "Flow") if c.full_name == n for d in dep_list(c)}
    dangling = edges - known
    assert {("CustomObject", "OrderApprovalProcess__c"), ("CustomField", "OrderApprovalProcess__c.Order2__c"), ("CustomObject", "OrderLine__c"), ("ApexClass", "DoCollectionMath")} <= dangling
    assert ("Flow", "Initialize_Products") in edges


def test_lfc_8_flow_oneview() -> None:
    flow = one(LFC, "Flow", "Flow_OneView_Analyze_Display")
    assert (flow.attributes["processType"], flow.attributes["status"], flow.attributes["apiVersion"], flow.attributes["elementCounts"]["screens"]) == ("Flow", "Draft", "57.0", 4)
    assert flow.attributes["elementCounts"]["subflows"] == 9
    edges = dep_list(flow)
    subflows = {d.to_name for d in edges if d.where.startswith("subflows")}
    assert len(subflows) == 8 and subflows <= {c.full_name for c in of_type(LFC, "Flow") if c.project == flow.project}
    assert {d.to_name for d in edges if d.to_type == "ApexClass"} == {"ers_SliceText", "ers_ProcessFlowElements", "ers_ProcessFlowResources"}
    assert ("CustomField", "Flow_OneView__c.Resource_name__c") in {(d.to_type, d.to_name) for d in edges}
    assert any(c.full_name == "Flow_OneView__c.Resource_name__c" for c in of_type(LFC, "CustomField"))
    lwc_here = {c.full_name for c in of_type(LFC, "LightningComponentBundle") if c.project == flow.project}
    assert not {"datatable", "fsc_flowButtonBar", "fsc_drawLine"} & lwc_here
    assert {"datatable", "fsc_flowButtonBar"} <= {c.full_name for c in of_type(LFC, "LightningComponentBundle")}


def test_lfc_9_personal_workflow_demo() -> None:
    flow = one(LFC, "Flow", "PersonalWorkflow_Demo")
    edges = {(d.to_type, d.to_name) for d in dep_list(flow)}
    for name in ("PersonalWorkflow__c.Name", "PersonalWorkflow__c.Unique_Name__c", "PersonalWorkflowTrigger__c.Personal_Workflow__c", "PersonalWorkflowTrigger__c.TriggerType__c", "PersonalWorkflowTrigger__c.TriggeringEvents__c", "PersonalWorkflowAction__c.Parent_Workflow_Id__c"):
        assert ("CustomField", name) in edges
    assert {("Flow", "PersonalWorkflowService_Edit"), ("LightningComponentBundle", "fsc_flowButtonBar"), ("LightningComponentBundle", "fsc_flexcardFlow")} <= edges
    md = one(LFC, "CustomField", "PersonalWorkflowTrigger__c.Personal_Workflow__c").attributes
    assert (md["type"], md["referenceTo"]) == ("MasterDetail", "PersonalWorkflow__c")


def test_lfc_10_apex_action_resolution() -> None:
    calls = [(c, n) for c, t, n in _action_types() if t == "apex"]
    names = Counter(n for _, n in calls)
    assert names.most_common(1) == [("ers_SliceText", 27)]
    classes = {c.full_name for c in of_type(LFC, "ApexClass")}
    matched = {n for n in names if n in classes}
    prefixed = {n for n in names if n not in classes and strip_namespace(n) in classes}
    assert len(matched) == 105 - len(prefixed & set()) or len(matched) + len(prefixed) == 105
    assert prefixed == {"usf3__GetFieldInformation", "usf__GetFieldInformation", "usf3__ConvertRecordsToCSVQueueable"}
    missing = {n for n in names if n not in classes and strip_namespace(n) not in classes}
    assert missing == {"PostSlackApplication", "DoCollectionMath", "LaunchFlowAsync"}
    assert (names["PostSlackApplication"], names["DoCollectionMath"], names["LaunchFlowAsync"]) == (3, 2, 1)
    sched = one(LFC, "Flow", "Get_Credit_Score_Via_Schedule").attributes["schedule"]
    assert sched == {"frequency": "Once", "startDate": "2020-04-26", "startTime": "09:22:00.000Z"}


def test_lfc_quirks_malformed_files_are_reported_not_fatal() -> None:
    problems = read(LFC)[1]
    assert [p.path.rsplit("/", 1)[-1] for p in problems] == ["updateFieldCPE.js-meta.xml"]
    assert "line 16" in problems[0].message
    broken = one(LFC, "LightningComponentBundle", "updateFieldCPE")
    assert broken.error and broken.definition
    assert not [c for c in components(LFC) if "masterflow.bak" in c.file_path]


def test_lfc_quirks_doubled_objects_folder_and_versioned_flows() -> None:
    one(LFC, "CustomField", "User.SlackId__c", under="objects/objects/User")
    definitions = [c for c in of_type(LFC, "FlowDefinition") if "Summer18" in c.file_path and c.format == "sfdx"]
    assert len(definitions) == 6
    churn = next(c for c in definitions if c.full_name == "churn")
    assert churn.attributes["activeVersionNumber"] == "3"
    assert ("Flow", "churn-3") in {(d.to_type, d.to_name) for d in dep_list(churn)}
    assert any(c.full_name == "churn-3" for c in of_type(LFC, "Flow"))
    assert sum("activeVersionNumber" not in c.attributes for c in definitions if "PlaySound" in c.full_name or "playsound" in c.full_name.lower()) == 3
