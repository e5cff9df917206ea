"""The reference facts of the five newer corpus projects (tests/data/corpus/FACTS.md, last section),
each read from the real files, ingested, and asked of the stored model as the pages ask it.

The reader's own changes (planner bundles without `-meta.xml`, a BotVersion's full name `Bot.v1`)
are another part of the work; `read_project` gives the ingest what the reader gives once they are
in, built from the same files, so these facts hold either way.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from orgbook.metadata import ParsedComponent, iter_components
from orgbook.metadata.canonical import raw_hash
from tests.corpus import AUTOMOTIVE, EDA, OMNISTUDIO, PMM, RETAIL


def read_project(root: Path) -> Iterator[ParsedComponent]:
    """The reader's components, with each BotVersion named `Bot.vN` under its bot, and the
    GenAiPlannerBundles (`X/X.genAiPlannerBundle`, no `-meta.xml`) when the reader leaves them out."""
    bundles = False
    for c in iter_components(root):
        if not isinstance(c, ParsedComponent):
            continue
        if c.type == "BotVersion" and "." not in c.full_name:
            bot = Path(c.file_path).parent.name
            c = dataclasses.replace(c, full_name=f"{bot}.{c.full_name}", parent_type="Bot", parent_name=bot)
        bundles = bundles or c.type == "GenAiPlannerBundle"
        yield c
    if not bundles:
        for path in sorted(root.rglob("*.genAiPlannerBundle")):
            data = path.read_bytes()
            yield ParsedComponent(type="GenAiPlannerBundle", full_name=path.stem, file_path=str(path.relative_to(root)),
                                  definition=data, content_hash=raw_hash(data))


def ingest_project(people: dict[str, Any], root: Path, name: str) -> Any:
    from orgbook.implementations import lifecycle
    from orgbook.orgmodels.ingest import ingest
    from orgbook.orgmodels.services import model_for_import

    impl = lifecycle.create_implementation(people["acme"], people["alice"], f"Impl {name}")
    model = model_for_import(impl, name, "production")
    ingest(model, read_project(root))
    return model


class Edges:
    """A stored model's edges, asked as the component page asks them."""

    def __init__(self, model: Any) -> None:
        from orgbook.orgmodels.models import Component, Dependency

        self.model = model
        self.rows = [(d.source.type, d.source.full_name, d.target_type, d.target_name, d.where)
                     for d in Dependency.objects.filter(model=model).select_related("source")]
        self.present = {(t, k) for t, k in Component.objects.filter(model=model).values_list("type", "name_key")}

    def uses(self, type_: str, name: str, to_type: str | None = None, where: str | None = None) -> set[tuple[str, str]]:
        return {(t, n) for ft, fn, t, n, w in self.rows
                if ft == type_ and fn.lower() == name.lower() and (to_type is None or t == to_type)
                and (where is None or w == where)}

    def used_by(self, type_: str, name: str) -> set[tuple[str, str]]:
        return {(ft, fn) for ft, fn, t, n, _ in self.rows if t == type_ and n.lower() == name.lower()}

    def exists(self, type_: str, name: str) -> bool:
        return (type_, name.lower()) in self.present




@pytest.fixture
def retail(people: dict[str, Any]) -> Edges:
    return Edges(ingest_project(people, RETAIL, "Retail kit"))


@pytest.fixture
def automotive(people: dict[str, Any]) -> Edges:
    return Edges(ingest_project(people, AUTOMOTIVE, "Automotive"))


# --- Retail kit (Data360AgentforceSolutionKitRetail) ------------------------------------------------


@pytest.mark.django_db
def test_retail_agents_run_their_planner_bundles_and_flows_show_the_agents_using_them(retail: Edges) -> None:
    for bot in ("DIY_Employee_Agent", "DIY_Service_Agent"):
        # Fact 2: v1 names the bundle with the bot's name; a bot uses its versions.
        assert retail.uses("BotVersion", f"{bot}.v1", "GenAiPlannerBundle") == {("GenAiPlannerBundle", bot)}
        assert ("BotVersion", f"{bot}.v1") in retail.uses("Bot", bot)
    # Fact 3: topic DIY_Store_Assistant calls Apex HVACWarrantyService and four flows.
    bundle = retail.uses("GenAiPlannerBundle", "DIY_Employee_Agent")
    assert {("ApexClass", "HVACWarrantyService"), ("Flow", "StorageProductEnquiry"),
            ("Flow", "Seasonal_Product_Recommender"), ("Flow", "Sales_Recommendation"),
            ("Flow", "PromotionEligibility")} <= bundle
    # The standard knowledge action's target is Salesforce's, not a component.
    assert not any(n == "streamKnowledgeSearch" for _, n in bundle)
    # "used by: nothing" was the bug: the flow is used by the agent's bundle and by the action.
    assert {("GenAiPlannerBundle", "DIY_Employee_Agent"), ("GenAiFunction", "StorageProductEnquiry")} <= retail.used_by(
        "Flow", "StorageProductEnquiry")


