"""Documentation endpoints: one component's documentation, search, export/import, reference models, links."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema
from ninja.pagination import paginate

from orgbook.api import schemas as s
from orgbook.api.pagination import Pages, Rows
from orgbook.api.schemas import READ, REMOVE, WRITE, errors
from orgbook.documentation import coverage, links, services, transfer, trees
from orgbook.documentation.models import ManualLink, TreeNode
from orgbook.documentation.proposed import add_proposed
from orgbook.documentation.services import DocumentationEdit
from orgbook.errors import NotFound
from orgbook.implementations.access import get_implementation
from orgbook.orgmodels.services import get_model
from orgbook.spaces.permissions import Action

router = Router(tags=["documentation"])
PAGE_SIZE = 100
BASE = "/spaces/{space}/implementations/{id:impl_id}"


class LinkIn(Schema):
    url: str
    title: str = ""


class DocumentationIn(Schema):
    note: str | None = None
    links: list[LinkIn] | None = None
    tags: list[str] | None = None
    owner: str | None = None
    reviewed: bool | None = None
    base_revision: int = 0
    model: int | None = None  # the model the edit was made from ("where the note was written")


class CsvIn(Schema):
    csv: str


class ReferenceModelIn(Schema):
    name: str
    copy_from: int | None = None


class NodeIn(Schema):
    name: str
    custom_id: str = ""
    description: str = ""
    parent: int | None = None


class ProposedIn(Schema):
    type: str
    full_name: str
    label: str = ""


class LinkEndIn(Schema):
    model: int | None = None
    type: str | None = None
    full_name: str | None = None
    node: int | None = None


class ManualLinkIn(Schema):
    source: LinkEndIn
    target: LinkEndIn
    direction: str = "uses"
    description: str = ""


@router.get(BASE + "/documentation", response={200: list[s.DocumentationOut], **READ})
@paginate(Pages, page_size=PAGE_SIZE)
def list_documentation(request: HttpRequest, space: str, impl_id: int, q: str = "") -> Rows:
    _, implementation = get_implementation(request.user, space, impl_id, Action.VIEW_CONTENT)
    qs = services.search(implementation, q) if q.strip() else services.for_implementation(implementation)
    return Rows(qs.order_by("type", "name_key"), shape=services.as_dict)


@router.get(BASE + "/documentation/{type}/{path:full_name}", response={200: s.DocumentationDetail, **errors(403, 404)})
def get_documentation(request: HttpRequest, space: str, impl_id: int, type: str, full_name: str) -> dict[str, Any]:
    _, implementation = get_implementation(request.user, space, impl_id, Action.VIEW_CONTENT)
    doc = services.find(implementation, type, full_name)
    if doc is None:
        if services.component_exists(implementation, type, full_name) is None:
            raise NotFound(f"No model of {implementation.name} has a {type} called {full_name}.")
        return {"type": type, "full_name": full_name, "revision": 0, "documentation": None,
                "presence": _presence(implementation, type, full_name), "revisions": []}
    return {"type": doc.type, "full_name": doc.full_name, "revision": doc.revision,
            "documentation": services.as_dict(doc), "presence": _presence(implementation, type, full_name),
            "revisions": services.revisions(doc)[:50]}


def _presence(implementation: Any, type_: str, full_name: str) -> list[dict[str, Any]]:
    return [{"model": p["model"].pk, "name": p["model"].name, "kind": p["kind"], "status": p["status"]}
            for p in services.presence(implementation, type_, full_name)]


@router.put(BASE + "/documentation/{type}/{path:full_name}", response={200: s.DocumentationOut, **WRITE})
def put_documentation(request: HttpRequest, space: str, impl_id: int, type: str, full_name: str,
                      body: DocumentationIn) -> dict[str, Any] | None:
    _, implementation = get_implementation(request.user, space, impl_id, Action.EDIT_DOCUMENTATION)
    model = None
    if body.model is not None:
        model = get_model(request.user, body.model)
        if model.implementation_id != implementation.pk:
            raise NotFound("No such org model in this implementation.")
    edit = DocumentationEdit(note=body.note, links=[link.dict() for link in body.links] if body.links is not None
                             else None, tags=body.tags, owner=body.owner, reviewed=body.reviewed,
                             base_revision=body.base_revision)
    doc = services.save_documentation(request.user, implementation, type, full_name, edit, model=model)
    return services.as_dict(doc)


_EXPORTS = {
    "application/json": {"schema": {
        "type": "object", "required": ["implementation", "documentation"],
        "properties": {"implementation": {"type": "string"}, "documentation": {"type": "array", "items": {"type": "object"}}},
    }},
    "text/csv": {"schema": {"type": "string"}},
    "application/zip": {"schema": {"type": "string", "format": "binary"}},
}


@router.get(BASE + "/documentation-export", response=errors(400, 403, 404),
            openapi_extra={"responses": {200: {"description": "The file: JSON, CSV, or a static site as a zip",
                                               "content": _EXPORTS}}})
def export_documentation(request: HttpRequest, space: str, impl_id: int,
                         format: Literal["json", "csv", "html"] = "json") -> HttpResponse:
    _, implementation = get_implementation(request.user, space, impl_id, Action.VIEW_CONTENT)
    stem = f"{implementation.name}-documentation".replace(" ", "_")
    if format == "csv":
        response = HttpResponse(transfer.export_csv(implementation), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{stem}.csv"'
    elif format == "json":
        response = HttpResponse(transfer.export_json(implementation), content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="{stem}.json"'
    else:
        response = HttpResponse(transfer.export_site(implementation), content_type="application/zip")
        response["Content-Disposition"] = f'attachment; filename="{stem}-site.zip"'
    return response


@router.post(BASE + "/documentation-import", response={200: s.DocumentationImported, **WRITE})
def import_documentation(request: HttpRequest, space: str, impl_id: int, body: CsvIn) -> dict[str, Any]:
    _, implementation = get_implementation(request.user, space, impl_id, Action.EDIT_DOCUMENTATION)
    return transfer.import_csv(request.user, implementation, body.csv).as_dict()


@router.post(BASE + "/reference-models", response={200: s.ReferenceModelOut, **WRITE})
def create_reference_model(request: HttpRequest, space: str, impl_id: int, body: ReferenceModelIn) -> dict[str, Any]:
    _, implementation = get_implementation(request.user, space, impl_id, Action.EDIT_DOCUMENTATION)
    if body.copy_from is not None:
        source = get_model(request.user, body.copy_from)
        if source.implementation_id != implementation.pk:
            raise NotFound("No such org model in this implementation.")
        model = trees.copy_model(request.user, source, body.name)
    else:
        model = trees.create_reference_model(request.user, implementation, body.name)
    return {"id": model.pk, "name": model.name, "kind": model.kind}


@router.get("/models/{id:model_id}/tree", response={200: s.TreeOut, **errors(403, 404)})
def get_tree(request: HttpRequest, model_id: int) -> dict[str, Any]:
    model = get_model(request.user, model_id)
    return {"nodes": [{"id": r["node"].pk, "depth": r["depth"], "parent": r["node"].parent_id, "name": r["node"].name,
                       "custom_id": r["node"].custom_id or None, "description": r["node"].description}
                      for r in trees.tree(model)]}


@router.post("/models/{id:model_id}/nodes", response={200: s.NodeOut, **WRITE})
def add_node(request: HttpRequest, model_id: int, body: NodeIn) -> dict[str, Any]:
    model = get_model(request.user, model_id, Action.EDIT_DOCUMENTATION)
    parent = TreeNode.objects.filter(model=model, pk=body.parent).first() if body.parent else None
    if body.parent and parent is None:
        raise NotFound("No such parent node in this model.")
    node = trees.add_node(request.user, model, body.name, parent=parent, custom_id=body.custom_id,
                          description=body.description)
    return {"id": node.pk, "name": node.name, "custom_id": node.custom_id or None, "parent": node.parent_id}


@router.post("/models/{id:model_id}/tree-import", response={200: s.TreeImported, **WRITE})
def import_tree(request: HttpRequest, model_id: int, body: CsvIn) -> dict[str, Any]:
    model = get_model(request.user, model_id, Action.EDIT_DOCUMENTATION)
    return {"nodes": trees.import_tree_csv(request.user, model, body.csv)}


@router.post("/models/{id:model_id}/proposed", response={200: s.ProposedOut, **WRITE})
def propose(request: HttpRequest, model_id: int, body: ProposedIn) -> dict[str, Any]:
    model = get_model(request.user, model_id, Action.EDIT_DOCUMENTATION)
    p = add_proposed(request.user, model, body.type, body.full_name, body.label)
    return {"id": p.pk, "type": p.type, "full_name": p.full_name, "status": "proposed"}


@router.get("/models/{id:model_id}/coverage", response={200: s.CoverageOut, **errors(403, 404)})
def get_coverage(request: HttpRequest, model_id: int) -> dict[str, Any]:
    model = get_model(request.user, model_id)
    cov = coverage.compute(model)
    return {"covered": cov.covered, "total": cov.total, "percent": cov.percent(), "by_type": cov.by_type,
            "undocumented": coverage.undocumented(model, limit=100),
            "history": [{"day": s.day.isoformat(), "covered": s.covered, "total": s.total}
                        for s in coverage.history(model)]}


@router.post(BASE + "/links", response={200: s.ManualLinkOut, **WRITE})
def create_link(request: HttpRequest, space: str, impl_id: int, body: ManualLinkIn) -> dict[str, Any]:
    _, implementation = get_implementation(request.user, space, impl_id, Action.EDIT_DOCUMENTATION)
    source = links.resolve_end(implementation, body.source.dict())
    target = links.resolve_end(implementation, body.target.dict())
    link = links.add_link(request.user, implementation, source, target, body.direction, body.description)
    return {"id": link.pk, **links.describe(link)}


@router.delete(BASE + "/links/{id:link_id}", response={200: s.LinkDeleted, **REMOVE})
def delete_link(request: HttpRequest, space: str, impl_id: int, link_id: int) -> dict[str, Any]:
    _, implementation = get_implementation(request.user, space, impl_id, Action.EDIT_DOCUMENTATION)
    link = ManualLink.objects.filter(implementation=implementation, pk=link_id).first()
    if link is None:
        raise NotFound("No such link.")
    links.delete_link(request.user, link)
    return {"deleted": link_id}
