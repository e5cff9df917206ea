"""Exploring an org model: the dictionary (tree + grid + saved views), search as you type, a
component's page (attributes by type, XML, dependencies both ways, impact, graph, history with
diffs), comparing two models, and exports. Every view starts from get_model (404 for another
Space, 403 when suspended)."""

from __future__ import annotations

import zlib
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from orgbook.documentation import compare as doc_compare
from orgbook.documentation import search as doc_search
from orgbook.documentation import services as doc_services
from orgbook.documentation.links import links_of
from orgbook.documentation.models import ManualLink
from orgbook.documentation.panel import panel_context
from orgbook.errors import Invalid, NotFound
from orgbook.ids import parse_id
from orgbook.implementations.models import ImplementationStatus
from orgbook.orgmodels import (
    census,
    compare,
    consolidate,
    exports,
    fields,
    graph,
    grid,
    impact,
    manifest,
    referenced,
)
from orgbook.orgmodels.grid import COLUMNS, Grid
from orgbook.orgmodels.models import (
    Component,
    ComponentChange,
    ComponentCopy,
    ComponentStatus,
    OrgModel,
    SavedView,
)
from orgbook.orgmodels.services import get_model, open_model
from orgbook.spaces.models import Membership
from orgbook.spaces.permissions import Action
from orgbook.web import pagecache, xmldiff
from orgbook.web.base import is_htmx, page, signed_in_user, space_context
from orgbook.web.context import my_memberships
from orgbook.web.forms import (
    CompareForm,
    ConsolidateFilterForm,
    DictionaryFilterForm,
    ImpactDepthForm,
    ManifestForm,
    ManualLinkForm,
    SaveViewForm,
)
from orgbook.web.views.links import manual_edges

GRID_PAGE = 50
IMPACT_SHOWN = 300  # on the page; the CSV/XLSX export has every row
COMPARE_PAGE = 100


def _open(request: HttpRequest, model_id: int, with_connection: bool = False) -> tuple[OrgModel, Membership]:
    """The model and the membership that allowed it: the person's memberships are read once (the
    Space switcher shows the same list) and `authorize` checks the role in them."""
    return open_model(signed_in_user(request), model_id, Action.VIEW_CONTENT, memberships=my_memberships(request),
                      with_connection=with_connection)


def component_url(model_id: int, type_: str, full_name: str) -> str:
    return reverse("model_component", args=[model_id, type_, full_name])


class Linker:
    """Component URLs without a reverse() per link (hundreds of links on an object's page)."""

    def __init__(self, model_id: int) -> None:
        self.prefix = reverse("model_component", args=[model_id, "T", "N"])[:-3]

    def __call__(self, type_: str, full_name: str) -> str:
        return f"{self.prefix}{quote(type_, safe='')}/{quote(full_name, safe=URL_SAFE)}"

    def edges(self, groups: dict[str, list[impact.Edge]]) -> dict[str, list[tuple[impact.Edge, str]]]:
        return {t: [(e, self(e.type, e.full_name)) for e in edges] for t, edges in groups.items()}

    def components(self, groups: dict[str, list[Component]]) -> dict[str, list[tuple[Component, str]]]:
        return {t: [(c, self(c.type, c.full_name)) for c in items] for t, items in groups.items()}


URL_SAFE = "/:@!$&'()*+,;=-._~"  # what Django's reverse() leaves unquoted in a path


def _ctx(membership: Membership, model: OrgModel, **extra: Any) -> dict[str, Any]:
    return space_context(membership, model=model, implementation=model.implementation, **extra)


# --- dictionary -----------------------------------------------------------------------------------


@page
def dictionary(request: HttpRequest, model_id: int) -> HttpResponse:
    model, membership = _open(request, model_id)
    return _dictionary_page(request, model, membership, request.GET, SaveViewForm())


