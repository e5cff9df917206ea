"""Sync endpoints: start a sync ("Sync now"), follow its progress, read its record."""

from __future__ import annotations

import secrets
from datetime import time as dt_time
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from orgbook.api import schemas as s
from orgbook.api.schemas import REMOVE, WRITE, errors
from orgbook.errors import Invalid, NotFound
from orgbook.implementations import vault
from orgbook.implementations.access import get_connection
from orgbook.implementations.models import OrgConnection
from orgbook.orgmodels import outbound
from orgbook.orgmodels.models import SyncRecipients, SyncRun, Webhook
from orgbook.orgmodels.notify import recipients
from orgbook.runs.tasks import start_manual_sync
from orgbook.spaces import audit
from orgbook.spaces.members import is_email
from orgbook.spaces.permissions import Action, authorize

router = Router(tags=["syncs"])


class ConnectionSettingsIn(Schema):
    recipients: list[str] | None = None
    sync_time: str | None = None
    # true: manual sync only (no schedule, no refresh token kept); a sync_time turns the schedule back on.
    manual_sync_only: bool | None = None


class WebhookIn(Schema):
    url: str
    events: list[str] | None = None


def run_out(run: SyncRun, *, full_report: bool = False) -> dict[str, Any]:
    """A run as the API shows it. In a list, the report's `skipped` files (up to 5,000) are left
    out (`skipped_total` stays); one run's endpoint gives them."""
    report = run.report if full_report else {k: v for k, v in run.report.items() if k != "skipped"}
    return {"id": run.pk, "model": run.model_id, "trigger": run.trigger, "status": run.status, "stage": run.stage,
            "progress": run.progress, "started_at": run.started_at, "finished_at": run.finished_at,
            "version": run.version, "api_calls": run.api_calls, "stages": run.stages, **run.counts(),
            "warnings": run.warnings[:200], "error": run.error, "report": report}


def _connection(request: HttpRequest, space: str, impl_id: int, conn_id: int, action: Action) -> OrgConnection:
    return get_connection(request.user, space, conn_id, action, implementation_id=impl_id)[1]


@router.post("/spaces/{space}/implementations/{id:impl_id}/connections/{id:conn_id}/syncs",
             response={202: s.SyncQueued, **errors(403, 404, 409)})
def start_sync(request: HttpRequest, space: str, impl_id: int, conn_id: int) -> Status[Any]:
    conn = _connection(request, space, impl_id, conn_id, Action.START_SYNC)
    start_manual_sync(conn)
    return Status(202, {"queued": True, "connection": conn.pk})


@router.get("/spaces/{space}/implementations/{id:impl_id}/connections/{id:conn_id}/syncs",
            response={200: list[s.SyncRunOut], **errors(403, 404)})
def list_syncs(request: HttpRequest, space: str, impl_id: int, conn_id: int) -> list[dict[str, Any]]:
    conn = _connection(request, space, impl_id, conn_id, Action.VIEW_CONTENT)
    return [run_out(r) for r in SyncRun.objects.filter(model__connection=conn)[:50]]


@router.put("/spaces/{space}/implementations/{id:impl_id}/connections/{id:conn_id}/settings",
            response={200: s.ConnectionSettingsOut, **WRITE})
def connection_settings(request: HttpRequest, space: str, impl_id: int, conn_id: int,
                        payload: ConnectionSettingsIn) -> dict[str, Any]:
    """Who gets the sync summary, and the daily sync time (HH:MM in the Space's time zone) or manual sync only."""
    conn = _connection(request, space, impl_id, conn_id, Action.MANAGE_INTEGRATIONS)
    if payload.recipients is not None:
        emails = [e.strip().lower() for e in payload.recipients if e.strip()]
        wrong = [e for e in emails if not is_email(e)]
        if wrong:
            raise Invalid(f"recipients must be email addresses; {', '.join(map(repr, wrong))} is not.",
                          field="recipients")
        SyncRecipients.objects.update_or_create(connection=conn, defaults={"emails": emails})
    if payload.manual_sync_only:
        conn.set_sync_schedule(None, request.user)
    elif payload.sync_time is not None:
        try:
            at = dt_time.fromisoformat(payload.sync_time)
        except ValueError:
            raise Invalid("sync_time must look like 23:30.", field="sync_time") from None
        conn.set_sync_schedule(at, request.user)
    elif payload.manual_sync_only is False and conn.manual_sync_only:
        conn.set_sync_schedule(conn.sync_time, request.user)  # back to its daily time
    return {"recipients": recipients(conn), "sync_time": conn.sync_time.strftime("%H:%M"),
            "manual_sync_only": conn.manual_sync_only}


@router.get("/spaces/{space}/webhooks", response={200: list[s.WebhookOut], **errors(403, 404)})
def list_webhooks(request: HttpRequest, space: str) -> list[dict[str, Any]]:
    sp = authorize(request.user, space, Action.MANAGE_INTEGRATIONS).space
    return [{"id": h.pk, "url": h.url, "events": h.events, "active": h.active, "last_status": h.last_status}
            for h in Webhook.objects.filter(space=sp)]


@router.post("/spaces/{space}/webhooks", response={201: s.WebhookCreated, **WRITE})
def create_webhook(request: HttpRequest, space: str, payload: WebhookIn) -> Status[Any]:
    """The signing secret is returned once; Orgbook signs each body with HMAC-SHA256 (X-Orgbook-Signature)."""
    sp = authorize(request.user, space, Action.MANAGE_INTEGRATIONS).space
    if not payload.url.startswith(("https://", "http://")):
        raise Invalid("url must start with https:// (or http:// on a private network).", field="url")
    try:
        outbound.check_url(payload.url)
    except outbound.BlockedAddress as exc:
        raise Invalid(f"url: {exc}.", field="url") from None
    events = payload.events or list(Webhook.EVENTS)
    unknown = sorted(set(events) - set(Webhook.EVENTS))
    if unknown:
        raise Invalid(f"Unknown events {unknown}; choose from {list(Webhook.EVENTS)}.", field="events")
    secret = secrets.token_urlsafe(32)
    hook = Webhook.objects.create(space=sp, url=payload.url, events=events, secret_enc=vault.encrypt(secret))
    audit.record(sp, request.user, "webhook.created", hook, after={"url": hook.url, "events": events})
    return Status(201, {"id": hook.pk, "url": hook.url, "events": events, "secret": secret})


@router.delete("/spaces/{space}/webhooks/{id:hook_id}", response={204: None, **REMOVE})
def delete_webhook(request: HttpRequest, space: str, hook_id: int) -> Status[Any]:
    sp = authorize(request.user, space, Action.MANAGE_INTEGRATIONS).space
    hook = Webhook.objects.filter(space=sp, pk=hook_id).first()
    if hook is None:
        raise NotFound("No such webhook.")
    audit.record(sp, request.user, "webhook.deleted", hook, before={"url": hook.url})
    hook.delete()
    return Status(204, None)
