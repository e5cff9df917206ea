"""Metadata API format: package.xml roots, children inside parent files, folders, bodies."""

from __future__ import annotations

from orgbook.metadata import ReadProblem, SourceFormat, detect_format, iter_components, open_source

NS = 'xmlns="http://soap.sforce.com/2006/04/metadata"'


def write(root, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def build(tmp_path):
    write(tmp_path, "unpackaged/package.xml", f"<Package {NS}><version>60.0</version></Package>")
    u = "unpackaged"
    write(tmp_path, f"{u}/workflows/Case.workflow", f"<Workflow {NS}><rules><fullName>Escalate</fullName><active>true</active></rules><fieldUpdates><fullName>Set_P</fullName><field>Priority</field></fieldUpdates></Workflow>")
    write(tmp_path, f"{u}/labels/CustomLabels.labels", f"<CustomLabels {NS}><labels><fullName>Hello</fullName><value>Hi</value></labels></CustomLabels>")
    write(tmp_path, f"{u}/reports/Sales-meta.xml", f"<ReportFolder {NS}><name>Sales</name></ReportFolder>")
    write(tmp_path, f"{u}/reports/Sales/Pipeline.report", f"<Report {NS}><name>P</name></Report>")
    write(tmp_path, f"{u}/documents/Logos/logo.png-meta.xml", f"<Document {NS}><name>logo</name></Document>")
    write(tmp_path, f"{u}/classes/Bar.cls", "public class Bar {}")
    write(tmp_path, f"{u}/classes/Bar.cls-meta.xml", f"<ApexClass {NS}><apiVersion>60.0</apiVersion></ApexClass>")
    write(tmp_path, f"{u}/triggers/Lone.trigger", "trigger Lone on Account (before insert) {}")
    write(tmp_path, f"{u}/profiles/Custom%3A Sales.profile", f"<Profile {NS}><custom>true</custom></Profile>")
    write(tmp_path, f"{u}/flows/Broken.flow", "<Flow><oops></Flow>")
    write(tmp_path, f"{u}/sharingRules/Account.sharingRules", f"<SharingRules {NS}><sharingOwnerRules><fullName>Share</fullName></sharingOwnerRules></SharingRules>")
    return tmp_path


def keys(root, **kw):
    return {(c.type, c.full_name): c for c in iter_components(root, **kw)}


def test_detects_mdapi_under_unpackaged(tmp_path) -> None:
    with open_source(build(tmp_path)) as src:
        detected = detect_format(src)
    assert detected.format is SourceFormat.MDAPI and detected.root == "unpackaged"


def test_workflow_children_are_components(tmp_path) -> None:
    comps = keys(build(tmp_path))
    rule = comps[("WorkflowRule", "Case.Escalate")]
    assert (rule.parent_type, rule.parent_name, rule.attributes["active"]) == ("Workflow", "Case", True)
    assert b"<fullName>Escalate</fullName>" in rule.definition
    assert b"Escalate" not in comps[("Workflow", "Case")].definition  # children are not repeated in the parent
    assert ("WorkflowFieldUpdate", "Case.Set_P") in comps


def test_labels_and_sharing_rules(tmp_path) -> None:
    comps = keys(build(tmp_path))
    assert comps[("CustomLabel", "Hello")].parent_name == "CustomLabels"
    assert ("SharingOwnerRule", "Account.Share") in comps


def test_folders_and_documents(tmp_path) -> None:
    comps = keys(build(tmp_path))
    assert ("ReportFolder", "Sales") in comps and ("Report", "Sales/Pipeline") in comps
    assert ("Document", "Logos/logo.png") in comps


def test_bodies_and_lone_body_files(tmp_path) -> None:
    comps = keys(build(tmp_path))
    assert comps[("ApexClass", "Bar")].body == b"public class Bar {}"
    lone = comps[("ApexTrigger", "Lone")]
    assert lone.definition == b"" and lone.attributes["triggerObject"] == "Account"


def test_percent_encoded_file_names_are_decoded(tmp_path) -> None:
    assert ("Profile", "Custom: Sales") in keys(build(tmp_path))


def test_malformed_file_is_reported_and_kept(tmp_path) -> None:
    problems: list[ReadProblem] = []
    comps = keys(build(tmp_path), on_problem=problems.append)
    assert [p.kind for p in problems] == ["malformed"]
    assert comps[("Flow", "Broken")].error


def test_strict_mode_raises(tmp_path) -> None:
    import pytest

    from orgbook.metadata import MalformedXmlError

    with pytest.raises(MalformedXmlError):
        list(iter_components(build(tmp_path), strict=True))


def test_unsafe_file_is_kept_without_content(tmp_path) -> None:
    write(tmp_path, "package.xml", f"<Package {NS}/>")
    write(tmp_path, "layouts/A-A.layout", '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><Layout>&e;</Layout>')
    problems: list[ReadProblem] = []
    comps = keys(tmp_path, on_problem=problems.append)
    assert problems[0].kind == "unsafe" and comps[("Layout", "A-A")].definition == b""


def test_a_targets_repr_is_the_dataclass_repr_every_stored_digest_was_made_with() -> None:
    import dataclasses

    from orgbook.metadata.reader import Target

    # The dataclass-generated repr, as the class had it before writing its own out.
    Generated = dataclasses.make_dataclass(
        "Target", [(f.name, f.type, f) for f in dataclasses.fields(Target)], frozen=True)
    for target in (Target("child", "CustomField", "Acc.F__c", "Acc"),
                   Target("file", "ApexClass", "X", body_path="classes/X.cls", is_meta=False),
                   Target("generic", "", "It's \"quoted\"\n")):
        assert repr(target) == repr(Generated(**dataclasses.asdict(target)))


def test_a_retrieve_of_types_the_registry_does_not_know_gives_generic_components(tmp_path) -> None:
    """Issue 14, item 7: a sync sweeps every type the org describes; their retrieve files have no
    -meta.xml suffix, and none may be dropped."""
    u = "unpackaged"
    write(tmp_path, f"{u}/package.xml", f"<Package {NS}><version>62.0</version></Package>")
    write(tmp_path, f"{u}/omniScripts/Update_Account_English_1.os", f"<OmniScript {NS}><name>Update</name></OmniScript>")
    write(tmp_path, f"{u}/genAiPlugins/Oil_Perks.genAiPlugin", f"<GenAiPlugin {NS}><masterLabel>Oil perks</masterLabel></GenAiPlugin>")
    write(tmp_path, f"{u}/genAiPlannerBundles/Agent/Agent.genAiPlannerBundle", f"<GenAiPlannerBundle {NS}><masterLabel>Agent</masterLabel></GenAiPlannerBundle>")
    write(tmp_path, f"{u}/genAiFunctions/Act/Act.genAiFunction-meta.xml", f"<GenAiFunction {NS}><masterLabel>Act</masterLabel></GenAiFunction>")
    write(tmp_path, f"{u}/genAiFunctions/Act/input/schema.json", "{}")
    write(tmp_path, f"{u}/wave/Spend.wdash", '{"not": "xml"}')  # a body: its -meta.xml is the component
    write(tmp_path, f"{u}/wave/Spend.wdash-meta.xml", f"<WaveDashboard {NS}><masterLabel>Spend</masterLabel></WaveDashboard>")
    write(tmp_path, f"{u}/bots/Agent.bot", f"<Bot {NS}><botVersions><fullName>v1</fullName></botVersions><label>Agent</label></Bot>")
    problems: list[ReadProblem] = []
    found = keys(tmp_path, on_problem=problems.append)
    assert set(found) == {("OmniScript", "Update_Account_English_1"), ("GenAiPlugin", "Oil_Perks"),
                          ("GenAiPlannerBundle", "Agent"), ("GenAiFunction", "Act"), ("WaveDashboard", "Spend"),
                          ("Bot", "Agent"), ("BotVersion", "Agent.v1")}
    assert found[("GenAiPlugin", "Oil_Perks")].label == "Oil perks" and problems == []
    assert found[("BotVersion", "Agent.v1")].parent_name == "Agent"


def test_a_source_folder_does_not_take_any_file_for_a_component(tmp_path) -> None:
    write(tmp_path, "sfdx-project.json", '{"packageDirectories": [{"path": "force-app"}]}')
    write(tmp_path, "force-app/main/default/omniScripts/X.os-meta.xml", f"<OmniScript {NS}><name>X</name></OmniScript>")
    write(tmp_path, "force-app/main/default/notes/README.txt", "not metadata")
    write(tmp_path, "force-app/main/default/notes/Plan.draft", "not metadata either")
    assert set(keys(tmp_path)) == {("OmniScript", "X")}


def test_field_translations_are_named_by_their_name_element() -> None:
    """Metadata API translations name each `<fields>` by `<name>`: Campaign-de's six field translations
    are six components, not one blank-named `Campaign-de.` read six times (the import reported 630
    such collisions in Volunteers for Salesforce)."""
    from orgbook.metadata.tests.conftest import V4S, of_type

    campaign_de = sorted(c.full_name for c in of_type(V4S, "CustomFieldTranslation") if c.parent_name == "Campaign-de")
    assert campaign_de[:2] == ["Campaign-de.Number_of_Volunteers__c", "Campaign-de.Volunteer_Completed_Hours__c"]
    assert len(campaign_de) == 6
    names = [c.full_name for c in of_type(V4S, "CustomFieldTranslation")]
    assert len(names) == len(set(names)) and not any(n.endswith(".") for n in names)
