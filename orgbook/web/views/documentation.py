"""Documentation pages: one component's documentation, an implementation's list/search/export/import,
coverage, and reference model trees. The panel (web/documentation/_panel.html) is includable anywhere
with the context from orgbook.documentation.panel.panel_context."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe

from orgbook.documentation import coverage, proposed, services, transfer, trees
from orgbook.documentation.models import TreeNode
from orgbook.documentation.panel import panel_context
from orgbook.documentation.services import DocumentationEdit
from orgbook.errors import Conflict, Invalid, NotFound
from orgbook.ids import parse_id
from orgbook.implementations.access import get_implementation
from orgbook.orgmodels.models import OrgModel
from orgbook.orgmodels.services import get_model
from orgbook.spaces.permissions import Action, authorize
from orgbook.web.base import page, signed_in_user, space_context
from orgbook.web.forms import (
    DocumentationImportForm,
    NewReferenceModelForm,
    OrgbookForm,
    ProposedComponentForm,
    TreeImportForm,
    TreeNodeForm,
    add_domain_error,
)

MAX_UPLOAD = 5 * 1024 * 1024


def _model_in_space(request: HttpRequest, slug: str, model_id: int, action: Action = Action.VIEW_CONTENT) -> OrgModel:
    model = get_model(signed_in_user(request), model_id, action)
    if model.implementation.space.slug != slug:
        raise NotFound("No such org model.")
    return model


def _links_from_form(text: str) -> list[dict[str, str]]:
    """One link a line: "Title | https://..." or just the URL."""
    out = []
    for line in filter(None, (raw.strip() for raw in text.splitlines())):
        title, _, url = line.rpartition("|")
        out.append({"url": url.strip(), "title": title.strip()})
    return out


def _edit_from_post(request: HttpRequest) -> DocumentationEdit:
    try:
        base = int(request.POST.get("base_revision", "0"))
    except ValueError:
        base = -1
    return DocumentationEdit(
        note=request.POST.get("note", ""), links=_links_from_form(request.POST.get("links", "")),
        tags=[t for t in (x.strip() for x in request.POST.get("tags", "").split(",")) if t],
        owner=request.POST.get("owner", ""), reviewed=request.POST.get("reviewed") == "on", base_revision=base)


def _return_to(request: HttpRequest) -> str:
    """Where a saved edit goes: the page it started on (the form's `next`, a path on this site), at the
    documentation panel; this page when there is none."""
    back = request.POST.get("next", "")
    if not back.startswith("/") or not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return request.path
    return back.split("#", 1)[0] + "#documentation"


@page
def component(request: HttpRequest, slug: str, model_id: int, type: str, full_name: str) -> HttpResponse:
    model = _model_in_space(request, slug, model_id)
    user = signed_in_user(request)
    membership = authorize(user, slug, Action.VIEW_CONTENT)
    conflict: Conflict | None = None
    error: Invalid | None = None
    if request.method == "POST":
        get_implementation(user, slug, model.implementation_id, Action.EDIT_DOCUMENTATION)
        try:
            services.save_documentation(user, model.implementation, type, full_name, _edit_from_post(request),
                                        model=model)
        except Conflict as exc:
            conflict = exc
        except Invalid as exc:
            error = exc
        else:
            messages.success(request, "Documentation saved. It shows on this component in every model of "
                                      f"{model.implementation.name}.")
            return redirect(_return_to(request))
    context = space_context(membership, model=model, **panel_context(user, model, type, full_name))
    context.update(conflict=conflict, form_error=error, posted=request.POST if request.method == "POST" else None)
    status = 409 if conflict else 400 if error else 200
    return render(request, "web/documentation/component.html", context, status=status)


@page
def implementation_docs(request: HttpRequest, slug: str, impl_id: int) -> HttpResponse:
    membership, implementation = get_implementation(signed_in_user(request), slug, impl_id, Action.VIEW_CONTENT)
    q = request.GET.get("q", "").strip()
    docs = services.search(implementation, q) if q else services.for_implementation(implementation)
    models = list(implementation.org_models.all())
    context = space_context(membership, implementation=implementation, docs=docs[:500], q=q, models=models)
    return render(request, "web/documentation/list.html", context)


@page
def export(request: HttpRequest, slug: str, impl_id: int, fmt: str) -> HttpResponse:
    _, implementation = get_implementation(signed_in_user(request), slug, impl_id, Action.VIEW_CONTENT)
    if fmt not in ("csv", "json", "zip"):
        raise NotFound("Export as .csv, .json or .zip (a static HTML site).")
    stem = f"{implementation.name}-documentation".replace(" ", "_").replace('"', "")
    if fmt == "csv":
        response = HttpResponse(transfer.export_csv(implementation), content_type="text/csv; charset=utf-8")
        name = f"{stem}.csv"
    elif fmt == "json":
        response = HttpResponse(transfer.export_json(implementation), content_type="application/json")
        name = f"{stem}.json"
    else:
        response = HttpResponse(transfer.export_site(implementation), content_type="application/zip")
        name = f"{stem}-site.zip"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@page
def import_csv(request: HttpRequest, slug: str, impl_id: int) -> HttpResponse:
    user = signed_in_user(request)
    membership, implementation = get_implementation(user, slug, impl_id, Action.EDIT_DOCUMENTATION)
    result = None
    posted = request.method == "POST"
    form = DocumentationImportForm(request.POST if posted else None, request.FILES if posted else None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size is None or upload.size > MAX_UPLOAD:
            form.add_error("file", "The file is larger than 5 MB: split it into smaller files.")
        else:
            try:
                result = transfer.import_csv(user, implementation, upload.read().decode("utf-8-sig", "replace"))
            except Invalid as exc:
                add_domain_error(form, exc, default_field="file")
    context = space_context(membership, implementation=implementation, result=result, form=form)
    return render(request, "web/documentation/import.html", context, status=400 if form.errors else 200)


@page
def coverage_page(request: HttpRequest, slug: str, model_id: int) -> HttpResponse:
    model = _model_in_space(request, slug, model_id)
    membership = authorize(signed_in_user(request), slug, Action.VIEW_CONTENT)
    cov = coverage.compute(model)
    coverage.record_snapshot(model)
    chart = mark_safe(coverage.chart_svg(coverage.history(model)))  # noqa: S308  (built from numbers and dates only)
    context = space_context(membership, model=model, coverage=cov, undocumented=coverage.undocumented(model),
                            chart=chart, by_type=[(t, v, round(100 * v["covered"] / v["total"]) if v["total"] else None)
                                                  for t, v in cov.by_type.items()])
    return render(request, "web/documentation/coverage.html", context)


def _tree_forms(model: OrgModel, rows: list[dict[str, Any]], data: Any = None, files: Any = None,
                which: str = "") -> dict[str, Any]:
    """The tree page's three forms; only the one that was sent (`which`) is bound to what was typed."""
    return {
        "node_form": TreeNodeForm(data if which == "node" else None, rows=rows, auto_id="node-%s"),
        "import_form": TreeImportForm(data if which == "import" else None, files if which == "import" else None,
                                      auto_id="tree-%s"),
        "proposed_form": ProposedComponentForm(data if which == "proposed" else None, auto_id="proposed-%s"),
    }


def _which_tree_form(request: HttpRequest) -> str:
    """Which form of the tree page was sent: its hidden `form`, else a file means the CSV import."""
    sent = request.POST.get("form", "")
    if sent in ("proposed", "import", "node"):
        return sent
    return "import" if "file" in request.FILES else "node"


def _save_tree_form(user: Any, model: OrgModel, which: str, form: OrgbookForm) -> str:
    """Apply the valid form; the success message. Domain errors (Invalid, Conflict) go to the caller."""
    data = form.cleaned_data
    if which == "proposed":
        proposed.add_proposed(user, model, data["type"], data["full_name"], data["label"])
        return "Proposed component added."
    if which == "import":
        count = trees.import_tree_csv(user, model, data["file"].read(MAX_UPLOAD).decode("utf-8-sig", "replace"))
        return f"{count} nodes imported."
    parent = TreeNode.objects.filter(model=model, pk=parse_id(data["parent"]) or 0).first()
    trees.add_node(user, model, data["name"], parent=parent, custom_id=data["custom_id"],
                   description=data["description"])
    return "Node added."


@page
def tree_page(request: HttpRequest, slug: str, model_id: int) -> HttpResponse:
    model = _model_in_space(request, slug, model_id)
    user = signed_in_user(request)
    membership = authorize(user, slug, Action.VIEW_CONTENT)
    rows = trees.tree(model)
    which = _which_tree_form(request) if request.method == "POST" else ""
    forms = _tree_forms(model, rows, request.POST, request.FILES, which)
    if request.method == "POST":
        model = _model_in_space(request, slug, model_id, Action.EDIT_DOCUMENTATION)
        form = forms[f"{which}_form"]
        if form.is_valid():
            try:
                messages.success(request, _save_tree_form(user, model, which, form))
            except (Invalid, Conflict) as exc:
                add_domain_error(form, exc, default_field={"proposed": "type", "import": "file"}.get(which, "name"))
            else:
                return redirect(request.path)
    context = space_context(membership, model=model, rows=rows, **forms,
                            proposed_components=list(model.proposed_components.order_by("type", "name_key")))
    failed = any(f.is_bound and f.errors for f in forms.values())
    return render(request, "web/documentation/tree.html", context, status=400 if failed else 200)


@page
def new_reference_model(request: HttpRequest, slug: str, impl_id: int) -> HttpResponse:
    user = signed_in_user(request)
    membership, implementation = get_implementation(user, slug, impl_id, Action.EDIT_DOCUMENTATION)
    models = list(implementation.org_models.all())
    form = NewReferenceModelForm(request.POST if request.method == "POST" else None, models=models)
    if form.is_valid():
        try:
            model = _create_reference_model(request, slug, implementation, form.cleaned_data)
        except Invalid as exc:
            add_domain_error(form, exc, default_field="name")
        else:
            messages.success(request, f"Reference model {model.name} created.")
            return redirect(reverse("documentation_tree", args=[slug, model.pk]))
    context = space_context(membership, implementation=implementation, form=form)
    return render(request, "web/documentation/new_reference.html", context, status=400 if form.errors else 200)


def _create_reference_model(request: HttpRequest, slug: str, implementation: Any, data: dict[str, Any]) -> OrgModel:
    """An empty reference model, or a copy of one of the implementation's models (chosen from its list)."""
    user = signed_in_user(request)
    if not data["copy_from"]:
        return trees.create_reference_model(user, implementation, data["name"])
    origin = _model_in_space(request, slug, int(data["copy_from"]))
    if origin.implementation_id != implementation.pk:
        raise NotFound("No such org model in this implementation.")
    return trees.copy_model(user, origin, data["name"])
