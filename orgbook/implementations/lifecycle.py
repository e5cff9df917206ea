"""The implementation lifecycle: create, update, delete, renew (suspend), reactivate, purge.

Every rule of the seed lives here; views, the API, the CLI and scheduled jobs call these.
Licence checks lock the Space row so concurrent requests cannot both take the last licence.
"""

from __future__ import annotations

import logging
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from orgbook.errors import Conflict, Invalid, LicenceExhausted
from orgbook.ids import parse_id
from orgbook.implementations import connect
from orgbook.implementations.models import (
    DESCRIPTION_MAX,
    NAME_MAX,
    ConnectionStatus,
    Implementation,
    ImplementationStatus,
    Renewal,
)
from orgbook.implementations.signals import content_removing
from orgbook.spaces import audit
from orgbook.spaces.models import Membership, Plan, Role, Space

log = logging.getLogger(__name__)

TRIAL_IMPLEMENTATION_NAME = "My implementation"
LICENCES_MAX = 100_000  # a renewal's licences: far above any plan, and within every integer column


# --- Spaces -------------------------------------------------------------------------------


def create_space(
    name: str,
    admin: Any,
    *,
    plan: str = Plan.TRIAL,
    licences: int | None = None,
    time_zone: str | None = None,
) -> Space:
    name = name.strip()
    if not 1 <= len(name) <= 120:
        raise Invalid("A Space name needs 1 to 120 characters.")
    if plan not in Plan.values:
        raise Invalid(f"Plan must be trial or paid; got {plan!r}.")
    tz = time_zone or settings.ORGBOOK_DEFAULT_TIME_ZONE
    if tz not in zoneinfo.available_timezones():
        raise Invalid(f"{tz!r} is not a time zone; use an IANA name such as Europe/London.")
    if plan == Plan.TRIAL:
        licences = 1
    elif licences is None or licences < 0:
        raise Invalid("A paid Space needs a number of connection licences (0 or more).")
    with transaction.atomic():
        space = Space.objects.create(
            name=name,
            slug=Space.unique_slug(name),
            plan=plan,
            connection_licences=licences,
            time_zone=tz,
            trial_ends_at=timezone.now() + timedelta(days=settings.ORGBOOK_TRIAL_DAYS) if plan == Plan.TRIAL else None,
        )
        Membership.objects.create(space=space, user=admin, role=Role.ADMIN)
        audit.record(space, admin, "space.created", space, after={"plan": plan, "licences": licences})
        if plan == Plan.TRIAL:
            # The seed: "On a Trial Space, you get the 1st implementation created automatically."
            create_implementation(space, admin, TRIAL_IMPLEMENTATION_NAME, "Created with the trial Space.")
    return space


# --- Create / update ----------------------------------------------------------------------


def clean_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise Invalid("Give the implementation a name (1 to 80 characters).", field="name")
    name = name.strip()
    if len(name) > NAME_MAX:
        raise Invalid(f"The name is {len(name)} characters; keep it to {NAME_MAX}.", field="name")
    return name


def clean_description(description: Any) -> str:
    if description is None:
        return ""
    if not isinstance(description, str):
        raise Invalid("The description must be text.", field="description")
    description = description.strip()
    if len(description) > DESCRIPTION_MAX:
        raise Invalid(
            f"The description is {len(description)} characters; keep it to {DESCRIPTION_MAX}.",
            field="description",
        )
    return description


def _name_taken(space: Space, name: str, exclude_pk: int | None = None) -> bool:
    qs = Implementation.objects.filter(space=space, name__iexact=name)
    if exclude_pk is not None:
        qs = qs.exclude(pk=exclude_pk)
    return qs.exists()


def _duplicate_name(name: str) -> Conflict:
    return Conflict(
        f"An implementation called {name!r} already exists in this Space (names ignore case). Choose another name.",
        field="name",
    )


def licence_exhausted(space: Space) -> LicenceExhausted:
    usage = space.licence_usage()
    return LicenceExhausted(
        f"All {usage.licences} connection licence(s) are in use by {usage.active} active implementation(s). "
        "Delete an implementation you no longer need, or renew the subscription with more licences.",
        licences=usage.licences,
        active=usage.active,
    )