def _dictionary_page(request: HttpRequest, model: OrgModel, membership: Membership, asked: QueryDict,
                     save_form: SaveViewForm, status: int = 200) -> HttpResponse:
    """The dictionary for the query `asked` (the address's, or the one a refused "Save view" carried)."""
    g = Grid.parse(asked)
    found_rows = grid.grid_rows(model, g, doc_services.notes_of(model))
    found = found_rows.census
    paginator = Paginator(found_rows.rows, GRID_PAGE)
    paginator.__dict__["count"] = found_rows.count  # a cached property: the census or the kept counts know it
    page_obj = paginator.get_page(g.page)
    link = Linker(model.pk)
    rows = [(c, [(grid.cell(c, col), link(c.type, c.full_name) if col == "full_name" else "")
                 for col in g.columns]) for c in page_obj.object_list]
    query = g.as_query()
    context = _ctx(
        membership, model, grid=g, rows=rows, page_obj=page_obj, count=paginator.count,
        columns=[(key, COLUMNS[key][0], bool(COLUMNS[key][1])) for key in g.columns],
        all_columns=[(key, label) for key, label_sort in COLUMNS.items() for label in [label_sort[0]]],
        tree=found.tree, types=found.types, namespaces=found.namespaces,
        saved_views=[(v, urlencode(v.query, doseq=True))
                     for v in SavedView.objects.filter(user=signed_in_user(request), model=model)],
        query_string=urlencode(query, doseq=True), sort_links=_sort_links(g, query),
        statuses=["present", "deleted", "unfetched"], changes=grid.CHANGES, own=grid.OWN,
        other_models=model.implementation.org_models.exclude(pk=model.pk),
        save_form=save_form, kept_query=[(k, v) for k, values in asked.lists() if k not in ("page", "name", "csrfmiddlewaretoken")
                                         for v in values],
    )
    filters = DictionaryFilterForm(
        asked, types=[*found.types, *([g.type] if g.type and g.type not in found.types else [])],
        namespaces=found.namespaces, own=grid.OWN, statuses=context["statuses"], changes=list(grid.CHANGES),
        version=model.version or 1)
    filters.is_valid()  # a value the grid passed over is said under its field
    context["filters"] = filters
    return render(request, "web/models/dictionary.html", context, status=status)


def _sort_links(g: Grid, query: dict[str, Any]) -> dict[str, str]:
    out = {}
    for key in g.columns:
        if not COLUMNS[key][1]:
            continue
        q = {k: v for k, v in query.items() if k not in ("sort", "page")}
        q["sort"] = ("-" if g.sort == key and not g.descending else "") + key
        out[key] = urlencode(q, doseq=True)
    return out


@page
def tree_node(request: HttpRequest, model_id: int) -> HttpResponse:
    """A tree node's content, fetched when it is opened: an object's children, or a type's members."""
    model, membership = _open(request, model_id)
    obj = request.GET.get("object", "")
    if obj:
        context = _ctx(membership, model, object_name=obj,
                       children=Linker(model.pk).components(census.object_children(model, obj)))
        return _fragment_or_page(request, "web/models/_tree_object.html", context)
    type_, ns = request.GET.get("type", ""), request.GET.get("ns", "")
    members = census.type_members(model, type_, ns)
    link = Linker(model.pk)
    context = _ctx(membership, model, type=type_, ns=ns, members=[(m, link(m.type, m.full_name)) for m in members],
                   limited=len(members) >= 500)
    return _fragment_or_page(request, "web/models/_tree_type.html", context)


def _fragment_or_page(request: HttpRequest, partial: str, context: dict[str, Any]) -> HttpResponse:
    """The fragment for the tree's script; a whole page when the link is followed without it."""
    if is_htmx(request):
        return render(request, partial, context)
    return render(request, "web/models/tree_page.html", {**context, "partial": partial})


@page
def export(request: HttpRequest, model_id: int, fmt: str) -> HttpResponse:
    model, _ = _open(request, model_id)
    if fmt not in exports.FORMATS:
        raise NotFound("Exports are .csv or .xlsx.")
    g = Grid.parse(request.GET)
    qs = grid.grid_queryset(model, g, doc_services.notes_of(model))
    header = [COLUMNS[c][0] for c in g.columns]
    rows = ([grid.cell(c, col) for col in g.columns] for c in qs.iterator(chunk_size=2000))
    return exports.response(fmt, f"{model.name}-components", header, rows)


@page
@require_POST
def save_view(request: HttpRequest, model_id: int) -> HttpResponse:
    model, membership = _open(request, model_id)
    form = SaveViewForm(request.POST)
    if not form.is_valid():  # the same grid comes back, the reason under the name box
        return _dictionary_page(request, model, membership, request.POST, form, status=400)
    name = form.cleaned_data["name"]
    query = Grid.parse(request.POST).as_query()
    SavedView.objects.update_or_create(user=signed_in_user(request), model=model, name=name, defaults={"query": query})
    messages.success(request, f"View “{name}” saved. It is yours; others do not see it.")
    return redirect(reverse("model_dictionary", args=[model.pk]) + "?" + urlencode(query, doseq=True))


@page
@require_POST
def delete_view(request: HttpRequest, model_id: int, view_id: int) -> HttpResponse:
    model, _ = _open(request, model_id)
    deleted, _ = SavedView.objects.filter(pk=view_id, model=model, user=signed_in_user(request)).delete()
    if not deleted:
        raise NotFound("No such saved view.")
    messages.success(request, "View deleted.")
    return redirect("model_dictionary", model.pk)


# --- search ---------------------------------------------------------------------------------------


@page
def search_page(request: HttpRequest, model_id: int) -> HttpResponse:
    model, membership = _open(request, model_id)
    q = (request.GET.get("q") or "").strip()[:200]
    hits = doc_search.search(model, q, limit=50, type_=request.GET.get("type", "")) if q else []
    context = _ctx(membership, model, q=q, hits=hits)
    partial = is_htmx(request) or request.GET.get("partial") == "1"
    return render(request, "web/models/_search_results.html" if partial else "web/models/search.html", context)


