""""Uses" edges read from the metadata itself: (from_type, from_name) -> (to_type, to_name, where).

Coverage (each kind has a test in tests/test_dependencies.py):

- CustomField: lookup / master-detail target (`referenceTo`), formula, default value,
  roll-up summary (summarized field, foreign key, filter fields), global value set,
  controlling field.
- ValidationRule: error condition formula and error display field.
- WorkflowRule: formula and criteria fields, its actions; WorkflowFieldUpdate: field and formula.
- Formulas (fields, validation rules, workflow, flow formulas): plain fields of the object,
  cross-object paths (`ProgramCohort__r.Program__c` -> field `ProgramEngagement__c.ProgramCohort__c`
  and `ProgramCohort__c.Program__c`, resolved through the lookup's `referenceTo` when a
  SchemaIndex knows it, else by the `X__r` -> `X__c` convention), `$Label.X`,
  `$Setup.X.Y`, `$CustomMetadata.X.Y.Z`, `$ObjectType.X.Fields.Y`, `$Permission.X`,
  `$Resource.X`, and in flows `$Record.F` on the trigger object.
- Layout: fields, custom buttons, related lists (`Child__c.Lookup__c`), quick actions.
- Flow: trigger object and start filter fields; objects and fields of record lookups / creates /
  updates / deletes (`$Record` updates resolve to the trigger object), subflows, Apex and
  component actions, quick actions, flow steps of orchestrations, custom LWC in screens.
- FlexiPage: custom LWC components and the page's object. CustomTab: object, LWC, page.
- Apex (classes and triggers, from the code body via a tokenizer that skips comments and
  strings): trigger object, SObject types, fields in SOQL and on typed variables, `Label.X`,
  `Page.X`, class references (`new X`, `X.method`, declarations, extends/implements).
- Profile / PermissionSet: granted object, field, class, page, tab, app, custom permission,
  record type and layout access (edges only for access actually granted).
- CustomMetadata record: its type and fields; values of MetadataRelationship fields
  (EntityDefinition, FieldDefinition, another __mdt) link to what they name. Other values are data.
- Flow formulas: `$Record`, record variables and globals; a bare name is the flow's own resource.
- Agentforce: GenAiFunction -> its invocation target; GenAiPlugin -> functions; GenAiPlanner(Bundle)
  -> plugins, functions, local topics and actions; Bot -> BotVersion -> planner; prompt template
  -> flow/apex data providers; flow generatePromptResponse -> template; orchestration entry/exit.
- Lightning types: LightningTypeBundle -> its Apex class and renderer/editor LWCs; the `lightning:type`
  of a GenAiFunction's or planner bundle's schemas (in its body) and an LWC's `sourceType` -> the type.
- OmniStudio: DataRaptors, Integration Procedures, Apex and remote sites named in element JSON.
- Network / DigitalExperienceConfig: site and Experience bundle.
- Edges marked with a `resolve` rule are settled by the ingest against the whole model.
- Child components (fields, rules, ...) depend on their parent; RecordType picklists, FieldSet
  and CompactLayout fields, QuickAction target object and fields.

Custom fields of Task and Event live on Activity, so `Task.X__c` is recorded as `Activity.X__c`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from orgbook.metadata import apex
from orgbook.metadata.attributes import child_text, children, path_texts
from orgbook.metadata.components import ParsedComponent
from orgbook.metadata.standard import STANDARD_OBJECTS
from orgbook.metadata.xmlsafe import XmlError, local_name, parse_xml

OBJECT, FIELD = "CustomObject", "CustomField"
_ACTIVITY_CHILDREN = frozenset({"task", "event"})
_USER_RELATIONSHIPS = frozenset({"owner", "createdby", "lastmodifiedby"})


# How the ingest, which knows the whole model, settles an edge the component alone cannot
# (`Dependency.resolve`): see `orgbook/orgmodels/resolve.py`.
ALWAYS = ""
IF_PRESENT = "if_present"  # kept only when the model has the target (a name that may be something else)
FIRST_PRESENT = "first_present"  # the first of `to_type`, *`alternatives` the model has; else `to_type`
VERSIONED = "versioned"  # `X` or the model's `X_<suffix>` (OmniStudio's versioned names); else `X` as written
CHILDREN = "children"  # every present `to_type` named `to_name.<child>` (a bot's versions)
REMOTE_SITE = "remote_site"  # `to_name` is a URL: the RemoteSiteSetting of its host, if the model has one


@dataclass(frozen=True)
class Dependency:
    from_type: str
    from_name: str
    to_type: str
    to_name: str
    where: str
    resolve: str = ALWAYS
    alternatives: tuple[str, ...] = ()


@dataclass
class SchemaIndex:
    """What lookups point at, for resolving `X__r.Field` paths: (object, field) -> target object."""

    references: dict[tuple[str, str], str] = field(default_factory=dict)
    # Custom metadata fields of type MetadataRelationship: (type, field) -> (referenceTo, controlling field).
    relationships: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)

    def add(self, component: ParsedComponent) -> None:
        if component.type != FIELD or not component.parent_name:
            return
        target = component.attributes.get("referenceTo")
        if isinstance(target, str) and target:
            short = component.full_name.rpartition(".")[2]
            self.references[(component.parent_name.lower(), short.lower())] = target
            if component.attributes.get("type") == "MetadataRelationship":
                controlling = component.attributes.get("metadataRelationshipControllingField") or ""
                self.relationships[(component.parent_name.lower(), short.lower())] = (target, str(controlling))

    def relationship(self, mdt: str, fld: str) -> tuple[str, str] | None:
        """(referenceTo, controlling field) of a custom metadata type's MetadataRelationship field."""
        return self.relationships.get((mdt.lower(), fld.lower()))

    @classmethod
    def from_components(cls, components: Iterable[ParsedComponent]) -> SchemaIndex:
        index = cls()
        for component in components:
            index.add(component)
        return index

    def target_of(self, obj: str, relationship: str) -> str | None:
        """The object a relationship name leads to (`Contact__r` on Volunteer_Hours__c -> Contact);
        None when nothing says which (a standard relationship such as `Manager` on User, whose
        object is not named after it)."""
        low = relationship.lower()
        if low.endswith("__r"):
            lookup = relationship[:-3] + "__c"
            return self.references.get((obj.lower(), lookup.lower()), lookup)
        if low in _USER_RELATIONSHIPS:
            return "User"
        known = self.references.get((obj.lower(), low + "id"))
        if known:
            return known
        # Standard lookups named after their object (`Contact.Account` -> Account): only for the
        # objects Salesforce documents under that name; `Parent`, `Manager`, `What` lead elsewhere.
        return relationship if low in STANDARD_OBJECTS else None


