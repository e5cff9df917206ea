"""Each dependency kind, on a written snippet (Apex bodies are not in the corpus)."""

from __future__ import annotations

from orgbook.metadata import ParsedComponent, SchemaIndex, iter_dependencies
from orgbook.metadata.dependencies import formula_refs
from orgbook.metadata.tests.conftest import DREAMHOUSE, V4S, components, one

NS = 'xmlns="http://soap.sforce.com/2006/04/metadata"'


def comp(type_: str, name: str, xml: str = "", body: str | None = None, parent: tuple[str, str] | None = None, attributes=None) -> ParsedComponent:
    return ParsedComponent(
        type=type_, full_name=name, file_path="x", definition=xml.encode(), content_hash="",
        parent_type=parent[0] if parent else None, parent_name=parent[1] if parent else None,
        body=body.encode() if body is not None else None, attributes=attributes or {},
    )


def targets(c: ParsedComponent, schema: SchemaIndex | None = None) -> set[tuple[str, str]]:
    return {(d.to_type, d.to_name) for d in iter_dependencies(c, schema)}


def test_formula_tokenizer_skips_strings_comments_and_functions() -> None:
    refs = list(formula_refs("IF(ISPICKVAL(Status__c, 'Closed__c'), /* Old__c */ Account__r.Name, $Label.Hi)"))
    assert refs == [["Status__c"], ["Account__r", "Name"], ["$Label", "Hi"]]


def test_formula_globals() -> None:
    f = comp("CustomField", "A__c.F__c", f"<CustomField {NS}><formula>$Setup.Conf__c.Limit__c + $CustomMetadata.Rate__mdt.US.Value__c &amp; $Label.Greeting &amp; $Permission.Can_Do</formula></CustomField>", parent=("CustomObject", "A__c"))
    got = targets(f)
    assert {("CustomField", "Conf__c.Limit__c"), ("CustomMetadata", "Rate.US"), ("CustomField", "Rate__mdt.Value__c"), ("CustomLabel", "Greeting"), ("CustomPermission", "Can_Do")} <= got


def test_cross_object_formula_uses_schema_then_convention() -> None:
    f = comp("CustomField", "Hours__c.Email__c", f"<CustomField {NS}><formula>Contact__r.Email &amp; Job__r.Name</formula></CustomField>", parent=("CustomObject", "Hours__c"))
    schema = SchemaIndex({("hours__c", "contact__c"): "Contact"})
    got = targets(f, schema)
    assert {("CustomField", "Contact.Email"), ("CustomField", "Hours__c.Contact__c"), ("CustomField", "Job__c.Name")} <= got


def test_lookup_default_value_and_parent() -> None:
    f = comp("CustomField", "A__c.B__c", f"<CustomField {NS}><type>Lookup</type><referenceTo>B__c</referenceTo><defaultValue>$User.Id</defaultValue></CustomField>", parent=("CustomObject", "A__c"))
    assert {("CustomObject", "B__c"), ("CustomObject", "A__c")} <= targets(f)


def test_workflow_field_update() -> None:
    fu = comp("WorkflowFieldUpdate", "Case.Set", f"<fieldUpdates {NS}><field>Priority</field><formula>Other__c</formula></fieldUpdates>", parent=("Workflow", "Case"))
    assert {("CustomField", "Case.Priority"), ("CustomField", "Case.Other__c")} <= targets(fu)


def test_layout_buttons_related_lists_and_actions() -> None:
    layout = comp("Layout", "Job__c-Job Layout", f"<Layout {NS}><customButtons>Sign_Up</customButtons><layoutSections><layoutColumns><layoutItems><field>Name</field></layoutItems></layoutColumns></layoutSections><relatedLists><relatedList>Shift__c.Job__c</relatedList></relatedLists><quickActionList><quickActionListItems><quickActionName>Job__c.New_Shift</quickActionName></quickActionListItems></quickActionList></Layout>")
    got = targets(layout)
    assert {("WebLink", "Job__c.Sign_Up"), ("CustomField", "Job__c.Name"), ("CustomField", "Shift__c.Job__c"), ("QuickAction", "Job__c.New_Shift")} <= got


def test_v4s_layout_weblinks_from_corpus() -> None:
    layouts = [c for c in components(V4S) if c.type == "Layout"]
    assert any(d.to_type == "WebLink" for c in layouts for d in iter_dependencies(c))


