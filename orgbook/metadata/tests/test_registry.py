"""The type registry covers the listed types, their children, folders and bundles."""

from __future__ import annotations

import pytest

from orgbook.metadata import REGISTRY
from orgbook.metadata.registry import Strategy

REQUIRED = """CustomObject CustomField ValidationRule RecordType ListView FieldSet CompactLayout WebLink
BusinessProcess SharingReason Index Layout Flow FlowDefinition ApexClass ApexTrigger ApexPage ApexComponent
LightningComponentBundle AuraDefinitionBundle FlexiPage Profile PermissionSet PermissionSetGroup CustomPermission
CustomMetadata CustomLabels CustomLabel CustomTab CustomApplication QuickAction GlobalValueSet StandardValueSet
Workflow WorkflowRule WorkflowFieldUpdate WorkflowAlert WorkflowTask WorkflowOutboundMessage ApprovalProcess
AssignmentRules AssignmentRule SharingRules SharingCriteriaRule SharingOwnerRule Queue Group Role EmailTemplate
EmailFolder Report ReportFolder Dashboard DashboardFolder Document DocumentFolder ReportType StaticResource
ExperienceBundle RemoteSiteSetting NamedCredential ConnectedApp CustomSite Translations""".split()


@pytest.mark.parametrize("name", REQUIRED)
def test_required_type_is_known(name: str) -> None:
    assert REGISTRY.is_known(name)


def test_at_least_45_types() -> None:
    assert len(REGISTRY.types) + len(REGISTRY.children) >= 45


def test_custom_object_children() -> None:
    tags = {c.name: (c.xml_tag, c.suffix) for c in REGISTRY.types["CustomObject"].children}
    assert tags["CustomField"] == ("fields", "field")
    assert tags["ValidationRule"] == ("validationRules", "validationRule")
    assert len(tags) == 10


@pytest.mark.parametrize(
    ("parent", "tag", "child"),
    [("Workflow", "rules", "WorkflowRule"), ("Workflow", "fieldUpdates", "WorkflowFieldUpdate"), ("CustomLabels", "labels", "CustomLabel"),
     ("SharingRules", "sharingOwnerRules", "SharingOwnerRule"), ("AssignmentRules", "assignmentRule", "AssignmentRule")],
)
def test_child_by_tag(parent: str, tag: str, child: str) -> None:
    found = REGISTRY.child_by_tag(parent, tag)
    assert found is not None and found.name == child


@pytest.mark.parametrize(("item", "folder"), [("Report", "ReportFolder"), ("Dashboard", "DashboardFolder"), ("EmailTemplate", "EmailFolder"), ("Document", "DocumentFolder")])
def test_folder_types(item: str, folder: str) -> None:
    assert REGISTRY.types[item].in_folders and REGISTRY.types[item].folder_type == folder
    assert REGISTRY.types[folder].strategy is Strategy.FOLDER


@pytest.mark.parametrize("name", ["LightningComponentBundle", "AuraDefinitionBundle", "StaticResource", "ExperienceBundle"])
def test_bundles(name: str) -> None:
    assert REGISTRY.types[name].strategy in (Strategy.BUNDLE, Strategy.EXPANDED)


def test_lookups_by_directory_and_suffix() -> None:
    assert [t.name for t in REGISTRY.by_directory("objects")] == ["CustomObject"]
    assert [t.name for t in REGISTRY.by_suffix("cls")] == ["ApexClass"]
    assert REGISTRY.child_by_suffix("field").name == "CustomField"  # type: ignore[union-attr]
