from __future__ import annotations

import os
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the Celery beat scheduler (exactly one per installation)."

    def handle(self, *args: Any, **options: Any) -> None:
        os.execv(sys.executable, [sys.executable, "-m", "celery", "-A", "orgbook", "beat", "--loglevel=INFO",
                                  "-s", settings.CELERY_BEAT_SCHEDULE_FILENAME])