def test_apex_class_references() -> None:
    body = """
    public with sharing class PropertyController extends BaseController implements Api {
        // Property__c in a comment: Ignored__c
        static final String S = 'Fake__c in a string';
        public static List<Property__c> find(Id brokerId) {
            Property__c p = new Property__c(Name = 'x');
            p.Price__c = 10;
            String msg = Label.Not_Found + System.Label.Other;
            PageReference ref = Page.PropertyPage;
            Helper.log(msg);
            return [SELECT Id, Name, Beds__c, Broker__r.Email__c FROM Property__c WHERE Status__c = :msg];
        }
    }"""
    got = targets(comp("ApexClass", "PropertyController", body=body))
    expected = {
        ("CustomObject", "Property__c"), ("CustomField", "Property__c.Price__c"), ("CustomField", "Property__c.Beds__c"),
        ("CustomField", "Property__c.Status__c"), ("CustomField", "Property__c.Broker__c"), ("CustomField", "Broker__c.Email__c"),
        ("CustomLabel", "Not_Found"), ("CustomLabel", "Other"), ("ApexPage", "PropertyPage"),
        ("ApexClass", "BaseController"), ("ApexClass", "Api"), ("ApexClass", "Helper"),
    }
    assert expected <= got
    assert not {n for t, n in got if "Ignored" in n or "Fake" in n}
    assert ("ApexClass", "String") not in got and ("ApexClass", "PropertyController") not in got


def test_apex_trigger_object() -> None:
    got = targets(comp("ApexTrigger", "T", body="trigger T on Volunteer_Hours__c (after insert) { }"))
    assert ("CustomObject", "Volunteer_Hours__c") in got


def test_profile_permissions_only_when_granted() -> None:
    xml = f"""<Profile {NS}>
      <fieldPermissions><field>A__c.X__c</field><readable>true</readable><editable>false</editable></fieldPermissions>
      <fieldPermissions><field>A__c.Hidden__c</field><readable>false</readable><editable>false</editable></fieldPermissions>
      <objectPermissions><object>A__c</object><allowRead>true</allowRead></objectPermissions>
      <classAccesses><apexClass>Ctl</apexClass><enabled>true</enabled></classAccesses>
      <pageAccesses><apexPage>Pg</apexPage><enabled>true</enabled></pageAccesses>
      <tabVisibilities><tab>A__c</tab><visibility>DefaultOn</visibility></tabVisibilities>
      <tabVisibilities><tab>standard-Account</tab><visibility>DefaultOn</visibility></tabVisibilities>
      <applicationVisibilities><application>App</application><visible>true</visible><default>false</default></applicationVisibilities>
    </Profile>"""
    got = targets(comp("Profile", "Admin", xml))
    assert got == {("CustomField", "A__c.X__c"), ("CustomObject", "A__c"), ("ApexClass", "Ctl"), ("ApexPage", "Pg"), ("CustomTab", "A__c"), ("CustomApplication", "App")}


def test_flow_subflow_apex_and_record_update_on_trigger_object() -> None:
    xml = f"""<Flow {NS}><start><object>Task</object><triggerType>RecordBeforeSave</triggerType></start>
      <recordUpdates><name>U</name><inputReference>$Record</inputReference><inputAssignments><field>Kind__c</field></inputAssignments></recordUpdates>
      <subflows><name>S</name><flowName>Child_Flow</flowName></subflows>
      <actionCalls><name>A</name><actionName>Geo</actionName><actionType>apex</actionType></actionCalls></Flow>"""
    got = targets(comp("Flow", "F", xml))
    assert {("CustomObject", "Task"), ("CustomField", "Activity.Kind__c"), ("Flow", "Child_Flow"), ("ApexClass", "Geo")} <= got


def test_custom_tab_and_flexipage() -> None:
    assert ("CustomObject", "Property__c") in targets(one(DREAMHOUSE, "CustomTab", "Property__c"))
    tab = comp("CustomTab", "Finder", f"<CustomTab {NS}><lwcComponent>finder</lwcComponent></CustomTab>")
    assert ("LightningComponentBundle", "finder") in targets(tab)


def test_record_type_field_set_compact_layout() -> None:
    rt = comp("RecordType", "A__c.RT", f"<RecordType {NS}><picklistValues><picklist>Stage__c</picklist></picklistValues></RecordType>", parent=("CustomObject", "A__c"))
    assert ("CustomField", "A__c.Stage__c") in targets(rt)
    fs = comp("FieldSet", "A__c.FS", f"<FieldSet {NS}><displayedFields><field>B__c</field></displayedFields></FieldSet>", parent=("CustomObject", "A__c"))
    assert ("CustomField", "A__c.B__c") in targets(fs)
    cl = comp("CompactLayout", "A__c.CL", f"<CompactLayout {NS}><fields>C__c</fields></CompactLayout>", parent=("CustomObject", "A__c"))
    assert ("CustomField", "A__c.C__c") in targets(cl)


def test_broken_definition_yields_only_parent_edge() -> None:
    broken = ParsedComponent(type="CustomField", full_name="A__c.B__c", file_path="x", definition=b"<oops", content_hash="", parent_type="CustomObject", parent_name="A__c", error="bad")
    assert targets(broken) == {("CustomObject", "A__c")}
