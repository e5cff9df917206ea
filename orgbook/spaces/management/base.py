"""Shared bits of the CLI commands: --json output and domain errors as clean exits."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from orgbook.errors import OrgbookError


class OrgbookCommand(BaseCommand):
    """Subcommand-style command; `handle_<action>` methods do the work."""

    actions: dict[str, str] = {}
    requires_migrations_checks = True  # `orgbook` migrates the embedded default first (orgbook/cli.py)

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        for action, help_text in self.actions.items():
            sp = sub.add_parser(action, help=help_text)
            sp.add_argument("--json", action="store_true", help="print machine-readable JSON")
            getattr(self, f"args_{action.replace('-', '_')}")(sp)

    def handle(self, *args: Any, **options: Any) -> None:
        self.as_json = options.get("json", False)
        try:
            result = getattr(self, f"handle_{options['action'].replace('-', '_')}")(**options)
        except OrgbookError as exc:
            if self.as_json:
                self.stdout.write(json.dumps(exc.as_dict()))
            raise CommandError(exc.message) from None
        if result is not None:
            self.emit(result)

    def emit(self, result: Any) -> None:
        if self.as_json:
            self.stdout.write(json.dumps(result, default=str))
        elif isinstance(result, str):
            self.stdout.write(result)
        else:
            for key, value in (result.items() if isinstance(result, dict) else enumerate(result)):
                self.stdout.write(f"{key}: {value}")


def user_by_email(email: str) -> Any:
    user = get_user_model().objects.filter(email__iexact=email.strip()).first()
    if user is None:
        raise CommandError(f"No user with email {email}. Create one with `orgbook user create --email {email}`.")
    return user
