from __future__ import annotations

import json as jsonlib
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from orgbook.errors import OrgbookError
from orgbook.implementations.models import OrgConnection
from orgbook.runs.syncs import sync_connection
from orgbook.salesforce.errors import SalesforceError
from orgbook.spaces.management.base import user_by_email
from orgbook.spaces.permissions import Action, authorize


class Command(BaseCommand):
    help = "Sync a connected org now, printing its progress (the same sync the scheduler runs)."
    requires_migrations_checks = True  # `orgbook` migrates the embedded default first (orgbook/cli.py)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("connection", type=int, help="org connection id")
        parser.add_argument("--as", dest="as_email", default=None, help="check an Editor's or admin's role")
        parser.add_argument("--full", action="store_true", help="fetch everything, not only what changed")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, connection: int, as_email: str | None, full: bool, json: bool, **_: Any) -> None:
        conn = OrgConnection.objects.select_related("implementation__space").filter(pk=connection).first()
        if conn is None:
            raise CommandError(f"No org connection {connection}.")
        try:
            if as_email:
                authorize(user_by_email(as_email), conn.implementation.space, Action.START_SYNC)
            echo = None if json else (lambda line: self.stderr.write(line))
            run = sync_connection(conn, "manual", full=full or None, echo=echo)
        except (OrgbookError, SalesforceError) as exc:
            raise CommandError(getattr(exc, "message", str(exc))) from None
        result = {"run": run.pk, "model_id": run.model_id, "version": run.version, "api_calls": run.api_calls,
                  **run.counts()}
        self.stdout.write(_dumps(result) if json else
                          f"{run.model}: {run.added:,} added, {run.changed:,} changed, {run.removed:,} removed "
                          f"({run.api_calls} API calls)")


def _dumps(value: Any) -> str:
    return jsonlib.dumps(value)