def field_name(obj: str, fld: str) -> str:
    """`Task.X__c` -> `Activity.X__c`: custom activity fields are defined on Activity."""
    if obj.lower() in _ACTIVITY_CHILDREN and fld.lower().endswith("__c"):
        obj = "Activity"
    return f"{obj}.{fld}"


class EdgeSet:
    """Edges without duplicates, in first-seen order: (to_type, to_name, where, resolve, alternatives)."""

    def __init__(self) -> None:
        self.seen: dict[tuple[str, str, str, str, tuple[str, ...]], None] = {}

    def add(self, to_type: str, to_name: str | None, where: str, resolve: str = ALWAYS,
            alternatives: tuple[str, ...] = ()) -> None:
        if to_name:
            self.seen.setdefault((to_type, to_name, where, resolve, alternatives), None)


class _Edges(EdgeSet):
    """Collects edges for one component."""

    def __init__(self, component: ParsedComponent, schema: SchemaIndex) -> None:
        super().__init__()
        self.component = component
        self.schema = schema

    def obj(self, name: str | None, where: str) -> None:
        self.add(OBJECT, name, where)

    def fld(self, obj: str | None, fld: str | None, where: str) -> None:
        if obj and fld:
            self.add(FIELD, field_name(obj, fld), where)

    def result(self) -> Iterator[Dependency]:
        c = self.component
        for to_type, to_name, where, resolve, alternatives in self.seen:
            yield Dependency(c.type, c.full_name, to_type, to_name, where, resolve, alternatives)


def iter_dependencies(component: ParsedComponent, schema: SchemaIndex | None = None) -> Iterator[Dependency]:
    """Edges from one component. Parses only the component's own definition (or code body)."""
    edges = _Edges(component, schema or SchemaIndex())
    if component.parent_type and component.parent_name:
        edges.add(component.parent_type, component.parent_name, "parent")
    if component.edges is not None:  # worked out as the reader streamed the file (STREAMED_EDGES)
        for edge in component.edges:
            edges.add(*edge)
        yield from edges.result()
        return
    handler = _HANDLERS.get(component.type)
    if component.type in _JSON_DEFINED:  # the definition is JSON, not XML
        if not component.error:
            handler(edges, None, component)  # type: ignore[misc]
    elif handler is not None:
        root = _root(component)
        if root is not None or component.body:
            handler(edges, root, component)
    yield from edges.result()


def _root(component: ParsedComponent) -> etree._Element | None:
    if not component.definition or component.error:
        return None
    if component.element is not None:
        return component.element  # the reader's parse: the same tree, not parsed twice
    try:
        return parse_xml(component.definition, component.file_path)
    except XmlError:
        return None


# --- formulas ---------------------------------------------------------------------------------

_FORMULA_TOKEN = re.compile(
    r"""(?P<skip>\s+|/\*.*?(?:\*/|\Z)|'(?:\\.|[^'\\])*'?|"(?:\\.|[^"\\])*"?)
      | (?P<ref>\$?[A-Za-z_][A-Za-z0-9_]*(?:\s*\.\s*\$?[A-Za-z_][A-Za-z0-9_]*)*)(?P<call>\s*\()?
      | (?P<other>.)""",
    re.S | re.X,
)
_KEYWORDS = frozenset({"true", "false", "null", "and", "or", "not"})


def formula_refs(text: str) -> Iterator[list[str]]:
    """Merge-field paths in a formula (`Account__r.Name` -> ['Account__r', 'Name']); no functions."""
    for match in _FORMULA_TOKEN.finditer(text):
        ref = match.group("ref")
        if ref and not match.group("call") and ref.lower() not in _KEYWORDS:
            yield [p.strip() for p in ref.split(".")]


def add_formula(edges: _Edges, obj: str | None, text: str | None, where: str) -> None:
    for path in formula_refs(text or ""):
        head = path[0]
        if head.startswith("$"):
            _global_ref(edges, obj, path, where)
        elif obj and head[0].isalpha():
            _field_path(edges, obj, path, where)


def _field_path(edges: _Edges, obj: str, path: list[str], where: str) -> None:
    """Walk `A__r.B__r.C`: each hop's lookup field, then the last field on the last object."""
    current: str | None = obj
    for hop in path[:-1]:
        assert current is not None
        if hop.lower().endswith("__r"):
            edges.fld(current, hop[:-3] + "__c", where)
        nxt = edges.schema.target_of(current, hop)
        if nxt is None:  # the lookup field is known (`ManagerId`), the object it leads to is not
            edges.fld(current, hop + "Id", where)
            return
        current = nxt
    edges.fld(current, path[-1], where)


def _global_ref(edges: _Edges, obj: str | None, path: list[str], where: str) -> None:
    kind = path[0].lower()
    if kind == "$label" and len(path) >= 2:
        edges.add("CustomLabel", path[-1], where)
    elif kind == "$setup" and len(path) >= 3:
        edges.obj(path[1], where)
        edges.fld(path[1], path[2], where)
    elif kind == "$custommetadata" and len(path) >= 4:
        edges.obj(path[1], where)
        edges.add("CustomMetadata", f"{path[1].removesuffix('__mdt')}.{path[2]}", where)
        edges.fld(path[1], path[3], where)
    elif kind == "$objecttype" and len(path) >= 4 and path[2].lower() == "fields":
        edges.fld(path[1], path[3], where)
    elif kind == "$permission" and len(path) >= 2:
        edges.add("CustomPermission", path[1], where)
    elif kind == "$resource" and len(path) >= 2:
        edges.add("StaticResource", path[1], where)
    elif kind in ("$record", "$record__prior") and obj and len(path) >= 2:
        _field_path(edges, obj, path[1:], where)


# --- object children --------------------------------------------------------------------------


def _object_of(component: ParsedComponent) -> str:
    return component.parent_name or component.full_name.split(".", 1)[0]


