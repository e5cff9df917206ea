"""A database restored without its token key file (issue 20, item 6): Orgbook refuses to make a new
key file that could not read the stored rows, says what to restore, at start and on the org's card."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from orgbook.implementations import lifecycle, vault
from orgbook.implementations.models import ConnectionStatus, OrgConnection
from orgbook.runs import syncs

REFRESH = "5Aep861TSESvWeug_xvFHRBTTbf_YrTWgEyjBJYOFRJa7sVjkIhVNh2rTF4NAhb.dTIpQ5fO1Cg4WUSj9MZf0ZB"
ACCESS = "00D5g000004Cr3x!AQ0AQH0dMHZfz972Szmpkb58urFRkgeBGsxL_QJWwYMfAbUeeG7c1E6LYUfiDUkWe6H34r1AAwOR8B8fLEz6n04NPGRrq0FM"


@pytest.fixture
def key_file(settings: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A data directory of this test's own, keys from its token_keys file only."""
    monkeypatch.delenv("ORGBOOK_SECRET_KEYS", raising=False)
    settings.DATA_DIR = tmp_path
    vault.reset_cache()
    yield tmp_path / "token_keys"
    vault.reset_cache()


def _connect(people: dict[str, Any]) -> OrgConnection:
    """What the OAuth callback stores (connect.complete): a connection with its tokens encrypted."""
    impl = lifecycle.create_implementation(people["acme"], people["alice"], "Retail")
    conn = OrgConnection(implementation=impl, kind="production", org_id="00D5g000004Cr3xEAC", org_name="Acme Prod",
                         instance_url="https://acme.my.salesforce.com")
    conn.set_tokens(REFRESH, ACCESS)
    conn.save()
    return conn


def _check_output() -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("check", stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def test_a_fresh_install_makes_its_key_file_at_the_first_connect(people: dict[str, Any], key_file: Path) -> None:
    assert not key_file.exists()
    assert "token key file" not in _check_output()
    conn = _connect(people)
    assert key_file.exists() and key_file.stat().st_mode & 0o777 == 0o600
    assert OrgConnection.objects.get(pk=conn.pk).access_token() == ACCESS


def test_a_restore_without_the_key_file_is_refused_with_what_to_restore(people: dict[str, Any], key_file: Path,
                                                                       settings: Any) -> None:
    conn = _connect(people)
    backup = key_file.read_bytes()
    key_file.unlink()  # the database came back from a backup, the data directory's key file did not
    vault.reset_cache()

    with pytest.raises(vault.MissingKeys) as refused:
        OrgConnection.objects.get(pk=conn.pk).access_token()
    message = str(refused.value)
    assert f"The token key file {key_file} is missing but 1 stored Salesforce login was encrypted" in message
    assert "restore token_keys from your backup (or set ORGBOOK_SECRET_KEYS)" in message
    assert not key_file.exists()  # and no new key that could never read the stored tokens

    assert message in _check_output()  # what `orgbook serve`, `worker` and `check` print at start
    assert not key_file.exists()

    # The worker's sync fails with that reason, and the card on the implementations page shows it.
    with pytest.raises(vault.MissingKeys):
        syncs.sync_connection(conn, "manual")
    conn.refresh_from_db()
    assert conn.status == ConnectionStatus.SYNC_FAILED and "restore token_keys" in conn.status_reason
    client = Client()
    client.force_login(people["alice"])
    page = client.get("/s/acme/").content.decode()
    card = page[page.index('class="impl-card'):]
    assert "Sync failed" in card and "restore token_keys from your backup" in card
    assert not key_file.exists()

    key_file.write_bytes(backup)  # restoring the file is all it takes
    vault.reset_cache()
    assert "token key file" not in _check_output()
    assert OrgConnection.objects.get(pk=conn.pk).access_token() == ACCESS


def test_keys_in_the_environment_need_no_key_file(people: dict[str, Any], key_file: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    conn = _connect(people)
    monkeypatch.setenv("ORGBOOK_SECRET_KEYS", key_file.read_text().strip())
    key_file.unlink()
    vault.reset_cache()
    assert "token key file" not in _check_output()
    assert OrgConnection.objects.get(pk=conn.pk).access_token() == ACCESS
    assert not key_file.exists()


def test_connect_org_without_the_key_file_answers_what_to_restore_not_a_500(
        people: dict[str, Any], key_file: Path, settings: Any) -> None:
    _connect(people)
    key_file.unlink()
    vault.reset_cache()
    settings.ORGBOOK_SF_CLIENT_ID, settings.ORGBOOK_SF_CLIENT_SECRET = "id", "secret"
    wholesale = lifecycle.create_implementation(people["acme"], people["alice"], "Wholesale")
    client = Client(raise_request_exception=False)
    client.force_login(people["alice"])
    response = client.post("/orgs/s/acme/login/", {"implementation": wholesale.pk, "kind": "production"})
    assert response.status_code == 503
    assert "restore" in response.content.decode() and "token_keys" in response.content.decode()
    assert not key_file.exists()
