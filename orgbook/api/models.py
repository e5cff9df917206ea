"""Org model endpoints: the component dictionary and one component's page."""

# No `from __future__ import annotations`: django-ninja reads the parameter types of a `@paginate`d
# handler through the wrapper, whose globals are django-ninja's, so they must not be strings.
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate

from orgbook.api import schemas as s
from orgbook.api.pagination import Pages, Rows
from orgbook.api.schemas import READ, errors
from orgbook.api.syncs import run_out  # one shape for a run, wherever it is listed
from orgbook.documentation import search as doc_search
from orgbook.documentation import services as doc_services
from orgbook.errors import NotFound
from orgbook.orgmodels import census, grid, referenced
from orgbook.orgmodels.impact import Edge, used_by_target
from orgbook.orgmodels.impact import impact as impact_of
from orgbook.orgmodels.models import Component, ComponentStatus, Dependency, OrgModel, SyncRun
from orgbook.orgmodels.services import get_model

router = Router(tags=["org models"])
PAGE_SIZE = 100
StatusFilter = Literal["present", "deleted", "unfetched"]  # orgmodels.models.ComponentStatus
ChangeFilter = Literal["new", "updated", "deleted"]  # grid.CHANGES


def _summary(c: Component) -> dict[str, Any]:
    return {"type": c.type, "full_name": c.full_name, "label": c.label, "parent": c.parent_key or None,
            "namespace": c.namespace or None, "status": c.status,
            "last_modified_date": c.last_modified_date, "last_modified_by": c.last_modified_by}


@router.get("/models/{id:model_id}", response={200: s.OrgModelOut, **errors(403, 404)})
def get_org_model(request: HttpRequest, model_id: int) -> dict[str, Any]:
    model = get_model(request.user, model_id)
    return {"id": model.pk, "name": model.name, "kind": model.kind, "implementation": model.implementation_id,
            "version": model.version, "last_synced_at": model.last_synced_at,
            "components": model.components.filter(status=ComponentStatus.PRESENT).count(), "project": model.project}


@router.get("/models/{id:model_id}/runs", response={200: list[s.SyncRunOut], **errors(403, 404)})
def list_runs(request: HttpRequest, model_id: int) -> list[dict[str, Any]]:
    """The model's last 50 syncs, imports and uploads, newest first, each with its import report."""
    model = get_model(request.user, model_id)
    return [run_out(r) for r in SyncRun.objects.filter(model=model)[:50]]


@router.get("/models/{id:model_id}/runs/{id:run_id}", response={200: s.SyncRunOut, **errors(403, 404)})
def get_run(request: HttpRequest, model_id: int, run_id: int) -> dict[str, Any]:
    model = get_model(request.user, model_id)
    run = SyncRun.objects.filter(model=model, pk=run_id).first()
    if run is None:
        raise NotFound("No such run of this model.")
    return run_out(run, full_report=True)


@router.get("/models/{id:model_id}/components", response={200: list[s.ComponentSummary], **READ})
@paginate(Pages, page_size=PAGE_SIZE)
def list_components(request: HttpRequest, model_id: int, type: str | None = None, q: str | None = None,
                    parent: str | None = None, status: StatusFilter | None = None, namespace: str | None = None,
                    change: ChangeFilter | None = None, since_version: int | None = None,
                    documented: bool | None = None) -> Rows:
    """`namespace=-` is the org's own components; `change=new|updated|deleted` since `since_version`
    (default: the latest version); `documented=true|false`. By type, then name: the explorer's grid
    (the same query and the same kept counts as the dictionary page)."""
    model = get_model(request.user, model_id)
    g = grid.Grid(type=type or "", namespace=namespace or "", status=status or "", change=change or "",
                  since_version=since_version, parent=parent or "", q=q or "", sort="type",
                  documented="" if documented is None else "yes" if documented else "no")
    found = grid.grid_rows(model, g, doc_services.notes_of(model))
    return Rows(found.rows, found.count, shape=_summary)


