from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from orgbook.spaces.management.base import OrgbookCommand, user_by_email
from orgbook.spaces.models import PersonalAccessToken


class Command(OrgbookCommand):
    help = "Personal access tokens for the REST API."
    requires_migrations_checks = True  # `orgbook` migrates the embedded default first (orgbook/cli.py)
    actions = {"create": "make a token and print it (shown once)"}

    def args_create(self, p: CommandParser) -> None:
        p.add_argument("--email", required=True)
        p.add_argument("--name", default=None)

    def handle_create(self, email: str, name: str | None, **_: Any) -> Any:
        user = user_by_email(email)
        name = name or f"cli-{PersonalAccessToken.objects.filter(user=user).count() + 1}"
        raw = PersonalAccessToken.issue(user, name)[1]
        return {"token": raw, "name": name} if self.as_json else raw
