"""Spaces, people, roles, licences and the audit log.

Business rules live here as named methods so views, the API and the CLI share them.
"""

from __future__ import annotations

import hashlib
import secrets
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

    def trial_expired(self, now: Any = None) -> bool:
        now = now or timezone.now()
        return self.is_trial() and self.trial_ends_at is not None and now >= self.trial_ends_at

    def active_implementation_count(self) -> int:
        return self.implementations.filter(status="active").count()  # type: ignore[attr-defined]

    def free_licences(self) -> int:
        return max(0, self.connection_licences - self.active_implementation_count())

    def has_free_licence(self) -> bool:
        return self.free_licences() > 0

    def admins(self) -> models.QuerySet[Membership]:
        return self.memberships.filter(role=Role.ADMIN).select_related("user")  # type: ignore[attr-defined]

    def admin_emails(self) -> list[str]:
        return [m.user.email for m in self.admins()]


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

    def is_last_admin(self) -> bool:
        if self.role != Role.ADMIN:
            return False
        return not self.space.memberships.filter(role=Role.ADMIN).exclude(pk=self.pk).exists()


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

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(Lower("name"), "user", name="token_name_unique_per_user")]

    def __str__(self) -> str:
        return f"{self.name} (…{self.hint})"

    @classmethod
    def issue(cls, user: Any, name: str = "token") -> tuple[PersonalAccessToken, str]:
        raw = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(user=user, name=name, token_hash=_hash_token(raw), hint=raw[-4:])
        return token, raw

    @classmethod
    def authenticate(cls, raw: str) -> Any:
        token = cls.objects.select_related("user").filter(token_hash=_hash_token(raw), revoked_at=None).first()
        if token is None or not token.user.is_active:
            return None
        cls.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
        return token.user

    def revoke(self) -> None:
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at"])