def _custom_field(edges: _Edges, el: etree._Element | None, c: ParsedComponent) -> None:
    if el is None:
        return
    obj = _object_of(c)
    for target in path_texts(el, "referenceTo"):
        edges.obj(target, "referenceTo")
    add_formula(edges, obj, child_text(el, "formula"), "formula")
    add_formula(edges, obj, child_text(el, "defaultValue"), "defaultValue")
    _summary(edges, el)
    for gvs in path_texts(el, "valueSet/valueSetName"):
        edges.add("GlobalValueSet", gvs, "valueSet")
    for ctrl in path_texts(el, "valueSet/controllingField") + path_texts(el, "picklist/controllingField"):
        edges.fld(obj, ctrl, "controllingField")


def _summary(edges: _Edges, el: etree._Element) -> None:
    # Roll-ups name child fields in full: `Volunteer_Hours__c.Total_Hours_Worked__c`.
    for tag in ("summarizedField", "summaryForeignKey"):
        ref = child_text(el, tag)
        if ref and "." in ref:
            child_obj, _, fld = ref.partition(".")
            edges.obj(child_obj, tag)
            edges.fld(child_obj, fld, tag)
    key = child_text(el, "summaryForeignKey")
    key_obj = key.partition(".")[0] if key else None
    for f in path_texts(el, "summaryFilterItems/field"):
        obj, _, fld = f.rpartition(".")
        edges.fld(obj or key_obj, fld, "summaryFilterItems")


def _validation_rule(edges: _Edges, el: etree._Element | None, c: ParsedComponent) -> None:
    if el is None:
        return
    obj = _object_of(c)
    add_formula(edges, obj, child_text(el, "errorConditionFormula"), "errorConditionFormula")
    edges.fld(obj, child_text(el, "errorDisplayField"), "errorDisplayField")


def _workflow_rule(edges: _Edges, el: etree._Element | None, c: ParsedComponent) -> None:
    if el is None:
        return
    obj = _object_of(c)
    add_formula(edges, obj, child_text(el, "formula"), "formula")
    for f in path_texts(el, "criteriaItems/field"):
        o, _, fld = f.rpartition(".")
        edges.fld(o or obj, fld, "criteriaItems")
    action_types = {"FieldUpdate": "WorkflowFieldUpdate", "Alert": "WorkflowAlert", "Task": "WorkflowTask", "OutboundMessage": "WorkflowOutboundMessage"}
    for action in children(el, "actions"):
        kind = action_types.get(child_text(action, "type") or "")
        if kind:
            edges.add(kind, f"{obj}.{child_text(action, 'name')}", "actions")


def _field_update(edges: _Edges, el: etree._Element | None, c: ParsedComponent) -> None:
    if el is None:
        return
    obj = child_text(el, "targetObject") or _object_of(c)
    edges.fld(obj, child_text(el, "field"), "field")
    add_formula(edges, obj, child_text(el, "formula"), "formula")


def _field_list(tag_path: str, where: str) -> Callable[[_Edges, etree._Element | None, ParsedComponent], None]:
    def handler(edges: _Edges, el: etree._Element | None, c: ParsedComponent) -> None:
        if el is not None:
            for f in path_texts(el, tag_path):
                o, _, fld = f.rpartition(".")
                edges.fld(o or _object_of(c), fld, where)

    return handler


def _record_type(edges: _Edges, el: etree._Element | None, c: ParsedComponent) -> None:
    if el is None:
        return
    for picklist in path_texts(el, "picklistValues/picklist"):
        edges.fld(_object_of(c), picklist, "picklistValues")
    bp = child_text(el, "businessProcess")
    if bp:
        edges.add("BusinessProcess", f"{_object_of(c)}.{bp}", "businessProcess")


# --- layouts, pages, tabs ---------------------------------------------------------------------


def _layout(edges: _Edges, el: etree._Element | None, c: ParsedComponent) -> None:
    if el is None:
        return
    obj = c.full_name.split("-", 1)[0]
    edges.obj(obj, "layout object")
    for f in path_texts(el, "layoutSections/layoutColumns/layoutItems/field"):
        edges.fld(obj, f, "layoutItems")
    for button in path_texts(el, "customButtons"):
        edges.add("WebLink", f"{obj}.{button}", "customButtons")
    for related in path_texts(el, "relatedLists/relatedList"):
        if "." in related:  # `Child__c.Lookup__c`; standard lists (RelatedFileList) have no dot
            child_obj, _, lookup = related.partition(".")
            edges.fld(child_obj, lookup, "relatedLists")
    for action in path_texts(el, "quickActionList/quickActionListItems/quickActionName"):
        edges.add("QuickAction", action, "quickActionList")
    for action in path_texts(el, "platformActionList/platformActionListItems/actionName"):
        if "." in action or "__" in action:
            edges.add("QuickAction", action, "platformActionList")


def _lwc_name(name: str | None) -> str | None:
    """`c:brokerCard` or bare `brokerCard` is a custom LWC; `force:highlightsPanel` is not."""
    if not name:
        return None
    ns, _, short = name.rpartition(":")
    return short if ns in ("", "c") else None


def _flexipage(edges: _Edges, el: etree._Element | None, c: ParsedComponent) -> None:
    if el is None:
        return
    edges.obj(child_text(el, "sobjectType"), "sobjectType")
    for name in path_texts(el, "flexiPageRegions/itemInstances/componentInstance/componentName"):
        edges.add("LightningComponentBundle", _lwc_name(name), "componentInstance")
    for item in path_texts(el, "flexiPageRegions/itemInstances/fieldInstance/fieldItem"):
        if item.startswith("Record."):
            edges.fld(child_text(el, "sobjectType"), item[7:], "fieldInstance")


def _tab(edges: _Edges, el: etree._Element | None, c: ParsedComponent) -> None:
    if el is None:
        return
    if as_true(child_text(el, "customObject")):
        edges.obj(c.full_name, "customObject")
    edges.add("LightningComponentBundle", _lwc_name(child_text(el, "lwcComponent")), "lwcComponent")
    edges.add("FlexiPage", child_text(el, "flexiPage"), "flexiPage")
    edges.add("ApexPage", child_text(el, "page"), "page")


def as_true(text: str | None) -> bool:
    return (text or "").lower() == "true"