def create_implementation(space: Space, actor: Any, name: Any, description: Any = "") -> Implementation:
    name, description = clean_name(name), clean_description(description)
    try:
        with transaction.atomic():
            locked = Space.objects.select_for_update().get(pk=space.pk)
            if not locked.has_free_licence():
                raise licence_exhausted(locked)
            if _name_taken(locked, name):
                raise _duplicate_name(name)
            implementation = Implementation.objects.create(
                space=locked, name=name, description=description, created_by=actor
            )
            audit.record(locked, actor, "implementation.created", implementation, after=implementation.snapshot())
    except IntegrityError:
        # The case-insensitive unique constraint caught a concurrent create with the same name.
        raise _duplicate_name(name) from None
    return implementation


def update_implementation(implementation: Implementation, actor: Any, **changes: Any) -> Implementation:
    before = implementation.snapshot()
    if "name" in changes:
        name = clean_name(changes["name"])
        if _name_taken(implementation.space, name, exclude_pk=implementation.pk):
            raise _duplicate_name(name)
        implementation.name = name
    if "description" in changes:
        implementation.description = clean_description(changes["description"])
    try:
        with transaction.atomic():
            implementation.save(update_fields=["name", "description"])
            audit.record(
                implementation.space, actor, "implementation.updated", implementation,
                before=before, after=implementation.snapshot(),
            )
    except IntegrityError:
        raise _duplicate_name(implementation.name) from None
    return implementation


# --- Delete -------------------------------------------------------------------------------


def delete_implementation(implementation: Implementation, actor: Any, confirm: Any) -> None:
    """Irreversible: connections, org models and documentation go with it (FK cascades)."""
    if not isinstance(confirm, str) or confirm.strip() != implementation.name:
        raise Invalid(
            f"To delete, type the implementation's name exactly: {implementation.name}", field="confirm"
        )
    space = implementation.space
    before = implementation.snapshot()
    before["connections"] = [c.org_id for c in implementation.connections.all()]
    for conn in implementation.connections.all():
        connect.revoke_stored_tokens(conn)
    with transaction.atomic():
        audit.record(space, actor, "implementation.deleted", implementation, before=before)
        _delete_with_content(implementation)


def _delete_with_content(implementation: Implementation) -> None:
    """The implementation and everything in it. Its models' components go first, by model
    (orgmodels/removal.py, on content_removing): the ORM's cascade alone failed at 260,000 components."""
    content_removing.send(Implementation, implementation=implementation)
    implementation.delete()


# --- Renewals and suspension ---------------------------------------------------------------


@dataclass(frozen=True)
class RenewalPlan:
    connection_licences: int
    effective_on: date
    active: list[Implementation]
    to_suspend: list[Implementation]

    def as_dict(self) -> dict[str, Any]:
        return {
            "connection_licences": self.connection_licences,
            "effective_on": self.effective_on.isoformat(),
            "active_implementations": len(self.active),
            "would_suspend": [{"id": i.pk, "name": i.name} for i in self.to_suspend],
        }


def choose_suspensions(active: list[Implementation], licences: int, keep: list[int]) -> list[Implementation]:
    """Which implementations a downgrade suspends.

    Those the admin did not keep go first; within each group the one with the oldest
    activity (last sync, documentation edit or creation) goes first.
    """
    excess = len(active) - licences
    if excess <= 0:
        return []
    keep_set = set(keep)
    order = sorted(active, key=lambda i: (i.pk in keep_set, i.last_activity_at, i.pk))
    return order[:excess]


def _space_today(space: Space) -> date:
    return timezone.now().astimezone(zoneinfo.ZoneInfo(space.time_zone)).date()


def _clean_keep(space: Space, keep: Any) -> list[int]:
    if keep is None:
        return []
    if not isinstance(keep, list) or not all(isinstance(k, int) and not isinstance(k, bool) for k in keep):
        raise Invalid("keep must be a list of implementation ids.", field="keep")
    # An id no row can have (past 64 bits) is simply unknown: in the query it overflowed (a 500).
    ids = [parse_id(k) for k in keep]
    known = set(Implementation.objects.filter(space=space, pk__in=[i for i in ids if i is not None])
                .values_list("pk", flat=True))
    unknown = [k for k, i in zip(keep, ids, strict=True) if i not in known]
    if unknown:
        raise Invalid(f"keep names implementations that are not in this Space: {unknown}.", field="keep")
    return list(keep)


