"""Connecting Salesforce orgs from the browser: the login hand-off, the OAuth callback, reconnect,
rebinding a refreshed sandbox, disconnect, and re-authorising every org after a reactivation.

The rules live in `orgbook.implementations.connect`; these views only turn its answers into pages.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from orgbook.errors import Invalid, NotFound, OrgbookError
from orgbook.implementations import connect
from orgbook.implementations.access import get_connection, get_implementation, require_active
from orgbook.implementations.models import (
    ConnectAttempt,
    ConnectionStatus,
    Implementation,
    OrgConnection,
    OrgKind,
)
from orgbook.spaces.models import Membership
from orgbook.spaces.permissions import Action, authorize
from orgbook.web.base import page, signed_in_user, space_context
from orgbook.web.forms import OrgbookForm

# The session remembers which implementation the admin is re-authorising org by org.
REAUTH_SESSION_KEY = "orgbook.reauthorise"
NEEDS_LOGIN = (ConnectionStatus.NEEDS_REAUTH, ConnectionStatus.DETACHED)

# What to do about each refusal; the refusal's own message says what came back and why.
REFUSAL_HINTS = {
    "wrong_kind_expected_sandbox": "Log out of Salesforce (or use a private window), then log in with a user of the sandbox: "
                                   "sandbox usernames end in .<sandbox name>, and the login page is test.salesforce.com.",
    "wrong_kind_expected_production": "Start again with Production chosen, or log in to the sandbox you meant: log out of "
                                      "Salesforce first so the wrong session is not reused.",
    "org_already_connected": "An org can be connected only once in a Space. Open that implementation to reconnect it, or "
                             "disconnect it there first.",
    "second_production": "An implementation has at most one production org. Connect this org to another implementation "
                         "(or create one), or disconnect the current production org first.",
    "sandbox_of_other_production": "Log in to a sandbox made from this implementation's production org, or connect this "
                                   "sandbox to the implementation that holds its production org.",
    "edition_without_api": "This Salesforce edition has no API access (for example Group or Essentials). Orgbook cannot "
                           "read its metadata; upgrade the edition or connect another org.",
    "missing_permissions": "Ask a Salesforce admin to give the login user API Enabled and Modify Metadata (or Author "
                           "Apex), or log in as a user who has them. docs/salesforce-access.md lists why each is needed.",
    "reconnect_wrong_org": "Reconnect logs in to the same org again. Log out of Salesforce, then log in to the org this "
                           "connection belongs to.",
    "access_denied": "Choose Allow on the Salesforce page to let Orgbook read the org's metadata.",
}
DEFAULT_HINT = "Nothing was kept. Check which Salesforce user you are logged in as, then try again."


class OrgLoginForm(OrgbookForm):
    kind = forms.ChoiceField(choices=OrgKind.choices)
    implementation = forms.IntegerField()
    my_domain = forms.CharField(
        required=False, max_length=255, label="My Domain URL (optional)",
        help_text="For example https://acme.my.salesforce.com. Leave empty to log in at login.salesforce.com "
                  "(production) or test.salesforce.com (sandbox).",
    )
    manual_sync_only = forms.BooleanField(
        required=False, label="Manual sync only",
        help_text="Keep no refresh token: Orgbook syncs only when someone logs in to Salesforce for it, never on a schedule.",
    )


class DisconnectForm(OrgbookForm):
    confirm = forms.CharField(
        required=False, label="Type the org's name to confirm",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
    )


def _implementations_url(slug: str, impl_id: int | None = None) -> str:
    url = reverse("implementations", args=[slug])
    return f"{url}?impl={impl_id}" if impl_id else url


def _not_configured(request: HttpRequest, exc: connect.SalesforceNotConfigured, space: Any = None) -> HttpResponse:
    context = {"error": exc, "callback_url": connect.callback_url(), "space": space}
    return render(request, "web/orgs/not_configured.html", context, status=503)


def _connection(request: HttpRequest, slug: str, conn_id: int) -> tuple[Membership, OrgConnection]:
    # Reconnecting and disconnecting are content actions: a suspended implementation refuses both.
    return get_connection(request.user, slug, conn_id, Action.CONNECT_ORG)


def _send_to_salesforce(request: HttpRequest, membership: Membership, implementation: Implementation,
                        kind: str, **kwargs: Any) -> HttpResponse:
    try:
        url = connect.begin(signed_in_user(request), implementation, kind, **kwargs)
    except connect.SalesforceNotConfigured as exc:
        return _not_configured(request, exc, membership.space)
    return redirect(url)


# --- Starting a login ---------------------------------------------------------------------------


@page
def start_login(request: HttpRequest, slug: str) -> HttpResponse:
    """The wizard's last step posts here; Orgbook records the attempt and sends the browser to Salesforce."""
    if request.method != "POST":
        return redirect("connect", slug=slug)
    membership, implementation = get_implementation(request.user, slug, request.POST.get("implementation"),
                                                    Action.CONNECT_ORG)
    form = OrgLoginForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            return _send_to_salesforce(request, membership, implementation, data["kind"],
                                       my_domain=data["my_domain"] or None, manual_sync_only=data["manual_sync_only"])
        except Invalid as exc:
            form.add_error("my_domain" if data["my_domain"] else None, exc.message)
    kind = request.POST.get("kind") or ""
    kind = kind if kind in OrgKind.values else OrgKind.PRODUCTION
    context = space_context(membership, implementation=implementation, kind=kind, kind_label=OrgKind(kind).label,
                            step=3, form=form)
    return render(request, "web/connect/next.html", context, status=400)


