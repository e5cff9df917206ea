"""Spaces, people, roles, licences and the audit log.

Business rules live here as named methods so views, the API and the CLI share them.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.text import slugify


class Role(models.TextChoices):
    VIEWER = "viewer", "Viewer"
    EDITOR = "editor", "Editor"
    ADMIN = "admin", "Space admin"


class Plan(models.TextChoices):
    TRIAL = "trial", "Trial"
    PAID = "paid", "Paid"


class Space(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    plan = models.CharField(max_length=10, choices=Plan.choices, default=Plan.TRIAL)
    connection_licences = models.PositiveIntegerField(default=1)
    trial_ends_at = models.DateTimeField(null=True, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def unique_slug(name: str) -> str:
        base = slugify(name)[:50] or "space"
        slug, n = base, 1
        while Space.objects.filter(slug=slug).exists():
            n += 1
            slug = f"{base}-{n}"
        return slug

    def is_trial(self) -> bool:
        return self.plan == Plan.TRIAL

    def active_implementation_count(self) -> int:
        return self.implementations.filter(status="active").count()  # type: ignore[attr-defined]

    def licence_usage(self, active: int | None = None) -> LicenceUsage:
        """The one rule for licences in use and free. `active` when the caller has already counted
        the active implementations (a page that lists them), else one query."""
        if active is None:
            active = self.active_implementation_count()
        return LicenceUsage(licences=self.connection_licences, active=active)

    def free_licences(self) -> int:
        return self.licence_usage().free

    def has_free_licence(self) -> bool:
        return self.free_licences() > 0

    def admins(self) -> models.QuerySet[Membership]:
        return self.memberships.filter(role=Role.ADMIN).select_related("user")  # type: ignore[attr-defined]

    def admin_emails(self) -> list[str]:
        return [m.user.email for m in self.admins()]


@dataclass(frozen=True)
class LicenceUsage:
    """Connection licences of a Space against its active implementations. After a renewal down,
    more may be active than licensed until the suspension runs, so `free` never goes below 0."""

    licences: int
    active: int

    @property
    def free(self) -> int:
        return max(0, self.licences - self.active)


class Membership(models.Model):
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["space", "user"], name="one_membership_per_space")]
        ordering = ["user__email"]

    def __str__(self) -> str:
        return f"{self.user} in {self.space} as {self.role}"

    def removal_refused(self, admin_count: int) -> str | None:
        """Why this member may not be removed, or None. The one rule the members page (whether a row
        offers Remove, one's own row included) and `members.remove` apply: a Space never loses its last
        admin, so an admin may remove themself (leave) only while another admin remains.
        `admin_count`: the Space's admins, counted (and locked) by the caller."""
        if self.role == Role.ADMIN and admin_count <= 1:
            return "This is the last Space admin and cannot be removed. Make someone else a Space admin first."
        return None


def _invitation_expiry() -> Any:
    return timezone.now() + timedelta(days=settings.ORGBOOK_INVITATION_DAYS)


class Invitation(models.Model):
    space = models.ForeignKey(Space, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.VIEWER)
    token = models.CharField(max_length=64, unique=True, default=secrets.token_urlsafe)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(default=_invitation_expiry)
    accepted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"invitation for {self.email}"

    def is_expired(self, now: Any = None) -> bool:
        return (now or timezone.now()) >= self.expires_at

    def is_usable(self) -> bool:
        return self.accepted_at is None and not self.is_expired()

    def renew(self) -> None:
        """A fresh link and a fresh expiry, for sending it again: the old link stops working."""
        self.token = secrets.token_urlsafe()
        self.created_at = timezone.now()
        self.expires_at = _invitation_expiry()
        self.save(update_fields=["token", "created_at", "expires_at"])


class AuditEvent(models.Model):
    """Who did what, when, with the state before and after (NetBox ObjectChange's shape)."""

    space = models.ForeignKey(Space, null=True, on_delete=models.SET_NULL, related_name="audit_events")
    space_name = models.CharField(max_length=120, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    actor_email = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=60)
    target_type = models.CharField(max_length=60, blank=True)
    target_id = models.CharField(max_length=40, blank=True)
    target_repr = models.CharField(max_length=200, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_email or 'system'} {self.action} {self.target_repr}"


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class PersonalAccessToken(models.Model):
    """Bearer tokens for scripts and the CLI; only a hash is stored."""

    PREFIX = "obk_"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="access_tokens")
    name = models.CharField(max_length=80, default="token")
    token_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Chosen when the token is made; None: it works until revoked.
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(Lower("name"), "user", name="token_name_unique_per_user")]

    def __str__(self) -> str:
        return f"{self.name} (…{self.hint})"

    @classmethod
    def issue(cls, user: Any, name: str = "token", *, days: int | None = None) -> tuple[PersonalAccessToken, str]:
        """A new token; `days`: how long it works (None: until revoked)."""
        raw = cls.PREFIX + secrets.token_urlsafe(32)
        expires_at = timezone.now() + timedelta(days=days) if days else None
        token = cls.objects.create(user=user, name=name, token_hash=_hash_token(raw), hint=raw[-4:],
                                   expires_at=expires_at)
        return token, raw

    @classmethod
    def authenticate(cls, raw: str) -> Any:
        token = cls.find(raw)
        if token is None or not token.is_valid():
            return None
        token.mark_used()
        return token.user

    @classmethod
    def find(cls, raw: str) -> PersonalAccessToken | None:
        """The token `raw` is, revoked or not (throttling names a revoked token's owner)."""
        return cls.objects.select_related("user").filter(token_hash=_hash_token(raw)).first()

    def is_valid(self) -> bool:
        return self.revoked_at is None and self.user.is_active and not self.is_expired()

    def is_expired(self, now: Any = None) -> bool:
        return self.expires_at is not None and (now or timezone.now()) >= self.expires_at

    def mark_used(self) -> None:
        PersonalAccessToken.objects.filter(pk=self.pk).update(last_used_at=timezone.now())

    def revoke(self) -> None:
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])
