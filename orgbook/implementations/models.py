"""Implementations (one production org + its sandboxes), their org connections and renewals."""

from __future__ import annotations

import random
import zoneinfo
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from orgbook.implementations import vault
from orgbook.spaces import audit
from orgbook.spaces.models import Space

NAME_MAX = 80
DESCRIPTION_MAX = 1000


class ImplementationStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"


class Implementation(models.Model):
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="implementations")
    name = models.CharField(max_length=NAME_MAX)
    description = models.TextField(blank=True, max_length=DESCRIPTION_MAX)
    status = models.CharField(
        max_length=10, choices=ImplementationStatus.choices, default=ImplementationStatus.ACTIVE
    )
    suspended_at = models.DateTimeField(null=True, blank=True)
    purge_warnings_sent = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    # Last sync, documentation edit or creation: decides which implementations a downgrade suspends.
    last_activity_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "space", name="implementation_name_unique_in_space_ci")
        ]

    def __str__(self) -> str:
        return self.name

    def is_suspended(self) -> bool:
        return self.status == ImplementationStatus.SUSPENDED

    def purge_due_at(self) -> datetime | None:
        if self.suspended_at is None:
            return None
        return self.suspended_at + timedelta(days=settings.ORGBOOK_SUSPENDED_RETENTION_DAYS)

    def is_purge_due(self, now: datetime | None = None) -> bool:
        due = self.purge_due_at()
        return self.is_suspended() and due is not None and (now or timezone.now()) >= due

    def production_org(self) -> OrgConnection | None:
        return next((c for c in self.connections.all() if c.kind == OrgKind.PRODUCTION), None)

    def sandboxes(self) -> list[OrgConnection]:
        return sorted(
            (c for c in self.connections.all() if c.kind == OrgKind.SANDBOX), key=lambda c: c.label().lower()
        )

    def touch(self) -> None:
        """Record activity (a sync, a documentation edit)."""
        now = timezone.now()
        Implementation.objects.filter(pk=self.pk).update(last_activity_at=now)
        self.last_activity_at = now

    def snapshot(self) -> dict[str, Any]:
        return {
            "id": self.pk,
            "name": self.name,
            "description": self.description,
            "status": self.status,
            "suspended_at": self.suspended_at.isoformat() if self.suspended_at else None,
        }


class OrgKind(models.TextChoices):
    PRODUCTION = "production", "Production"
    SANDBOX = "sandbox", "Sandbox"


class ConnectionStatus(models.TextChoices):
    CONNECTED = "connected", "Connected"
    SYNCING = "syncing", "Syncing"
    UP_TO_DATE = "up_to_date", "Up to date"
    SYNC_FAILED = "sync_failed", "Sync failed"
    NEEDS_REAUTH = "needs_reauth", "Needs re-authorisation"
    DETACHED = "detached", "Detached (sandbox refreshed)"


# The status reason of a connection whose sync was sent to the workers and not yet opened by one
# (status SYNCING): orgmodels/syncstate.py reads it as "queued".
SYNC_QUEUED = "Queued"


