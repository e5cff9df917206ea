"""What a referenced component that a model does not define is: standard, in a managed package, or missing.

Metadata names components a project's files do not define: standard objects and fields
(`Opportunity.Amount`), Salesforce's own agent actions (`EmployeeCopilot__AnswerQuestionsWithKnowledge`),
components of managed packages (`ns__Flow`), and components that are simply not there. The rule
(docs/dependencies.md, "Referenced but not defined"):

1. A name with a namespace prefix (`ns__Name`, `Object.ns__Field__c`, `ns__Object__c`) is in the
   managed package `ns`, unless `ns` is one of Salesforce's own namespaces (SALESFORCE_NAMESPACES:
   standard agent topics and actions, Data Cloud's standard data model), which makes it standard,
   or the project's own namespace, which makes it missing.
2. An object or field name without a custom suffix (`__c`, `__mdt`, `__e`, `__dlm`, ...) and
   without a namespace is standard: Salesforce reserves the suffix-less names for its own
   objects and fields (`Account`, `Property__c.OwnerId`).
3. Anything else is not found in the model.

STANDARD_OBJECTS is not used to decide rule 2 (every suffix-less object name is Salesforce's); it
lists objects of Salesforce's Object Reference whose lookups are named after them, so that a formula
path `Contact.Account.Name` is known to reach Account, while `User.Manager.Email` is not known to
reach an object called Manager. Source: "Object Reference for the Salesforce Platform",
developer.salesforce.com/docs/atlas.en-us.object_reference.meta/object_reference/ (the objects'
reference-field tables: `AccountId` -> Account, `Product2Id` -> Product2, ...).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from orgbook.metadata.names import CUSTOM_SUFFIXES

STANDARD_OBJECTS = frozenset(
    """account accountcontactrelation asset assetrelationship campaign campaignmember case casecomment contact
    contentdocument contentdocumentlink contentversion contract order orderitem lead opportunity
    opportunitycontactrole opportunitylineitem pricebook2 pricebookentry product2 quote quotelineitem
    serviceappointment servicecontract serviceresource serviceterritory workorder workorderlineitem
    entitlement location individual user userrole group groupmember profile permissionset recordtype
    organization entitydefinition fielddefinition task event attachment note document folder emailmessage
    emailtemplate messagingsession messagingenduser livechattranscript network site topic feeditem
    collaborationgroup businesshours duplicaterecordset duplicaterecorditem""".split()
)

# Namespaces of Salesforce's own components: standard agent topics and actions (`EmployeeCopilot__`,
# `SvcCopilotTmpl__`), AI models (`sfdc_ai__`), CMS content (`sfdc_cms__`), Data Cloud's standard
# data model objects (`ssot__Account__dlm`). Source: the Agentforce and Data Cloud developer guides
# name these prefixes for standard components.
SALESFORCE_NAMESPACES = frozenset({"employeecopilot", "svccopilottmpl", "aicopilot", "sfdc_ai", "sfdc_cms", "ssot",
                                   "standard"})

_PREFIX = re.compile(r"^([A-Za-z][A-Za-z0-9_]*?)__([A-Za-z0-9].*)$")

STANDARD, MANAGED, MISSING = "standard", "managed", "missing"
_OBJECT_TYPES = frozenset({"CustomObject", "CustomField"})


@dataclass(frozen=True)
class Referenced:
    """What a referenced-but-undefined component is, for its page and search results."""

    kind: str  # STANDARD, MANAGED or MISSING
    namespace: str = ""

    @property
    def mark(self) -> str:
        if self.kind == STANDARD:
            return "standard, not in this model's files"
        if self.kind == MANAGED:
            return f"in managed package {self.namespace}"
        return "not found in this model"


def name_namespace(part: str) -> str | None:
    """The namespace prefix of one name part: `ns__Flow`, `ns__Obj__c` -> ns; `Obj__c`, `Flow` -> None."""
    match = _PREFIX.match(part)
    if not match:
        return None
    rest = match.group(2)
    if "__" not in rest and rest.lower() in CUSTOM_SUFFIXES:
        return None  # `Object__c`: the suffix, not a namespace
    if rest.lower().endswith(("latitude__s", "longitude__s")) and rest.count("__") <= 1:
        return None  # `Location__Latitude__s`: a part of geolocation field Location__c
    return match.group(1)


def _custom(part: str) -> bool:
    head, sep, suffix = part.rpartition("__")
    return bool(sep and head) and suffix.lower() in CUSTOM_SUFFIXES


def classify(type_: str, full_name: str, own_namespace: str = "") -> Referenced:
    """The rule of the module docstring, for a (type, name) no component of the model has."""
    parts = full_name.split(".") if type_ in _OBJECT_TYPES else [full_name]
    for part in parts:
        ns = name_namespace(part)
        if ns is None:
            continue
        if ns.lower() in SALESFORCE_NAMESPACES:
            return Referenced(STANDARD, ns)
        if own_namespace and ns.lower() == own_namespace.lower():
            return Referenced(MISSING)
        return Referenced(MANAGED, ns)
    if type_ == "CustomObject" and not _custom(full_name):
        return Referenced(STANDARD)
    if type_ == "CustomField" and len(parts) == 2 and not _custom(parts[1]):
        return Referenced(STANDARD)  # a standard field, of a standard or a custom object
    return Referenced(MISSING)
