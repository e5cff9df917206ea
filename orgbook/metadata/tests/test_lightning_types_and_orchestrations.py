"""Issue 14, item 5: edges of custom Lightning types, of the agent actions' and planner bundles'
schemas that name them, of the LWCs that render them, and of orchestrations' entry and exit
flows, read from the real corpus files and asserted edge by edge."""

from __future__ import annotations

import shutil
from pathlib import Path

from orgbook.metadata import ParsedComponent, iter_components, iter_dependencies
from orgbook.metadata.tests.conftest import LFC, of_type, one
from tests.corpus import AUTOMOTIVE, RETAIL

PACK = "diy-pd-pack/main/default"


def edges(c: ParsedComponent) -> set[tuple[str, str, str]]:
    return {(d.to_type, d.to_name, d.where) for d in iter_dependencies(c)}


def test_each_lightning_type_uses_its_apex_class_and_the_lwc_that_renders_it() -> None:
    types = {c.full_name: c for c in of_type(RETAIL, "LightningTypeBundle")}
    renderer = "lightningDesktopGenAi/renderer.json:$"
    assert {name: edges(c) for name, c in types.items()} == {
        "promotion": {("ApexClass", "PromotionOutput", "schema.json"),
                      ("LightningComponentBundle", "agentProductCarousel", renderer)},
        "seasonalProducts": {("ApexClass", "PromptOutputADT", "schema.json"),
                             ("LightningComponentBundle", "seasonalLightningType", renderer)},
        "storageProducts": {("ApexClass", "storageOutput", "schema.json"),
                            ("LightningComponentBundle", "storageProducts", renderer)},
    }
    # The renderer is read with the type: part of its body and of its hash.
    assert b'"definition": "c/agentProductCarousel"' in (types["promotion"].body or b"")


def test_the_lwcs_name_the_lightning_types_they_render() -> None:
    got = {c.full_name: {e for e in edges(c) if e[0] == "LightningTypeBundle"} for c in of_type(
        RETAIL, "LightningComponentBundle")}
    where = "targetConfigs:sourceType"
    assert {k: v for k, v in got.items() if v} == {
        "agentProductCarousel": {("LightningTypeBundle", "promotion", where)},
        "seasonalLightningType": {("LightningTypeBundle", "seasonalProducts", where)},
        "storageProducts": {("LightningTypeBundle", "storageProducts", where)},
    }


def test_agent_action_output_schemas_name_lightning_types_and_apex_classes() -> None:
    schema = {(c.full_name, t, n, w) for c in of_type(RETAIL, "GenAiFunction")
              for t, n, w in edges(c) if w != "invocationTarget"}
    citations = ("ApexClass", "AiCopilot__GenAiCitationOutput", "output/schema.json:citations")
    assert schema == {
        ("PromotionEligibility", "LightningTypeBundle", "promotion", "output/schema.json:apexDefined"),
        ("Sales_Recommendation", "LightningTypeBundle", "seasonalProducts", "output/schema.json:apexDefined"),
        ("StorageProductEnquiry", "LightningTypeBundle", "storageProducts", "output/schema.json:apexDefinedVar"),
        ("UpgradingToolsSuggestion", "LightningTypeBundle", "storageProducts", "output/schema.json:apexDefined"),
        # `@apexClassType/c__PromptOutputADT?isAuraEnabled=true`: the class, without the query.
        ("Seasonal_Product_Recommender", "ApexClass", "PromptOutputADT", "output/schema.json:apexDefined"),
        *((name, *citations) for name in ("Bathroom_Remodeling_Prompt", "Building_Deck_Prompt",
                                          "seasonalPlantRecomendation", "storageCabinetDetails")),
    }
    # `lightning__textType` and the other standard types are Salesforce's: no edge for them.
    assert all(not n.startswith("lightning") for c in of_type(AUTOMOTIVE, "GenAiFunction") for _, n, _ in edges(c))


