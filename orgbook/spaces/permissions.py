"""The one place that decides who may do what in a Space.

Views, the REST API and the CLI all call `authorize`; tests walk every role against
every action through the API to keep this table honest.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

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


def membership_for(user: Any, space_slug: str) -> Membership:
    """The user's membership in a Space; a Space they are not in answers 404, not 403."""
    if user is None or not user.is_authenticated:
        raise NotFound("No such Space.")
    membership = (
        Membership.objects.select_related("space", "user").filter(user=user, space__slug=space_slug).first()
    )
    if membership is None:
        raise NotFound("No such Space.")
    return membership


def authorize(user: Any, space: Space | str, action: Action) -> Membership:
    slug = space if isinstance(space, str) else space.slug
    membership = membership_for(user, slug)
    if not role_allows(membership.role, action):
        raise Forbidden(
            f"Your role in {membership.space.name} ({membership.get_role_display()}) cannot "
            f"{action.value.replace('_', ' ')}. Ask a Space admin."
        )
    return membership
