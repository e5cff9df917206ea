"""Org model endpoints: the component dictionary and one component's page."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest
from ninja import Router

from orgbook.documentation import search as doc_search
from orgbook.documentation import services as doc_services
from orgbook.errors import Invalid, NotFound
from orgbook.orgmodels import compare as compare_mod
from orgbook.orgmodels import explore
from orgbook.orgmodels.models import Component, Dependency
from orgbook.orgmodels.services import get_model

router = Router(tags=["org models"])
PAGE_SIZE = 100


def _summary(c: Component) -> dict[str, Any]:
    return {"type": c.type, "full_name": c.full_name, "label": c.label, "parent": c.parent_key or None,
            "namespace": c.namespace or None, "status": c.status,
            "last_modified_date": c.last_modified_date, "last_modified_by": c.last_modified_by}


@router.get("/models/{id:model_id}")
def get_org_model(request: HttpRequest, model_id: int) -> dict[str, Any]:
    model = get_model(request.user, model_id)
    return {"id": model.pk, "name": model.name, "kind": model.kind, "implementation": model.implementation_id,
            "version": model.version, "last_synced_at": model.last_synced_at,
            "components": model.components.filter(status="present").count()}


@router.get("/models/{id:model_id}/components")
def list_components(request: HttpRequest, model_id: int, type: str | None = None, q: str | None = None,
                    parent: str | None = None, status: str | None = None, page: int = 1,
                    namespace: str | None = None, change: str | None = None, since_version: int | None = None,
                    documented: bool | None = None) -> dict[str, Any]:
    """`namespace=-` is the org's own components; `change=new|updated|deleted` since `since_version`
    (default: the latest version); `documented=true|false`."""
    model = get_model(request.user, model_id)
    qs = Component.objects.filter(model=model).only(
        "type", "full_name", "label", "parent_key", "namespace", "status", "last_modified_date", "last_modified_by")
    qs = qs.filter(status=status) if status else qs if change == "deleted" else qs.exclude(status="deleted")
    if type:
        qs = qs.filter(type=type)
    if namespace:
        qs = qs.filter(namespace="" if namespace == explore.OWN else namespace)
    if change:
        if change not in explore.CHANGES:
            raise Invalid(f"change must be one of {', '.join(explore.CHANGES)}.")
        qs = explore.filter_change(qs, change, since_version or model.version)
    if documented is not None:
        qs = qs.annotate(is_documented=explore.documented_exists(model)).filter(is_documented=documented)
    if parent:
        qs = qs.filter(parent_key=parent.lower())
    if q:
        qs = qs.filter(Q(name_key__contains=q.lower()) | Q(label__icontains=q))
    paginator = Paginator(qs.order_by("type", "name_key"), PAGE_SIZE)
    if page < 1 or (paginator.count and page > paginator.num_pages):
        raise Invalid(f"page must be between 1 and {paginator.num_pages}.")
    return {"items": [_summary(c) for c in paginator.get_page(page).object_list], "count": paginator.count,
            "page": page, "pages": paginator.num_pages}


@router.get("/models/{id:model_id}/components/{type}/{path:full_name}")
def get_component(request: HttpRequest, model_id: int, type: str, full_name: str) -> dict[str, Any]:
    model = get_model(request.user, model_id)
    c = Component.objects.filter(model=model, type=type, name_key=full_name.lower()).first()
    if c is None:
        raise NotFound(f"No {type} called {full_name} in {model.name}.")
    uses = Dependency.objects.filter(source=c).order_by("target_type", "target_key")
    used_by = (Dependency.objects.filter(model=model, target_type=c.type, target_key=c.name_key)
               .select_related("source").order_by("source__type", "source__name_key")[:1000])
    return {
        **_summary(c), "sf_id": c.sf_id or None, "attributes": c.attributes, "definition": c.definition(),
        "dependencies": [{"type": d.target_type, "full_name": d.target_name, "where": d.where, "origin": d.origin}
                         for d in uses],
        "used_by": [{"type": d.source.type, "full_name": d.source.full_name, "where": d.where, "origin": d.origin}
                    for d in used_by],
        "changes": [{"kind": ch.kind, "version": ch.version, "at": ch.at, "by": ch.changed_by,
                     "attributes": ch.attribute_diff} for ch in c.changes.order_by("-version")[:100]],
        "documentation": doc_services.as_dict(doc_services.find(model.implementation, c.type, c.full_name)),
    }


def _edge(e: explore.Edge) -> dict[str, Any]:
    return {"type": e.type, "full_name": e.full_name, "where": e.where, "origin": e.origin, "depth": e.depth,
            "via": e.via or None}


@router.get("/models/{id:model_id}/search")
def search_components(request: HttpRequest, model_id: int, q: str, type: str | None = None,
                      limit: int = 25) -> dict[str, Any]:
    """Ranked search by label or API name; tolerant of `__c`, underscores, case and small typos."""
    model = get_model(request.user, model_id)
    hits = doc_search.search(model, q[:200], limit=max(1, min(limit, 100)), type_=type or "")
    return {"query": q, "items": [{"type": h.type, "full_name": h.full_name, "label": h.label,
                                   "parent": h.parent or None, "namespace": h.namespace or None,
                                   "score": h.score, "matched": h.matched} for h in hits]}


@router.get("/models/{id:model_id}/types")
def type_tree(request: HttpRequest, model_id: int) -> dict[str, Any]:
    """Types with counts, the org's own first, then each managed package; object children are
    counted under their object, not here."""
    model = get_model(request.user, model_id)
    return {"groups": [{"namespace": g.namespace or None, "total": g.total,
                        "types": [{"type": t.type, "count": t.count} for t in g.types]}
                       for g in explore.type_tree(model)]}


@router.get("/models/{id:model_id}/impact/{type}/{path:full_name}")
def impact(request: HttpRequest, model_id: int, type: str, full_name: str, depth: int = 2) -> dict[str, Any]:
    """Everything that uses the component directly or through others, up to `depth` (1-6) hops."""
    model = get_model(request.user, model_id)
    if not Component.objects.filter(model=model, type=type, name_key=full_name.lower()).exists():
        raise NotFound(f"No {type} called {full_name} in {model.name}.")
    edges = explore.impact(model, type, full_name, depth)
    return {"depth": max(1, min(depth, 6)), "count": len(edges), "items": [_edge(e) for e in edges]}


@router.get("/models/{id:model_id}/compare/{id:other_id}")
def compare_models(request: HttpRequest, model_id: int, other_id: int, type: str | None = None,
                   kind: str | None = None, page: int = 1) -> dict[str, Any]:
    """Differences between two models of one implementation: `only_a`, `only_b`, `different`
    (with `attributes`: {name: [in A, in B]}), 500 a page."""
    a = get_model(request.user, model_id)
    b = get_model(request.user, other_id)
    if a.implementation_id != b.implementation_id:
        raise NotFound("No such org model in this implementation.")
    compare_mod.check_pair(a, b)
    if kind and kind not in compare_mod.KINDS:
        raise Invalid(f"kind must be one of {', '.join(compare_mod.KINDS)}.")
    lines = list(compare_mod.lines(a, b, type or "", (kind,) if kind else compare_mod.KINDS))
    paginator = Paginator(lines, 500)
    if page < 1 or (paginator.count and page > paginator.num_pages):
        raise Invalid(f"page must be between 1 and {paginator.num_pages}.")
    shown = list(paginator.get_page(page).object_list)
    diffs = compare_mod.semantic_diffs(a, b, shown)
    counts = {k: 0 for k in compare_mod.KINDS}
    for line in lines:
        counts[line.kind] += 1
    return {"a": a.pk, "b": b.pk, "counts": counts, "count": paginator.count, "page": page,
            "pages": paginator.num_pages,
            "items": [{"kind": ln.kind, "type": ln.type, "full_name": ln.full_name, "label": ln.label,
                       "attributes": diffs.get((ln.type, ln.name_key)) if ln.kind == compare_mod.DIFFERENT else None}
                      for ln in shown]}