def _quick_action(edges: _Edges, el: etree._Element | None, c: ParsedComponent) -> None:
    if el is None:
        return
    target = child_text(el, "targetObject") or (c.full_name.split(".")[0] if "." in c.full_name else None)
    edges.obj(target, "targetObject")
    for f in path_texts(el, "quickActionLayout/quickActionLayoutColumns/quickActionLayoutItems/field"):
        edges.fld(target, f, "quickActionLayout")
    edges.add("Flow", child_text(el, "flowDefinition"), "flowDefinition")
    edges.add("LightningComponentBundle", _lwc_name(child_text(el, "lightningWebComponent")), "lightningWebComponent")


# --- flows --------------------------------------------------------------------------------------

_RECORD_ELEMENTS = ("recordLookups", "recordCreates", "recordUpdates", "recordDeletes")
_FIELD_PATHS = ("inputAssignments/field", "queriedFields", "filters/field", "outputAssignments/field")


def _flow(edges: _Edges, root: etree._Element | None, c: ParsedComponent) -> None:
    if root is None:
        return
    trigger = _flow_start(edges, root)
    variables = {child_text(v, "name"): child_text(v, "objectType") for v in children(root, "variables")}
    for kind in _RECORD_ELEMENTS:
        for el in children(root, kind):
            _flow_record_element(edges, el, kind, trigger, variables)
    for el in children(root, "subflows"):
        edges.add("Flow", child_text(el, "flowName"), f"subflows:{child_text(el, 'name')}")
    for el in children(root, "actionCalls"):
        _flow_action(edges, el)
    _orchestration(edges, root)
    _flow_references(edges, root, trigger, variables)
    for ext in root.iterfind(".//" + _q(root, "extensionName")):
        edges.add("LightningComponentBundle", _lwc_name((ext.text or "").strip() if ":" in (ext.text or "") else None), "screens")
    for formula in children(root, "formulas"):
        flow_formula(edges, trigger, variables, child_text(formula, "expression"), f"formulas:{child_text(formula, 'name')}")


def flow_formula(edges: _Edges, trigger: str | None, variables: dict[str | None, str | None], text: str | None,
                 where: str) -> None:
    """A flow formula's merge fields. A bare name (`{!threshold}`) is one of the flow's own
    resources (a variable, formula, constant or element), never a field: fields are reached
    through `$Record` (the trigger object) or a record variable (`{!contactVar.Email}`)."""
    for path in formula_refs(_braces(text)):
        head = path[0]
        if head.startswith("$"):
            _global_ref(edges, trigger, path, where)
        elif len(path) >= 2 and variables.get(head):
            _field_path(edges, variables[head] or "", path[1:], where)


def _orchestration(edges: _Edges, root: etree._Element) -> None:
    """Orchestrations: each step runs the flow `actionName`; a stage or step may also run flows
    on entry (`entryActionName`) and on exit (`exitActionName`)."""
    for stage in root.iterfind(_q(root, "orchestratedStages")):
        stage_name = child_text(stage, "name")
        _run_flow(edges, stage, "exitAction", f"orchestratedStages:{stage_name}:exitAction")
        for step in children(stage, "stageSteps"):
            # stepInteractive, stepBackground and createWorkItem all run a flow named by actionName;
            # a MuleSoft step (stepMuleSoft) or one of Salesforce's own step actions runs no flow.
            where = f"stageSteps:{child_text(step, 'name')}"
            if (child_text(step, "actionType") or "").lower() in _STEP_FLOW_TYPES:
                edges.add("Flow", child_text(step, "actionName"), where)
            _run_flow(edges, step, "entryAction", f"{where}:entryAction")
            _run_flow(edges, step, "exitAction", f"{where}:exitAction")


# A step's `actionType` that runs the flow `actionName` ('' : written without one).
_STEP_FLOW_TYPES = frozenset({"", "stepinteractive", "stepbackground", "createworkitem"})
# An entry or exit action's `entryActionType` / `exitActionType` (InvocableActionType in the
# Metadata API WSDL): a flow, an evaluation flow (a flow that decides whether a stage or step
# may start or end) or an Apex action.
_ENTRY_EXIT_TARGETS = {"flow": "Flow", "evaluationflow": "Flow", "apex": "ApexClass"}


def _run_flow(edges: _Edges, el: etree._Element, prefix: str, where: str) -> None:
    to_type = _ENTRY_EXIT_TARGETS.get((child_text(el, f"{prefix}Type") or "flow").lower())
    if to_type:
        edges.add(to_type, child_text(el, f"{prefix}Name"), where)


_REFERENCE_TAGS = ("leftValueReference", "elementReference", "assignToReference")


def _flow_references(edges: _Edges, root: etree._Element, trigger: str | None, variables: dict[str | None, str | None]) -> None:
    """`$Record.F` and `sobjectVar.F` in conditions and assignments (Process Builder's `myVariable_current`)."""
    for tag in _REFERENCE_TAGS:
        for el in root.iterfind(".//" + _q(root, tag)):
            path = (el.text or "").strip().split(".")
            if len(path) < 2:
                continue
            obj = trigger if path[0] == "$Record" else variables.get(path[0])
            if obj:
                _field_path(edges, obj, path[1:], tag)


