"""The Celery app. Redis in production; kombu's filesystem transport on the embedded default."""

from __future__ import annotations

import os

from celery import Celery
from celery.schedules import crontab

from orgbook.queue import use_robust_redis_transport

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orgbook.settings")

use_robust_redis_transport()  # before any connection: a worker must outlive a Redis restart
app = Celery("orgbook")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["orgbook.implementations", "orgbook.runs"])
app.autodiscover_tasks(["orgbook.orgmodels"], related_name="notify")
app.conf.beat_schedule = {
    "retention-daily": {"task": "orgbook.implementations.tasks.daily_lifecycle", "schedule": crontab(minute=17)},
    "scheduled-syncs": {"task": "orgbook.orgmodels.tasks.schedule_due_syncs", "schedule": crontab(minute="*/5")},
}
