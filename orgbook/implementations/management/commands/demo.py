from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from orgbook.implementations.demo import DEMO_EMAIL, DEMO_PASSWORD, ensure_demo


class Command(BaseCommand):
    help = "Create the demo Space and its users (idempotent)."
    requires_migrations_checks = True  # `orgbook` migrates the embedded default first (orgbook/cli.py)

    def handle(self, *args: Any, **options: Any) -> None:
        space = ensure_demo()
        self.stdout.write(f"Demo Space '{space.name}': log in as {DEMO_EMAIL} / {DEMO_PASSWORD}")
