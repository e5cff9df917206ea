"""Connecting Salesforce orgs: the OAuth 2.0 web-server flow with PKCE and the wrong-org guard.

`begin` records what the admin asked for and returns the Salesforce login URL; `complete` runs on
the callback, reads who and what came back, and either stores an encrypted connection or refuses,
revoking the new token so nothing is kept.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from celery import current_app
from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from orgbook.errors import Invalid, NeedsReauthorisation, OrgbookError
from orgbook.implementations import vault
from orgbook.implementations.access import require_active
from orgbook.implementations.models import (
    SYNC_QUEUED,
    ConnectAttempt,
    ConnectionStatus,
    Implementation,
    OrgConnection,
    OrgKind,
)
from orgbook.implementations.signals import content_removing
from orgbook.salesforce import guard
from orgbook.salesforce.client import SalesforceClient
from orgbook.salesforce.connect import collect_org_facts
from orgbook.salesforce.errors import OAuthError, RefreshTokenRevoked, SalesforceError
from orgbook.salesforce.ids import same_id, to_18
from orgbook.salesforce.oauth import OAuthClient, Pkce, TokenSet, normalise_base_url
from orgbook.spaces import audit

log = logging.getLogger(__name__)
STATE_SALT = "orgbook.connect.state"


class SalesforceNotConfigured(OrgbookError):
    code = "salesforce_not_configured"
    status = 503


class ConnectRefused(OrgbookError):
    code = "connect_refused"
    status = 409


@dataclass(frozen=True)
class RebindNeeded:
    """A reconnect came back as a refreshed sandbox: same My Domain, new org id. Ask to confirm."""

    attempt: ConnectAttempt
    old_org_id: str
    new_org_id: str


def callback_url() -> str:
    return f"{settings.BASE_URL}/orgs/oauth/callback"


def oauth_client(login_url: str) -> OAuthClient:
    if not settings.ORGBOOK_SF_CLIENT_ID:
        raise SalesforceNotConfigured(
            "Orgbook has no Salesforce connected app yet. An administrator creates one in Salesforce Setup "
            "(App Manager > New Connected App, callback URL " + callback_url() + ", scopes api, refresh_token, id) "
            "and sets ORGBOOK_SF_CLIENT_ID and ORGBOOK_SF_CLIENT_SECRET; see docs/salesforce-access.md."
        )
    return OAuthClient(client_id=settings.ORGBOOK_SF_CLIENT_ID, client_secret=settings.ORGBOOK_SF_CLIENT_SECRET or None,
                       redirect_uri=callback_url(), login_url=login_url)


def login_url(kind: str, my_domain: str | None) -> str:
    if my_domain and my_domain.strip():
        try:
            return normalise_base_url(my_domain.strip())
        except ValueError:
            raise Invalid(f"{my_domain!r} is not a My Domain URL like https://acme.my.salesforce.com.") from None
    return settings.ORGBOOK_SF_SANDBOX_LOGIN_URL if kind == OrgKind.SANDBOX else settings.ORGBOOK_SF_LOGIN_URL


def begin(user: Any, implementation: Implementation, kind: str, *, my_domain: str | None = None,
          reconnect: OrgConnection | None = None, manual_sync_only: bool = False) -> str:
    """Record the attempt and return the Salesforce authorize URL to send the browser to."""
    require_active(implementation)
    if kind not in OrgKind.values:
        raise Invalid("Choose Production or Sandbox.")
    if reconnect is not None:
        # Log in on the org's own host (its My Domain, as instance_url): it pins the login to that org.
        kind, my_domain = reconnect.kind, my_domain or reconnect.instance_url or None
        manual_sync_only = reconnect.manual_sync_only
    url = login_url(kind, my_domain)
    client = oauth_client(url)
    pkce = Pkce.generate()
    attempt = ConnectAttempt.objects.create(
        space=implementation.space, implementation=implementation, user=user, kind=kind, login_url=url,
        verifier_enc=vault.encrypt(pkce.verifier), reconnect=reconnect, manual_sync_only=manual_sync_only)
    state = signing.dumps({"a": attempt.pk}, salt=STATE_SALT)
    return client.authorize_url(state, pkce)


def attempt_for_state(user: Any, state: str) -> ConnectAttempt:
    """The attempt a callback belongs to: signed, unexpired, unused, and started by this user."""
    try:
        data = signing.loads(state, salt=STATE_SALT, max_age=settings.ORGBOOK_CONNECT_STATE_SECONDS)
    except signing.SignatureExpired:
        raise Invalid("This Salesforce login took too long and has expired. Start Connect Org again.") from None
    except signing.BadSignature:
        raise Invalid("This Salesforce callback is not one Orgbook started. Start Connect Org again.") from None
    with transaction.atomic():
        attempt = ConnectAttempt.objects.select_for_update().filter(pk=data.get("a"), user=user).first()
        if attempt is None or attempt.used_at is not None:
            raise Invalid("This Salesforce login was already used. Start Connect Org again.")
        attempt.used_at = timezone.now()
        attempt.save(update_fields=["used_at"])
    return attempt


def complete(user: Any, state: str, code: str | None, error: str | None = None,
             error_description: str | None = None) -> OrgConnection | RebindNeeded:
    attempt = attempt_for_state(user, state)
    if error:
        _finish(attempt, f"salesforce:{error}")
        raise ConnectRefused(f"Salesforce did not authorise the connection ({error}: {error_description or 'no reason given'}). "
                             "Nothing was connected; try again and choose Allow.", reason=error)
    if not code:
        raise Invalid("Salesforce sent no authorisation code. Start Connect Org again.")
    client = oauth_client(attempt.login_url)
    try:
        tokens = client.exchange_code(code, vault.decrypt(bytes(attempt.verifier_enc)))
    except OAuthError as exc:
        _finish(attempt, f"token:{exc.code}")
        raise ConnectRefused(f"Salesforce refused the login ({exc}). Nothing was connected; start again.",
                             reason=exc.code) from None
    try:
        return _decide(attempt, client, tokens)
    except SalesforceError as exc:
        _revoke_quietly(client, tokens)
        _finish(attempt, "salesforce_error")
        raise ConnectRefused(f"Salesforce answered with an error while Orgbook checked the org ({exc}). "
                             "Nothing was connected; try again in a few minutes.", reason="salesforce_error") from None


def _decide(attempt: ConnectAttempt, client: OAuthClient, tokens: TokenSet) -> OrgConnection | RebindNeeded:
    impl = attempt.implementation
    facts = _facts(client, tokens, attempt)
    reconnect = attempt.reconnect
    if reconnect is not None and _is_refreshed_sandbox(reconnect, facts):
        return _hold_for_rebind(attempt, tokens, facts)
    verdict = guard.check_connect(_request(attempt, impl), facts)
    if isinstance(verdict, guard.Refusal):
        _revoke_quietly(client, tokens)
        _finish(attempt, verdict.code)
        audit.record(impl.space, attempt.user, "org.connect_refused", impl, after={"reason": verdict.code,
                                                                                   "org_id": facts.org_id})
        raise ConnectRefused(verdict.message, reason=verdict.code)
    return _store(attempt, tokens, facts)


def _facts(client: OAuthClient, tokens: TokenSet, attempt: ConnectAttempt) -> guard.OrgFacts:
    sf = SalesforceClient(tokens.instance_url, tokens.access_token, settings.ORGBOOK_SF_API_VERSION)
    production = None
    if attempt.kind == OrgKind.SANDBOX:
        prod_conn = attempt.implementation.connections.filter(kind=OrgKind.PRODUCTION).first()
        if prod_conn is not None and prod_conn.access_token_enc:
            production = client_for(prod_conn)
    return collect_org_facts(client, tokens, sf, production)


def _request(attempt: ConnectAttempt, impl: Implementation) -> guard.ConnectRequest:
    production = impl.connections.filter(kind=OrgKind.PRODUCTION).first()
    connected = {c.org_id: c.implementation.name for c in
                 OrgConnection.objects.filter(implementation__space=impl.space).select_related("implementation")}
    return guard.ConnectRequest(
        kind=attempt.kind,  # type: ignore[arg-type]
        implementation_name=impl.name,
        production_org_id=production.org_id if production else None,
        production_my_domain=production.my_domain if production else None,
        connected_orgs=connected,
        reconnect_org_id=attempt.reconnect.org_id if attempt.reconnect else None,
    )


def _is_refreshed_sandbox(conn: OrgConnection, facts: guard.OrgFacts) -> bool:
    return (conn.kind == OrgKind.SANDBOX and not same_id(conn.org_id, facts.org_id)
            and bool(conn.my_domain) and conn.my_domain.rstrip("/").lower() == facts.my_domain.rstrip("/").lower())


def _hold_for_rebind(attempt: ConnectAttempt, tokens: TokenSet, facts: guard.OrgFacts) -> RebindNeeded:
    attempt.pending_org_id, attempt.pending_instance_url = facts.org_id, tokens.instance_url
    attempt.pending_access_enc = vault.encrypt(tokens.access_token)
    attempt.pending_refresh_enc = vault.encrypt(tokens.refresh_token) if tokens.refresh_token else None
    attempt.outcome = "rebind_pending"
    attempt.save()
    assert attempt.reconnect is not None
    return RebindNeeded(attempt, attempt.reconnect.org_id, facts.org_id)


def confirm_rebind(user: Any, attempt_id: int) -> OrgConnection:
    """The admin confirmed: the refreshed sandbox keeps its org model, history and documentation."""
    with transaction.atomic():
        attempt = ConnectAttempt.objects.select_for_update().filter(pk=attempt_id, user=user,
                                                                    outcome="rebind_pending").first()
        if attempt is None or attempt.reconnect is None:
            raise Invalid("There is no refreshed sandbox waiting to be confirmed. Reconnect it again.")
        conn = attempt.reconnect
        before = {"org_id": conn.org_id}
        conn.org_id, conn.instance_url = attempt.pending_org_id, attempt.pending_instance_url
        conn.refresh_token_enc, conn.access_token_enc = attempt.pending_refresh_enc, attempt.pending_access_enc
        conn.status, conn.status_reason = ConnectionStatus.CONNECTED, ""
        conn.save()
        attempt.pending_refresh_enc = attempt.pending_access_enc = None
        attempt.outcome = "rebound"
        attempt.save()
        audit.record(conn.implementation.space, user, "org.sandbox_rebound", conn, before=before,
                     after={"org_id": conn.org_id})
    return conn


def _store(attempt: ConnectAttempt, tokens: TokenSet, facts: guard.OrgFacts) -> OrgConnection:
    org = facts.organization
    with transaction.atomic():
        conn = attempt.reconnect or OrgConnection(implementation=attempt.implementation, kind=attempt.kind)
        conn.org_id, conn.instance_url = to_18(facts.org_id), tokens.instance_url
        conn.org_name = org.name if org else conn.org_name
        conn.my_domain = facts.my_domain
        conn.sandbox_name = _sandbox_name(facts.my_domain) if attempt.kind == OrgKind.SANDBOX else ""
        conn.manual_sync_only = attempt.manual_sync_only
        conn.set_tokens(tokens.refresh_token, tokens.access_token)
        # A new org's first sync is queued below: it shows "Queued" until a worker opens the run.
        conn.status, conn.status_reason = ((ConnectionStatus.CONNECTED, "") if attempt.reconnect
                                           else (ConnectionStatus.SYNCING, SYNC_QUEUED))
        conn.save()
        _finish(attempt, "reconnected" if attempt.reconnect else "connected")
        audit.record(conn.implementation.space, attempt.user,
                     "org.reconnected" if attempt.reconnect else "org.connected", conn,
                     after={"org_id": conn.org_id, "kind": conn.kind, "my_domain": conn.my_domain})
        if attempt.reconnect is None:
            # The first sync starts right after connecting (by task name: orgmodels sits above us).
            transaction.on_commit(lambda: current_app.send_task(
                "orgbook.orgmodels.tasks.sync_org", args=[conn.pk, "first"]))
    return conn


def _sandbox_name(my_domain: str) -> str:
    host = my_domain.split("://", 1)[-1].split("/", 1)[0].lower()
    return host.split("--", 1)[1].split(".", 1)[0] if "--" in host else ""


def _finish(attempt: ConnectAttempt, outcome: str) -> None:
    attempt.outcome = outcome[:60]
    attempt.save(update_fields=["outcome"])


def _revoke_quietly(client: OAuthClient, tokens: TokenSet) -> None:
    """Refusing keeps nothing: revoke the token we were just given (refresh revokes its access tokens)."""
    try:
        client.revoke(tokens.refresh_token or tokens.access_token, tokens.instance_url)
    except SalesforceError as exc:
        log.warning("could not revoke a refused token: %s", type(exc).__name__)


# --- Using a connection -------------------------------------------------------------------------


def client_for(conn: OrgConnection) -> SalesforceClient:
    """A client whose expired session is refreshed once; a revoked refresh token marks re-authorisation."""
    access = conn.access_token()
    if access is None:
        raise NeedsReauthorisation(
            f"{conn.label()} needs re-authorisation: no valid session is stored. A Space admin reconnects it.")

    def refresh() -> TokenSet:
        refresh_token = conn.refresh_token()
        if refresh_token is None:
            raise RefreshTokenRevoked("invalid_grant", "no refresh token stored (manual sync only)")
        # The token endpoint is served by the org's own host (instance_url, its My Domain).
        client = oauth_client(conn.instance_url or login_url(conn.kind, None))
        try:
            tokens = client.refresh(refresh_token).with_refresh_token(refresh_token)
        except RefreshTokenRevoked:
            if OrgConnection.objects.filter(pk=conn.pk).exists():  # not when it was just disconnected
                mark_needs_reauth(conn, "Salesforce no longer accepts the stored login (refresh token revoked or expired).")
            raise
        conn.instance_url = tokens.instance_url or conn.instance_url
        conn.set_tokens(tokens.refresh_token, tokens.access_token)
        conn.save(update_fields=["instance_url", "refresh_token_enc", "access_token_enc"])
        return tokens

    client = SalesforceClient(conn.instance_url, access, settings.ORGBOOK_SF_API_VERSION, refresh)
    # UNKNOWN_EXCEPTION is asked again after 2 and 10 poll units (2 s and 10 s by default), so that a
    # deployment (or a test) that polls faster also waits less (docs/salesforce-protocols.md §4.7).
    unit = settings.ORGBOOK_SF_POLL_MS / 1000
    client.unknown_exception_waits = tuple(n * unit for n in UNKNOWN_EXCEPTION_WAIT_UNITS)
    return client


UNKNOWN_EXCEPTION_WAIT_UNITS = (2, 10)


def revoke_stored_tokens(conn: OrgConnection) -> None:
    """Tell Salesforce to forget our tokens (a refresh token takes its access tokens with it)."""
    try:
        token = conn.refresh_token() or conn.access_token()
    except Exception as exc:  # an undecryptable token cannot be revoked; deleting it is what is left
        log.warning("cannot read the stored token of %s: %s", conn.org_id, type(exc).__name__)
        return
    if token:
        try:
            oauth_client(conn.instance_url or login_url(conn.kind, None)).revoke(token, conn.instance_url or None)
        except (SalesforceError, SalesforceNotConfigured, ValueError) as exc:
            log.warning("revoking the token of %s failed: %s", conn.org_id, type(exc).__name__)


def sandbox_refresh_seen(conn: OrgConnection) -> str | None:
    """The new org id when production's SandboxProcess shows this sandbox copied again, else None."""
    production = conn.implementation.connections.filter(kind=OrgKind.PRODUCTION).first()
    if conn.kind != OrgKind.SANDBOX or not conn.sandbox_name or production is None:
        return None
    try:
        rows = client_for(production).sandbox_processes()
    except (SalesforceError, NeedsReauthorisation):
        return None
    for row in rows:
        if (row.sandbox_name.lower() == conn.sandbox_name.lower() and row.sandbox_org_id
                and not row.is_deleted and not same_id(row.sandbox_org_id, conn.org_id)):
            return row.sandbox_org_id
    return None