def random_night_time() -> time:
    """A random minute between 21:00 and 06:00, so a Space's orgs do not all sync at once."""
    minute = random.randrange(9 * 60)  # noqa: S311  (spreading load, not security)
    return time((21 * 60 + minute) // 60 % 24, minute % 60)


class OrgConnection(models.Model):
    """A Salesforce org connected to an implementation (tokens arrive with the connect flow)."""

    implementation = models.ForeignKey(Implementation, on_delete=models.CASCADE, related_name="connections")
    kind = models.CharField(max_length=10, choices=OrgKind.choices)
    org_id = models.CharField(max_length=18)
    org_name = models.CharField(max_length=120, blank=True)
    sandbox_name = models.CharField(max_length=80, blank=True)
    my_domain = models.CharField(max_length=255, blank=True)
    instance_url = models.CharField(max_length=255, blank=True)
    status = models.CharField(max_length=20, choices=ConnectionStatus.choices, default=ConnectionStatus.CONNECTED)
    status_reason = models.CharField(max_length=500, blank=True)
    connected_at = models.DateTimeField(default=timezone.now)
    # Encrypted with vault.encrypt; never logged, never returned by the API.
    refresh_token_enc = models.BinaryField(null=True, blank=True, editable=False)
    access_token_enc = models.BinaryField(null=True, blank=True, editable=False)
    manual_sync_only = models.BooleanField(default=False)
    # Daily sync at this local time (the Space's zone); picked at random between 21:00 and 06:00.
    sync_time = models.TimeField(default=random_night_time)
    last_scheduled_on = models.DateField(null=True, blank=True)
    # One sync per org at a time: a short lease its holder renews while alive (a heartbeat), so
    # a killed worker's lock lapses within ORGBOOK_SYNC_LEASE_SECONDS and the next attempt takes over.
    sync_lease_until = models.DateTimeField(null=True, blank=True)
    # A random token per attempt: a renewal by a holder whose lease was taken over changes nothing.
    sync_lease_owner = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["kind", "org_name"]
        constraints = [
            models.UniqueConstraint(
                "implementation",
                condition=models.Q(kind="production"),
                name="one_production_org_per_implementation",
            )
        ]

    def __str__(self) -> str:
        return self.label()

    def __repr__(self) -> str:
        # No token material in reprs, tracebacks or debug pages.
        return f"<OrgConnection {self.pk} {self.kind} {self.org_id}>"

    def label(self) -> str:
        return self.sandbox_name or self.org_name or self.org_id

    def sync_slot_on(self, now: datetime) -> datetime:
        """Today's daily sync time (the Space's time zone) as a moment, `now` deciding what today is."""
        zone = zoneinfo.ZoneInfo(self.implementation.space.time_zone)
        return datetime.combine(now.astimezone(zone).date(), self.sync_time, tzinfo=zone)

    def is_scheduled_sync_due(self, now: datetime) -> bool:
        """Its daily sync time has come today and today's sync has not been queued. A slot that passed
        before the org was connected is not owed: the first sync, run at the connect, stands for it
        (a night-time org connected in the afternoon once synced again at the next scheduler tick)."""
        slot = self.sync_slot_on(now)
        return self.last_scheduled_on != slot.date() and now >= slot > self.connected_at

    def next_scheduled_sync(self, now: datetime) -> datetime | None:
        """When the scheduler will next queue this org's daily sync (a moment in the Space's zone), or
        None when it never will: manual sync only, or the implementation is not active. A slot that is
        due and not yet queued is given as it is (the scheduler queues it within minutes)."""
        if self.manual_sync_only or self.implementation.status != ImplementationStatus.ACTIVE:
            return None
        slot = self.sync_slot_on(now)
        if self.is_scheduled_sync_due(now) or (slot > now and self.last_scheduled_on != slot.date()):
            return slot
        zone = slot.tzinfo
        return datetime.combine(slot.date() + timedelta(days=1), self.sync_time, tzinfo=zone)

    def set_sync_schedule(self, at: time | None, by: Any) -> None:
        """The one rule for an org's schedule, which the web settings page and the API apply: a daily
        time of day (the Space's zone), or None for manual sync only; recorded in the audit log.
        Manual only keeps no refresh token (what the connect form's choice means), so going back to a
        schedule from it needs one login to Salesforce: the org is marked as needing re-authorisation
        until someone reconnects it."""
        before = self.schedule_snapshot()
        was_manual = self.manual_sync_only
        if at is None:
            self.manual_sync_only = True
            self.refresh_token_enc = None
            self.save(update_fields=["manual_sync_only", "refresh_token_enc"])
        else:
            self.sync_time = at.replace(second=0, microsecond=0)
            self.manual_sync_only = False
            self.save(update_fields=["sync_time", "manual_sync_only"])
            if was_manual and not self.refresh_token_enc:
                self.mark_needs_reauth("Scheduled syncs were turned on: reconnect once so Orgbook may sync on its own.")
        if before != self.schedule_snapshot():
            audit.record(self.implementation.space, by, "org.schedule_changed", self,
                         before=before, after=self.schedule_snapshot())

    def schedule_snapshot(self) -> dict[str, Any]:
        return {"sync_time": None if self.manual_sync_only else self.sync_time.strftime("%H:%M"),
                "manual_sync_only": self.manual_sync_only}

    def set_tokens(self, refresh_token: str | None, access_token: str | None) -> None:
        self.refresh_token_enc = vault.encrypt(refresh_token) if refresh_token and not self.manual_sync_only else None
        self.access_token_enc = vault.encrypt(access_token) if access_token else None

    def refresh_token(self) -> str | None:
        return vault.decrypt(bytes(self.refresh_token_enc)) if self.refresh_token_enc else None

    def access_token(self) -> str | None:
        return vault.decrypt(bytes(self.access_token_enc)) if self.access_token_enc else None

    def mark_needs_reauth(self, reason: str) -> None:
        self.status = ConnectionStatus.NEEDS_REAUTH
        self.status_reason = reason
        self.save(update_fields=["status", "status_reason"])


class Renewal(models.Model):
    """A subscription renewal: from `effective_on`, the Space has `connection_licences` licences."""

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="renewals")
    connection_licences = models.PositiveIntegerField()
    effective_on = models.DateField()
    keep = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now)
    applied_at = models.DateTimeField(null=True, blank=True)
    suspended = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-effective_on", "-id"]

    def __str__(self) -> str:
        return f"{self.connection_licences} licence(s) from {self.effective_on}"

    def is_applied(self) -> bool:
        return self.applied_at is not None


class ConnectAttempt(models.Model):
    """One Salesforce login in progress: what was asked, and the PKCE verifier (encrypted).

    The OAuth `state` is a signed, expiring reference to this row; `used_at` makes it single-use.
    """

    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="connect_attempts")
    implementation = models.ForeignKey(Implementation, on_delete=models.CASCADE, related_name="connect_attempts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    kind = models.CharField(max_length=10, choices=OrgKind.choices)
    login_url = models.CharField(max_length=255)
    verifier_enc = models.BinaryField()
    reconnect = models.ForeignKey(OrgConnection, null=True, blank=True, on_delete=models.CASCADE)
    manual_sync_only = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    used_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=60, blank=True)
    # A refreshed sandbox (new org id, same My Domain) waits here for the admin to confirm the rebind.
    pending_org_id = models.CharField(max_length=18, blank=True)
    pending_instance_url = models.CharField(max_length=255, blank=True)
    pending_refresh_enc = models.BinaryField(null=True, blank=True)
    pending_access_enc = models.BinaryField(null=True, blank=True)

    def __str__(self) -> str:
        return f"connect {self.kind} to {self.implementation} ({self.outcome or 'pending'})"