@pytest.mark.django_db
def test_retail_functions_point_at_their_targets_by_invocation_type(retail: Edges) -> None:
    from orgbook.orgmodels.models import Component

    targets: dict[str, set[tuple[str, str]]] = {}
    for name in Component.objects.filter(model=retail.model, type="GenAiFunction").values_list("full_name", flat=True):
        targets[name] = retail.uses("GenAiFunction", name, where="invocationTarget")
    assert len(targets) == 16
    kinds = [next(iter(t))[0] for t in targets.values()]
    # Fact 4: 7 prompt templates, 5 flows, 4 Apex classes; every target exists in the repository.
    assert (kinds.count("GenAiPromptTemplate"), kinds.count("Flow"), kinds.count("ApexClass")) == (7, 5, 4)
    assert all(len(t) == 1 and retail.exists(*next(iter(t))) for t in targets.values())
    assert {n for t in targets.values() for k, n in t if k == "ApexClass"} == {
        "CurrentSalesRecommendation", "GenericProductInvocable", "HVACWarrantyService", "ItemsOnSale"}


@pytest.mark.django_db
def test_retail_flow_calls_prompt_templates_typed_apart_from_the_flow_of_the_same_name(retail: Edges) -> None:
    # Fact 5: two generatePromptResponse calls and two Apex actions.
    uses = retail.uses("Flow", "Seasonal_Product_Recommender")
    assert {("GenAiPromptTemplate", "Season_Predictor"), ("GenAiPromptTemplate", "Fetch_Seasonal_Products"),
            ("ApexClass", "PromptJsonToModelAction"), ("ApexClass", "ValidateContactContext")} <= uses
    assert ("Flow", "Fetch_Seasonal_Products") not in uses
    # Fact 6: one name, two types; the template's provider is a flow, and the commented-out
    # Einstein retriever is no provider.
    assert retail.uses("GenAiPromptTemplate", "Fetch_Seasonal_Products") == {("Flow", "ProductBasedOnFamily")}
    assert retail.uses("GenAiPromptTemplate", "seasonalPlantRecomendation") == {("Flow", "Fetch_Seasonal_Products")}
    assert retail.used_by("Flow", "Fetch_Seasonal_Products") == {("GenAiPromptTemplate", "seasonalPlantRecomendation")}
    assert ("Flow", "Seasonal_Product_Recommender") in retail.used_by("GenAiPromptTemplate", "Fetch_Seasonal_Products")


@pytest.mark.django_db
def test_retail_lightning_types_link_actions_apex_and_renderers(retail: Edges) -> None:
    # Fact 7: three Lightning types, each an Apex class's shape with its LWC renderer; the agent
    # actions whose output schemas name them, and the LWCs that declare them as their source type.
    assert retail.uses("LightningTypeBundle", "storageProducts") == {
        ("ApexClass", "storageOutput"), ("LightningComponentBundle", "storageProducts")}
    assert retail.used_by("LightningTypeBundle", "storageProducts") == {
        ("GenAiFunction", "StorageProductEnquiry"), ("GenAiFunction", "UpgradingToolsSuggestion"),
        ("LightningComponentBundle", "storageProducts")}
    assert retail.used_by("LightningTypeBundle", "promotion") == {
        ("GenAiFunction", "PromotionEligibility"), ("LightningComponentBundle", "agentProductCarousel")}
    for name in ("promotion", "seasonalProducts", "storageProducts"):
        assert all(retail.exists(*target) for target in retail.uses("LightningTypeBundle", name))
    # The class the type is made from shows the type, and the action that returns it, using it.
    assert retail.used_by("ApexClass", "PromptOutputADT") >= {
        ("LightningTypeBundle", "seasonalProducts"), ("GenAiFunction", "Seasonal_Product_Recommender")}


@pytest.mark.django_db
def test_retail_sites_link_network_site_and_bundle(retail: Edges) -> None:
    # Fact 8: the network's CustomSite and LWR bundle, the config's space.
    uses = retail.uses("Network", "DIYStorefront")
    assert ("CustomSite", "DIYStorefront") in uses
    bundles = {(t, n) for t, n in uses if t == "DigitalExperienceBundle"}
    assert len(bundles) == 1 and next(iter(bundles))[1].endswith("DIYStorefront1") and retail.exists(*next(iter(bundles)))
    assert retail.uses("DigitalExperienceConfig", "DIYStorefront1") == bundles


# --- Automotive (DataCloudAndAgentForceForAutomotive) -----------------------------------------------


