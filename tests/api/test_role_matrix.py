"""Every role against every action, through the API: the permission table is honest."""

from __future__ import annotations

from typing import Any

import pytest

from orgbook.implementations import lifecycle

# (action label, method, path template, body, status when allowed)
ACTIONS: list[tuple[str, str, str, Any, int]] = [
    ("view space", "GET", "/spaces/acme", None, 200),
    ("list implementations", "GET", "/spaces/acme/implementations", None, 200),
    ("view implementation", "GET", "/spaces/acme/implementations/{impl}", None, 200),
    ("view content", "GET", "/spaces/acme/implementations/{impl}/content", None, 200),
    ("create implementation", "POST", "/spaces/acme/implementations", {"name": "New one"}, 201),
    ("rename implementation", "PATCH", "/spaces/acme/implementations/{impl}", {"name": "Renamed"}, 200),
    ("delete implementation", "DELETE", "/spaces/acme/implementations/{impl}", {"confirm": "Retail"}, 204),
    ("reactivate implementation", "POST", "/spaces/acme/implementations/{suspended}/reactivate", None, 200),
    ("view subscription", "GET", "/spaces/acme/subscription", None, 200),
    ("preview renewal", "POST", "/spaces/acme/subscription/renewals", {"connection_licences": 5, "preview": True}, 200),
    ("renew", "POST", "/spaces/acme/subscription/renewals", {"connection_licences": 5}, 201),
    ("list members", "GET", "/spaces/acme/members", None, 200),
    ("invite", "POST", "/spaces/acme/invitations", {"email": "new@example.com", "role": "viewer"}, 201),
    ("change role", "PATCH", "/spaces/acme/members/{vera_member}", {"role": "editor"}, 200),
    ("remove member", "DELETE", "/spaces/acme/members/{vera_member}", None, 204),
    ("read audit log", "GET", "/spaces/acme/audit", None, 200),
]
ADMIN_ONLY = {
    "create implementation", "rename implementation", "delete implementation", "reactivate implementation",
    "preview renewal", "renew", "invite", "change role", "remove member", "read audit log",
}


@pytest.fixture
def world(people: dict[str, Any]) -> dict[str, Any]:
    acme = people["acme"]
    retail = lifecycle.create_implementation(acme, people["alice"], "Retail")
    old = lifecycle.create_implementation(acme, people["alice"], "Old")
    lifecycle.suspend(old, people["alice"], reason="test")
    vera_member = acme.memberships.get(user=people["vera"])
    return {"impl": retail.pk, "suspended": old.pk, "vera_member": vera_member.pk}


@pytest.mark.parametrize("label,method,path,body,ok", ACTIONS, ids=[a[0] for a in ACTIONS])
@pytest.mark.parametrize("role_user", ["alice", "eddie", "vera"])
def test_each_role_may_do_exactly_what_its_role_allows(api_as: Any, world: dict[str, Any], role_user: str,
                                                        label: str, method: str, path: str, body: Any, ok: int) -> None:
    response = api_as(role_user).call(method, path.format(**world), body)
    if role_user == "alice" or label not in ADMIN_ONLY:
        assert response.status_code == ok, response.json_body
    else:
        assert response.status_code == 403
        assert response.json_body["error"]["code"] == "forbidden"


@pytest.mark.parametrize("label,method,path,body,ok", ACTIONS, ids=[a[0] for a in ACTIONS])
def test_another_spaces_admin_gets_404_everywhere(api_as: Any, world: dict[str, Any], label: str, method: str,
                                                  path: str, body: Any, ok: int) -> None:
    response = api_as("mallory").call(method, path.format(**world), body)
    assert response.status_code == 404
    assert response.json_body["error"]["code"] == "not_found"


def test_an_implementation_of_another_space_answers_404_even_under_my_own_space(api_as: Any, people: dict[str, Any]) -> None:
    theirs = lifecycle.create_implementation(people["globex"], people["mallory"], "Secret")
    response = api_as("alice").call("GET", f"/spaces/acme/implementations/{theirs.pk}")
    assert response.status_code == 404


def test_no_token_answers_401_with_what_to_do(api_as: Any) -> None:
    response = api_as(None).call("GET", "/spaces/acme")
    assert response.status_code == 401
    assert "Bearer" in response.json_body["error"]["message"]


def test_a_revoked_token_no_longer_works(people: dict[str, Any]) -> None:
    from django.test import Client

    from orgbook.spaces.models import PersonalAccessToken

    token, raw = PersonalAccessToken.issue(people["alice"], "ci")
    assert Client().get("/api/v1/spaces/acme", headers={"Authorization": f"Bearer {raw}"}).status_code == 200
    token.revoke()
    assert Client().get("/api/v1/spaces/acme", headers={"Authorization": f"Bearer {raw}"}).status_code == 401
