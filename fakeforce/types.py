"""The metadata type table: a subset of source-deploy-retrieve's registry (docs/salesforce-protocols.md §5.3).

describeMetadata, listMetadata, retrieve and the SFDX -> mdapi converter all read this one table.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ChildType:
    name: str  # e.g. CustomField
    tag: str  # element name inside the parent file, also the SFDX sub-directory (fields)
    suffix: str  # SFDX file suffix (field -> Tier__c.field-meta.xml)
    prefixed: bool = True  # full name is "<Parent>.<child>" (CustomLabel is not prefixed)


@dataclass(frozen=True)
class MetaType:
    name: str
    directory: str
    suffix: str | None
    meta_file: bool = False  # content file + companion -meta.xml
    in_folder: bool = False
    folder_suffix: str | None = None  # SFDX suffix of the folder descriptor (reportFolder)
    folder_type: str | None = None  # ReportFolder ...
    bundle: bool = False
    bundle_depth: int = 1  # folders that name a bundle: digitalExperiences/site/X is "site/X"
    nested: bool = False  # keeps its sub-folders in Metadata API format (territory2Models/M/territories/T)
    decomposed: str | None = None  # "folderPerType" | "topLevel"
    children: tuple[ChildType, ...] = field(default_factory=tuple)


_OBJECT_CHILDREN = (
    ChildType("CustomField", "fields", "field"),
    ChildType("ValidationRule", "validationRules", "validationRule"),
    ChildType("RecordType", "recordTypes", "recordType"),
    ChildType("ListView", "listViews", "listView"),
    ChildType("FieldSet", "fieldSets", "fieldSet"),
    ChildType("CompactLayout", "compactLayouts", "compactLayout"),
    ChildType("WebLink", "webLinks", "webLink"),
    ChildType("BusinessProcess", "businessProcesses", "businessProcess"),
    ChildType("SharingReason", "sharingReasons", "sharingReason"),
    ChildType("Index", "indexes", "index"),
)
_WORKFLOW_CHILDREN = (
    ChildType("WorkflowRule", "rules", "workflowRule"),
    ChildType("WorkflowFieldUpdate", "fieldUpdates", "workflowFieldUpdate"),
    ChildType("WorkflowAlert", "alerts", "workflowAlert"),
    ChildType("WorkflowOutboundMessage", "outboundMessages", "workflowOutboundMessage"),
    ChildType("WorkflowTask", "tasks", "workflowTask"),
    ChildType("WorkflowKnowledgePublish", "knowledgePublishes", "workflowKnowledgePublish"),
    ChildType("WorkflowFlowAction", "flowActions", "workflowFlowAction"),
    ChildType("WorkflowSend", "send", "workflowSend"),
)
_SHARING_CHILDREN = (
    ChildType("SharingCriteriaRule", "sharingCriteriaRules", "sharingCriteriaRule"),
    ChildType("SharingOwnerRule", "sharingOwnerRules", "sharingOwnerRule"),
    ChildType("SharingTerritoryRule", "sharingTerritoryRules", "sharingTerritoryRule"),
    ChildType("SharingGuestRule", "sharingGuestRules", "sharingGuestRule"),
)

_T = MetaType
TYPES: tuple[MetaType, ...] = (
    _T("CustomObject", "objects", "object", decomposed="folderPerType", children=_OBJECT_CHILDREN),
    _T("ApexClass", "classes", "cls", meta_file=True),
    _T("ApexTrigger", "triggers", "trigger", meta_file=True),
    _T("ApexPage", "pages", "page", meta_file=True),
    _T("ApexComponent", "components", "component", meta_file=True),
    _T("Layout", "layouts", "layout"),
    _T("Flow", "flows", "flow"),
    _T("FlowDefinition", "flowDefinitions", "flowDefinition"),
    _T("Profile", "profiles", "profile"),
    _T("PermissionSet", "permissionsets", "permissionset"),
    _T("PermissionSetGroup", "permissionsetgroups", "permissionsetgroup"),
    _T("CustomMetadata", "customMetadata", "md"),
    _T("CustomLabels", "labels", "labels", children=(ChildType("CustomLabel", "labels", "label", prefixed=False),)),
    _T("StaticResource", "staticresources", "resource", meta_file=True),
    _T("LightningComponentBundle", "lwc", None, bundle=True),
    _T("AuraDefinitionBundle", "aura", None, bundle=True),
    _T("ExperienceBundle", "experiences", "site", bundle=True),
    _T("FlexiPage", "flexipages", "flexipage"),
    _T("Report", "reports", "report", in_folder=True, folder_suffix="reportFolder", folder_type="ReportFolder"),
    _T("Dashboard", "dashboards", "dashboard", in_folder=True, folder_suffix="dashboardFolder", folder_type="DashboardFolder"),
    _T("EmailTemplate", "email", "email", meta_file=True, in_folder=True, folder_suffix="emailFolder", folder_type="EmailFolder"),
    _T("Document", "documents", None, meta_file=True, in_folder=True, folder_suffix="documentFolder", folder_type="DocumentFolder"),
    _T("Workflow", "workflows", "workflow", children=_WORKFLOW_CHILDREN),
    _T("QuickAction", "quickActions", "quickAction"),
    _T("CustomTab", "tabs", "tab"),
    _T("CustomApplication", "applications", "app"),
    _T("GlobalValueSet", "globalValueSets", "globalValueSet"),
    _T("StandardValueSet", "standardValueSets", "standardValueSet"),
    _T("ReportType", "reportTypes", "reportType"),
    _T("CustomPermission", "customPermissions", "customPermission"),
    _T("RemoteSiteSetting", "remoteSiteSettings", "remoteSite"),
    _T("CspTrustedSite", "cspTrustedSites", "cspTrustedSite"),
    _T("NamedCredential", "namedCredentials", "namedCredential"),
    _T("ExternalCredential", "externalCredentials", "externalCredential"),
    _T("ConnectedApp", "connectedApps", "connectedApp"),
    _T("SharingRules", "sharingRules", "sharingRules", children=_SHARING_CHILDREN),
    _T("AssignmentRules", "assignmentRules", "assignmentRules", children=(ChildType("AssignmentRule", "assignmentRule", "assignmentRule"),)),
    _T("AutoResponseRules", "autoResponseRules", "autoResponseRules", children=(ChildType("AutoResponseRule", "autoResponseRule", "autoResponseRule"),)),
    _T("EscalationRules", "escalationRules", "escalationRules", children=(ChildType("EscalationRule", "escalationRule", "escalationRule"),)),
    _T("DuplicateRule", "duplicateRules", "duplicateRule"),
    _T("MatchingRules", "matchingRules", "matchingRule", children=(ChildType("MatchingRule", "matchingRules", "matchingRule"),)),
    _T("CustomObjectTranslation", "objectTranslations", "objectTranslation", decomposed="topLevel",
       children=(ChildType("CustomFieldTranslation", "fields", "fieldTranslation", prefixed=False),)),
    _T("Translations", "translations", "translation"),
    _T("LightningMessageChannel", "messageChannels", "messageChannel"),
    _T("PathAssistant", "pathAssistants", "pathAssistant"),
    _T("CustomSite", "sites", "site"),
    _T("Settings", "settings", "settings"),
    _T("ContentAsset", "contentassets", "asset", meta_file=True),
    _T("Group", "groups", "group"),
    _T("Queue", "queues", "queue"),
    _T("Role", "roles", "role"),
    _T("CustomNotificationType", "notificationtypes", "notiftype"),
    _T("PlatformEventChannel", "platformEventChannels", "platformEventChannel"),
    _T("ApexTestSuite", "testSuites", "testSuite"),
    _T("Letterhead", "letterhead", "letter"),
    _T("FeatureParameterInteger", "featureParameters", "featureParameterInteger"),
    _T("FeatureParameterBoolean", "featureParameters", "featureParameterBoolean"),
    _T("FeatureParameterDate", "featureParameters", "featureParameterDate"),
    _T("GenAiPromptTemplate", "genAiPromptTemplates", "genAiPromptTemplate"),
    _T("Prompt", "prompts", "prompt"),
    _T("HomePageLayout", "homePageLayouts", "homePageLayout"),
    # Types every org describes whose components the corpus projects hold (Agentforce, Data Cloud,
    # Experience Cloud, OmniStudio, territories...), and a few more every org lists.
    _T("AppMenu", "appMenus", "appMenu"),
    _T("ApprovalProcess", "approvalProcesses", "approvalProcess"),
    _T("AuthProvider", "authproviders", "authprovider"),
    _T("AnalyticsWorkspace", "analyticsWorkspaces", "uawork"),
    _T("Bot", "bots", "bot", decomposed="topLevel", children=(ChildType("BotVersion", "botVersions", "botVersion"),)),
    _T("BrandingSet", "brandingSets", "brandingSet"),
    _T("Certificate", "certs", "crt", meta_file=True),
    _T("CommunityTemplateDefinition", "communityTemplateDefinitions", "communityTemplateDefinition"),
    _T("CommunityThemeDefinition", "communityThemeDefinitions", "communityThemeDefinition"),
    _T("CustomPageWebLink", "weblinks", "weblink"),
    _T("DataCalcInsightTemplate", "dataCalcInsightTemplates", "dataCalcInsightTemplate"),
    _T("DataKitObjectDependency", "dataKitObjectDependencies", "dataKitObjectDependency"),
    _T("DataKitObjectTemplate", "dataKitObjectTemplates", "dataKitObjectTemplate"),
    _T("DataPackageKitDefinition", "dataPackageKitDefinitions", "dataPackageKitDefinition"),
    _T("DataPackageKitObject", "DataPackageKitObjects", "DataPackageKitObject"),
    _T("DataSource", "mktDataSources", "dataSource"),
    _T("DataSourceBundleDefinition", "dataSourceBundleDefinitions", "dataSourceBundleDefinition"),
    _T("DataSourceObject", "dataSourceObjects", "dataSourceObject"),
    _T("DataSrcDataModelFieldMap", "dataSrcDataModelFieldMaps", "dataSrcDataModelFieldMap"),
    _T("DataStreamTemplate", "dataStreamTemplates", "dataStreamTemplate"),
    _T("DigitalExperienceBundle", "digitalExperiences", "digitalExperience", bundle=True, bundle_depth=2),
    _T("DigitalExperienceConfig", "digitalExperienceConfigs", "digitalExperienceConfig"),
    _T("EmbeddedServiceConfig", "EmbeddedServiceConfig", "EmbeddedServiceConfig"),
    _T("ExternalServiceRegistration", "externalServiceRegistrations", "externalServiceRegistration"),
    _T("FieldSrcTrgtRelationship", "fieldSrcTrgtRelationships", "fieldSrcTrgtRelationship"),
    _T("GenAiFunction", "genAiFunctions", "genAiFunction", bundle=True),
    _T("GenAiPlanner", "genAiPlanners", "genAiPlanner"),
    _T("GenAiPlannerBundle", "genAiPlannerBundles", "genAiPlannerBundle", bundle=True),
    _T("GenAiPlugin", "genAiPlugins", "genAiPlugin"),
    _T("InstalledPackage", "installedPackages", "installedPackage"),
    _T("LightningTypeBundle", "lightningTypes", None, bundle=True),
    _T("MessagingChannel", "messagingChannels", "messagingChannel"),
    _T("MutingPermissionSet", "mutingpermissionsets", "mutingpermissionset"),
    _T("NavigationMenu", "navigationMenus", "navigationMenu"),
    _T("Network", "networks", "network"),
    _T("NetworkBranding", "networkBranding", "networkBranding", meta_file=True),
    _T("OauthCustomScope", "oauthcustomscopes", "oauthcustomscope"),
    _T("OmniDataTransform", "omniDataTransforms", "rpt"),
    _T("OmniIntegrationProcedure", "omniIntegrationProcedures", "oip"),
    _T("OmniScript", "omniScripts", "os"),
    _T("OmniUiCard", "omniUiCard", "ouc"),
    _T("PlatformCachePartition", "cachePartitions", "cachePartition"),
    _T("ProfilePasswordPolicy", "profilePasswordPolicies", "profilePasswordPolicy"),
    _T("ProfileSessionSetting", "profileSessionSettings", "profileSessionSetting"),
    _T("QueueRoutingConfig", "queueRoutingConfigs", "queueRoutingConfig"),
    _T("RecommendationStrategy", "recommendationStrategies", "recommendationStrategy"),
    _T("SharingSet", "sharingSets", "sharingSet"),
    _T("SiteDotCom", "siteDotComSites", "site", meta_file=True),
    _T("Territory2", "territory2Models", "territory2", nested=True),
    _T("Territory2Model", "territory2Models", "territory2Model", nested=True),
    _T("Territory2Rule", "territory2Models", "territory2Rule", nested=True),
    _T("Territory2Type", "territory2Types", "territory2Type"),
    _T("TimelineObjectDefinition", "timelineObjectDefinitions", "timelineObjectDefinition"),
    _T("WaveApplication", "wave", "wapp"),
    _T("WaveDashboard", "wave", "wdash", meta_file=True),
    _T("WaveDataflow", "wave", "wdf", meta_file=True),
    _T("WaveDataset", "wave", "wds"),
    _T("WaveLens", "wave", "wlens", meta_file=True),
    _T("WaveRecipe", "wave", "wdpr", meta_file=True),
    _T("WaveXmd", "wave", "xmd"),
    _T("ReportFolder", "reports", "reportFolder"),
    _T("DashboardFolder", "dashboards", "dashboardFolder"),
    _T("EmailFolder", "email", "emailFolder"),
    _T("DocumentFolder", "documents", "documentFolder"),
)

BY_NAME: dict[str, MetaType] = {t.name.lower(): t for t in TYPES}
FOLDER_TYPES = {t.folder_type.lower(): t for t in TYPES if t.folder_type}
CHILD_TYPES: dict[str, tuple[MetaType, ChildType]] = {
    c.name.lower(): (t, c) for t in TYPES for c in t.children
}
# Directory -> content types that live there (featureParameters holds three types, told apart by suffix).
BY_DIRECTORY: dict[str, list[MetaType]] = {}
for _t in TYPES:
    if _t.folder_suffix is None and _t.name.lower() in FOLDER_TYPES:
        continue  # folder types share the directory of their content type
    BY_DIRECTORY.setdefault(_t.directory, []).append(_t)

# Aliases accepted on input (docs/salesforce-protocols.md §5.3: EmailTemplateFolder is an alias).
ALIASES = {"emailtemplatefolder": "EmailFolder"}


def lookup(name: str) -> MetaType | None:
    key = ALIASES.get(name.lower(), name).lower()
    return BY_NAME.get(key)


def in_directory(directory: str, file_name: str) -> MetaType:
    """The type of a file in a type folder: by its suffix where several types share the folder
    (wave, featureParameters, territory2Models), else the folder's one type."""
    candidates = BY_DIRECTORY[directory]
    stem = file_name[: -len("-meta.xml")] if file_name.endswith("-meta.xml") else file_name
    for t in candidates:
        if t.suffix and stem.endswith("." + t.suffix):
            return t
    return candidates[0]


def is_custom_object_name(name: str) -> bool:
    """`*` on CustomObject returns custom objects only (docs/salesforce-protocols.md §4.5)."""
    return "__" in name