@pytest.mark.django_db
def test_automotive_planner_name_goes_to_the_bundle_when_both_exist(automotive: Edges) -> None:
    # Fact 1: `Agentforce_Service_Agent` is a bundle and a legacy planner: the bundle is what runs.
    assert automotive.exists("GenAiPlanner", "Agentforce_Service_Agent")
    assert automotive.uses("BotVersion", "Agentforce_Service_Agent.v1") == {
        ("GenAiPlannerBundle", "Agentforce_Service_Agent"), ("Bot", "Agentforce_Service_Agent")}
    # `EmployeeCopilotPlanner` exists only as a GenAiPlanner.
    assert ("GenAiPlanner", "EmployeeCopilotPlanner") in automotive.uses("BotVersion", "Copilot_for_Salesforce.v1")


@pytest.mark.django_db
def test_automotive_topics_split_between_the_bundle_and_the_employee_planner(automotive: Edges) -> None:
    from orgbook.orgmodels.models import Component

    plugins = set(Component.objects.filter(model=automotive.model, type="GenAiPlugin").values_list("full_name", flat=True))
    assert len(plugins) == 16
    by_bundle = {n for t, n in automotive.uses("GenAiPlannerBundle", "Agentforce_Service_Agent") if t == "GenAiPlugin"}
    by_planner = {n for t, n in automotive.uses("GenAiPlanner", "EmployeeCopilotPlanner") if t == "GenAiPlugin"}
    # Fact 2: 9 of the 11 local topics are made from a global topic; the two others only are local.
    assert len(by_bundle) == 9 and by_bundle <= plugins
    assert not {"Vehicle_Battery_Health", "Vehicle_Diagnostic_Alerts"} & by_bundle
    # Fact 3: the 7 the bundle does not use are exactly the employee planner's.
    assert by_planner == plugins - by_bundle == {
        "Oil_Perks_Availablity", "P0300_Diagnostic_Troublecode", "Upsell_Opportunities", "Vehicle_Active_Recalls",
        "Vehicle_Commands", "Vehicle_Delay_Status", "Vehicle_Warranty"}
    # The standard function it lists has no file: a standard component, reachable, not invented away.
    assert ("GenAiFunction", "EmployeeCopilot__AnswerQuestionsWithKnowledge") in automotive.uses(
        "GenAiPlanner", "EmployeeCopilotPlanner")


@pytest.mark.django_db
def test_automotive_functions_all_used_and_their_targets(automotive: Edges) -> None:
    from orgbook.orgmodels.models import Component

    functions = set(Component.objects.filter(model=automotive.model, type="GenAiFunction").values_list("full_name", flat=True))
    from_plugins = [n for ft, _fn, t, n, _w in automotive.rows if ft == "GenAiPlugin" and t == "GenAiFunction"]
    # Fact 4: 27 references to 20 distinct functions, all of them in the repository, each used.
    assert len(from_plugins) == 27 and set(from_plugins) == functions and len(functions) == 20
    kinds = [t for f in functions for t, _ in automotive.uses("GenAiFunction", f, where="invocationTarget")]
    assert (kinds.count("Flow"), kinds.count("GenAiPromptTemplate")) == (18, 2)
    for name in ("Generate_FAQ_From_Automotive_Industry", "Vehicle_Recommenadation"):
        # The prompt template it runs, and the citations its output schema returns (Salesforce's class).
        assert automotive.uses("GenAiFunction", name) == {("GenAiPromptTemplate", name),
                                                          ("ApexClass", "AiCopilot__GenAiCitationOutput")}
    assert automotive.used_by("GenAiPromptTemplate", "Return_Warranty_Info") == set()


@pytest.mark.django_db
def test_automotive_custom_metadata_values_invent_nothing(automotive: Edges) -> None:
    # Fact 6: 45 records; a record uses its type and that type's fields, and no value becomes an edge.
    records = [(fn, t, n) for ft, fn, t, n, _ in automotive.rows if ft == "CustomMetadata"]
    assert len({fn for fn, _, _ in records}) == 45
    for fn, t, n in records:
        mdt = fn.split(".")[0] + "__mdt"
        assert (t == "CustomObject" and n == mdt) or (t == "CustomField" and n.startswith(mdt + ".")), (fn, t, n)


@pytest.mark.django_db
def test_automotive_network_picasso_site_is_the_longer_name(automotive: Edges) -> None:
    # Fact 7: the site shares the network's name; the picassoSite and bundle end one digit longer.
    uses = automotive.uses("Network", "ESW_ESA_Web_Deployment_1736313145513")
    assert ("CustomSite", "ESW_ESA_Web_Deployment_1736313145513") in uses
    assert {n.removeprefix("site/") for t, n in uses if t == "DigitalExperienceBundle"} == {"ESW_ESA_Web_Deployment_17363131455131"}
    assert {n.removeprefix("site/") for t, n in automotive.uses("Network", "AutoFolio") if t == "DigitalExperienceBundle"} == {"AutoFolio1"}