def _q(root: etree._Element, path: str) -> str:
    ns = root.tag[: root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    return "/".join(ns + p for p in path.split("/"))


def _braces(text: str | None) -> str:
    return (text or "").replace("{!", " ").replace("}", " ")


def _flow_start(edges: _Edges, root: etree._Element) -> str | None:
    start = children(root, "start")
    if not start:
        return None
    obj = child_text(start[0], "object")
    edges.obj(obj, "start")
    for f in path_texts(start[0], "filters/field"):
        edges.fld(obj, f, "start filters")
    flow_formula(edges, obj, {}, child_text(start[0], "filterFormula"), "start filterFormula")
    return obj


def _flow_record_element(edges: _Edges, el: etree._Element, kind: str, trigger: str | None, variables: dict[str | None, str | None]) -> None:
    where = f"{kind}:{child_text(el, 'name')}"
    obj = child_text(el, "object")
    ref = child_text(el, "inputReference")
    if not obj and ref:
        obj = trigger if ref.startswith("$Record") else variables.get(ref.split(".")[0])
    edges.obj(obj, where)
    for path in _FIELD_PATHS:
        for f in path_texts(el, path):
            edges.fld(obj, f, where)


def _flow_action(edges: _Edges, el: etree._Element) -> None:
    kind = child_text(el, "actionType") or ""
    name = child_text(el, "actionName")
    where = f"actionCalls:{child_text(el, 'name')}"
    if kind == "apex":
        edges.add("ApexClass", name, where)
    elif kind == "component":
        edges.add("LightningComponentBundle", _lwc_name(name), where)
    elif kind == "flow":
        edges.add("Flow", name, where)
    elif kind == "quickAction":
        edges.add("QuickAction", name, where)
    elif kind == "emailAlert":
        edges.add("WorkflowAlert", name, where)
    elif kind == "generatePromptResponse":
        edges.add("GenAiPromptTemplate", name, where)


def _flow_definition(edges: _Edges, el: etree._Element | None, c: ParsedComponent) -> None:
    if el is None:
        return
    version = child_text(el, "activeVersionNumber")
    edges.add("Flow", f"{c.full_name}-{version}" if version else c.full_name, "activeVersionNumber")


# --- permissions --------------------------------------------------------------------------------

_GRANTS: list[tuple[str, str, str, tuple[str, ...]]] = [
    # element, name tag, target type, flags of which one must be true (empty: always)
    ("objectPermissions", "object", OBJECT, ("allowRead", "allowCreate", "allowEdit", "allowDelete", "viewAllRecords", "modifyAllRecords")),
    ("fieldPermissions", "field", FIELD, ("readable", "editable")),
    ("classAccesses", "apexClass", "ApexClass", ("enabled",)),
    ("pageAccesses", "apexPage", "ApexPage", ("enabled",)),
    ("applicationVisibilities", "application", "CustomApplication", ("visible", "default")),
    ("customPermissions", "name", "CustomPermission", ("enabled",)),
    ("customMetadataTypeAccesses", "name", OBJECT, ("enabled",)),
    ("customSettingAccesses", "name", OBJECT, ("enabled",)),
    ("recordTypeVisibilities", "recordType", "RecordType", ("visible",)),
    ("layoutAssignments", "layout", "Layout", ()),
    ("flowAccesses", "flow", "Flow", ("enabled",)),
]
_TAB_VISIBLE = frozenset({"Visible", "DefaultOn", "DefaultOff", "Available"})


def _permissions(edges: _Edges, root: etree._Element | None, c: ParsedComponent) -> None:
    """Only granted access counts: profiles list every field, mostly with nothing granted."""
    if root is None:
        return
    for el in root:
        permission_grant(edges, el)


_GRANT_BY_TAG = {g[0]: g for g in _GRANTS}


def permission_grant(edges: EdgeSet, el: etree._Element) -> None:
    """The edge one top-level element of a profile or permission set gives, if it grants access
    (the reader calls it element by element for a file it streams)."""
    tag = local_name(el)
    grant = _GRANT_BY_TAG.get(tag)
    if grant is not None:
        if not grant[3] or any(as_true(child_text(el, flag)) for flag in grant[3]):
            edges.add(grant[2], child_text(el, grant[1]), tag)
    elif tag in ("tabSettings", "tabVisibilities"):
        tab = child_text(el, "tab") or ""
        if child_text(el, "visibility") in _TAB_VISIBLE and not tab.startswith("standard-"):
            edges.add("CustomTab", tab, tag)


# Types whose edges the reader can work out one top-level element at a time, as it streams a file.
STREAMED_EDGES: dict[str, Callable[[EdgeSet, etree._Element], None]] = {
    "Profile": permission_grant,
    "PermissionSet": permission_grant,
}


# --- custom metadata records --------------------------------------------------------------------


def _custom_metadata(edges: _Edges, root: etree._Element | None, c: ParsedComponent) -> None:
    if root is None:
        return
    mdt = c.full_name.split(".", 1)[0] + "__mdt"
    edges.obj(mdt, "type")
    values = c.attributes.get("values") or {}
    for fld in values:
        edges.fld(mdt, fld, "values")
    _cmdt_relationships(edges, mdt, values)


def _cmdt_relationships(edges: _Edges, mdt: str, values: dict[str, str | None]) -> None:
    """Values of MetadataRelationship fields name what they point at; any other value is data,
    whatever it looks like (a Text field holding `Payment` names no object)."""
    for fld, value in values.items():
        rel = edges.schema.relationship(mdt, fld) if value else None
        if rel is None or not value:
            continue
        target, controlling = rel
        where = f"values:{fld}"
        if target == "EntityDefinition":
            edges.obj(value, where)
        elif target == "FieldDefinition":
            # The field's object is the value of the controlling EntityDefinition field.
            obj = values.get(controlling.rpartition(".")[2]) if controlling else None
            if obj:
                edges.fld(obj, value, where)
        elif target.lower().endswith("__mdt"):
            edges.add("CustomMetadata", f"{target[:-5]}.{value}", where)


# --- Apex -----------------------------------------------------------------------------------

_APEX_BUILTINS = frozenset(
    """string integer long double decimal boolean id date datetime time blob object sobject list map set
    system database schema test json math limits userinfo type url http httprequest httpresponse messaging
    apexpages pagereference label page trigger exception dmlexception queryexception void static final
    class interface enum this super null true false auraenabled invocablemethod invocablevariable
    sobjecttype sobjectfield describefieldresult describesobjectresult selectoption crypto encodingutil
    iterable iterator comparable queueable schedulable batchable database.batchable stateful
    savepoint assert restcontext restrequest restresponse flow process""".split()
)
_STANDARD_OBJECTS = STANDARD_OBJECTS
_CUSTOM_SUFFIX = re.compile(r"__(c|mdt|e|x|b)$", re.I)


def _is_sobject(name: str) -> bool:
    return bool(_CUSTOM_SUFFIX.search(name)) or name.lower() in _STANDARD_OBJECTS


def _apex(edges: _Edges, root: etree._Element | None, c: ParsedComponent) -> None:
    source = apex.decode(c.body)
    if not source:
        return
    header = apex.trigger_header(source)
    if header:
        edges.obj(header[0], "trigger")
    _ApexScan(edges, list(apex.tokenize(source)), c.full_name).run()


class _ApexScan:
    """One pass over Apex tokens: SOQL blocks, typed variables, labels, class references."""

    def __init__(self, edges: _Edges, tokens: list[apex.Token], own_name: str) -> None:
        self.edges = edges
        self.tokens = tokens
        self.own = own_name.lower()
        self.var_types: dict[str, str] = {}

    def text(self, i: int) -> str:
        return self.tokens[i].text if 0 <= i < len(self.tokens) else ""

    def is_id(self, i: int) -> bool:
        return 0 <= i < len(self.tokens) and self.tokens[i].kind == "id"

    def run(self) -> None:
        i = 0
        while i < len(self.tokens):
            if self.text(i) == "[" and self.text(i + 1).lower() == "select":
                i = self._soql(i + 1)
                continue
            if self.is_id(i):
                self._identifier(i)
            i += 1

    def _identifier(self, i: int) -> None:
        word, low = self.text(i), self.text(i).lower()
        prev, nxt = self.text(i - 1), self.text(i + 1)
        qualified_ok = prev != "." or self.text(i - 2).lower() == "system"  # System.Label.X
        if low in ("label", "page") and nxt == "." and self.is_id(i + 2) and qualified_ok:
            self.edges.add("CustomLabel" if low == "label" else "ApexPage", self.text(i + 2), "Apex")
            return
        if prev == ".":
            self._member(i)
            return
        if self.is_id(i + 1) and self.text(i + 2) in ("=", ";", ",", ")", ":"):
            self.var_types[self.text(i + 1).lower()] = word  # `Property__c p = ...`
        if _is_sobject(word):
            if _CUSTOM_SUFFIX.search(word) or self.is_id(i + 1) or prev == "new" or nxt in ("(", ">"):
                self.edges.obj(word, "Apex")
            return
        self._class_ref(i, word, low, prev, nxt)

    def _member(self, i: int) -> None:
        """`p.Price__c` (typed variable) or `Property__c.Price__c` (field token)."""
        word = self.text(i)
        owner = self.text(i - 2)
        if not _CUSTOM_SUFFIX.search(word) or not self.is_id(i - 2):
            return
        obj = owner if _is_sobject(owner) else self.var_types.get(owner.lower())
        if obj and _is_sobject(obj):
            self.edges.fld(obj, word, "Apex")

    def _class_ref(self, i: int, word: str, low: str, prev: str, nxt: str) -> None:
        if low in _APEX_BUILTINS or low == self.own or not word[0].isupper():
            return
        typed = self.is_id(i + 1) and self.text(i + 2) in ("=", ";", ",", ")", ":", "(")
        if prev in ("new", "extends", "implements") or (nxt == "." and self.text(i + 3) == "(") or typed:
            self.edges.add("ApexClass", word, "Apex")

    def _soql(self, i: int) -> int:
        """`[SELECT a, B__r.C FROM Obj WHERE D__c = :x]`: fields of the FROM object."""
        depth, j, fields, obj = 0, i + 1, [], None
        while j < len(self.tokens) and not (depth == 0 and self.text(j) == "]"):
            t = self.text(j)
            depth += (t in ("(", "[")) - (t in (")", "]"))
            if depth == 0 and obj is None and t.lower() == "from" and self.is_id(j + 1):
                obj = self.text(j + 1)
            elif self.is_id(j) and self.text(j - 1) not in (".", ":") and self.text(j + 1) != "(":
                fields.append(self._dotted(j))
            j += 1
        if obj:
            self.edges.obj(obj, "SOQL")
            for path in fields:
                if path[0].lower() != obj.lower() and (len(path) > 1 or _CUSTOM_SUFFIX.search(path[0]) or obj is None):
                    _field_path(self.edges, obj, path, "SOQL")
        return j + 1

    def _dotted(self, j: int) -> list[str]:
        path = [self.text(j)]
        while self.text(j + 1) == "." and self.is_id(j + 2):
            path.append(self.text(j + 2))
            j += 2
        return path


# --- Agentforce: agents, planners, topics, actions, prompt templates -------------------------------

# What an action runs, by its invocationTargetType. Standard invocable actions
# (`standardInvocableAction`: `streamKnowledgeSearch`) are Salesforce's, not components.
_INVOCATION_TARGETS = {"flow": "Flow", "apex": "ApexClass", "generatepromptresponse": "GenAiPromptTemplate"}


def _invocation(edges: _Edges, el: etree._Element, where: str) -> None:
    to_type = _INVOCATION_TARGETS.get((child_text(el, "invocationTargetType") or "").lower())
    if to_type:
        edges.add(to_type, child_text(el, "invocationTarget"), where)


def _gen_ai_function(edges: _Edges, root: etree._Element | None, c: ParsedComponent) -> None:
    if root is not None:
        _invocation(edges, root, "invocationTarget")
    _json_parts(edges, c)


def _gen_ai_plugin(edges: _Edges, root: etree._Element | None, c: ParsedComponent) -> None:
    """A topic: its actions (`genAiFunctions/functionName`)."""
    if root is None:
        return
    for name in path_texts(root, "genAiFunctions/functionName") + path_texts(root, "genAiFunctions/genAiFunctionName"):
        edges.add("GenAiFunction", name, "genAiFunctions")


def _gen_ai_planner(edges: _Edges, root: etree._Element | None, c: ParsedComponent) -> None:
    """A planner (GenAiPlanner, the older form) or planner bundle: its topics and actions, global
    (`genAiPlugins`, `genAiFunctions`) and local (`localTopics`, `plannerActions`, defined inside the
    bundle: what each local action runs, and the global action or topic it was copied from)."""
    if root is None:
        return
    for name in path_texts(root, "genAiPlugins/genAiPluginName"):
        edges.add("GenAiPlugin", name, "genAiPlugins")
    for name in path_texts(root, "genAiFunctions/genAiFunctionName"):
        edges.add("GenAiFunction", name, "genAiFunctions")
    for topic in children(root, "localTopics"):
        where = f"localTopics:{child_text(topic, 'fullName') or child_text(topic, 'developerName')}"
        # `source` names the global topic a local one was made from. Older bundles leave it out;
        # then the topic's `localDeveloperName` is that topic's name when the model has such a topic.
        source = child_text(topic, "source")
        if source:
            edges.add("GenAiPlugin", source, where)
        else:
            edges.add("GenAiPlugin", child_text(topic, "localDeveloperName"), where, IF_PRESENT)
        for action in children(topic, "localActions"):
            _local_action(edges, action, f"{where}:{child_text(action, 'fullName')}")
    for action in children(root, "plannerActions"):
        _local_action(edges, action, f"plannerActions:{child_text(action, 'fullName')}")
    _json_parts(edges, c)  # local actions' schemas (`localActions/<topic>/<action>/output/schema.json`)


def _local_action(edges: _Edges, action: etree._Element, where: str) -> None:
    _invocation(edges, action, where)
    edges.add("GenAiFunction", child_text(action, "source"), where, IF_PRESENT)


def _bot(edges: _Edges, root: etree._Element | None, c: ParsedComponent) -> None:
    """A bot uses its versions: listed inside the bot in Metadata API format (what a sync
    retrieves); in source format each version is a file of its own, which the ingest links."""
    if root is None:
        return
    versions = children(root, "botVersions")
    for version in versions:
        name = f"{c.full_name}.{child_text(version, 'fullName')}"
        edges.add("BotVersion", name, "botVersions")
        _bot_version_planners(edges, version, f"botVersions:{child_text(version, 'fullName')}")
    if not versions:
        edges.add("BotVersion", c.full_name, "botVersions", CHILDREN)


def _bot_version(edges: _Edges, root: etree._Element | None, c: ParsedComponent) -> None:
    if root is not None:
        _bot_version_planners(edges, root, "conversationDefinitionPlanners")


def _bot_version_planners(edges: _Edges, el: etree._Element, where: str) -> None:
    # One name may be both a GenAiPlannerBundle and a legacy GenAiPlanner (Salesforce wrote
    # both for agents made before API 64). The bundle is what the agent runs now, so the edge goes
    # to the bundle when the model has one, else to the planner, else (neither) to the bundle.
    for name in path_texts(el, "conversationDefinitionPlanners/genAiPlannerName"):
        edges.add("GenAiPlannerBundle", name, where, FIRST_PRESENT, ("GenAiPlanner",))


_PROVIDER_TYPES = {"flow": "Flow", "apex": "ApexClass"}


def _prompt_template(edges: _Edges, root: etree._Element | None, c: ParsedComponent) -> None:
    """Data providers `flow://X` and `apex://X` (comments are dropped by the parser, so a
    provider commented out is not one), and the object of a record-grounded template."""
    if root is None:
        return
    for definition in path_texts(root, "templateVersions/templateDataProviders/definition"):
        scheme, sep, name = definition.partition("://")
        to_type = _PROVIDER_TYPES.get(scheme.lower()) if sep else None
        if to_type:
            edges.add(to_type, name, "templateDataProviders")
    for definition in path_texts(root, "templateVersions/inputs/definition"):
        scheme, sep, name = definition.partition("://")
        if sep and scheme.upper() == "SOBJECT":
            edges.obj(name, "inputs")
    edges.obj(child_text(root, "relatedEntity"), "relatedEntity")


# --- Lightning types: what a custom type is made of and shown with, and where types are named -----------


def lightning_type_ref(edges: EdgeSet, value: str, where: str) -> None:
    """The value of a `lightning:type` keyword. `@apexClassType/c__Flight` (`?isAuraEnabled=true`
    and an inner class `$Leg` ignored) is the Apex class Flight; `@apexClassType/ns__Flight` is
    ns__Flight (`AiCopilot__GenAiCitationOutput` is Salesforce's own); `c__flightResponse` is the
    custom Lightning type flightResponse, `ns__x` one of package ns. `lightning__textType` and the
    other `lightning__` types are Salesforce's standard types, not components: no edge."""
    value = value.strip()
    kind, sep, rest = value.partition("/")
    if sep and kind == "@apexClassType":
        name = _fqn(rest.partition("?")[0].partition("$")[0])
        edges.add("ApexClass", name, where)
    elif not sep and not value.startswith("lightning__"):
        ns, sep, name = value.partition("__")
        if sep and ns and name and _FQN_PART.match(ns) and _FQN_PART.match(name):
            edges.add("LightningTypeBundle", name if ns == "c" else value, where)


_FQN_PART = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def _fqn(name: str) -> str | None:
    """`c__Flight` -> Flight, `ns__Flight` -> ns__Flight, a bare `Flight` -> Flight; else None."""
    ns, sep, short = name.partition("__")
    if not sep:
        return name if _FQN_PART.match(name) else None
    if not (_FQN_PART.match(ns) and _FQN_PART.match(short)):
        return None
    return short if ns == "c" else name


def _walk_json(edges: EdgeSet, data: Any, where: str, on: Callable[[EdgeSet, str, str, str], None],
               path: str = "", depth: int = 0) -> None:
    """Call `on(edges, key, value, where)` for every string value, `where` naming its property path."""
    if depth > 30:
        return
    if isinstance(data, list):
        for item in data:
            _walk_json(edges, item, where, on, path, depth + 1)
    elif isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, str):
                on(edges, str(key), value, f"{where}:{path}" if path else where)
            else:
                inner = path if key in _SCHEMA_KEYWORDS else (f"{path}.{key}" if path else str(key))
                _walk_json(edges, value, where, on, inner, depth + 1)


