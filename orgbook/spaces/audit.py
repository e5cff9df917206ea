"""Writing audit events: every lifecycle and membership change goes through `record`."""

from __future__ import annotations

from typing import Any

from orgbook.spaces.models import AuditEvent, Space


def record(
    space: Space | None,
    actor: Any,
    action: str,
    target: Any = None,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return AuditEvent.objects.create(
        space=space,
        space_name=space.name if space else "",
        actor=actor if authenticated else None,
        actor_email=actor.email if authenticated else "system",
        action=action,
        target_type=type(target).__name__ if target is not None else "",
        target_id=str(getattr(target, "pk", "") or ""),
        target_repr=str(target)[:200] if target is not None else "",
        before=before,
        after=after,
    )
