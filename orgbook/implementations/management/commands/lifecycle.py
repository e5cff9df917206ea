from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand

from orgbook.implementations.tasks import daily_lifecycle


class Command(BaseCommand):
    help = "Run the scheduled lifecycle job now: due renewals, ended trials, purge warnings and purges."
    requires_migrations_checks = True  # `orgbook` migrates the embedded default first (orgbook/cli.py)

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(json.dumps(daily_lifecycle()))