# --- component page -------------------------------------------------------------------------------

SETUP_PAGES = {
    "ApexClass": "ApexClasses/home", "ApexTrigger": "ApexTriggers/home", "ApexPage": "ApexPages/home",
    "Flow": "Flows/home", "Profile": "EnhancedProfiles/home", "PermissionSet": "PermSets/home",
    "PermissionSetGroup": "PermSetGroups/home", "CustomLabel": "ExternalStrings/home",
    "CustomTab": "CustomTabs/home", "FlexiPage": "FlexiPageList/home", "LightningComponentBundle":
    "LightningComponentBundles/home", "StaticResource": "StaticResources/home", "CustomApplication":
    "NavigationMenus/home", "EmailTemplate": "CommunicationTemplatesEmail/home", "GlobalValueSet":
    "Picklists/home", "CustomMetadata": "CustomMetadata/home", "Report": "", "Workflow": "WorkflowRules/home",
    "WorkflowRule": "WorkflowRules/home", "QuickAction": "GlobalActions/home", "Group": "PublicGroups/home",
    "Queue": "Queues/home", "Role": "Roles/home", "NamedCredential": "NamedCredential/home",
    "RemoteSiteSetting": "SecurityRemoteProxy/home", "CustomPermission": "CustomPermissions/home",
}
OBJECT_CHILD_PAGES = {
    "CustomField": "FieldsAndRelationships", "ValidationRule": "ValidationRules", "RecordType": "RecordTypes",
    "FieldSet": "FieldSets", "CompactLayout": "CompactLayouts", "WebLink": "ButtonsLinksActions",
    "Layout": "PageLayouts", "ListView": "", "BusinessProcess": "",
}


def setup_url(model: OrgModel, c: Component) -> str | None:
    """Where this component is edited in Salesforce Setup, when the model is a connected org."""
    conn = model.connection
    base = (conn.instance_url or (f"https://{conn.my_domain}" if conn.my_domain else "")) if conn else ""
    if not base:
        return None
    base = base.rstrip("/")
    if c.type == "CustomObject":
        return f"{base}/lightning/setup/ObjectManager/{quote(c.full_name)}/Details/view"
    obj = c.full_name.partition(".")[0] if c.parent_key else ""
    if c.type == "Layout":
        obj = c.full_name.partition("-")[0]
    if obj and c.type in OBJECT_CHILD_PAGES:
        section = OBJECT_CHILD_PAGES[c.type]
        if not section:
            return f"{base}/lightning/setup/ObjectManager/{quote(obj)}/Details/view"
        tail = f"{c.sf_id}/view" if c.sf_id else "view"
        return f"{base}/lightning/setup/ObjectManager/{quote(obj)}/{section}/{tail}"
    if c.type == "Flow" and c.sf_id:
        return f"{base}/builder_platform_interaction/flowBuilder.app?flowId={quote(c.sf_id)}"
    if c.sf_id and c.type in ("ApexClass", "ApexTrigger", "ApexPage"):
        return f"{base}/lightning/setup/{SETUP_PAGES[c.type].split('/')[0]}/page?address=%2F{quote(c.sf_id)}"
    home = SETUP_PAGES.get(c.type)
    if home:
        return f"{base}/lightning/setup/{home}"
    if c.sf_id:
        return f"{base}/{quote(c.sf_id)}"
    return f"{base}/lightning/setup/SetupOneHome/home"


FIELD_ROWS = [
    ("type", "Type"), ("length", "Length"), ("precision", "Precision"), ("scale", "Scale"),
    ("referenceTo", "Lookup to"), ("relationshipName", "Relationship name"), ("deleteConstraint", "On delete"),
    ("required", "Required"), ("unique", "Unique"), ("externalId", "External ID"),
    ("caseSensitive", "Case sensitive"), ("defaultValue", "Default value"), ("formula", "Formula"),
    ("formulaTreatBlanksAs", "Blank values"), ("summaryOperation", "Roll-up"),
    ("summarizedField", "Summarized field"), ("summaryForeignKey", "Summarized object"),
    ("valueSetName", "Global value set"), ("restricted", "Restricted picklist"),
    ("controllingField", "Controlling field"), ("visibleLines", "Visible lines"),
    ("description", "Description"), ("inlineHelpText", "Help text"), ("trackHistory", "Track history"),
]
FLOW_ROWS = [
    ("processType", "Type"), ("status", "Status"), ("triggerObject", "Trigger object"), ("triggerType", "Trigger"),
    ("recordTriggerType", "Runs when a record is"), ("filterFormula", "Entry formula"), ("apiVersion", "API version"),
    ("description", "Description"),
]
RULE_ROWS = [("active", "Active"), ("errorConditionFormula", "Error condition formula"),
             ("errorMessage", "Error message"), ("errorDisplayField", "Error shown on field"),
             ("description", "Description")]
