"""Scheduled lifecycle jobs. Each is idempotent, so a redelivered task does no harm."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from orgbook.implementations import connect, lifecycle


@shared_task(name="orgbook.implementations.tasks.daily_lifecycle", acks_late=True)
def daily_lifecycle() -> dict[str, Any]:
    """Runs hourly (cheap when nothing is due): renewals, trial ends, purge warnings, purges."""
    return {
        "renewals_applied": lifecycle.apply_due_renewals(),
        "trials_expired": lifecycle.expire_trials(),
        "warnings_sent": lifecycle.send_purge_warnings(),
        "purged": lifecycle.purge_expired(),
        "stale_logins_dropped": connect.purge_stale_attempts(),
    }
