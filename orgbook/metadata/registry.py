"""The metadata type registry: directory, suffix, strategy and child types of each type.

A vendored subset of Salesforce's source-deploy-retrieve registry (see docs/salesforce-protocols.md §5.3).
Types not listed here are still read, as generic components named after their root element.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Strategy(StrEnum):
    SIMPLE = "simple"  # one XML file per component
    CONTENT = "content"  # a body file plus <body>-meta.xml (Apex, VF)
    BUNDLE = "bundle"  # a folder per component (LWC, Aura)
    EXPANDED = "expanded"  # meta file beside a content folder (StaticResource, ExperienceBundle)
    FOLDERED = "foldered"  # items live in folders (Report, Dashboard, EmailTemplate, Document)
    FOLDER = "folder"  # the folder types themselves
    # An enhanced LWR site's workspace (`digitalExperiences/site/X/`): an XML descriptor and a
    # folder per content item (`sfdc_cms__view/home/_meta.json` + `content.json`).
    WORKSPACE = "workspace"
    JSON_BUNDLE = "json_bundle"  # a folder per component, read from one JSON file (`lightningTypes/X/schema.json`)


@dataclass(frozen=True)
class ChildType:
    name: str
    parent: str
    xml_tag: str  # element name inside the parent file (`fields`)
    directory: str  # folder in decomposed source format (`fields`)
    suffix: str  # `field` -> `X.field-meta.xml`


@dataclass(frozen=True)
class MetadataType:
    name: str
    directory: str
    suffix: str | None
    strategy: Strategy = Strategy.SIMPLE
    folder_type: str | None = None  # Report -> ReportFolder
    item_type: str | None = None  # ReportFolder -> Report
    children: tuple[ChildType, ...] = field(default=())
    content_suffixes: tuple[str, ...] = ()  # extra body file extensions (aura: cmp, app, evt, ...)
    descriptor: str | None = None  # JSON_BUNDLE: the file in each folder the component is read from

    @property
    def in_folders(self) -> bool:
        return self.strategy is Strategy.FOLDERED


def _children(parent: str, rows: list[tuple[str, str, str]]) -> tuple[ChildType, ...]:
    # rows: (child type, xml tag == decomposed directory, suffix)
    return tuple(ChildType(name, parent, tag, tag, sfx) for name, tag, sfx in rows)


_OBJECT_CHILDREN = _children(
    "CustomObject",
    [
        ("CustomField", "fields", "field"),
        ("ValidationRule", "validationRules", "validationRule"),
        ("RecordType", "recordTypes", "recordType"),
        ("ListView", "listViews", "listView"),
        ("FieldSet", "fieldSets", "fieldSet"),
        ("CompactLayout", "compactLayouts", "compactLayout"),
        ("WebLink", "webLinks", "webLink"),
        ("BusinessProcess", "businessProcesses", "businessProcess"),
        ("SharingReason", "sharingReasons", "sharingReason"),
        ("Index", "indexes", "index"),
    ],
)
_WORKFLOW_CHILDREN = _children(
    "Workflow",
    [
        ("WorkflowRule", "rules", "workflowRule"),
        ("WorkflowFieldUpdate", "fieldUpdates", "workflowFieldUpdate"),
        ("WorkflowAlert", "alerts", "workflowAlert"),
        ("WorkflowTask", "tasks", "workflowTask"),
        ("WorkflowOutboundMessage", "outboundMessages", "workflowOutboundMessage"),
        ("WorkflowKnowledgePublish", "knowledgePublishes", "workflowKnowledgePublish"),
        ("WorkflowFlowAction", "flowActions", "workflowFlowAction"),
        ("WorkflowSend", "send", "workflowSend"),
    ],
)
_SHARING_CHILDREN = _children(
    "SharingRules",
    [
        ("SharingCriteriaRule", "sharingCriteriaRules", "sharingCriteriaRule"),
        ("SharingOwnerRule", "sharingOwnerRules", "sharingOwnerRule"),
        ("SharingTerritoryRule", "sharingTerritoryRules", "sharingTerritoryRule"),
        ("SharingGuestRule", "sharingGuestRules", "sharingGuestRule"),
    ],
)

_S = Strategy
_TYPES: list[MetadataType] = [
    MetadataType("CustomObject", "objects", "object", children=_OBJECT_CHILDREN),
    MetadataType("Layout", "layouts", "layout"),
    MetadataType("Flow", "flows", "flow"),
    MetadataType("FlowDefinition", "flowDefinitions", "flowDefinition"),
    MetadataType("ApexClass", "classes", "cls", _S.CONTENT),
    MetadataType("ApexTrigger", "triggers", "trigger", _S.CONTENT),
    MetadataType("ApexPage", "pages", "page", _S.CONTENT),
    MetadataType("ApexComponent", "components", "component", _S.CONTENT),
    MetadataType("LightningComponentBundle", "lwc", None, _S.BUNDLE, content_suffixes=("js",)),
    MetadataType(
        "AuraDefinitionBundle", "aura", None, _S.BUNDLE,
        content_suffixes=("cmp", "app", "evt", "intf", "tokens", "design"),
    ),
    MetadataType("FlexiPage", "flexipages", "flexipage"),
    MetadataType("Profile", "profiles", "profile"),
    MetadataType("PermissionSet", "permissionsets", "permissionset"),
    MetadataType("PermissionSetGroup", "permissionsetgroups", "permissionsetgroup"),
    MetadataType("MutingPermissionSet", "mutingpermissionsets", "mutingpermissionset"),
    MetadataType("CustomPermission", "customPermissions", "customPermission"),
    MetadataType("CustomMetadata", "customMetadata", "md"),
    MetadataType(
        "CustomLabels", "labels", "labels",
        children=(ChildType("CustomLabel", "CustomLabels", "labels", "labels", "label"),),
    ),
    MetadataType("CustomTab", "tabs", "tab"),
    MetadataType("CustomApplication", "applications", "app"),
    MetadataType("QuickAction", "quickActions", "quickAction"),
    MetadataType("GlobalValueSet", "globalValueSets", "globalValueSet"),
    MetadataType("StandardValueSet", "standardValueSets", "standardValueSet"),
    MetadataType("Workflow", "workflows", "workflow", children=_WORKFLOW_CHILDREN),
    MetadataType("ApprovalProcess", "approvalProcesses", "approvalProcess"),
    MetadataType(
        "AssignmentRules", "assignmentRules", "assignmentRules",
        children=(ChildType("AssignmentRule", "AssignmentRules", "assignmentRule", "assignmentRules", "assignmentRule"),),
    ),
    MetadataType(
        "AutoResponseRules", "autoResponseRules", "autoResponseRules",
        children=(ChildType("AutoResponseRule", "AutoResponseRules", "autoResponseRule", "autoResponseRules", "autoResponseRule"),),
    ),
    MetadataType(
        "EscalationRules", "escalationRules", "escalationRules",
        children=(ChildType("EscalationRule", "EscalationRules", "escalationRule", "escalationRules", "escalationRule"),),
    ),
    MetadataType("SharingRules", "sharingRules", "sharingRules", children=_SHARING_CHILDREN),
    MetadataType("Queue", "queues", "queue"),
    MetadataType("Group", "groups", "group"),
    MetadataType("Role", "roles", "role"),
    MetadataType("EmailTemplate", "email", "email", _S.FOLDERED, folder_type="EmailFolder"),
    MetadataType("EmailFolder", "email", "emailFolder", _S.FOLDER, item_type="EmailTemplate"),
    MetadataType("Report", "reports", "report", _S.FOLDERED, folder_type="ReportFolder"),
    MetadataType("ReportFolder", "reports", "reportFolder", _S.FOLDER, item_type="Report"),
    MetadataType("Dashboard", "dashboards", "dashboard", _S.FOLDERED, folder_type="DashboardFolder"),
    MetadataType("DashboardFolder", "dashboards", "dashboardFolder", _S.FOLDER, item_type="Dashboard"),
    MetadataType("Document", "documents", "document", _S.FOLDERED, folder_type="DocumentFolder"),
    MetadataType("DocumentFolder", "documents", "documentFolder", _S.FOLDER, item_type="Document"),
    MetadataType("ReportType", "reportTypes", "reportType"),
    MetadataType("StaticResource", "staticresources", "resource", _S.EXPANDED),
    MetadataType("ExperienceBundle", "experiences", "site", _S.EXPANDED),
    MetadataType("RemoteSiteSetting", "remoteSiteSettings", "remoteSite"),
    MetadataType("NamedCredential", "namedCredentials", "namedCredential"),
    MetadataType("ExternalCredential", "externalCredentials", "externalCredential"),
    MetadataType("ConnectedApp", "connectedApps", "connectedApp"),
    MetadataType("CustomSite", "sites", "site"),
    MetadataType("Translations", "translations", "translation"),
    MetadataType(
        "CustomObjectTranslation", "objectTranslations", "objectTranslation",
        children=(ChildType("CustomFieldTranslation", "CustomObjectTranslation", "fields", "", "fieldTranslation"),),
    ),
    MetadataType("LightningMessageChannel", "messageChannels", "messageChannel"),
    # A retrieve holds a bot's versions inside `bots/X.bot`; source format splits them into
    # `bots/X/v1.botVersion-meta.xml`. Either way a version is `X.v1`, never just `v1`.
    MetadataType(
        "Bot", "bots", "bot",
        children=(ChildType("BotVersion", "Bot", "botVersions", "", "botVersion"),),
    ),
    MetadataType("PathAssistant", "pathAssistants", "pathAssistant"),
    MetadataType("Settings", "settings", "settings"),
    MetadataType("ContentAsset", "contentassets", "asset", _S.CONTENT),
    MetadataType("CustomNotificationType", "notificationtypes", "notiftype"),
    MetadataType("PlatformEventChannel", "platformEventChannels", "platformEventChannel"),
    MetadataType("ApexTestSuite", "testSuites", "testSuite"),
    MetadataType("CspTrustedSite", "cspTrustedSites", "cspTrustedSite"),
    MetadataType("DuplicateRule", "duplicateRules", "duplicateRule"),
    MetadataType("MatchingRules", "matchingRules", "matchingRule"),
    MetadataType("Letterhead", "letterhead", "letter"),
    MetadataType("FeatureParameterBoolean", "featureParameters", "featureParameterBoolean"),
    MetadataType("FeatureParameterInteger", "featureParameters", "featureParameterInteger"),
    MetadataType("FeatureParameterDate", "featureParameters", "featureParameterDate"),
    MetadataType("Network", "networks", "network"),
    MetadataType("NavigationMenu", "navigationMenus", "navigationMenu"),
    MetadataType("SharingSet", "sharingSets", "sharingSet"),
    MetadataType("AuthProvider", "authproviders", "authprovider"),
    MetadataType("GenAiPromptTemplate", "genAiPromptTemplates", "genAiPromptTemplate"),
    MetadataType("Prompt", "prompts", "prompt"),
    MetadataType("RecommendationStrategy", "recommendationStrategies", "recommendationStrategy"),
    MetadataType("PlatformCachePartition", "cachePartitions", "cachePartition"),
    MetadataType("AppMenu", "appMenus", "appMenu"),
    MetadataType("Territory2", "territory2Models", "territory2"),
    MetadataType("Territory2Type", "territory2Types", "territory2Type"),
    MetadataType("Territory2Model", "territory2Models", "territory2Model"),
    MetadataType("ProfilePasswordPolicy", "profilePasswordPolicies", "profilePasswordPolicy"),
    MetadataType("ProfileSessionSetting", "profileSessionSettings", "profileSessionSetting"),
    MetadataType("HomePageLayout", "homePageLayouts", "homePageLayout"),
    MetadataType("CustomPageWebLink", "weblinks", "weblink"),
    MetadataType("ExternalServiceRegistration", "externalServiceRegistrations", "externalServiceRegistration"),
    # `genAiPlannerBundles/X/X.genAiPlannerBundle`: the source file has no -meta.xml suffix.
    MetadataType("GenAiPlannerBundle", "genAiPlannerBundles", "genAiPlannerBundle"),
    MetadataType("DigitalExperienceBundle", "digitalExperiences", "digitalExperience", _S.WORKSPACE),
    MetadataType("LightningTypeBundle", "lightningTypes", None, _S.JSON_BUNDLE, descriptor="schema.json"),
]

# Metadata API suffixes of types the table above does not describe, so that a file such as
# `analyticSnapshots/X.snapshot` (no -meta.xml) is still read, as a generic component named
# after its root element. From the Metadata API Developer Guide's "File Suffix and Directory
# Location" of each type.
EXTRA_SUFFIXES: dict[str, str] = {
    "snapshot": "AnalyticSnapshot",
    "entitlementProcess": "EntitlementProcess",
    "milestoneType": "MilestoneType",
    "entitlementTemplate": "EntitlementTemplate",
    "genAiFunction": "GenAiFunction",
    "genAiPlugin": "GenAiPlugin",
    "genAiPlanner": "GenAiPlanner",
    "botTemplate": "BotTemplate",
    "os": "OmniScript",
    "oip": "OmniIntegrationProcedure",
    "rpt": "OmniDataTransform",
    "ouc": "OmniUiCard",
    "digitalExperienceConfig": "DigitalExperienceConfig",
    "brandingSet": "BrandingSet",
    "communityTemplateDefinition": "CommunityTemplateDefinition",
    "communityThemeDefinition": "CommunityThemeDefinition",
    "embeddedServiceConfig": "EmbeddedServiceConfig",
    "messagingChannel": "MessagingChannel",
    "queueRoutingConfig": "QueueRoutingConfig",
    "serviceChannel": "ServiceChannel",
    "presenceUserConfig": "PresenceUserConfig",
    "customHelpMenuSection": "CustomHelpMenuSection",
    "datacategorygroup": "DataCategoryGroup",
    "callCenter": "CallCenter",
    "flowtest": "FlowTest",
    "externalClientApplication": "ExternalClientApplication",
    "oauthcustomscope": "OauthCustomScope",
    "wdash": "WaveDashboard",
    "wlens": "WaveLens",
    "wds": "WaveDataset",
    "wapp": "WaveApplication",
    "wdf": "WaveDataflow",
    "wcomp": "WaveRecipe",
    "uawork": "AnalyticsWorkspace",
    "timelineObjectDefinition": "TimelineObjectDefinition",
    "keywords": "KeywordList",
    "moderation": "ModerationRule",
    "iframeWhiteListUrlSettings": "IframeWhiteListUrlSettings",
    "managedTopics": "ManagedTopics",
    "lightningExperienceTheme": "LightningExperienceTheme",
    "lightningBolt": "LightningBolt",
    "mobileApplicationDetail": "MobileApplicationDetail",
    "synonymDictionary": "SynonymDictionary",
    "topicsForObjects": "TopicsForObjects",
    "installedPackage": "InstalledPackage",
    "crt": "Certificate",
    "samlssoconfig": "SamlSsoConfig",
    "delegateGroup": "DelegateGroup",
}



class Registry:
    """Lookups over the type table; built once at import."""

    def __init__(self, types: list[MetadataType]) -> None:
        self.types: dict[str, MetadataType] = {t.name: t for t in types}
        self.children: dict[str, ChildType] = {c.name: c for t in types for c in t.children}
        self._by_dir: dict[str, list[MetadataType]] = {}
        self._by_suffix: dict[str, list[MetadataType]] = {}
        self._child_by_suffix: dict[str, ChildType] = {}
        for t in types:
            self._by_dir.setdefault(t.directory, []).append(t)
            if t.suffix:
                self._by_suffix.setdefault(t.suffix, []).append(t)
            for c in t.children:
                self._child_by_suffix[c.suffix] = c
        self._xml_suffixes = frozenset(t.suffix for t in types if t.suffix and t.strategy is Strategy.SIMPLE)

    def get(self, name: str) -> MetadataType | None:
        return self.types.get(name)

    def by_directory(self, directory: str) -> list[MetadataType]:
        return self._by_dir.get(directory, [])

    def by_suffix(self, suffix: str) -> list[MetadataType]:
        return self._by_suffix.get(suffix, [])

    def child_by_suffix(self, suffix: str) -> ChildType | None:
        return self._child_by_suffix.get(suffix)

    def child_by_tag(self, parent: str, tag: str) -> ChildType | None:
        t = self.types.get(parent)
        if t is None:
            return None
        for c in t.children:
            if c.xml_tag == tag:
                return c
        return None

    def knows_suffix(self, suffix: str) -> bool:
        """A suffix of Metadata API files that are XML themselves: of a one-file type in the table,
        of a child type, or in EXTRA_SUFFIXES (not `cls` or `resource`: those are bodies)."""
        return suffix in self._xml_suffixes or suffix in self._child_by_suffix or suffix in EXTRA_SUFFIXES

    def is_known(self, name: str) -> bool:
        return name in self.types or name in self.children


REGISTRY = Registry(_TYPES)
