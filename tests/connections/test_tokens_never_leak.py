"""Salesforce tokens never reach a log line, an API response, a page or an audit record."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from django.test import Client

from orgbook.implementations import connect, lifecycle
from orgbook.spaces.models import AuditEvent

from .conftest import login_as


def test_a_whole_connect_and_sync_leaves_no_token_anywhere(people: dict[str, Any], salesforce: Any,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    from orgbook.runs.syncs import sync_connection

    caplog.set_level(logging.DEBUG)
    impl = lifecycle.create_implementation(people["acme"], people["alice"], "Retail")
    state, code = login_as(salesforce, connect.begin(people["alice"], impl, "production"), "ann@acme.com")
    conn = connect.complete(people["alice"], state, code)
    salesforce.expire_access_tokens(org="acme")  # force a refresh, the riskiest path
    sync_connection(conn, "first")
    conn.refresh_from_db()
    secrets = [conn.refresh_token(), conn.access_token()]
    assert all(secrets)

    client = Client()
    client.force_login(people["alice"])
    seen = [caplog.text,
            json.dumps(list(AuditEvent.objects.values("before", "after", "target_repr")), default=str),
            client.get(f"/api/v1/spaces/acme/implementations/{impl.pk}").content.decode(),
            client.get(f"/api/v1/spaces/acme/implementations/{impl.pk}/content").content.decode(),
            client.get(f"/s/acme/?impl={impl.pk}").content.decode(),
            repr(conn), str(conn)]
    for secret in secrets:
        for text in seen:
            assert secret not in text
            assert secret[:24] not in text
