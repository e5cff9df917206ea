"""Deleting needs the exact name typed; anything else keeps the implementation."""

from __future__ import annotations

from typing import Any

from orgbook.implementations.models import Implementation, OrgConnection
from orgbook.spaces.models import AuditEvent
from tests.web.conftest import text


def test_confirm_page_names_what_will_be_lost(web_as: Any, acme_impls: Any) -> None:
    retail = acme_impls["retail"]
    OrgConnection.objects.create(implementation=retail, kind="production", org_id="00D000000000001", org_name="Retail Prod")
    page = text(web_as("alice").get(f"/s/acme/implementations/{retail.pk}/delete/"))
    assert "Delete Retail?" in page
    assert "its 1 org connection" in page
    assert "It cannot be undone." in page
    assert "type the name exactly: Retail" in page


def test_typing_the_exact_name_deletes_and_frees_the_licence(web_as: Any, acme_impls: Any) -> None:
    retail = acme_impls["retail"]
    OrgConnection.objects.create(implementation=retail, kind="production", org_id="00D000000000001")
    response = web_as("alice").post(f"/s/acme/implementations/{retail.pk}/delete/", {"confirm": "Retail"}, follow=True)
    assert response.redirect_chain[-1][0] == "/s/acme/"
    page = text(response)
    assert "Implementation Retail and everything in it were deleted. Its licence is free." in page
    assert "1 of 3 connection licences in use" in page
    assert not Implementation.objects.filter(pk=retail.pk).exists()
    assert not OrgConnection.objects.exists()
    assert AuditEvent.objects.filter(action="implementation.deleted", target_repr="Retail").exists()


def test_wrong_or_missing_name_changes_nothing(web_as: Any, acme_impls: Any) -> None:
    retail = acme_impls["retail"]
    client = web_as("alice")
    for typed in ("retail", "Retail!", "", "Service"):
        response = client.post(f"/s/acme/implementations/{retail.pk}/delete/", {"confirm": typed})
        assert response.status_code == 400
        assert "To delete, type the implementation's name exactly: Retail" in text(response)
    assert Implementation.objects.filter(pk=retail.pk).exists()
    assert not AuditEvent.objects.filter(action="implementation.deleted").exists()


def test_editors_cannot_delete(web_as: Any, acme_impls: Any) -> None:
    retail = acme_impls["retail"]
    response = web_as("eddie").post(f"/s/acme/implementations/{retail.pk}/delete/", {"confirm": "Retail"})
    assert response.status_code == 403
    assert Implementation.objects.filter(pk=retail.pk).exists()
