"""Sign-in throttling around django-axes (settings: AXES_*): the page a locked-out attempt gets, and
the audit event each Space of the account records when a lockout begins."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from orgbook.spaces import audit
from orgbook.spaces.models import AuditEvent, Space

LOCKED_OUT = "login.locked_out"


def locked_out(request: HttpRequest, original_response: Any = None, credentials: Any = None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: 429 with what happened, for how long, and what to do."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "web/auth/locked_out.html",
                  {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": minutes}, status=429)


def record_lockout(username: str, ip_address: str | None) -> None:
    """One audit event in each Space the account belongs to, once per lockout (axes signals again
    for every attempt made while it lasts)."""
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        return  # an address nobody signs up with: no Space to tell
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    if AuditEvent.objects.filter(action=LOCKED_OUT, target_id=str(user.pk), at__gte=since).exists():
        return
    for space in Space.objects.filter(memberships__user=user):
        audit.record(space, None, LOCKED_OUT, user,
                     after={"failed_attempts": settings.AXES_FAILURE_LIMIT, "from_address": ip_address or "",
                            "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)})


def connect_signals() -> None:
    from axes.signals import user_locked_out

    @receiver(user_locked_out, weak=False, dispatch_uid="orgbook-lockout-audit")
    def on_locked_out(sender: Any, request: HttpRequest, username: str, ip_address: str | None = None,
                      **kwargs: Any) -> None:
        record_lockout(str(username or "").strip().lower(), ip_address)
