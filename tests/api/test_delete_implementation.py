from __future__ import annotations

from typing import Any

import pytest

from orgbook.implementations import lifecycle
from orgbook.implementations.models import Implementation, OrgConnection
from orgbook.spaces.models import AuditEvent


@pytest.fixture
def retail(people: dict[str, Any]) -> Implementation:
    impl = lifecycle.create_implementation(people["acme"], people["alice"], "Retail")
    OrgConnection.objects.create(implementation=impl, kind="production", org_id="00D000000000001AAA", org_name="Retail")
    return impl


@pytest.mark.parametrize("confirm", [None, "", "retail", "Retail ", "Other"])
def test_a_wrong_or_missing_confirmation_changes_nothing(api_as: Any, retail: Implementation, confirm: Any) -> None:
    body = None if confirm is None else {"confirm": confirm}
    r = api_as("alice").call("DELETE", f"/spaces/acme/implementations/{retail.pk}", body)
    if confirm == "Retail ":
        assert r.status_code == 204  # surrounding spaces from copy-paste are forgiven
        return
    assert r.status_code == 400
    assert "Retail" in r.json_body["error"]["message"]
    assert Implementation.objects.filter(pk=retail.pk).exists()
    assert OrgConnection.objects.filter(implementation=retail).count() == 1


def test_deleting_removes_connections_frees_the_licence_and_is_audited(api_as: Any, retail: Implementation) -> None:
    r = api_as("alice").call("DELETE", f"/spaces/acme/implementations/{retail.pk}", {"confirm": "Retail"})
    assert r.status_code == 204
    assert not Implementation.objects.filter(pk=retail.pk).exists()
    assert not OrgConnection.objects.exists()
    event = AuditEvent.objects.get(action="implementation.deleted")
    assert event.actor_email == "alice@example.com"
    assert event.before["name"] == "Retail" and event.before["connections"] == ["00D000000000001AAA"]
    sub = api_as("alice").call("GET", "/spaces/acme/subscription").json_body
    assert sub["free_licences"] == 3