BY_TYPE = {"CustomField": FIELD_ROWS, "Flow": FLOW_ROWS, "ValidationRule": RULE_ROWS}
LONG = {"formula", "errorConditionFormula", "filterFormula", "defaultValue", "description", "inlineHelpText"}


def attribute_rows(c: Component) -> tuple[list[tuple[str, Any, bool]], dict[str, Any]]:
    """(label, value, is_code) rows an admin reads first for the type, then everything else."""
    attrs = dict(c.attributes or {})
    rows: list[tuple[str, Any, bool]] = []
    for key, label in BY_TYPE.get(c.type, []):
        if key in attrs and attrs[key] not in (None, "", []):
            rows.append((label, attrs.pop(key), key in LONG and "ormula" in key))
    for key in ("label",):
        attrs.pop(key, None)
    return rows, attrs


COMPONENT_FRAGMENTS = ("web/models/_component_top.html", "web/models/_component_rest.html", "web/models/_edges.html",
                       "web/models/_attribute_diff.html")


@page
def component(request: HttpRequest, model_id: int, type: str, full_name: str) -> HttpResponse:
    return component_response(request, model_id, type, full_name)


def component_response(request: HttpRequest, model_id: int, type: str, full_name: str,
                       link_form: ManualLinkForm | None = None, status: int = 200) -> HttpResponse:
    """A component's page; `link_form` is the manual-link form sent back with its errors (web/views/links.py)."""
    # The access check (role, suspension) runs on every request, before anything cached is read.
    model, membership = _open(request, model_id, with_connection=True)  # the Setup link reads the connection
    c = _component_with_links_flag(model, type, full_name)
    if c is None:
        return _referenced_page(request, model, membership, type, full_name)
    depth_form = ImpactDepthForm(request.GET if "depth" in request.GET else None)
    depth = depth_form.depth_or_default()
    # Manual links are edited between versions: read every time, and part of the key of what shows them.
    component_links = list(links_of(c)) if c.has_links else []  # type: ignore[attr-defined]
    manual_uses, manual_used_by, manual_links = manual_edges(c, component_links)
    # The history's dates are written in the Space's time zone (web/dates.py), which an admin may change.
    key = (f"{c.pk}.{c.changed_version}.d{depth}.{pagecache.digest([*manual_uses, '|', *manual_used_by])}"
           f".{membership.space.time_zone}")
    if depth_form.errors:  # what was typed shows with its error: not a page to keep for others
        main = _component_main(model, c, depth, manual_uses, manual_used_by, depth_form)
    else:
        main = pagecache.fragment("component", COMPONENT_FRAGMENTS, model, key,
                                  lambda: _component_main(model, c, depth, manual_uses, manual_used_by))
    context = _ctx(
        membership, model, c=c, setup_url=setup_url(model, c), manual_links=manual_links,
        main_top=mark_safe(main["top"]), main_rest=mark_safe(main["rest"]),  # noqa: S308 (rendered by our templates)
        uses_count=main["uses_count"], used_by_count=main["used_by_count"], history_count=main["history_count"],
        parent_url=component_url(model.pk, c.parent_type, c.parent_name) if c.parent_key else None,
        parent_name=c.parent_name,
        **panel_context(signed_in_user(request), model, c.type, c.full_name, membership=membership, component=c,
                        component_links=component_links),
    )
    context["models_of_implementation"] = [p["model"] for p in context["documentation_presence"]]  # every model
    if c.type == "CustomObject":
        context["fields_table"] = _object_fields(request, model, c)
    # After a refused link the address is the link form's: the documentation saved here returns to this page.
    context["documentation_return_to"] = request.get_full_path() if link_form is None else component_url(
        model.pk, c.type, c.full_name)
    if context["can"]["edit_documentation"]:
        context["link_form"] = link_form or manual_link_form(model, context["models_of_implementation"],
                                                            initial={"type": c.type, "full_name": c.full_name,
                                                                     "target_model": model.pk})
    return render(request, "web/models/component.html", context, status=status)


def manual_link_form(model: OrgModel, models: list[OrgModel], data: Any = None, **kwargs: Any) -> ManualLinkForm:
    """The form drawing a manual link from a component of `model` to one of `models` (its implementation's)."""
    return ManualLinkForm(data, models=models, types=census.census(model).types,
                          options_url=reverse("model_component_options", args=[model.pk]), **kwargs)


OPTIONS_SHOWN = 30