def mark_needs_reauth(conn: OrgConnection, reason: str) -> None:
    new_org_id = sandbox_refresh_seen(conn)
    if new_org_id:
        # Refreshed: same sandbox name and My Domain, new org. Reconnecting rebinds it.
        conn.status = ConnectionStatus.DETACHED
        conn.status_reason = (f"Sandbox {conn.sandbox_name} was refreshed (new org id {new_org_id}). Reconnect it "
                              "to rebind; its org model, history and documentation are kept.")
        conn.save(update_fields=["status", "status_reason"])
        reason = conn.status_reason
    else:
        conn.mark_needs_reauth(reason)
    space = conn.implementation.space
    send_mail(f"Orgbook: {conn.label()} needs re-authorisation",
              f"{reason}\n\nA Space admin of {space.name} reconnects the org from the implementations page: "
              f"{settings.BASE_URL}/s/{space.slug}/", None, space.admin_emails())
    audit.record(space, None, "org.needs_reauth", conn, after={"reason": reason})


def disconnect(conn: OrgConnection, actor: Any, confirm: Any) -> None:
    """Revoke at Salesforce, then delete the connection and its org model (typed confirmation).
    A suspended implementation keeps its connections until it is reactivated or purged."""
    require_active(conn.implementation)
    if not isinstance(confirm, str) or confirm.strip() != conn.label():
        raise Invalid(f"To disconnect, type the org's name exactly: {conn.label()}", field="confirm")
    revoke_stored_tokens(conn)
    with transaction.atomic():
        audit.record(conn.implementation.space, actor, "org.disconnected", conn,
                     before={"org_id": conn.org_id, "kind": conn.kind})
        content_removing.send(OrgConnection, connection=conn)  # its org model goes first, by model
        conn.delete()


def purge_stale_attempts(max_age_hours: int = 24) -> int:
    """Drop old login attempts, with any refreshed-sandbox tokens an admin never confirmed."""
    cutoff = timezone.now() - timedelta(hours=max_age_hours)
    deleted, _ = ConnectAttempt.objects.filter(created_at__lt=cutoff).delete()
    return deleted
