"""The one place that decides who may do what in a Space.

Views, the REST API and the CLI all call `authorize`; tests walk every role against
every action through the API to keep this table honest.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from orgbook import rows
from orgbook.errors import Forbidden, NotFound
from orgbook.spaces.models import Membership, Role, Space


class Action(StrEnum):
    VIEW_SPACE = "view_space"
    VIEW_IMPLEMENTATIONS = "view_implementations"
    VIEW_CONTENT = "view_content"  # org models and documentation
    EDIT_DOCUMENTATION = "edit_documentation"
    START_SYNC = "start_sync"
    CREATE_IMPLEMENTATION = "create_implementation"
    UPDATE_IMPLEMENTATION = "update_implementation"
    DELETE_IMPLEMENTATION = "delete_implementation"
    REACTIVATE_IMPLEMENTATION = "reactivate_implementation"
    CONNECT_ORG = "connect_org"
    VIEW_MEMBERS = "view_members"
    MANAGE_MEMBERS = "manage_members"
    VIEW_SUBSCRIPTION = "view_subscription"
    MANAGE_SUBSCRIPTION = "manage_subscription"
    VIEW_AUDIT = "view_audit"
    MANAGE_INTEGRATIONS = "manage_integrations"  # webhooks, sync recipients and schedules


_VIEWER = {
    Action.VIEW_SPACE,
    Action.VIEW_IMPLEMENTATIONS,
    Action.VIEW_CONTENT,
    Action.VIEW_MEMBERS,
    Action.VIEW_SUBSCRIPTION,
}
_EDITOR = _VIEWER | {Action.EDIT_DOCUMENTATION, Action.START_SYNC}
ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    Role.VIEWER: frozenset(_VIEWER),
    Role.EDITOR: frozenset(_EDITOR),
    Role.ADMIN: frozenset(Action),
}


def role_allows(role: str, action: Action) -> bool:
    return action in ROLE_ACTIONS.get(role, frozenset())


def memberships_of(user: Any) -> list[Membership]:
    """Every membership of the user with its Space, by Space name (the Space switcher shows them): one
    query that a page can also pass to `authorize` instead of it reading the membership again."""
    if user is None or not user.is_authenticated:
        return []
    # Written out (orgbook/rows.py): every page runs it, and building it with the ORM cost more than
    # the query. Sorted here: a person has few memberships.
    sql = (f"SELECT {rows.columns(Membership, 'm')}, {rows.columns(Space, 's')} "  # noqa: S608  # our own SQL
           f"FROM {Membership._meta.db_table} m JOIN {Space._meta.db_table} s ON s.id = m.space_id "
           "WHERE m.user_id = %s")
    found: list[Membership] = []
    for membership, space in rows.fetch(sql, [user.pk], Membership, Space):
        assert isinstance(membership, Membership) and isinstance(space, Space)
        membership.space = space
        membership.user = user  # the person asking: no query when a caller reads it
        found.append(membership)
    return sorted(found, key=lambda m: (m.space.name, m.space_id))


def membership_for(user: Any, space_slug: str, memberships: list[Membership] | None = None) -> Membership:
    """The user's membership in a Space; a Space they are not in answers 404, not 403. `memberships`:
    the user's, read by `memberships_of` in this request (else one query)."""
    if user is None or not user.is_authenticated:
        raise NotFound("No such Space.")
    if memberships is not None:
        membership = next((m for m in memberships if m.user_id == user.pk and m.space.slug == space_slug), None)
    else:
        # No ORDER BY: (user, space) is unique, and ordering by the default (the user's email) costs a join.
        membership = next(iter(Membership.objects.select_related("space", "user")
                                .filter(user=user, space__slug=space_slug).order_by()[:1]), None)
    if membership is None:
        raise NotFound("No such Space.")
    return membership


def authorize(user: Any, space: Space | str, action: Action, memberships: list[Membership] | None = None) -> Membership:
    """The user's membership in the Space if their role allows `action` (else Forbidden; NotFound when
    they are not in it). `memberships`: see `membership_for`."""
    slug = space if isinstance(space, str) else space.slug
    membership = membership_for(user, slug, memberships)
    if not role_allows(membership.role, action):
        raise Forbidden(
            f"Your role in {membership.space.name} ({membership.get_role_display()}) cannot "
            f"{action.value.replace('_', ' ')}. Ask a Space admin."
        )
    return membership


def may_create_space(user: Any) -> bool:
    """Anyone signed in when sign-up is open (ORGBOOK_SIGNUP=open); otherwise the installation's
    staff only, so an invited member cannot start Spaces of their own (operators also have
    `orgbook space create`)."""
    from django.conf import settings

    if user is None or not user.is_authenticated:
        return False
    return settings.ORGBOOK_SIGNUP == "open" or bool(user.is_staff or user.is_superuser)