# JSON Schema keywords that hold properties rather than name one.
_SCHEMA_KEYWORDS = frozenset({"properties", "items", "$defs", "definitions", "componentOverrides", "renderer",
                              "editor", "attributes"})


def _schema_type(edges: EdgeSet, key: str, value: str, where: str) -> None:
    if key == "lightning:type":
        lightning_type_ref(edges, value, where)


def _override(edges: EdgeSet, key: str, value: str, where: str) -> None:
    """A renderer's or editor's `"definition": "c/flightCard"`: the LWC that shows or edits the type
    (`lightning/...` and other namespaces' components are not this org's)."""
    if key == "definition" and value.startswith("c/") and _FQN_PART.match(value[2:]):
        edges.add("LightningComponentBundle", value[2:], where)


def _json_parts(edges: _Edges, c: ParsedComponent) -> None:
    """The JSON files the reader put in the body (`{relative path: content}`): every
    `lightning:type` of a schema; a renderer's or editor's LWC overrides."""
    if not c.body or not c.body.lstrip().startswith(b"{"):
        return
    try:
        doc = json.loads(c.body)
    except (ValueError, RecursionError):
        return
    if not isinstance(doc, dict):
        return
    for path, content in doc.items():
        name = str(path).rpartition("/")[2]
        if name in ("renderer.json", "editor.json"):
            _walk_json(edges, content, str(path), _override)
        else:
            _walk_json(edges, content, str(path), _schema_type)