def _referenced_component(model: OrgModel, type_: str, full_name: str) -> dict[str, Any]:
    """A component the model's metadata names without defining it (docs/dependencies.md)."""
    ref = referenced.find(model, type_, full_name)
    if ref is None:
        raise NotFound(f"No {type_} called {full_name} in {model.name}.")
    used_by = used_by_target(model.pk, type_, full_name.lower(), limit=1000)
    return {"type": ref.type, "full_name": ref.full_name, "defined": False,
            "referenced": {"kind": ref.what.kind, "namespace": ref.what.namespace or None, "mark": ref.mark},
            "dependencies": [], "used_by": [{"type": e.type, "full_name": e.full_name, "where": e.where,
                                             "origin": e.origin} for e in used_by]}


@router.get("/models/{id:model_id}/components/{type}/{path:full_name}",
            response={200: s.ComponentOut | s.ReferencedComponentOut, **READ})
def get_component(request: HttpRequest, model_id: int, type: str, full_name: str) -> dict[str, Any]:
    model = get_model(request.user, model_id)
    c = Component.objects.filter(model=model, type=type, name_key=full_name.lower()).first()
    if c is None:
        return _referenced_component(model, type, full_name)
    uses = Dependency.objects.filter(source=c).order_by("target_type", "target_key")
    used_by = (Dependency.objects.filter(model=model, target_type=c.type, target_key=c.name_key)
               .select_related("source").order_by("source__type", "source__name_key")[:1000])
    return {
        **_summary(c), "defined": True, "referenced": None, "sf_id": c.sf_id or None, "attributes": c.attributes, "definition": c.definition(),
        "dependencies": [{"type": d.target_type, "full_name": d.target_name, "where": d.where, "origin": d.origin}
                         for d in uses],
        "used_by": [{"type": d.source.type, "full_name": d.source.full_name, "where": d.where, "origin": d.origin}
                    for d in used_by],
        "changes": [{"kind": ch.kind, "version": ch.version, "at": ch.at, "by": ch.changed_by,
                     "attributes": ch.attribute_diff} for ch in c.changes.order_by("-version")[:100]],
        "documentation": doc_services.as_dict(doc_services.find(model.implementation, c.type, c.full_name)),
        "source_path": c.source_path,
        "copies": [{"source_path": o.source_path, "package_dir": o.package_dir, "differs": True,
                    "definition": o.definition()} for o in c.copies.all()],
    }


def _edge(e: Edge) -> dict[str, Any]:
    return {"type": e.type, "full_name": e.full_name, "where": e.where, "origin": e.origin, "depth": e.depth,
            "via": e.via or None}


@router.get("/models/{id:model_id}/search", response={200: s.SearchOut, **READ})
def search_components(request: HttpRequest, model_id: int, q: str, type: str | None = None,
                      limit: int = 25) -> dict[str, Any]:
    """Ranked search by label or API name; tolerant of `__c`, underscores, case and small typos."""
    model = get_model(request.user, model_id)
    hits = doc_search.search(model, q[:200], limit=max(1, min(limit, 100)), type_=type or "")
    return {"query": q, "items": [{"type": h.type, "full_name": h.full_name, "label": h.label,
                                   "parent": h.parent or None, "namespace": h.namespace or None,
                                   "score": h.score, "matched": h.matched} for h in hits]}


@router.get("/models/{id:model_id}/types", response={200: s.TypeTreeOut, **errors(403, 404)})
def type_tree(request: HttpRequest, model_id: int) -> dict[str, Any]:
    """Types with counts, the org's own first, then each managed package; object children are
    counted under their object, not here."""
    model = get_model(request.user, model_id)
    return {"groups": [{"namespace": g.namespace or None, "total": g.total,
                        "types": [{"type": t.type, "count": t.count} for t in g.types]}
                       for g in census.type_tree(model)]}


@router.get("/models/{id:model_id}/impact/{type}/{path:full_name}", response={200: s.ImpactOut, **READ})
def impact(request: HttpRequest, model_id: int, type: str, full_name: str, depth: int = 2) -> dict[str, Any]:
    """Everything that uses the component directly or through others, up to `depth` (1-6) hops."""
    model = get_model(request.user, model_id)
    if not Component.objects.filter(model=model, type=type, name_key=full_name.lower()).exists():
        raise NotFound(f"No {type} called {full_name} in {model.name}.")
    edges = impact_of(model, type, full_name, depth)
    return {"depth": max(1, min(depth, 6)), "count": len(edges), "items": [_edge(e) for e in edges]}
