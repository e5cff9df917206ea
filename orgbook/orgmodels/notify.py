"""After a sync: a summary email grouped by who changed what, and signed webhooks."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections import defaultdict
from typing import Any
from urllib.parse import quote

import requests
from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail

from orgbook.env import SettingError
from orgbook.implementations import vault
from orgbook.implementations.models import OrgConnection
from orgbook.orgmodels import outbound
from orgbook.orgmodels.changes import UNKNOWN_PERSON, run_changes_url
from orgbook.orgmodels.models import ChangeKind, ComponentChange, SyncRun, Webhook

log = logging.getLogger(__name__)
WEBHOOK_TIMEOUT = (5, 10)


def component_url(model_id: int, type_: str, full_name: str) -> str:
    return f"{settings.BASE_URL}/m/{model_id}/c/{quote(type_)}/{quote(full_name)}"


def recipients(conn: OrgConnection) -> list[str]:
    chosen = getattr(conn, "recipients", None)
    return list(chosen.emails) if chosen and chosen.emails else conn.implementation.space.admin_emails()


def summary_text(run: SyncRun) -> str:
    """Changes grouped by who made them in Salesforce, each with a link."""
    by_who: dict[str, list[ComponentChange]] = defaultdict(list)
    for change in run.changes.exclude(kind=ChangeKind.BASELINE).order_by("changed_by", "type", "full_name"):
        by_who[change.changed_by or UNKNOWN_PERSON].append(change)
    lines = [f"{run.model.name}: {run.added} new, {run.changed} updated, {run.removed} deleted.",
             f"Everything this sync changed, with each attribute before and after: {run_changes_url(run)}", ""]
    for who, changes in sorted(by_who.items()):
        lines.append(f"{who} ({len(changes)}):")
        for ch in changes[:200]:
            attrs = f" [{', '.join(sorted(ch.attribute_diff))}]" if ch.attribute_diff else ""
            lines.append(f"  {ch.get_kind_display():8} {ch.type} {ch.full_name}{attrs}")
            lines.append(f"           {component_url(run.model_id, ch.type, ch.full_name)}")
        if len(changes) > 200:
            lines.append(f"  ... and {len(changes) - 200} more")
        lines.append("")
    return "\n".join(lines)


def after_sync(conn: OrgConnection, run: SyncRun) -> None:
    """Email only when something changed (never for the first sync's baseline); webhooks always."""
    if run.trigger != "first" and (run.added or run.changed or run.removed):
        send_mail(f"Orgbook: changes in {run.model.name}", summary_text(run), None, recipients(conn))
    emit(conn, "sync.completed", {"run": run.pk, "model": run.model_id, "version": run.version, **run.counts(),
                                  "changes_url": run_changes_url(run)})


def emit(conn: OrgConnection, event: str, data: dict[str, Any]) -> None:
    body = {"event": event, "space": conn.implementation.space.slug, "implementation": conn.implementation_id,
            "connection": conn.pk, "org_id": conn.org_id, **data}
    for hook in Webhook.objects.filter(space=conn.implementation.space, active=True):
        if event in hook.events:
            deliver_webhook.delay(hook.pk, event, body)


def signature(secret: str, payload: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()


class DeliveryFailed(Exception):
    """The receiver could not be reached or answered an error: retried by Celery with backoff."""


# Retried 5 times, 30 s, 60 s, 120 s… apart (at most an hour), by Celery's own backoff.
@shared_task(bind=True, name="orgbook.orgmodels.notify.deliver_webhook", acks_late=True, max_retries=5,
             autoretry_for=(DeliveryFailed, SettingError), retry_backoff=30, retry_backoff_max=3600,
             retry_jitter=False)
def deliver_webhook(self: Any, hook_id: int, event: str, body: dict[str, Any]) -> str:
    hook = Webhook.objects.filter(pk=hook_id, active=True).first()
    if hook is None:
        return "gone"
    payload = json.dumps(body, sort_keys=True, default=str).encode()
    try:
        secret = vault.decrypt(bytes(hook.secret_enc))
    except SettingError as exc:
        # Restored without the key files: a failure to show (the webhook looked healthy before) and to
        # retry, since restoring the keys mends it.
        Webhook.objects.filter(pk=hook.pk).update(last_status=f"failed: {exc}"[:200])
        raise
    headers = {"Content-Type": "application/json", "X-Orgbook-Event": event,
               "X-Orgbook-Signature": signature(secret, payload)}
    try:
        response = outbound.post(hook.url, data=payload, headers=headers, timeout=WEBHOOK_TIMEOUT)
        status = f"{response.status_code}" if response.status_code < 300 else f"failed: HTTP {response.status_code}"
        ok = response.status_code < 300
    except outbound.BlockedAddress as exc:
        # Deterministic: retrying would only probe again. The status says why; the webhook waits for a new URL.
        Webhook.objects.filter(pk=hook.pk).update(last_status=f"blocked: {exc}"[:200])
        return "blocked"
    except requests.RequestException as exc:
        status, ok = f"failed: {type(exc).__name__}", False
    Webhook.objects.filter(pk=hook.pk).update(last_status=status[:200])
    if not ok:
        raise DeliveryFailed(status)
    return status
