"""The facts of tests/data/corpus/FACTS.md's last section ("Agentforce, Experience Cloud, OmniStudio and
a large package") that are about what the reader reads: counts, names, identities, attributes and
copies. Facts about dependency edges are tested with the dependency extraction.

One test per fact, named `test_<project>_<fact number>_...`.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from orgbook.metadata import ParsedComponent, iter_components
from orgbook.metadata.attributes import path_texts
from orgbook.metadata.tests.conftest import components, of_type, one
from orgbook.metadata.xmlsafe import parse_xml
from tests.corpus import AUTOMOTIVE, EDA, INNOHUB, OMNISTUDIO, RETAIL


def texts(component: ParsedComponent, path: str) -> list[str]:
    return path_texts(parse_xml(component.definition), path)


def report(path: Path):  # type: ignore[no-untyped-def]
    stream = iter_components(path, on_problem=lambda problem: None)
    found = list(stream)
    return found, stream.report


def parts_under(path: Path, owner_suffix: str) -> Counter[str]:
    """Content files that are part of the component read from the file ending `owner_suffix`, by sub-folder."""
    _, rep = report(path)
    return Counter(p.split("/")[-2] for p, owner in rep.parts.items() if owner.endswith(owner_suffix))


# --- salesforce-misc__Data360AgentforceSolutionKitRetail --------------------------------------


def test_retail_1_the_same_files_in_two_package_dirs_are_both_read_with_their_package_dir() -> None:
    base = {(c.type, c.full_name): c for c in components(RETAIL) if c.package_dir == "diy-base"}
    pack = {(c.type, c.full_name): c for c in components(RETAIL) if c.package_dir == "diy-pd-pack"}
    shared = {k for k in base.keys() & pack.keys()
              if base[k].file_path.removeprefix("diy-base/") == pack[k].file_path.removeprefix("diy-pd-pack/")}
    assert len(shared) == 57
    assert Counter(k[1].split(".")[0] for k in shared) == {"Contact": 46, "Product2": 6, "Order": 4, "Account": 1}
    differing = {k for k in shared if base[k].content_hash != pack[k].content_hash}
    assert differing == {("CustomField", "Contact.isDIYRecord__c")}
    key = ("CustomField", "Contact.isDIYRecord__c")
    assert (base[key].label, pack[key].label) == ("isDIYRecord", "DIY Record")


def test_retail_2_two_agents_each_with_a_v1_are_two_bot_versions() -> None:
    employee, service = one(RETAIL, "Bot", "DIY_Employee_Agent"), one(RETAIL, "Bot", "DIY_Service_Agent")
    assert (employee.attributes["agentType"], employee.attributes["type"]) == ("AgentforceEmployeeAgent", "InternalCopilot")
    assert (service.attributes["agentType"], service.attributes["type"]) == ("EinsteinServiceAgent", "ExternalCopilot")
    assert service.attributes["botUser"] == "AGENT_USER_EMAIL"
    versions = {c.full_name: c for c in of_type(RETAIL, "BotVersion")}
    assert set(versions) == {"DIY_Employee_Agent.v1", "DIY_Service_Agent.v1"}
    for name, version in versions.items():
        bot = name.split(".")[0]
        assert (version.parent_type, version.parent_name) == ("Bot", bot)
        assert texts(version, "conversationDefinitionPlanners/genAiPlannerName") == [bot]
        one(RETAIL, "GenAiPlannerBundle", bot)


def test_retail_3_planner_bundles_without_meta_xml_suffix() -> None:
    bundles = {c.full_name: c for c in of_type(RETAIL, "GenAiPlannerBundle")}
    assert {n: c.file_path.rsplit("/", 2)[-2:] for n, c in bundles.items()} == {
        "DIY_Employee_Agent": ["DIY_Employee_Agent", "DIY_Employee_Agent.genAiPlannerBundle"],
        "DIY_Service_Agent": ["DIY_Service_Agent", "DIY_Service_Agent.genAiPlannerBundle"]}
    assert {c.attributes["plannerType"] for c in bundles.values()} == {"AiCopilot__ReAct"}
    assert {n: c.attributes["counts"]["localTopics"] for n, c in bundles.items()} == {
        "DIY_Employee_Agent": 4, "DIY_Service_Agent": 5}
    for bundle in bundles.values():
        assert [n.rsplit("_", 1)[0] for n in texts(bundle, "plannerActions/developerName")] == [
            "AnswerQuestionsWithKnowledge"]
        assert texts(bundle, "plannerActions/invocationTargetType") == ["standardInvocableAction"]
        assert texts(bundle, "plannerActions/invocationTarget") == ["streamKnowledgeSearch"]
    topics = texts(bundles["DIY_Employee_Agent"], "localTopics/developerName") + texts(
        bundles["DIY_Service_Agent"], "localTopics/developerName")
    assert "DIY_Projects_16jfj000001FexR" in topics
    assert "DIY_Store_Assistant_16jfj000001FexR" in topics


def test_retail_4_sixteen_gen_ai_functions_with_their_schemas() -> None:
    functions = of_type(RETAIL, "GenAiFunction")
    assert len(functions) == 16
    assert Counter(c.attributes["invocationTargetType"] for c in functions) == {
        "generatePromptResponse": 7, "flow": 5, "apex": 4}
    apex = {c.attributes["invocationTarget"] for c in functions if c.attributes["invocationTargetType"] == "apex"}
    assert apex == {"CurrentSalesRecommendation", "GenericProductInvocable", "HVACWarrantyService", "ItemsOnSale"}
    assert apex <= {c.full_name for c in of_type(RETAIL, "ApexClass")}
    _, rep = report(RETAIL)
    schemas = [p for p, owner in rep.parts.items() if owner.endswith(".genAiFunction-meta.xml")]
    assert len(schemas) == 32 and {p.rsplit("/", 2)[-2] for p in schemas} == {"input", "output"}


def test_retail_5_a_flow_that_calls_prompt_templates() -> None:
    flow = one(RETAIL, "Flow", "Seasonal_Product_Recommender").attributes
    assert (flow["processType"], flow["status"], flow["apiVersion"]) == ("AutoLaunchedFlow", "Active", "65.0")
    assert flow["elementCounts"]["actionCalls"] == 4
    others = {c.full_name: c.attributes["processType"] for c in of_type(RETAIL, "Flow")
              if c.full_name != "Seasonal_Product_Recommender"}
    assert len(others) == 7
    assert Counter(others.values()) == {"PromptFlow": 2, "RoutingFlow": 1, "AutoLaunchedFlow": 4}
    assert (others["Fetch_Seasonal_Products"], others["ProductBasedOnFamily"]) == ("PromptFlow", "PromptFlow")
    assert one(RETAIL, "Flow", "Route_Conversations_to_Agentforce_Service_Agents").package_dir == "diy-embeddedservice"


def test_retail_6_one_name_two_types_and_a_commented_out_data_provider() -> None:
    flow = one(RETAIL, "Flow", "Fetch_Seasonal_Products")
    template = one(RETAIL, "GenAiPromptTemplate", "Fetch_Seasonal_Products")
    assert flow.key != template.key and flow.attributes["processType"] == "PromptFlow"
    seasonal = one(RETAIL, "GenAiPromptTemplate", "seasonalPlantRecomendation")
    assert texts(seasonal, "templateVersions/templateDataProviders/definition") == ["flow://Fetch_Seasonal_Products"]


def test_retail_7_three_lightning_types_with_a_renderer_each() -> None:
    types = {c.full_name: c for c in of_type(RETAIL, "LightningTypeBundle")}
    assert set(types) == {"promotion", "seasonalProducts", "storageProducts"}
    assert all(c.file_path.endswith("/schema.json") for c in types.values())
    _, rep = report(RETAIL)
    renderers = {p.split("/")[-3]: owner for p, owner in rep.parts.items() if p.endswith("lightningDesktopGenAi/renderer.json")}
    assert {name: owner == types[name].file_path for name, owner in renderers.items()} == {
        "promotion": True, "seasonalProducts": True, "storageProducts": True}


def test_retail_8_two_lwr_sites_with_their_content_items() -> None:
    bundles = {c.full_name: c.package_dir for c in of_type(RETAIL, "DigitalExperienceBundle")}
    assert bundles == {"site/DIYStorefront1": "diy-pd-experience-optional",
                       "site/ESW_ESA_Web_Deployment_17689084543951": "diy-embeddedservice"}
    items = of_type(RETAIL, "DigitalExperience")
    assert Counter(c.parent_name for c in items) == {"site/DIYStorefront1": 77,
                                                      "site/ESW_ESA_Web_Deployment_17689084543951": 17}
    store = Counter(c.attributes["contentType"] for c in items if c.parent_name == "site/DIYStorefront1")
    assert (store["sfdc_cms__route"], store["sfdc_cms__view"], store["sfdc_cms__site"]) == (31, 31, 0)
    home = one(RETAIL, "DigitalExperience", "site/DIYStorefront1.sfdc_cms__view/home")
    assert home.parent_type == "DigitalExperienceBundle" and home.body is not None  # content.json
    _, rep = report(RETAIL)
    variants = [p for p in rep.parts if p.endswith(("/mobile/mobile.json", "/tablet/tablet.json"))]
    assert len(variants) == 22
    network = one(RETAIL, "Network", "DIYStorefront").attributes
    assert (network["site"], network["picassoSite"]) == ("DIYStorefront", "DIYStorefront1")
    one(RETAIL, "CustomSite", "DIYStorefront")
    assert one(RETAIL, "DigitalExperienceConfig", "DIYStorefront1").attributes["space"] == "site/DIYStorefront1"


# --- salesforce-misc__DataCloudAndAgentForceForAutomotive -------------------------------------


def test_automotive_1_two_bots_and_a_name_shared_by_three_types() -> None:
    service, copilot = one(AUTOMOTIVE, "Bot", "Agentforce_Service_Agent"), one(AUTOMOTIVE, "Bot", "Copilot_for_Salesforce")
    assert (service.attributes["agentType"], service.attributes["type"]) == ("EinsteinServiceAgent", "ExternalCopilot")
    assert (copilot.attributes["agentType"], copilot.attributes["type"]) == ("Employee", "InternalCopilot")
    assert {c.full_name for c in of_type(AUTOMOTIVE, "BotVersion")} == {
        "Agentforce_Service_Agent.v1", "Copilot_for_Salesforce.v1"}
    v1 = one(AUTOMOTIVE, "BotVersion", "Agentforce_Service_Agent.v1")
    assert texts(v1, "conversationDefinitionPlanners/genAiPlannerName") == ["Agentforce_Service_Agent"]
    bundle = one(AUTOMOTIVE, "GenAiPlannerBundle", "Agentforce_Service_Agent")
    planner = one(AUTOMOTIVE, "GenAiPlanner", "Agentforce_Service_Agent")
    assert bundle.file_path.endswith("Agentforce_Service_Agent/Agentforce_Service_Agent.genAiPlannerBundle")
    assert set(planner.attributes) == {"description", "masterLabel", "plannerType"}
    assert planner.attributes["plannerType"] == "AiCopilot__ReAct"
    copilot_v1 = one(AUTOMOTIVE, "BotVersion", "Copilot_for_Salesforce.v1")
    assert texts(copilot_v1, "conversationDefinitionPlanners/genAiPlannerName") == ["EmployeeCopilotPlanner"]
    one(AUTOMOTIVE, "GenAiPlanner", "EmployeeCopilotPlanner")
    assert not [c for c in of_type(AUTOMOTIVE, "GenAiPlannerBundle") if c.full_name == "EmployeeCopilotPlanner"]


def test_automotive_2_eleven_local_topics_in_the_bundle() -> None:
    bundle = one(AUTOMOTIVE, "GenAiPlannerBundle", "Agentforce_Service_Agent")
    topics = texts(bundle, "localTopics/developerName")
    assert len(topics) == 11 and all(t.endswith("_16jPa000000icMX") for t in topics)
    assert len(texts(bundle, "localTopicLinks/genAiPluginName")) == 11
    base = {t.removesuffix("_16jPa000000icMX") for t in topics}
    plugins = {c.full_name for c in of_type(AUTOMOTIVE, "GenAiPlugin")}
    assert len(base & plugins) == 9
    assert base - plugins == {"Vehicle_Battery_Health", "Vehicle_Diagnostic_Alerts"}


def test_automotive_3_sixteen_topic_plugins_and_the_employee_planner() -> None:
    plugins = of_type(AUTOMOTIVE, "GenAiPlugin")
    assert len(plugins) == 16 and {c.attributes["pluginType"] for c in plugins} == {"Topic"}
    bundle = one(AUTOMOTIVE, "GenAiPlannerBundle", "Agentforce_Service_Agent")
    used = {t.removesuffix("_16jPa000000icMX") for t in texts(bundle, "localTopics/developerName")}
    planner = one(AUTOMOTIVE, "GenAiPlanner", "EmployeeCopilotPlanner")
    assert set(texts(planner, "genAiPlugins/genAiPluginName")) == {c.full_name for c in plugins} - used == {
        "Oil_Perks_Availablity", "P0300_Diagnostic_Troublecode", "Upsell_Opportunities", "Vehicle_Active_Recalls",
        "Vehicle_Commands", "Vehicle_Delay_Status", "Vehicle_Warranty"}
    assert texts(planner, "genAiFunctions/genAiFunctionName") == ["EmployeeCopilot__AnswerQuestionsWithKnowledge"]
    assert not [c for c in components(AUTOMOTIVE) if c.full_name == "EmployeeCopilot__AnswerQuestionsWithKnowledge"]


def test_automotive_4_twenty_functions_all_used_each_with_schemas() -> None:
    functions = {c.full_name: c for c in of_type(AUTOMOTIVE, "GenAiFunction")}
    assert len(functions) == 20
    used = [n for c in of_type(AUTOMOTIVE, "GenAiPlugin") for n in texts(c, "genAiFunctions/functionName")]
    assert len(used) == 27 and set(used) == set(functions)
    by_type = Counter(c.attributes["invocationTargetType"] for c in functions.values())
    assert by_type == {"flow": 18, "generatePromptResponse": 2}
    prompts = {n: c.attributes["invocationTarget"] for n, c in functions.items()
               if c.attributes["invocationTargetType"] == "generatePromptResponse"}
    assert prompts == {"Generate_FAQ_From_Automotive_Industry": "Generate_FAQ_From_Automotive_Industry",
                       "Vehicle_Recommenadation": "Vehicle_Recommenadation"}
    templates = {c.full_name for c in of_type(AUTOMOTIVE, "GenAiPromptTemplate")}
    assert templates == set(prompts) | {"Return_Warranty_Info"}
    _, rep = report(AUTOMOTIVE)
    schemas = Counter(owner for p, owner in rep.parts.items() if p.endswith("/schema.json"))
    assert {owner.split("/")[-2] for owner in schemas} == set(functions) and set(schemas.values()) == {2}


def test_automotive_5_twenty_five_flows_and_data_cloud_triggers() -> None:
    flows = {c.full_name: c.attributes for c in of_type(AUTOMOTIVE, "Flow")}
    assert len(flows) == 25
    assert Counter(a["processType"] for a in flows.values()) == {"AutoLaunchedFlow": 22, "PromptFlow": 2, "RoutingFlow": 1}
    dc = {n: a["triggerObject"] for n, a in flows.items() if a.get("triggerType") == "DataCloudDataChange"}
    assert dc == {"Data_Cloud_Likelihood_of_purchase_on_opportunity": "ssot__Opportunity__dlm",
                  "TelemetryTRiggeredMarketingCloudFlow": "Vehicle_Telemetric__dlm"}
    assert not [c for c in of_type(AUTOMOTIVE, "CustomObject") if c.full_name.endswith("__dlm")]
    case = flows["SDO_Service_Case_Creation"]
    assert (case["triggerType"], case["triggerObject"], case["status"], case["apiVersion"]) == (
        "RecordAfterSave", "Case", "Obsolete", "59.0")


def test_automotive_6_forty_five_custom_metadata_records() -> None:
    records = {c.full_name for c in of_type(AUTOMOTIVE, "CustomMetadata")}
    assert len(records) == 45
    assert {f"Vehicle_Identfiication_numbers.VIN_{i}" for i in range(1, 41)} <= records
    matrix = one(AUTOMOTIVE, "CustomMetadata", "DistanceMatrix.Distance_Matrix")
    assert b"REDACTED" in matrix.definition


def test_automotive_7_two_lwr_sites_and_a_network_one_digit_shorter() -> None:
    items = Counter(c.parent_name for c in of_type(AUTOMOTIVE, "DigitalExperience"))
    assert items == {"site/AutoFolio1": 76, "site/ESW_ESA_Web_Deployment_17363131455131": 17}
    autofolio = one(AUTOMOTIVE, "Network", "AutoFolio").attributes
    assert (autofolio["site"], autofolio["picassoSite"]) == ("AutoFolio", "AutoFolio1")
    esw = one(AUTOMOTIVE, "Network", "ESW_ESA_Web_Deployment_1736313145513").attributes
    assert (esw["site"], esw["picassoSite"]) == ("ESW_ESA_Web_Deployment_1736313145513",
                                                 "ESW_ESA_Web_Deployment_17363131455131")
    one(AUTOMOTIVE, "DigitalExperienceBundle", "site/ESW_ESA_Web_Deployment_17363131455131")


# --- SalesforceLabs__InnovationHubCoDevelopment -----------------------------------------------

MDAPI_COPY = INNOHUB / "metadata" / "Innovation Hub"


def test_innohub_1_a_dx_tree_and_an_mdapi_copy_outside_the_package_dir() -> None:
    found, rep = report(INNOHUB)
    project = rep.project
    assert ([d["path"] for d in project["packageDirectories"]], project["namespace"], project["sourceApiVersion"]) == (
        ["force-app"], "innohub", "48.0")
    assert not [c for c in found if c.file_path.startswith("metadata/")]  # only package dirs are read
    outside = {p for p, reason in rep.skipped if reason.startswith("outside the package directories")}
    assert "metadata/Innovation Hub/package.xml" not in outside  # a manifest is reported as one
    assert all(p.startswith(("metadata/", "manifest/", "config/")) or "/" not in p for p in outside)
    package = parse_xml((MDAPI_COPY / "package.xml").read_bytes())
    assert path_texts(package, "fullName") == ["Innovation Hub"] and path_texts(package, "version") == ["47.0"]
    assert len(path_texts(package, "types/name")) == 23


def _top_level(path: Path, under: str = "") -> dict[tuple[str, str], ParsedComponent]:
    return {c.key: c for c in iter_components(path, on_problem=lambda problem: None)
            if c.parent_type is None and not c.synthetic and under in c.file_path}


def test_innohub_2_every_component_of_the_copy_is_in_force_app() -> None:
    copy, dx = _top_level(MDAPI_COPY), _top_level(INNOHUB)
    assert len(copy) == 308 and set(copy) <= set(dx)
    by_type = Counter(t for t, _ in copy)
    assert (by_type["AuraDefinitionBundle"], by_type["FlexiPage"], by_type["ApexClass"], by_type["Layout"],
            by_type["CustomObject"]) == (107, 75, 48, 20, 19)
    assert Counter(t for t, _ in dx)["FlexiPage"] == 115


def test_innohub_3_copies_written_differently_hash_the_same() -> None:
    copy, dx = _top_level(MDAPI_COPY), _top_level(INNOHUB)
    pages = [k for k in copy if k[0] == "FlexiPage"]
    differing_bytes = {k[1] for k in pages if copy[k].definition != dx[k].definition}
    assert len(pages) == 75 and differing_bytes == {
        "innovation_hub_home", "innovation_hub_error", "innovation_hub_check_password", "innovation_hub_version_3_home",
        "innovation_hub_version_3_error", "innovation_hub_version_3_check_password"}
    assert all(copy[k].content_hash == dx[k].content_hash for k in pages)  # &apos; and &#39; are one apostrophe
    flow = ("Flow", "close_registration")
    assert copy[flow].content_hash == dx[flow].content_hash  # <stringValue></stringValue> is <stringValue/>


def test_innohub_4_the_only_flow_is_a_process_builder_flow() -> None:
    flows = of_type(INNOHUB, "Flow")
    assert [c.full_name for c in flows] == ["Close_Registration"]
    a = flows[0].attributes
    assert (a["processType"], a["status"], a.get("apiVersion")) == ("Workflow", "Active", None)
    assert a["elementCounts"]["recordUpdates"] == 2
    assert texts(flows[0], "recordUpdates/object") == ["Event__c", "Event__c"]


def test_innohub_5_an_aura_site_and_its_network() -> None:
    site = one(INNOHUB, "ExperienceBundle", "Innovation_Hub_v41")
    assert (site.attributes["type"], site.attributes["label"]) == ("ChatterNetworkPicasso", "Innovation Hub v4")
    assert parts_under(INNOHUB, "experiences/Innovation_Hub_v41.site-meta.xml") == {
        "routes": 32, "views": 32, "config": 4, "themes": 2, "brandingSets": 2}
    network = one(INNOHUB, "Network", "Innovation Hub v4")
    assert network.file_path.endswith("networks/Innovation Hub v4.network-meta.xml")
    a = network.attributes
    assert (a["picassoSite"], a["site"], a["status"], a["selfRegistration"]) == (
        "Innovation_Hub_v41", "Innovation_Hub_v4", "Live", False)


def test_innohub_6_one_suffix_three_types() -> None:
    sites = {(c.type, c.full_name): c.file_path.split("/")[-2] for c in components(INNOHUB)
             if c.file_path.endswith(".site-meta.xml")}
    assert sites == {("ExperienceBundle", "Innovation_Hub_v41"): "experiences",
                     ("SiteDotCom", "Innovation_Hub_v41"): "siteDotComSites",
                     ("CustomSite", "Innovation_Hub_v4"): "sites"}
    assert one(INNOHUB, "CustomSite", "Innovation_Hub_v4").attributes["siteType"] == "ChatterNetwork"


def test_innohub_7_template_versions() -> None:
    names = {"Innovation_Hub", "Innovation_Hub_Version_3", "Innovation_Hub_Version_4"}
    for type_ in ("CommunityTemplateDefinition", "CommunityThemeDefinition"):
        assert {c.full_name for c in of_type(INNOHUB, type_)} == names
        assert {k[1] for k in _top_level(MDAPI_COPY) if k[0] == type_} == {"innovation_hub", "innovation_hub_version_3"}


# --- SalesforceFoundation__EDA ----------------------------------------------------------------


def test_eda_1_one_package_dir_ten_source_roots() -> None:
    found, rep = report(EDA)
    project = rep.project
    assert ([d["path"] for d in project["packageDirectories"]], project["namespace"], project["sourceApiVersion"]) == (
        ["force-app"], "hed", "52.0")
    roots = {c.file_path.split("/")[2] for c in found}
    assert roots == {"default", "educationCloudSettings", "illustrationLibrary", "interoperability",
                     "lwcComponentLibrary", "releaseGating", "schema", "settingsComponentLibrary", "tdtm",
                     "universalLearner"}
    default = sum(1 for p in (EDA / "force-app/main/default").rglob("*") if p.is_file())
    assert default == 5316


def test_eda_2_classes_in_sub_folders_of_classes_are_all_read() -> None:
    classes = of_type(EDA, "ApexClass")
    assert len(classes) == 601 and len({c.full_name for c in classes}) == 601
    nested = Counter("/".join(c.file_path.split("/")[2:5:2]) for c in classes
                     if c.file_path.split("/")[-3] == "classes")
    assert nested == {"educationCloudSettings/settingsProduct": 14, "lwcComponentLibrary/combobox": 4,
                      "lwcComponentLibrary/duallistbox": 4, "lwcComponentLibrary/singlelookup": 2,
                      "schema/collaborationgroup": 6, "schema/user": 6}


def test_eda_3_an_object_in_a_second_root() -> None:
    handler = one(EDA, "CustomObject", "Trigger_Handler__c")
    assert handler.file_path.startswith("force-app/main/tdtm/objects/")
    translations = [c for c in of_type(EDA, "CustomObjectTranslation") if c.full_name.startswith("Trigger_Handler__c-")]
    assert len(translations) == 10 and all("/tdtm/objectTranslations/" in c.file_path for c in translations)


def test_eda_4_translations() -> None:
    assert len(of_type(EDA, "CustomFieldTranslation")) == 3822
    folders = of_type(EDA, "CustomObjectTranslation")
    assert len(folders) == 348
    assert Counter(c.file_path.split("/")[2] for c in folders) == {"default": 338, "tdtm": 10}
    default = Counter(c.full_name.rsplit("-", 1)[1] for c in folders if c.file_path.split("/")[2] == "default")
    assert set(default) == {"ca", "de", "en_GB", "en_US", "es", "es_MX", "fi", "fr", "ja", "nl_NL"}
    assert default["en_US"] == 32 and {n for lang, n in default.items() if lang != "en_US"} == {34}
    languages = {c.full_name for c in of_type(EDA, "Translations")}
    assert len(languages) == 9 and "en_US" not in languages


def test_eda_5_a_junction_object() -> None:
    fields = {c.full_name.split(".")[1]: c.attributes for c in of_type(EDA, "CustomField")
              if c.parent_name == "Course_Offering__c"}
    assert len(fields) == 9
    details = {n: (a["referenceTo"], a["relationshipName"]) for n, a in fields.items() if a["type"] == "MasterDetail"}
    assert details == {"Course__c": ("Course__c", "Course_Offerings"), "Term__c": ("Term__c", "Course_Offerings")}
    lookups = {n for n, a in fields.items() if a["type"] == "Lookup"}
    assert {"Facility__c", "Time_Block__c", "Faculty__c"} <= lookups
    assert (fields["Faculty__c"]["referenceTo"], fields["Faculty__c"]["relationshipName"]) == ("Contact", "Courses_Taught")


def test_eda_6_record_types_only_outside_the_package_dir() -> None:
    assert len([c for c in of_type(EDA, "CustomField") if c.parent_name == "Course_Enrollment__c"]) == 14
    assert not [c for c in of_type(EDA, "RecordType") if c.parent_name == "Course_Enrollment__c"]
    bundle = list(iter_components(EDA / "unpackaged/post/course_connection_record_types", namespace_prefix=""))
    types = {c.full_name: c.attributes["active"] for c in bundle if c.type == "RecordType"}
    assert types == {"Course_Enrollment__c.Faculty": True, "Course_Enrollment__c.Student": True,
                     "Course_Enrollment__c.Default": True}
    assert len([c for c in bundle if c.type == "CustomObjectTranslation"]) == 9


def test_eda_7_a_source_format_site_in_unpackaged() -> None:
    folder = EDA / "unpackaged/config/learner_community"
    assert (folder / "package.xml").exists()
    site = one(folder, "ExperienceBundle", "LearnerPortalCommunity1")
    assert site.attributes["urlPathPrefix"] == "LearnerPortal/s"
    assert parts_under(folder, "experiences/LearnerPortalCommunity1.site-meta.xml") == {
        "routes": 46, "views": 46, "config": 4, "themes": 1, "brandingSets": 1}
    network = one(folder, "Network", "LearnerPortalCommunity").attributes
    assert (network["status"], network["urlPathPrefix"], network["site"], network["picassoSite"]) == (
        "UnderConstruction", "LearnerPortal", "LearnerPortalCommunity", "LearnerPortalCommunity1")


def test_eda_8_labels_triggers_and_no_flows() -> None:
    labels = of_type(EDA, "CustomLabel")
    assert len(labels) == 505
    assert {c.file_path for c in labels} == {"force-app/main/default/labels/CustomLabels.labels-meta.xml"}
    assert len(of_type(EDA, "ApexTrigger")) == 37 and of_type(EDA, "Flow") == []


# --- SFDC-Assets__omnistudio-demo -------------------------------------------------------------


def test_omnistudio_1_the_standard_runtime_types_in_source_format() -> None:
    found = Counter(c.type for c in components(OMNISTUDIO) if c.type.startswith("Omni"))
    assert found == {"OmniScript": 1, "OmniIntegrationProcedure": 1, "OmniDataTransform": 4, "OmniUiCard": 1}
    card = of_type(OMNISTUDIO, "OmniUiCard")[0]
    assert card.file_path.endswith("omniUiCard/demoFlexCardHelloworld_Demo_Template_1.ouc-meta.xml")


def test_omnistudio_2_identity_is_not_the_name_element() -> None:
    script = one(OMNISTUDIO, "OmniScript", "Update_Account_English_1").attributes
    assert (script["name"], script["type"], script["subType"], script["language"], script["versionNumber"]) == (
        "AccountUpdate", "Update", "Account", "English", 1.0)
    procedure = one(OMNISTUDIO, "OmniIntegrationProcedure", "Account_Countries_Procedure_1").attributes
    assert procedure["name"] == "New Integration Procedure"
    assert (procedure["type"], procedure["subType"], procedure["language"], procedure["versionNumber"],
            procedure["uniqueName"]) == ("Account", "Countries", "Procedure", 1.0, "Account_Countries_Procedure_1")
    assert not [c for c in components(OMNISTUDIO) if c.full_name in ("AccountUpdate", "New Integration Procedure")]


def test_omnistudio_3_elements_in_run_order() -> None:
    script = one(OMNISTUDIO, "OmniScript", "Update_Account_English_1").attributes
    assert script["elements"] == ["GetAccountDetails", "AccountDetails", "EnsureDescriptionIsPopulated",
                                  "ContactDetails", "UpdateAccountDataRaptor"]
    assert script["childElements"] == {"AccountDetails": 11, "ContactDetails": 2}
    assert {script["elementTypes"][n] for n in ("AccountDetails", "ContactDetails")} == {"Step"}


def test_omnistudio_5_data_raptors() -> None:
    raptors = {c.attributes["name"]: c.attributes for c in of_type(OMNISTUDIO, "OmniDataTransform")}
    summary = {n: (a["type"], a["items"], a["readsObjects"], a["writesObjects"]) for n, a in raptors.items()}
    assert summary == {"extractAccount": ("Extract", 15, ["Account", "Contact"], []),
                       "updateAccount": ("Load", 17, [], ["Account", "Contact"]),
                       "extractAccountIP": ("Extract", 6, ["Account"], []),
                       "TrimAPIResponse": ("Transform", 9, [], [])}
    assert raptors["updateAccount"]["outputType"] == "SObject"


def test_omnistudio_6_compiled_flexcards_have_no_card_file() -> None:
    bundles = {c.full_name for c in of_type(OMNISTUDIO, "LightningComponentBundle")}
    assert bundles == {"cfTest", "cfTest_1_Salesforce", "cfAccountAndExternalData", "cfAccountAndExternalData_1_Salesforce"}
    card = one(OMNISTUDIO, "OmniUiCard", "demoFlexCardHelloworld_Demo_Template_1").attributes
    assert (card["name"], card["omniUiCardType"]) == ("demoFlexCardHelloworld", "Parent")
