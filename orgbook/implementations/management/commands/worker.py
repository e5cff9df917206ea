from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run a Celery worker (scale out by running more, on any machine with the same settings)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--concurrency", type=int, default=2)

    def handle(self, *args: Any, concurrency: int, **_: Any) -> None:
        os.execv(sys.executable, [sys.executable, "-m", "celery", "-A", "orgbook", "worker",
                                  f"--concurrency={concurrency}", "--loglevel=INFO"])
