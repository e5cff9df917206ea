"""Scheduled lifecycle jobs. Each is idempotent, so a redelivered task does no harm."""

from __future__ import annotations

from typing import Any

from celery import shared_task

from orgbook.implementations import connect, lifecycle


@shared_task(name="orgbook.implementations.tasks.daily_lifecycle", acks_late=True)
def daily_lifecycle() -> dict[str, Any]:
    """Runs hourly (cheap when nothing is due): renewals, trial ends, purge warnings, purges."""
    renewals, trials, warnings = lifecycle.apply_due_renewals(), lifecycle.expire_trials(), lifecycle.send_purge_warnings()
    purge = lifecycle.purge_due()
    return {
        "renewals_applied": renewals,
        "trials_expired": trials,
        "warnings_sent": warnings,
        "purged": purge.purged,
        "purge_failed": purge.failed,
        "stale_logins_dropped": connect.purge_stale_attempts(),
    }