def _lightning_type(edges: _Edges, root: etree._Element | None, c: ParsedComponent) -> None:
    """A custom Lightning type (LightningTypeBundle): its schema's Apex class or the types of its
    properties (`schema.json`), and the LWCs of its renderers and editors, in every channel."""
    try:
        schema = json.loads(c.definition)
    except (ValueError, RecursionError):
        schema = None
    _walk_json(edges, schema, "schema.json", _schema_type)
    _json_parts(edges, c)


# --- OmniStudio: references inside the JSON of each element ----------------------------------------


def _omni(edges: _Edges, root: etree._Element | None, c: ParsedComponent) -> None:
    """OmniScripts, Integration Procedures and FlexCards keep their configuration as JSON text
    (`propertySetConfig` of each element, `dataSourceConfig` of a card). Keys read: `bundle`
    (a DataRaptor / OmniDataTransform), `integrationProcedureKey` and `ipMethod` (an Integration
    Procedure, `Type_SubType`), `remoteClass` (Apex), a Rest Action's `restPath` (the
    RemoteSiteSetting of its host)."""
    if root is None:
        return
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        tag = local_name(el)
        if tag in ("propertySetConfig", "dataSourceConfig", "propertySet") and el.text and "{" in el.text:
            try:
                data = json.loads(el.text)
            except ValueError:
                continue
            name = child_text(el.getparent(), "name") if el.getparent() is not None else None
            _omni_json(edges, data, f"{tag}:{name}" if name and tag == "propertySetConfig" else tag)


