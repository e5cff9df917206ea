"""The permission table, spelled out: every role against every action (a new action must be placed here)."""

from __future__ import annotations

import pytest

from orgbook.spaces.permissions import Action, role_allows

V, E, A = "viewer", "editor", "admin"
EXPECTED: dict[Action, set[str]] = {
    Action.VIEW_SPACE: {V, E, A},
    Action.VIEW_IMPLEMENTATIONS: {V, E, A},
    Action.VIEW_CONTENT: {V, E, A},
    Action.VIEW_MEMBERS: {V, E, A},
    Action.VIEW_SUBSCRIPTION: {V, E, A},
    Action.EDIT_DOCUMENTATION: {E, A},
    Action.START_SYNC: {E, A},
    Action.CREATE_IMPLEMENTATION: {A},
    Action.UPDATE_IMPLEMENTATION: {A},
    Action.DELETE_IMPLEMENTATION: {A},
    Action.REACTIVATE_IMPLEMENTATION: {A},
    Action.CONNECT_ORG: {A},
    Action.MANAGE_MEMBERS: {A},
    Action.MANAGE_SUBSCRIPTION: {A},
    Action.VIEW_AUDIT: {A},
    Action.MANAGE_INTEGRATIONS: {A},
}


def test_every_action_is_in_the_table() -> None:
    assert set(EXPECTED) == set(Action)


@pytest.mark.parametrize("action", list(Action), ids=[a.value for a in Action])
@pytest.mark.parametrize("role", [V, E, A])
def test_each_role_is_allowed_exactly_its_actions(role: str, action: Action) -> None:
    assert role_allows(role, action) is (role in EXPECTED[action])


def test_an_unknown_role_is_allowed_nothing() -> None:
    assert not any(role_allows("owner", action) for action in Action)