def plan_renewal(space: Space, licences: Any, keep: Any = None, effective_on: date | None = None) -> RenewalPlan:
    if not isinstance(licences, int) or isinstance(licences, bool) or not 0 <= licences <= LICENCES_MAX:
        raise Invalid(f"connection_licences must be a whole number from 0 to {LICENCES_MAX:,}.",
                      field="connection_licences")
    keep_ids = _clean_keep(space, keep)
    active = list(space.implementations.filter(status=ImplementationStatus.ACTIVE))
    return RenewalPlan(
        connection_licences=licences,
        effective_on=effective_on or _space_today(space),
        active=active,
        to_suspend=choose_suspensions(active, licences, keep_ids),
    )


def renew(space: Space, actor: Any, licences: Any, keep: Any = None, effective_on: date | None = None) -> Renewal:
    """Record a renewal; apply it now if it is effective today or earlier, else on its date."""
    preview = plan_renewal(space, licences, keep, effective_on)
    renewal = Renewal.objects.create(
        space=space,
        connection_licences=preview.connection_licences,
        effective_on=preview.effective_on,
        keep=keep or [],
        created_by=actor,
    )
    audit.record(space, actor, "subscription.renewal_recorded", renewal, after=preview.as_dict())
    if preview.effective_on <= _space_today(space):
        apply_renewal(renewal)
        renewal.refresh_from_db()
    return renewal


def apply_renewal(renewal: Renewal) -> list[Implementation]:
    """Set the licence count and suspend the excess, atomically and idempotently."""
    with transaction.atomic():
        space = Space.objects.select_for_update().get(pk=renewal.space_id)
        locked = Renewal.objects.select_for_update().get(pk=renewal.pk)
        if locked.is_applied():
            return []
        before = {"plan": space.plan, "licences": space.connection_licences}
        active = list(space.implementations.filter(status=ImplementationStatus.ACTIVE))
        to_suspend = choose_suspensions(active, locked.connection_licences, list(locked.keep))
        space.plan, space.connection_licences, space.trial_ends_at = Plan.PAID, locked.connection_licences, None
        space.save(update_fields=["plan", "connection_licences", "trial_ends_at"])
        for implementation in to_suspend:
            suspend(implementation, locked.created_by, reason="renewal")
        locked.applied_at = timezone.now()
        locked.suspended = [i.pk for i in to_suspend]
        locked.save(update_fields=["applied_at", "suspended"])
        audit.record(
            space, locked.created_by, "subscription.renewed", locked,
            before=before, after={"plan": space.plan, "licences": space.connection_licences,
                                  "suspended": [i.name for i in to_suspend]},
        )
    _email_renewal_result(space, locked, to_suspend)
    return to_suspend


def suspend(implementation: Implementation, actor: Any, reason: str) -> None:
    before = implementation.snapshot()
    implementation.status = ImplementationStatus.SUSPENDED
    implementation.suspended_at = timezone.now()
    implementation.purge_warnings_sent = []
    implementation.save(update_fields=["status", "suspended_at", "purge_warnings_sent"])
    audit.record(
        implementation.space, actor, "implementation.suspended", implementation,
        before=before, after={**implementation.snapshot(), "reason": reason},
    )


def _email_renewal_result(space: Space, renewal: Renewal, suspended: list[Implementation]) -> None:
    lines = [f"{space.name} now has {renewal.connection_licences} connection licence(s) from {renewal.effective_on}."]
    if suspended:
        lines.append("These implementations were suspended because there are fewer licences than before:")
        for implementation in suspended:
            due = implementation.purge_due_at()
            lines.append(f"  - {implementation.name}: its content will be deleted on {due:%Y-%m-%d} unless reactivated")
        lines.append("A Space admin can reactivate one when a licence is free (delete another, or add licences).")
    else:
        lines.append("No implementation was suspended.")
    send_mail(f"Orgbook: {space.name} subscription renewed", "\n".join(lines), None, space.admin_emails())


def apply_due_renewals() -> int:
    applied = 0
    for renewal in Renewal.objects.filter(applied_at=None).select_related("space"):
        if renewal.effective_on <= _space_today(renewal.space):
            apply_renewal(renewal)
            applied += 1
    return applied


def expire_trials(now: datetime | None = None) -> int:
    """A trial that ends without a renewal is treated as renewed with 0 licences."""
    now = now or timezone.now()
    count = 0
    # connection_licences > 0: a trial already ended is not picked again on every run.
    for space in Space.objects.filter(plan=Plan.TRIAL, trial_ends_at__lte=now, connection_licences__gt=0):
        with transaction.atomic():
            for implementation in space.implementations.filter(status=ImplementationStatus.ACTIVE):
                suspend(implementation, None, reason="trial ended")
                count += 1
            space.connection_licences = 0
            space.save(update_fields=["connection_licences"])
    return count


