"""Salesforce tokens are encrypted at rest; rotating keys re-encrypts them."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from orgbook.implementations import lifecycle, vault
from orgbook.implementations.models import OrgConnection

REFRESH = "5Aep861TSESvWeug_xvFHRBTTbf_YrTWgEyjBJYOFRJa7sVjkIhVNh2rTF4NAhb.dTIpQ5fO1Cg4WUSj9MZf0ZB"
ACCESS = "00D5g000004Cr3x!AQ0AQH0dMHZfz972Szmpkb58urFRkgeBGsxL_QJWwYMfAbUeeG7c1E6LYUfiDUkWe6H34r1AAwOR8B8fLEz6n04NPGRrq0FM"


@pytest.fixture
def conn(people: dict[str, Any]) -> OrgConnection:
    impl = lifecycle.create_implementation(people["acme"], people["alice"], "Retail")
    c = OrgConnection(implementation=impl, kind="production", org_id="00D5g000004Cr3xEAC")
    c.set_tokens(REFRESH, ACCESS)
    c.save()
    return c


def _raw_row(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM implementations_orgconnection WHERE id = %s", [pk])
        row = cursor.fetchone()
    return " ".join(bytes(v).decode("latin-1") if isinstance(v, (bytes, memoryview)) else str(v) for v in row)


def test_the_database_row_holds_no_token_text(conn: OrgConnection) -> None:
    raw = _raw_row(conn.pk)
    assert REFRESH not in raw and ACCESS not in raw
    assert REFRESH[:20] not in raw and "AQ0AQH0dMHZfz972" not in raw
    fresh = OrgConnection.objects.get(pk=conn.pk)
    assert fresh.refresh_token() == REFRESH and fresh.access_token() == ACCESS


def test_tokens_are_not_in_reprs(conn: OrgConnection) -> None:
    assert REFRESH not in repr(conn) and ACCESS not in str(conn)


def test_manual_sync_only_stores_no_refresh_token(people: dict[str, Any]) -> None:
    impl = lifecycle.create_implementation(people["acme"], people["alice"], "Manual")
    c = OrgConnection(implementation=impl, kind="production", org_id="00D5g000004Cr3yEAC", manual_sync_only=True)
    c.set_tokens(REFRESH, ACCESS)
    c.save()
    assert OrgConnection.objects.get(pk=c.pk).refresh_token() is None


def test_rotating_keys_re_encrypts_with_the_new_key(conn: OrgConnection, monkeypatch: pytest.MonkeyPatch,
                                                    settings: Any) -> None:
    old_keys = (settings.DATA_DIR / "token_keys").read_bytes().decode().split()
    new_key = Fernet.generate_key().decode()
    monkeypatch.setenv("ORGBOOK_SECRET_KEYS", ",".join([new_key, *old_keys]))
    vault.reset_cache()
    call_command("rotate_token_keys", verbosity=0)
    monkeypatch.setenv("ORGBOOK_SECRET_KEYS", new_key)  # the old key is gone
    vault.reset_cache()
    try:
        assert OrgConnection.objects.get(pk=conn.pk).refresh_token() == REFRESH
    finally:
        monkeypatch.delenv("ORGBOOK_SECRET_KEYS")
        vault.reset_cache()


def test_a_token_unreadable_with_the_configured_keys_says_what_to_do(conn: OrgConnection,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORGBOOK_SECRET_KEYS", Fernet.generate_key().decode())
    vault.reset_cache()
    try:
        with pytest.raises(Exception, match="re-authorise the org"):
            OrgConnection.objects.get(pk=conn.pk).refresh_token()
    finally:
        monkeypatch.delenv("ORGBOOK_SECRET_KEYS")
        vault.reset_cache()