@pytest.mark.django_db
def test_automotive_data_cloud_triggers_point_at_their_objects(automotive: Edges) -> None:
    # Fact 5: the objects are Data Cloud's, defined nowhere in the repository.
    assert ("CustomObject", "ssot__Opportunity__dlm") in automotive.uses(
        "Flow", "Data_Cloud_Likelihood_of_purchase_on_opportunity")
    assert ("CustomObject", "Vehicle_Telemetric__dlm") in automotive.uses("Flow", "TelemetryTRiggeredMarketingCloudFlow")
    assert not automotive.exists("CustomObject", "Vehicle_Telemetric__dlm")
    assert ("CustomObject", "Case") in automotive.uses("Flow", "SDO_Service_Case_Creation")


# --- OmniStudio, EDA, PMM ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_omnistudio_references_inside_json(people: dict[str, Any]) -> None:
    omni = Edges(ingest_project(people, OMNISTUDIO, "OmniStudio"))
    # Fact 4: DataRaptor bundles by name, resolved to their versioned components; the Rest
    # Action's host to the remote site setting that allows it.
    assert omni.uses("OmniScript", "Update_Account_English_1") == {
        ("OmniDataTransform", "extractAccount_1"), ("OmniDataTransform", "updateAccount_1")}
    assert omni.uses("OmniIntegrationProcedure", "Account_Countries_Procedure_1") == {
        ("OmniDataTransform", "extractAccountIP_1"), ("OmniDataTransform", "TrimAPIResponse_1"),
        ("RemoteSiteSetting", "CountriesApi")}
    assert all(omni.exists(t, n) for t, n in omni.uses("OmniIntegrationProcedure", "Account_Countries_Procedure_1"))
    # Fact 6: the card's Integration Procedure is not in the repository: the edge stays, to a
    # component the model does not have (its page says so).
    card = omni.uses("OmniUiCard", "demoFlexCardHelloworld_Demo_Template_1")
    assert card == {("OmniIntegrationProcedure", "demo_IPHelloworld")}
    assert not omni.exists("OmniIntegrationProcedure", "demo_IPHelloworld")


def test_eda_junction_object_lookups(tmp_path: Path) -> None:
    import shutil

    from orgbook.metadata import SchemaIndex, iter_dependencies

    # Fact 5 (read without a database: EDA is large): master-detail and lookup targets, from the
    # object's folder alone in a project of its own.
    objects = tmp_path / "force-app" / "main" / "default" / "objects"
    shutil.copytree(EDA / "force-app" / "main" / "default" / "objects" / "Course_Offering__c", objects / "Course_Offering__c")
    (tmp_path / "sfdx-project.json").write_text('{"packageDirectories": [{"path": "force-app"}]}')
    fields = {c.full_name: c for c in iter_components(tmp_path) if isinstance(c, ParsedComponent) and c.type == "CustomField"}
    refs = {name: {d.to_name for d in iter_dependencies(c, SchemaIndex()) if d.where == "referenceTo"}
            for name, c in fields.items()}
    assert refs["Course_Offering__c.Course__c"] == {"Course__c"}
    assert refs["Course_Offering__c.Term__c"] == {"Term__c"}
    assert refs["Course_Offering__c.Faculty__c"] == {"Contact"}


@pytest.mark.django_db
def test_pmm_metadata_relationship_values_stay_edges(people: dict[str, Any]) -> None:
    # The true custom metadata edges: BucketedField's Object__c (EntityDefinition) and Field__c
    # (FieldDefinition, controlled by Object__c) name an object and its field.
    pmm = Edges(ingest_project(people, PMM, "PMM"))
    uses = pmm.uses("CustomMetadata", "BucketedField.AttendanceStatuses")
    assert {("CustomObject", "ServiceDelivery__c"), ("CustomField", "ServiceDelivery__c.AttendanceStatus__c")} <= uses
    assert pmm.exists("CustomField", "ServiceDelivery__c.AttendanceStatus__c")


@pytest.mark.django_db
def test_innohub_aura_site_network(people: dict[str, Any]) -> None:
    from tests.corpus import INNOHUB

    innohub = Edges(ingest_project(people, INNOHUB, "Innovation Hub"))
    # Fact 5: the network file name has spaces; its Aura site is an ExperienceBundle.
    uses = innohub.uses("Network", "Innovation Hub v4")
    assert {("CustomSite", "Innovation_Hub_v4"), ("ExperienceBundle", "Innovation_Hub_v41")} <= uses
    assert innohub.exists("ExperienceBundle", "Innovation_Hub_v41")
