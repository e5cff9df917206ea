"""Fetching an implementation for a user and an action, with the suspension rule applied."""

from __future__ import annotations

import zoneinfo
from datetime import datetime
from typing import Any

from orgbook.errors import ImplementationSuspended, NotFound
from orgbook.ids import parse_id
from orgbook.implementations.models import Implementation, OrgConnection
from orgbook.spaces.models import Membership
from orgbook.spaces.permissions import Action, authorize

# Actions that touch an implementation's content, which a suspension locks for everyone.
CONTENT_ACTIONS = frozenset({Action.VIEW_CONTENT, Action.EDIT_DOCUMENTATION, Action.START_SYNC, Action.CONNECT_ORG})


def get_implementation(user: Any, space_slug: str, implementation_id: Any, action: Action) -> tuple[Membership, Implementation]:
    membership = authorize(user, space_slug, action)
    pk = parse_id(implementation_id)
    if pk is None:
        raise NotFound("No such implementation.")
    implementation = (
        Implementation.objects.select_related("space").prefetch_related("connections")
        .filter(space=membership.space, pk=pk).first()
    )
    if implementation is None:
        raise NotFound("No such implementation.")
    if action in CONTENT_ACTIONS:
        require_active(implementation)
    return membership, implementation


def get_connection(user: Any, space_slug: str, connection_id: Any, action: Action, *,
                   implementation_id: Any = None) -> tuple[Membership, OrgConnection]:
    """An org connection of the Space, through its implementation: the role check, then the
    suspension lock whatever the action (a connection, its settings and its syncs are the
    implementation's content; disconnecting would delete its model). `implementation_id`, when the
    address names one, must be the connection's."""
    membership = authorize(user, space_slug, action)
    pk = parse_id(connection_id)
    conn = (OrgConnection.objects.filter(pk=pk, implementation__space=membership.space).first()
            if pk is not None else None)
    if conn is None or (implementation_id is not None and parse_id(implementation_id) != conn.implementation_id):
        raise NotFound("No such org connection.")
    membership, conn.implementation = get_implementation(user, space_slug, conn.implementation_id, action)
    require_active(conn.implementation)
    return membership, conn


def require_active(implementation: Implementation) -> None:
    if implementation.is_suspended():
        due = implementation.purge_due_at()
        raise ImplementationSuspended(
            f"{implementation.name} is suspended: its org models and documentation cannot be opened or synced. "
            # Written as the pages write a date (orgbook/web/dates.py), on the day it is in the Space.
            f"They will be deleted on {_day_in_space(due, implementation)} unless a Space admin reactivates it "
            "when a connection licence is free.",
            purge_on=due.date().isoformat() if due else None,
        )


def _day_in_space(moment: datetime | None, implementation: Implementation) -> str:
    if moment is None:
        return "a date not yet set"
    return moment.astimezone(zoneinfo.ZoneInfo(implementation.space.time_zone)).strftime("%-d %b %Y")