def test_a_planner_bundles_local_action_schema_names_its_lightning_type(tmp_path: Path) -> None:
    # The corpus's bundles carry no schema files: the retail agent's bundle, given its local
    # action's schema in a folder of the bundle (`localActions/<topic>/<action>/output/schema.json`);
    # the schema is the real one of the StorageProductEnquiry action the topic copies.
    root = tmp_path / "force-app" / "main" / "default" / "genAiPlannerBundles" / "DIY_Employee_Agent"
    root.mkdir(parents=True)
    shutil.copy(RETAIL / PACK / "genAiPlannerBundles/DIY_Employee_Agent/DIY_Employee_Agent.genAiPlannerBundle", root)
    action = root / "localActions" / "DIY_Store_Assistant" / "StorageProductEnquiry" / "output"
    action.mkdir(parents=True)
    shutil.copy(RETAIL / PACK / "genAiFunctions/StorageProductEnquiry/output/schema.json", action)
    bundle = next(c for c in iter_components(tmp_path) if isinstance(c, ParsedComponent))
    assert bundle.type == "GenAiPlannerBundle"
    assert {e for e in edges(bundle) if e[0] == "LightningTypeBundle"} == {
        ("LightningTypeBundle", "storageProducts",
         "localActions/DIY_Store_Assistant/StorageProductEnquiry/output/schema.json:apexDefinedVar")}
    # The bundle's own edges are those of the file alone, as before.
    alone = one(RETAIL, "GenAiPlannerBundle", "DIY_Employee_Agent")
    assert edges(alone) <= edges(bundle)


def test_orchestration_entry_and_exit_flows_of_the_corpus() -> None:
    def flows(name: str) -> set[tuple[str, str]]:
        return {(n, w) for t, n, w in edges(one(LFC, "Flow", name)) if t == "Flow"}

    # A step's entry action is a flow; the stage's exit action an evaluation flow (exitActionType
    # evaluationFlow), which decides when the stage is done.
    assert flows("Orchestration_Parallel_Approvals") == {
        ("Orchestration_StepFlow_Request_Approval", "stageSteps:Manager_Approves_or_Rejects"),
        ("Orchestration_StepFlow_Request_Approval", "stageSteps:Supervisor_Approves_or_Rejects"),
        ("Orchestration_Step_Flow_Approval_Results", "stageSteps:Complete_Config_If_Both_Approve"),
        ("Entry_Flow_Have_Both_Approvals_Been_Received", "stageSteps:Complete_Config_If_Both_Approve:entryAction"),
    }
    assert flows("Handle_User_Deactivation") == {
        ("Evaluate_Stage_for_Completion", "orchestratedStages:Contact_Current_Owner:exitAction"),
        ("Invite_Owner_to_Confirm_Interest", "stageSteps:Invite_Owner_to_Confirm_Interest"),
        ("Wait_for_User_to_Responsd", "stageSteps:Wait_for_User_to_Respond"),
        ("Reassign_Accounts", "stageSteps:Reassign_Account_Ownership"),
        ("Notify_account_owner", "stageSteps:Generate_Transition_Quip_Doc"),
        ("Notify_account_owner", "stageSteps:Send_Out_Notifications"),
    }
    # Every flow an orchestration of the project runs is one of its flows.
    names = {c.full_name for c in of_type(LFC, "Flow")}
    for name in ("Entry_Flow_Have_Both_Approvals_Been_Received", "Evaluate_Stage_for_Completion"):
        assert name in names


def test_a_mulesoft_step_runs_no_flow() -> None:
    xml = ('<Flow xmlns="http://soap.sforce.com/2006/04/metadata"><processType>Orchestrator</processType>'
           "<orchestratedStages><name>Sync</name><stageSteps><name>Push</name><actionName>pushOrder</actionName>"
           "<actionType>stepMuleSoft</actionType></stageSteps></orchestratedStages></Flow>")
    flow = ParsedComponent(type="Flow", full_name="Orch", file_path="x", definition=xml.encode(), content_hash="")
    assert not any(d.to_type == "Flow" for d in iter_dependencies(flow))