@page
def component_options(request: HttpRequest, model_id: int) -> HttpResponse:
    """Components whose name holds what was typed, as <option>s for a picker's <datalist> (htmx). The
    model is opened like every page of it (404 for another Space's); `target_model`, when given, is
    another model the person may open (a manual link's far end), checked the same way."""
    model, _ = _open(request, model_id)
    target = request.GET.get("target_model")
    if target and parse_id(target) != model.pk:
        model = get_model(signed_in_user(request), target, Action.VIEW_CONTENT)
    q = (request.GET.get("q") or request.GET.get("target_full_name") or "").strip()[:200]
    type_ = (request.GET.get("type") or request.GET.get("target_type") or "").strip()
    names = Component.objects.filter(model=model).exclude(status=ComponentStatus.DELETED)
    if type_:
        names = names.filter(type=type_)
    if q:
        names = names.filter(name_key__contains=q.lower())
    options = list(names.order_by("name_key").values_list("full_name", "type")[:OPTIONS_SHOWN])
    return render(request, "web/models/_component_options.html", {"options": options})


FIELD_COLUMNS = {"label": "Field label", "api_name": "API name", "type": "Data type", "required": "Required",
                 "description": "Description", "documented": "Documented", "where_used": "Where used"}


def _object_fields(request: HttpRequest, model: OrgModel, c: Component) -> dict[str, Any]:
    """An object's fields table (orgmodels/fields.py): the rows its model version fixes come from the
    page cache; whether each is documented is read every time (documentation changes between versions)."""
    rows = pagecache.fragment("object-fields", (), model, f"{c.pk}.f{fields.FIELDS_CODE_VERSION}",
                              lambda: fields.field_rows(model, c.full_name))
    query = fields.FieldQuery.parse(request.GET)
    found = fields.field_page(rows, fields.documented_keys(doc_services.notes_of(model), c.full_name), query)
    keep = {"depth": request.GET["depth"]} if "depth" in request.GET else {}  # the impact's depth stays

    def href(params: dict[str, str]) -> str:
        return f"?{urlencode({**keep, **params})}#fields"

    link = Linker(model.pk)
    return {
        "page": found, "query": query, "keep": keep,
        "rows": [(r, documented, link("CustomField", r.full_name)) for r, documented in found.rows],
        "columns": [(col, title, href(query.sort_query(col))) for col, title in FIELD_COLUMNS.items()],
        "sorted_by": FIELD_COLUMNS[query.sort].lower(),
        "previous": href(query.as_query(page=found.page - 1)) if found.page > 1 else "",
        "next": href(query.as_query(page=found.page + 1)) if found.page < found.pages else "",
        "reset": href({}),
    }


def _referenced_page(request: HttpRequest, model: OrgModel, membership: Membership, type_: str,
                     full_name: str) -> HttpResponse:
    """A component the model's metadata refers to but does not define: what it is, and where it is used."""
    ref = referenced.find(model, type_, full_name)
    if ref is None:
        raise NotFound(f"No {type_} called {full_name} in {model.name}.")
    link = Linker(model.pk)
    used_by = impact.used_by_target(model.pk, type_, full_name.lower())
    obj = ref.full_name.partition(".")[0] if type_ == "CustomField" else ""
    object_url = link("CustomObject", obj) if obj and impact.is_reachable(model.pk, "CustomObject", obj.lower()) else ""
    context = _ctx(membership, model, ref=ref, used_by=link.edges(impact.grouped(used_by)), used_by_count=len(used_by),
                   object_name=obj, object_url=object_url, own_url=link(ref.own_type, ref.own) if ref.own else "")
    return render(request, "web/models/referenced.html", context)


def _component_with_links_flag(model: OrgModel, type_: str, full_name: str) -> Component | None:
    """The component, and `has_links`: whether any manual link has it at either end (most have none,
    and then their ends are not read). One query written out: the ORM's work for the two it took cost
    this page, read every time, about 1 ms of CPU; this, 0.3 ms."""
    sql = (f"SELECT c.*, EXISTS (SELECT 1 FROM {ManualLink._meta.db_table} l WHERE l.from_component_id = c.id "  # noqa: S608
           f"OR l.to_component_id = c.id) AS has_links FROM {Component._meta.db_table} c "
           "WHERE c.model_id = %s AND c.type = %s AND c.name_key = %s")
    c = next(iter(Component.objects.raw(sql, [model.pk, type_, full_name.lower()])), None)
    if c is not None:
        c.model = model
    return c


