"""Connect Org: the OAuth flow with PKCE, and every wrong-org refusal, against the emulator."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail

from orgbook.errors import Invalid
from orgbook.implementations import connect, lifecycle
from orgbook.implementations.models import ConnectionStatus, Implementation, OrgConnection
from orgbook.spaces.models import AuditEvent

from .conftest import login_as


def _connect(people: dict[str, Any], emu: Any, impl: Implementation, kind: str, username: str,
             **kw: Any) -> Any:
    url = connect.begin(people["alice"], impl, kind, **kw)
    state, code = login_as(emu, url, username)
    return connect.complete(people["alice"], state, code)


def test_a_production_org_connects_with_encrypted_tokens(people: dict[str, Any], salesforce: Any,
                                                         retail: Implementation) -> None:
    conn = _connect(people, salesforce, retail, "production", "ann@acme.com")
    assert conn.kind == "production" and conn.org_id == salesforce.org("acme").org_id
    assert conn.org_name == "Acme"
    # Its first sync is queued at once: the org shows "Queued" until a worker opens the run.
    assert (conn.status, conn.status_reason) == (ConnectionStatus.SYNCING, "Queued")
    assert conn.my_domain == salesforce.org("acme").my_domain
    assert conn.refresh_token() and conn.access_token()
    assert AuditEvent.objects.filter(action="org.connected").exists()


def test_a_sandbox_of_the_implementations_production_connects(people: dict[str, Any], salesforce: Any,
                                                              retail: Implementation) -> None:
    _connect(people, salesforce, retail, "production", "ann@acme.com")
    sandbox = _connect(people, salesforce, retail, "sandbox", "ann@acme.com.uat")
    assert sandbox.kind == "sandbox" and sandbox.sandbox_name == "uat"
    assert [c.kind for c in retail.connections.order_by("kind")] == ["production", "sandbox"]


# The generic login hosts only sign in users of their kind, so a wrong-kind login comes through a
# My Domain the admin typed: the org's own host serves the OAuth endpoints too.
REFUSALS = [
    ("sandbox chosen, production My Domain", "sandbox", "acme", "ann@acme.com", "wrong_kind_expected_sandbox"),
    ("production chosen, sandbox My Domain", "production", "uat", "ann@acme.com.uat", "wrong_kind_expected_production"),
    ("edition without API", "production", None, "tom@tiny.com", "edition_without_api"),
    ("user without Modify Metadata", "production", None, "rita@acme.com", "missing_permissions"),
]


@pytest.mark.parametrize("label,kind,host,username,reason", REFUSALS, ids=[r[0] for r in REFUSALS])
def test_the_wrong_org_or_user_is_refused_and_nothing_is_kept(people: dict[str, Any], salesforce: Any,
                                                              retail: Implementation, label: str, kind: str,
                                                              host: str | None, username: str, reason: str) -> None:
    my_domain = salesforce.org(host).instance_url if host else None
    with pytest.raises(connect.ConnectRefused) as refused:
        _connect(people, salesforce, retail, kind, username, my_domain=my_domain)
    assert refused.value.details["reason"] == reason
    assert "Nothing was connected" in refused.value.message
    assert not OrgConnection.objects.exists()


def test_an_org_already_connected_names_its_implementation(people: dict[str, Any], salesforce: Any,
                                                           retail: Implementation) -> None:
    _connect(people, salesforce, retail, "production", "ann@acme.com")
    other = lifecycle.create_implementation(people["acme"], people["alice"], "Wholesale")
    with pytest.raises(connect.ConnectRefused, match='implementation "Retail"') as refused:
        _connect(people, salesforce, other, "production", "ann@acme.com")
    assert refused.value.details["reason"] == "org_already_connected"
    assert OrgConnection.objects.count() == 1


def test_a_second_production_org_is_refused(people: dict[str, Any], salesforce: Any, retail: Implementation) -> None:
    _connect(people, salesforce, retail, "production", "ann@acme.com")
    with pytest.raises(connect.ConnectRefused) as refused:
        _connect(people, salesforce, retail, "production", "gus@globex.com")
    assert refused.value.details["reason"] == "second_production"


def test_a_sandbox_of_another_production_is_refused(people: dict[str, Any], salesforce: Any,
                                                    retail: Implementation) -> None:
    _connect(people, salesforce, retail, "production", "ann@acme.com")
    with pytest.raises(connect.ConnectRefused) as refused:
        _connect(people, salesforce, retail, "sandbox", "gus@globex.com.dev")
    assert refused.value.details["reason"] == "sandbox_of_other_production"
    assert retail.connections.count() == 1


def test_a_state_is_single_use_and_tamper_proof(people: dict[str, Any], salesforce: Any,
                                                retail: Implementation) -> None:
    url = connect.begin(people["alice"], retail, "production")
    state, code = login_as(salesforce, url, "ann@acme.com")
    with pytest.raises(Invalid, match="not one Orgbook started"):
        connect.complete(people["alice"], state + "x", code)
    connect.complete(people["alice"], state, code)
    with pytest.raises(Invalid, match="already used"):
        connect.complete(people["alice"], state, code)


def test_another_users_callback_is_refused(people: dict[str, Any], salesforce: Any, retail: Implementation) -> None:
    url = connect.begin(people["alice"], retail, "production")
    state, code = login_as(salesforce, url, "ann@acme.com")
    with pytest.raises(Invalid):
        connect.complete(people["eddie"], state, code)


def test_without_a_connected_app_the_message_says_how_to_create_one(people: dict[str, Any], settings: Any,
                                                                    retail: Implementation) -> None:
    settings.ORGBOOK_SF_CLIENT_ID = ""
    with pytest.raises(connect.SalesforceNotConfigured, match="Connected App"):
        connect.begin(people["alice"], retail, "production")


def test_an_expired_session_is_refreshed_once_and_stored(people: dict[str, Any], salesforce: Any,
                                                         retail: Implementation) -> None:
    conn = _connect(people, salesforce, retail, "production", "ann@acme.com")
    old_access = conn.access_token()
    salesforce.expire_access_tokens(org="acme")
    assert connect.client_for(conn).organization().name == "Acme"
    assert OrgConnection.objects.get(pk=conn.pk).access_token() != old_access


def test_a_revoked_refresh_token_marks_needs_reauthorisation_and_emails_admins(
    people: dict[str, Any], salesforce: Any, retail: Implementation
) -> None:
    from orgbook.salesforce.errors import RefreshTokenRevoked

    conn = _connect(people, salesforce, retail, "production", "ann@acme.com")
    salesforce.expire_access_tokens(org="acme")
    salesforce.revoke_refresh_tokens(org="acme")
    mail.outbox.clear()
    with pytest.raises(RefreshTokenRevoked):
        connect.client_for(conn).organization()
    assert OrgConnection.objects.get(pk=conn.pk).status == ConnectionStatus.NEEDS_REAUTH
    assert mail.outbox and mail.outbox[0].to == ["alice@example.com"]


def test_reconnect_must_come_back_as_the_same_org(people: dict[str, Any], salesforce: Any,
                                                  retail: Implementation) -> None:
    conn = _connect(people, salesforce, retail, "production", "ann@acme.com")
    with pytest.raises(connect.ConnectRefused) as refused:
        # through the generic login host, where any org's user can sign in
        _connect(people, salesforce, retail, "production", "gus@globex.com", reconnect=conn,
                 my_domain=salesforce.login_url)
    assert refused.value.details["reason"] == "reconnect_wrong_org"
    again = _connect(people, salesforce, retail, "production", "ann@acme.com", reconnect=conn)
    assert again.pk == conn.pk and again.status == ConnectionStatus.CONNECTED


def test_a_refreshed_sandbox_is_recognised_confirmed_and_rebound(people: dict[str, Any], salesforce: Any,
                                                                 retail: Implementation) -> None:
    _connect(people, salesforce, retail, "production", "ann@acme.com")
    sandbox = _connect(people, salesforce, retail, "sandbox", "ann@acme.com.uat")
    old_id = sandbox.org_id
    new_id = salesforce.refresh_sandbox(org="uat")
    pending = _connect(people, salesforce, retail, "sandbox", "ann@acme.com.uat", reconnect=sandbox)
    assert isinstance(pending, connect.RebindNeeded)
    assert OrgConnection.objects.get(pk=sandbox.pk).org_id == old_id  # nothing changes before the admin confirms
    rebound = connect.confirm_rebind(people["alice"], pending.attempt.pk)
    assert rebound.pk == sandbox.pk and rebound.org_id[:15] == new_id[:15]


def test_disconnect_needs_the_typed_name_then_revokes_and_deletes(people: dict[str, Any], salesforce: Any,
                                                                  retail: Implementation) -> None:
    from orgbook.salesforce.errors import SalesforceError

    conn = _connect(people, salesforce, retail, "production", "ann@acme.com")
    client = connect.client_for(conn)
    with pytest.raises(Invalid, match="type the org's name"):
        connect.disconnect(conn, people["alice"], "wrong")
    connect.disconnect(conn, people["alice"], "Acme")
    assert not OrgConnection.objects.exists()
    with pytest.raises(SalesforceError):
        client.organization()  # the token was revoked at Salesforce


def test_an_unconfirmed_rebind_does_not_keep_its_tokens_past_a_day(people: dict[str, Any], salesforce: Any,
                                                                   retail: Implementation) -> None:
    import time_machine
    from django.utils import timezone

    from orgbook.implementations.models import ConnectAttempt

    _connect(people, salesforce, retail, "production", "ann@acme.com")
    sandbox = _connect(people, salesforce, retail, "sandbox", "ann@acme.com.uat")
    salesforce.refresh_sandbox(org="uat")
    pending = _connect(people, salesforce, retail, "sandbox", "ann@acme.com.uat", reconnect=sandbox)
    assert ConnectAttempt.objects.get(pk=pending.attempt.pk).pending_access_enc
    with time_machine.travel(timezone.now() + timedelta(hours=25)):
        assert connect.purge_stale_attempts() >= 1
    assert not ConnectAttempt.objects.filter(pk=pending.attempt.pk).exists()


def test_deleting_an_implementation_revokes_its_tokens_at_salesforce(people: dict[str, Any], salesforce: Any,
                                                                     retail: Implementation) -> None:
    from orgbook.salesforce.errors import SalesforceError

    conn = _connect(people, salesforce, retail, "production", "ann@acme.com")
    client = connect.client_for(conn)
    lifecycle.delete_implementation(retail, people["alice"], "Retail")
    with pytest.raises(SalesforceError):
        client.organization()


def test_a_refreshed_sandbox_is_marked_detached_not_just_needing_a_login(people: dict[str, Any], salesforce: Any,
                                                                        retail: Implementation) -> None:
    from orgbook.salesforce.errors import RefreshTokenRevoked

    _connect(people, salesforce, retail, "production", "ann@acme.com")
    sandbox = _connect(people, salesforce, retail, "sandbox", "ann@acme.com.uat")
    new_id = salesforce.refresh_sandbox(org="uat")
    with pytest.raises(RefreshTokenRevoked):
        connect.client_for(sandbox).organization()
    sandbox.refresh_from_db()
    assert sandbox.status == ConnectionStatus.DETACHED
    assert "was refreshed" in sandbox.status_reason and new_id[:15] in sandbox.status_reason


def test_a_sandbox_connects_when_production_answers_invalid_type_for_sandbox_process(
        people: dict[str, Any], salesforce: Any, retail: Implementation) -> None:
    # Real orgs answer INVALID_TYPE for an object the user cannot see (the body below is a real one,
    # tests/data/salesforce-recordings/cumulusci): the sandbox is judged on its My Domain instead.
    _connect(people, salesforce, retail, "production", "ann@acme.com")
    message = ("\nSELECT Id, SandboxName, SandboxOrganization, Status, CreatedDate FROM SandboxProcess\n"
               "                                                                       ^\nERROR at Row:1:Column:72\n"
               "sObject type 'SandboxProcess' is not supported. If you are attempting to use a custom object, be sure "
               "to append the '__c' after the entity name. Please reference your WSDL or the describe call for the "
               "appropriate names.")
    salesforce.inject_fault(org="acme", kind="server_error", api="tooling", status=400, code="INVALID_TYPE",
                            message=message, times=5)
    sandbox = _connect(people, salesforce, retail, "sandbox", "ann@acme.com.uat")
    assert sandbox.kind == "sandbox" and sandbox.sandbox_name == "uat"
