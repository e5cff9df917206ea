"""A connection with no stored login stops with "needs re-authorisation", never "already running"."""

from __future__ import annotations

from typing import Any

from orgbook.implementations.models import ConnectionStatus, OrgConnection
from orgbook.orgmodels.models import SyncRun
from orgbook.runs.tasks import sync_org


def test_a_connection_without_a_stored_token_ends_needing_reauthorisation(connected: Any) -> None:
    OrgConnection.objects.filter(pk=connected.pk).update(access_token_enc=None, refresh_token_enc=None)

    outcome = sync_org.apply(args=[connected.pk, "manual"]).get()

    assert outcome == {"stopped": "needs re-authorisation"}
    connected.refresh_from_db()
    assert connected.status == ConnectionStatus.NEEDS_REAUTH
    assert "needs re-authorisation" in connected.status_reason
    assert "already running" not in connected.status_reason
    assert connected.sync_lease_until is None  # the next attempt is not refused as "already running"
    assert not SyncRun.objects.filter(model__connection=connected, status=SyncRun.Status.RUNNING).exists()
