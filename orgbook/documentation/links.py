"""Manual links between components or tree nodes of any two models of one implementation."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from orgbook.documentation.models import LinkDirection, ManualLink, TreeNode
from orgbook.errors import Invalid, NotFound
from orgbook.ids import parse_id
from orgbook.implementations.access import require_active
from orgbook.implementations.models import Implementation
from orgbook.orgmodels.models import Component
from orgbook.spaces import audit

End = Component | TreeNode


def resolve_end(implementation: Implementation, ref: dict[str, Any]) -> End:
    """{"model": id, "type": ..., "full_name": ...} or {"node": id}; only inside this implementation."""
    if ref.get("node") is not None:
        node = TreeNode.objects.filter(pk=_int(ref["node"]), model__implementation=implementation).first()
        if node is None:
            raise NotFound("No such node in this implementation.")
        return node
    component = Component.objects.filter(model_id=_int(ref.get("model")), model__implementation=implementation,
                                         type=str(ref.get("type", "")),
                                         name_key=str(ref.get("full_name", "")).lower()).first()
    if component is None:
        raise NotFound(f"No {ref.get('type')} called {ref.get('full_name')} in that model of {implementation.name}.")
    return component


def _int(value: Any) -> int:
    number = parse_id(value)
    if number is None:
        raise Invalid("A link end needs a model id with a type and full name, or a node id.")
    return number


def add_link(user: Any, implementation: Implementation, source: End, target: End,
             direction: str = LinkDirection.USES, description: str = "") -> ManualLink:
    require_active(implementation)
    if direction not in LinkDirection.values:
        raise Invalid("direction must be uses or used_by.", field="direction")
    if source == target:
        raise Invalid("A link needs two different ends.")
    link = ManualLink(implementation=implementation, direction=direction, description=description.strip()[:500],
                      created_by=user)
    _set_end(link, "from", source)
    _set_end(link, "to", target)
    link.save()
    implementation.touch()
    audit.record(implementation.space, user, "link.created", link)
    return link


def _set_end(link: ManualLink, side: str, end: End) -> None:
    setattr(link, f"{side}_{'node' if isinstance(end, TreeNode) else 'component'}", end)


def links_of(end: End) -> QuerySet[ManualLink]:
    """Links with `end` at either side, ends loaded."""
    field = "node" if isinstance(end, TreeNode) else "component"
    return (ManualLink.objects.filter(Q(**{f"from_{field}": end}) | Q(**{f"to_{field}": end}))
            .select_related("from_component__model", "to_component__model", "from_node__model", "to_node__model"))


def describe(link: ManualLink, seen_from: End | None = None) -> dict[str, Any]:
    """A link as the far end sees it: "uses" from one side reads "used by" from the other."""
    near, far = link.from_end(), link.to_end()
    direction = link.direction
    if seen_from is not None and seen_from == far:
        near, far = far, near
        direction = LinkDirection.USED_BY if direction == LinkDirection.USES else LinkDirection.USES
    return {"id": link.pk, "direction": direction, "description": link.description, "other": end_dict(far)}


def end_dict(end: End | None) -> dict[str, Any] | None:
    if isinstance(end, TreeNode):
        return {"node": end.pk, "name": end.name, "custom_id": end.custom_id or None, "model": end.model_id,
                "model_name": end.model.name}
    if isinstance(end, Component):
        return {"type": end.type, "full_name": end.full_name, "model": end.model_id, "model_name": end.model.name}
    return None


def delete_link(user: Any, link: ManualLink) -> None:
    require_active(link.implementation)
    audit.record(link.implementation.space, user, "link.deleted", link)
    link.delete()
