"""Org model endpoints: the component dictionary and one component's page."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest
from ninja import Router

from orgbook.documentation import services as doc_services
from orgbook.errors import Invalid, NotFound
from orgbook.orgmodels.models import Component, Dependency
from orgbook.orgmodels.services import get_model

router = Router(tags=["org models"])
PAGE_SIZE = 100


def _summary(c: Component) -> dict[str, Any]:
    return {"type": c.type, "full_name": c.full_name, "label": c.label, "parent": c.parent_key or None,
            "namespace": c.namespace or None, "status": c.status,
            "last_modified_date": c.last_modified_date, "last_modified_by": c.last_modified_by}


@router.get("/models/{model_id}")
def get_org_model(request: HttpRequest, model_id: int) -> dict[str, Any]:
    model = get_model(request.user, model_id)
    return {"id": model.pk, "name": model.name, "kind": model.kind, "implementation": model.implementation_id,
            "version": model.version, "last_synced_at": model.last_synced_at,
            "components": model.components.filter(status="present").count()}


@router.get("/models/{model_id}/components")
def list_components(request: HttpRequest, model_id: int, type: str | None = None, q: str | None = None,
                    parent: str | None = None, status: str | None = None, page: int = 1) -> dict[str, Any]:
    model = get_model(request.user, model_id)
    qs = Component.objects.filter(model=model).only(
        "type", "full_name", "label", "parent_key", "namespace", "status", "last_modified_date", "last_modified_by")
    qs = qs.filter(status=status) if status else qs.exclude(status="deleted")
    if type:
        qs = qs.filter(type=type)
    if parent:
        qs = qs.filter(parent_key=parent.lower())
    if q:
        qs = qs.filter(Q(name_key__contains=q.lower()) | Q(label__icontains=q))
    paginator = Paginator(qs.order_by("type", "name_key"), PAGE_SIZE)
    if page < 1 or (paginator.count and page > paginator.num_pages):
        raise Invalid(f"page must be between 1 and {paginator.num_pages}.")
    return {"items": [_summary(c) for c in paginator.get_page(page).object_list], "count": paginator.count,
            "page": page, "pages": paginator.num_pages}


@router.get("/models/{model_id}/components/{type}/{path:full_name}")
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