@page
def reconnect(request: HttpRequest, slug: str, conn_id: int) -> HttpResponse:
    """Re-authorise one connection: same org (a refreshed sandbox is offered a rebind)."""
    membership, conn = _connection(request, slug, conn_id)
    if request.method != "POST":
        return redirect(_implementations_url(slug, conn.implementation_id))
    return _send_to_salesforce(request, membership, conn.implementation, conn.kind, reconnect=conn)


# --- The OAuth callback -------------------------------------------------------------------------


def _attempt_from_state(user: Any, state: str) -> ConnectAttempt | None:
    """Peek at which attempt a callback belongs to (for permissions and the "try again" link).

    `connect.complete` does the real checks (expiry, single use); this only reads the signed id.
    """
    try:
        data = signing.loads(state, salt=connect.STATE_SALT)
    except signing.BadSignature:
        return None
    return (ConnectAttempt.objects.select_related("implementation__space", "reconnect")
            .filter(pk=data.get("a"), user=user).first())


def _try_again_url(attempt: ConnectAttempt | None, request: HttpRequest) -> str:
    if attempt is None:
        return reverse("home")
    slug = attempt.implementation.space.slug
    if attempt.reconnect_id:
        if request.session.get(REAUTH_SESSION_KEY) == attempt.implementation_id:
            return reverse("org_reauthorise_all", args=[slug, attempt.implementation_id])
        return _implementations_url(slug, attempt.implementation_id)
    query = urlencode({"kind": attempt.kind, "impl": attempt.implementation_id})
    return f"{reverse('connect_next_step', args=[slug])}?{query}"