def _omni_json(edges: _Edges, data: Any, where: str, depth: int = 0) -> None:
    if depth > 20:
        return
    if isinstance(data, list):
        for item in data:
            _omni_json(edges, item, where, depth + 1)
        return
    if not isinstance(data, dict):
        return
    for key, value in data.items():
        if isinstance(value, (dict, list)):
            _omni_json(edges, value, where, depth + 1)
        elif isinstance(value, str) and value and value[0] not in "%{":  # `%var%`: a value at run time
            if key == "bundle":
                edges.add("OmniDataTransform", value, where, VERSIONED)
            elif key in ("integrationProcedureKey", "ipMethod"):
                edges.add("OmniIntegrationProcedure", value, where, VERSIONED)
            elif key == "remoteClass":
                edges.add("ApexClass", value, where)
            elif key == "restPath" and value.lower().startswith(("https://", "http://")):
                edges.add("RemoteSiteSetting", value, where, REMOTE_SITE)


# --- Experience Cloud: a site's parts -----------------------------------------------------------------


def _experience_bundle(edges: _Edges, name: str | None, where: str) -> None:
    """An Experience Builder site by name: an LWR site's DigitalExperienceBundle (`site/X`, which
    some readers shorten to `X`) or an Aura site's ExperienceBundle `X`, whichever the model has."""
    if not name:
        return
    bare = name.split("/", 1)[1] if name.startswith("site/") else name
    for to_type, to_name in (("DigitalExperienceBundle", f"site/{bare}"), ("DigitalExperienceBundle", bare),
                             ("ExperienceBundle", bare)):
        edges.add(to_type, to_name, where, IF_PRESENT)


def _network(edges: _Edges, root: etree._Element | None, c: ParsedComponent) -> None:
    if root is None:
        return
    edges.add("CustomSite", child_text(root, "site"), "site")
    _experience_bundle(edges, child_text(root, "picassoSite"), "picassoSite")
    for name in path_texts(root, "networkMemberGroups/permissionSet"):
        edges.add("PermissionSet", name, "networkMemberGroups")


def _digital_experience_config(edges: _Edges, root: etree._Element | None, c: ParsedComponent) -> None:
    if root is not None:
        _experience_bundle(edges, child_text(root, "space"), "space")


Handler = Callable[[_Edges, etree._Element | None, ParsedComponent], None]
_HANDLERS: dict[str, Handler] = {
    "CustomField": _custom_field,
    "ValidationRule": _validation_rule,
    "WorkflowRule": _workflow_rule,
    "WorkflowFieldUpdate": _field_update,
    "RecordType": _record_type,
    "FieldSet": _field_list("displayedFields/field", "displayedFields"),
    "CompactLayout": _field_list("fields", "fields"),
    "ListView": _field_list("columns", "columns"),
    "Layout": _layout,
    "FlexiPage": _flexipage,
    "CustomTab": _tab,
    "QuickAction": _quick_action,
    "Flow": _flow,
    "FlowDefinition": _flow_definition,
    "Profile": _permissions,
    "PermissionSet": _permissions,
    "CustomMetadata": _custom_metadata,
    "ApexClass": _apex,
    "ApexTrigger": _apex,
    "GenAiFunction": _gen_ai_function,
    "GenAiPlugin": _gen_ai_plugin,
    "GenAiPlanner": _gen_ai_planner,
    "GenAiPlannerBundle": _gen_ai_planner,
    "Bot": _bot,
    "BotVersion": _bot_version,
    "GenAiPromptTemplate": _prompt_template,
    "OmniScript": _omni,
    "OmniIntegrationProcedure": _omni,
    "OmniUiCard": _omni,
    "Network": _network,
    "DigitalExperienceConfig": _digital_experience_config,
    "LightningTypeBundle": _lightning_type,
}
_JSON_DEFINED = frozenset({"LightningTypeBundle"})

# Visualforce, Aura, LWC and email templates: read from their markup / script bodies.
from orgbook.metadata import markup as _markup  # noqa: E402  (after _HANDLERS: markup reads this module lazily)

_HANDLERS.update(_markup.HANDLERS)

# Reports, report types and dashboards: their columns, objects and reports.
from orgbook.metadata import reports as _reports  # noqa: E402

_HANDLERS.update(_reports.HANDLERS)
