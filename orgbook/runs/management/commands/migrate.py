"""Django's `migrate`, with the history repairs of orgbook/migration_repairs.py run first.

An app's command named `migrate` replaces Django's, so `orgbook migrate`, `orgbook serve`'s
auto-migration and any `call_command("migrate")` all repair before Django checks the history.
"""

from __future__ import annotations

from typing import Any

from django.core.management.commands.migrate import Command as DjangoMigrate
from django.db import connections

from orgbook.migration_repairs import repair_history


class Command(DjangoMigrate):
    help = DjangoMigrate.help + " Repairs a known inconsistent history first (orgbook/migration_repairs.py)."

    def handle(self, *args: Any, **options: Any) -> None:
        # --plan and --check promise to change nothing; they report the history as Django sees it.
        if not options["plan"] and not options["check_unapplied"]:
            repair_history(connections[options["database"]])
        super().handle(*args, **options)