def _component_main(model: OrgModel, c: Component, depth: int, manual_uses: list[impact.Edge],
                    manual_used_by: list[impact.Edge], depth_form: ImpactDepthForm | None = None) -> dict[str, Any]:
    """The part of a component's page that its model version fixes (plus the manual edges passed in),
    rendered without the request: attributes, dependencies, impact, graph, history and XML."""
    uses, used_by = impact.uses(c) + manual_uses, impact.used_by(c) + manual_used_by
    link = Linker(model.pk)
    reached = impact.impact(model, c.type, c.full_name, depth)
    typed_rows, other_attrs = attribute_rows(c)
    history = _history(c, list(ComponentChange.objects.filter(component=c).order_by("-version")[:50]))
    context = dict(
        space=model.implementation.space, model=model, c=c, typed_rows=typed_rows, other_attrs=sorted(other_attrs.items()),
        picklist=(c.attributes or {}).get("picklistValues"),
        flow_elements=(c.attributes or {}).get("elementCounts"),
        definition=c.definition(),
        uses=link.edges(impact.grouped(uses)), used_by=link.edges(impact.grouped(used_by)),
        impact=[(e, link(e.type, e.full_name)) for e in reached[:IMPACT_SHOWN]],
        impact_total=len(reached), impact_shown=IMPACT_SHOWN, depth=depth,
        depth_form=depth_form or ImpactDepthForm(initial={"depth": depth}),
        impact_capped=len(reached) >= impact.IMPACT_LIMIT,
        graph_svg=mark_safe(graph.render_svg(c.type, c.full_name, uses, used_by,  # noqa: S308 (escaped in graph)
                                             lambda t, n: link(t, n) + "#graph")),
        history=history, copies=_copies(c),
        # Fields have their own table (fields.py), outside this cached part: it shows documentation.
        children=(link.components(census.object_children(model, c.full_name, without=("CustomField",)))
                  if c.type == "CustomObject" else {}),
    )
    return {"top": render_to_string(COMPONENT_FRAGMENTS[0], context),
            "rest": render_to_string(COMPONENT_FRAGMENTS[1], context),
            "uses_count": len(uses), "used_by_count": len(used_by), "history_count": len(history)}


def _copies(c: Component) -> list[dict[str, Any]]:
    """The other copies of the component in the project (orgmodels/report.py), each with an XML
    side-by-side diff against the copy the model holds."""
    out = []
    held = c.definition()
    for copy in ComponentCopy.objects.filter(component=c):
        other = copy.definition()
        xml_diff = xmldiff.side_by_side(held, other, c.source_path, copy.source_path) if other and other != held else ""
        out.append({"source_path": copy.source_path, "package_dir": copy.package_dir, "xml_diff": xml_diff})
    return out


def _history(c: Component, changes: list[ComponentChange]) -> list[dict[str, Any]]:
    """Each change with its attribute diff and an XML side-by-side diff against what came next."""
    out = []
    after = c.definition()
    for ch in changes:  # newest first: `after` is the definition this change produced
        before = zlib.decompress(bytes(ch.old_definition_z)).decode("utf-8", "replace") if ch.old_definition_z else None
        xml_diff = (xmldiff.side_by_side(before, after, f"before v{ch.version}", f"v{ch.version}")
                    if before is not None and before != after else "")
        out.append({"change": ch, "attributes": ch.attribute_rows(), "xml_diff": xml_diff})
        if before is not None:
            after = before
    return out


@page
def impact_export(request: HttpRequest, model_id: int, type: str, full_name: str, fmt: str) -> HttpResponse:
    model, _ = _open(request, model_id)
    if fmt not in exports.FORMATS:
        raise NotFound("Exports are .csv or .xlsx.")
    depth = ImpactDepthForm(request.GET if "depth" in request.GET else None).depth_or_default()
    edges = impact.impact(model, type, full_name, depth)
    rows = ([e.depth, e.type, e.full_name, e.where, e.via, e.origin] for e in edges)
    return exports.response(fmt, f"{model.name}-{full_name}-impact",
                            ["Depth", "Type", "API name", "Where", "Through", "Found by"], rows)


# --- compare --------------------------------------------------------------------------------------


def _pair(request: HttpRequest, model_id: int) -> tuple[OrgModel, Membership, OrgModel | None]:
    model, membership = _open(request, model_id)
    other_id = request.GET.get("with")
    if not other_id:
        return model, membership, None
    other = get_model(signed_in_user(request), other_id, Action.VIEW_CONTENT)
    compare.check_pair(model, other)  # any model of the Space; another Space's answers 404
    return model, membership, other


def _space_models(model: OrgModel) -> list[tuple[str, list[OrgModel]]]:
    """Every other model of the Space that may be opened (suspended implementations' cannot), by
    implementation: the compare page's picker groups them so."""
    others = (OrgModel.objects.filter(implementation__space_id=model.implementation.space_id,
                                      implementation__status=ImplementationStatus.ACTIVE)
              .exclude(pk=model.pk).select_related("implementation")
              .order_by("implementation__name", "implementation_id", "kind", "name"))
    groups: dict[int, tuple[str, list[OrgModel]]] = {}
    for m in others:
        groups.setdefault(m.implementation_id, (m.implementation.name, []))[1].append(m)
    return list(groups.values())