# --- Reactivation ---------------------------------------------------------------------------


def reactivate(implementation: Implementation, actor: Any) -> Implementation:
    with transaction.atomic():
        space = Space.objects.select_for_update().get(pk=implementation.space_id)
        locked = Implementation.objects.select_for_update().get(pk=implementation.pk)
        if not locked.is_suspended():
            raise Conflict(f"{locked.name} is not suspended.")
        if not space.has_free_licence():
            raise licence_exhausted(space)
        before = locked.snapshot()
        locked.status, locked.suspended_at, locked.purge_warnings_sent = ImplementationStatus.ACTIVE, None, []
        locked.save(update_fields=["status", "suspended_at", "purge_warnings_sent"])
        # Tokens may have been revoked or expired while suspended: ask for a fresh login.
        locked.connections.update(
            status=ConnectionStatus.NEEDS_REAUTH,
            status_reason="Re-authorise after reactivation.",
        )
        audit.record(space, actor, "implementation.reactivated", locked, before=before, after=locked.snapshot())
    return locked


# --- Retention: warnings and purge ----------------------------------------------------------


def send_purge_warnings(now: datetime | None = None) -> int:
    now = now or timezone.now()
    sent = 0
    for implementation in Implementation.objects.filter(status=ImplementationStatus.SUSPENDED).select_related("space"):
        due = implementation.purge_due_at()
        if due is None:
            continue
        for days in settings.ORGBOOK_PURGE_WARNING_DAYS:
            if now >= due - timedelta(days=days) and days not in implementation.purge_warnings_sent and now < due:
                send_mail(
                    f"Orgbook: {implementation.name} will be deleted on {due:%Y-%m-%d}",
                    f"The suspended implementation {implementation.name} in {implementation.space.name} and all its "
                    f"org models and documentation will be deleted on {due:%Y-%m-%d %H:%M} UTC.\n"
                    "To keep it, free or buy a connection licence and reactivate it.",
                    None,
                    implementation.space.admin_emails(),
                )
                implementation.purge_warnings_sent = [*implementation.purge_warnings_sent, days]
                implementation.save(update_fields=["purge_warnings_sent"])
                sent += 1
    return sent


@dataclass
class PurgeOutcome:
    purged: list[str]
    failed: list[str]  # "name (id N): error", each also in the log and the Space's audit log


def purge_expired(now: datetime | None = None) -> list[str]:
    """Delete suspended implementations whose retention has passed. Safe to run twice."""
    return purge_due(now).purged


def purge_due(now: datetime | None = None) -> PurgeOutcome:
    """`purge_expired`, with the failures. One implementation that cannot be purged is reported
    and left for the next run; the others are purged anyway (the job once stopped at the first
    failure, every hour, and purged nothing after it)."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.ORGBOOK_SUSPENDED_RETENTION_DAYS)
    outcome = PurgeOutcome(purged=[], failed=[])
    candidates = Implementation.objects.filter(status=ImplementationStatus.SUSPENDED, suspended_at__lte=cutoff)
    for implementation in candidates.select_related("space").order_by("pk"):
        try:
            if _purge_one(implementation, now):
                outcome.purged.append(implementation.name)
        except Exception as exc:  # noqa: BLE001  # any failure: reported, and the job goes on
            error = f"{type(exc).__name__}: {exc}"[:1000]
            log.exception("could not purge suspended implementation %s (id %s)", implementation.name,
                          implementation.pk)
            audit.record(implementation.space, None, "implementation.purge_failed", implementation,
                         after={"error": error})
            outcome.failed.append(f"{implementation.name} (id {implementation.pk}): {error}")
    return outcome


def _purge_one(implementation: Implementation, now: datetime) -> bool:
    with transaction.atomic():
        locked = Implementation.objects.select_for_update().filter(pk=implementation.pk).first()
        if locked is None or not locked.is_purge_due(now):
            return False  # reactivated or purged by a concurrent run
        audit.record(locked.space, None, "implementation.purged", locked, before=locked.snapshot())
        _delete_with_content(locked)
    log.info("purged suspended implementation %s (id %s)", implementation.name, implementation.pk)
    return True


def clean_date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise Invalid(f"effective_date must be a date like 2026-12-31; got {value!r}.", field="effective_date") from None