@page
def oauth_callback(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    user = signed_in_user(request)
    attempt = _attempt_from_state(user, state)
    if attempt is not None:
        # Only a Space admin may finish what they started (their role may have changed meanwhile).
        authorize(user, attempt.implementation.space, Action.CONNECT_ORG)
    try:
        result = connect.complete(user, state, request.GET.get("code"), request.GET.get("error"),
                                  request.GET.get("error_description"))
    except connect.SalesforceNotConfigured as exc:
        return _not_configured(request, exc, attempt.implementation.space if attempt else None)
    except (connect.ConnectRefused, Invalid) as exc:
        return _refused(request, attempt, exc)
    if isinstance(result, connect.RebindNeeded):
        slug = result.attempt.implementation.space.slug
        return redirect("org_rebind", slug=slug, attempt_id=result.attempt.pk)
    return _connected(request, result, reconnected=bool(attempt and attempt.reconnect_id))


def _refused(request: HttpRequest, attempt: ConnectAttempt | None, exc: OrgbookError) -> HttpResponse:
    reason = exc.details.get("reason", "") if isinstance(exc, connect.ConnectRefused) else ""
    hint = REFUSAL_HINTS.get(reason, DEFAULT_HINT)
    context: dict[str, Any] = {
        "message": exc.message, "reason": reason, "hint": hint, "attempt": attempt,
        "try_again_url": _try_again_url(attempt, request),
        "space": attempt.implementation.space if attempt else None,
    }
    return render(request, "web/orgs/refused.html", context, status=exc.status)


def _connected(request: HttpRequest, conn: OrgConnection, *, reconnected: bool) -> HttpResponse:
    impl = conn.implementation
    verb = "re-authorised" if reconnected else "connected"
    messages.success(request, f"{conn.get_kind_display()} org {conn.label()} ({conn.org_id}) {verb} to {impl.name}.")
    if reconnected and request.session.get(REAUTH_SESSION_KEY) == impl.pk:
        return redirect("org_reauthorise_all", slug=impl.space.slug, impl_id=impl.pk)
    if not reconnected:  # its first sync is queued: follow it, then open the org model
        return redirect("org_first_sync", slug=impl.space.slug, conn_id=conn.pk)
    return redirect(_implementations_url(impl.space.slug, impl.pk))


# --- Rebinding a refreshed sandbox --------------------------------------------------------------


@page
def rebind(request: HttpRequest, slug: str, attempt_id: int) -> HttpResponse:
    membership = authorize(request.user, slug, Action.CONNECT_ORG)
    attempt = (ConnectAttempt.objects.select_related("implementation", "reconnect")
               .filter(pk=attempt_id, user=signed_in_user(request), space=membership.space, outcome="rebind_pending").first())
    if attempt is None or attempt.reconnect is None:
        raise NotFound("There is no refreshed sandbox waiting to be confirmed. Reconnect it again.")
    if request.method == "POST":
        conn = connect.confirm_rebind(signed_in_user(request), attempt.pk)
        return _connected(request, conn, reconnected=True)
    context = space_context(membership, attempt=attempt, conn=attempt.reconnect, implementation=attempt.implementation)
    return render(request, "web/orgs/rebind.html", context)


# --- Disconnect ---------------------------------------------------------------------------------


@page
def disconnect(request: HttpRequest, slug: str, conn_id: int) -> HttpResponse:
    membership, conn = _connection(request, slug, conn_id)
    form = DisconnectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        label, impl = conn.label(), conn.implementation
        try:
            connect.disconnect(conn, signed_in_user(request), form.cleaned_data["confirm"])
        except Invalid as exc:
            form.add_error("confirm", exc.message)
        else:
            messages.success(request, f"{label} was disconnected: its token was revoked and its org model deleted.")
            return redirect(_implementations_url(slug, impl.pk))
    context = space_context(membership, form=form, conn=conn, implementation=conn.implementation)
    return render(request, "web/orgs/disconnect.html", context, status=400 if form.errors else 200)


# --- Re-authorise every org of an implementation, one after the other ---------------------------


@page
def reauthorise_all(request: HttpRequest, slug: str, impl_id: int) -> HttpResponse:
    membership, implementation = get_implementation(request.user, slug, impl_id, Action.CONNECT_ORG)
    connections = sorted(implementation.connections.all(), key=lambda c: (c.kind != OrgKind.PRODUCTION, c.label().lower()))
    waiting = [c for c in connections if c.status in NEEDS_LOGIN]
    if request.method == "POST":
        if request.POST.get("action") == "stop":
            request.session.pop(REAUTH_SESSION_KEY, None)
            return redirect(_implementations_url(slug, implementation.pk))
        if not waiting:
            return redirect("org_reauthorise_all", slug=slug, impl_id=implementation.pk)
        require_active(implementation)
        request.session[REAUTH_SESSION_KEY] = implementation.pk
        return _send_to_salesforce(request, membership, implementation, waiting[0].kind, reconnect=waiting[0])
    if not waiting:
        request.session.pop(REAUTH_SESSION_KEY, None)
    context = space_context(membership, implementation=implementation, connections=connections,
                            next_conn=waiting[0] if waiting else None, waiting=waiting)
    return render(request, "web/orgs/reauthorise.html", context)