@page
def compare_page(request: HttpRequest, model_id: int) -> HttpResponse:
    a, membership, b = _pair(request, model_id)
    groups = _space_models(a)
    context = _ctx(membership, a, b=b, model_groups=groups)
    form_data = request.GET if "with" in request.GET else None
    if b is not None:
        type_ = request.GET.get("type", "")
        kind = request.GET.get("kind", "")
        kinds = (kind,) if kind in compare.KINDS else compare.KINDS
        every = list(compare.lines(a, b))
        counts = compare.summary(every)
        chosen = [ln for ln in every if ln.kind in kinds and (not type_ or ln.type == type_)]
        page_obj = Paginator(chosen, COMPARE_PAGE).get_page(request.GET.get("page"))
        shown = list(page_obj.object_list)
        diffs = compare.semantic_diffs(a, b, shown)
        notes = doc_compare.notes(a, b, shown)
        types = sorted({t for v in counts.values() for t in v}, key=str.lower)
        context.update(
            type=type_, kind=kind if kind in compare.KINDS else "", page_obj=page_obj, total=len(chosen),
            lines=[(ln, sorted(diffs.get((ln.type, ln.name_key), {}).items()), notes.get((ln.type, ln.name_key)))
                   for ln in shown],
            same_implementation=a.implementation_id == b.implementation_id,
            totals={k: sum(v.values()) for k, v in counts.items()},
            types=types,
            query=urlencode({k: v for k, v in (("with", b.pk), ("type", type_), ("kind", kind)) if v}),
            compare_form=CompareForm(form_data, model=a, groups=groups, other=b, types=types),
        )
    else:
        context["compare_form"] = CompareForm(form_data, model=a, groups=groups)
    if form_data is not None:
        context["compare_form"].is_valid()  # shows "Choose the model" when the picker was left on its prompt
    return render(request, "web/models/compare.html", context)


@page
def compare_export(request: HttpRequest, model_id: int, fmt: str) -> HttpResponse:
    a, _, b = _pair(request, model_id)
    if b is None or fmt not in exports.FORMATS:
        raise NotFound("Export a comparison as compare.csv?with=<model id> (or .xlsx).")
    type_, kind = request.GET.get("type", ""), request.GET.get("kind", "")
    kinds = (kind,) if kind in compare.KINDS else compare.KINDS
    labels = {compare.ONLY_A: f"only in {a.name}", compare.ONLY_B: f"only in {b.name}",
              compare.DIFFERENT: "different"}
    notes_header = ["Note"] if a.implementation_id == b.implementation_id else [f"Note in {a.name}", f"Note in {b.name}"]

    def rows() -> Any:
        batch: list[compare.Line] = []
        for line in compare.lines(a, b, type_, kinds):
            batch.append(line)
            if len(batch) >= 500:
                yield from _compare_rows(a, b, batch, labels)
                batch = []
        yield from _compare_rows(a, b, batch, labels)

    return exports.response(fmt, f"compare-{a.name}-{b.name}", ["Difference", "Type", "API name", "Label",
                                                                  "Attributes that differ", *notes_header], rows())


def _compare_rows(a: OrgModel, b: OrgModel, batch: list[compare.Line], labels: dict[str, str]) -> Any:
    diffs = compare.semantic_diffs(a, b, batch)
    notes = doc_compare.notes(a, b, batch)
    shared = a.implementation_id == b.implementation_id
    for ln in batch:
        diff = diffs.get((ln.type, ln.name_key), {})
        note = notes.get((ln.type, ln.name_key), doc_compare.Notes("", ""))
        yield [labels[ln.kind], ln.type, ln.full_name, ln.label,
               "; ".join(f"{k}: {v[0]!r} → {v[1]!r}" for k, v in diff.items()),
               *([note.a] if shared else [note.a, note.b])]


# --- sandbox to production manifest ---------------------------------------------------------------


MANIFEST_FILES = {"package.xml": "application/xml", "destructiveChanges.xml": "application/xml",
                  "manifest.zip": "application/zip"}


def _manifest(request: HttpRequest, source: OrgModel) -> manifest.Manifest | None:
    """The manifest from `source` (already opened by the caller) to the production model the query names."""
    target_id = request.GET.get("to")
    if not target_id:
        return None
    target = get_model(signed_in_user(request), target_id, Action.VIEW_CONTENT)
    since_version = request.GET.get("since_version") or None
    if since_version is not None and not since_version.isdigit():
        raise Invalid("since_version is a sandbox version number (0 for everything that differs).")
    return manifest.build(source, target, since=manifest.parse_since(request.GET.get("since")),
                          since_version=int(since_version) if since_version else None,
                          api_version=settings.ORGBOOK_SF_API_VERSION)


@page
def manifest_page(request: HttpRequest, model_id: int) -> HttpResponse:
    source, membership = _open(request, model_id)
    groups = _space_models(source)
    form = ManifestForm(request.GET or None, groups=groups, version=source.version)
    found = None
    if form.is_bound and form.is_valid():
        try:
            found = _manifest(request, source)
        except Invalid as refused:  # a pair that is not sandbox and production, or a baseline past the last version
            form.add_error(refused.details.get("field") if refused.details.get("field") in form.fields else None,
                           refused.message)
    context = _ctx(membership, source, model_groups=groups, found=found, form=form)
    if found is not None:
        context.update(
            sections=[(a, label, found.of(a)) for a, label in (
                (manifest.ADD, f"New in {source.name}"), (manifest.CHANGE, "Changed"),
                (manifest.DELETE, f"Removed from {source.name} (destructiveChanges.xml)"),
                (manifest.PRODUCTION_CHANGED, f"Changed in {found.target.name} since, left out"),
                (manifest.NOT_DEPLOYABLE, "Not deployable through the Metadata API, left out"))],
            query=urlencode({k: v for k, v in (("to", found.target.pk), ("since", request.GET.get("since", "")),
                                               ("since_version", request.GET.get("since_version", ""))) if v}),
        )
    return render(request, "web/models/manifest.html", context, status=400 if form.errors else 200)


@page
def manifest_file(request: HttpRequest, model_id: int, name: str) -> HttpResponse:
    source, _ = _open(request, model_id)
    found = _manifest(request, source)
    if found is None or name not in MANIFEST_FILES:
        raise NotFound("Download a manifest as manifest/package.xml?to=<production model id> "
                       "(or destructiveChanges.xml, manifest.zip).")
    if name == "destructiveChanges.xml" and not found.of(manifest.DELETE):
        raise NotFound(f"{found.source.name} removed nothing that {found.target.name} has: there is no "
                       "destructiveChanges.xml.")
    body: str | bytes = (found.package_xml() if name == "package.xml" else found.destructive_xml()
                         if name == "destructiveChanges.xml" else manifest.zip_bytes(found))
    resp = HttpResponse(body, content_type=MANIFEST_FILES[name])
    resp["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp


# --- consolidation matrix -------------------------------------------------------------------------


def _consolidation(request: HttpRequest, model_id: int) -> tuple[OrgModel, Membership, consolidate.Matrix | None]:
    first, membership = _open(request, model_id)
    others = request.GET.getlist("with")
    if not others:
        return first, membership, None
    models = [first, *(get_model(signed_in_user(request), pk, Action.VIEW_CONTENT) for pk in others)]
    type_ = request.GET.get("type", "")
    namespace = request.GET.get("namespace")
    matrix = consolidate.build(models, types=(type_,) if type_ else consolidate.TYPES,
                               object_=request.GET.get("object", ""),
                               namespace=None if not namespace else "" if namespace == "-" else namespace)
    return first, membership, matrix


def _filters_query(request: HttpRequest) -> str:
    pairs = [("with", pk) for pk in request.GET.getlist("with")]
    pairs += [(k, request.GET[k]) for k in ("type", "object", "namespace") if request.GET.get(k)]
    return urlencode(pairs)


@page
def consolidate_page(request: HttpRequest, model_id: int) -> HttpResponse:
    first, membership, matrix = _consolidation(request, model_id)
    chosen = {int(pk) for pk in request.GET.getlist("with") if pk.isdigit()}
    form = ConsolidateFilterForm(request.GET or None, types=consolidate.TYPES)
    form.is_valid()  # a type the matrix does not hold is named under its field
    context = _ctx(membership, first, model_groups=_space_models(first), chosen=chosen, matrix=matrix, form=form,
                   query=_filters_query(request))
    if matrix is not None:
        page_obj = Paginator(matrix.rows, consolidate.PAGE).get_page(request.GET.get("page"))
        shown = list(page_obj.object_list)
        found = consolidate.cells(matrix, shown)
        context.update(page_obj=page_obj, rows=[(r, found.get((r.type, r.name_key))) for r in shown],
                       scores=matrix.objects[:50])
    return render(request, "web/models/consolidate.html", context)


@page
def consolidate_export(request: HttpRequest, model_id: int, fmt: str) -> HttpResponse:
    first, _, matrix = _consolidation(request, model_id)
    if matrix is None or fmt not in exports.FORMATS:
        raise NotFound("Export a consolidation as consolidate.csv?with=<model id>&with=… (or .xlsx).")
    names = [f"{m.name} ({m.implementation.name})" for m in matrix.models]

    def rows() -> Any:
        for chunk in compare.batches(matrix.rows):
            found = consolidate.cells(matrix, chunk)
            for r in chunk:
                c = found.get((r.type, r.name_key))
                if c is not None:
                    yield [r.state, r.type, c.full_name, c.label, r.object, *c.cells, ", ".join(c.how)]

    return exports.response(fmt, f"consolidation-{first.name}", ["State", "Type", "API name", "Label", "Object",
                                                                 *names, "What differs"], rows())
