from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from orgbook.errors import Invalid
from orgbook.spaces.management.base import OrgbookCommand, user_by_email
from orgbook.spaces.models import PersonalAccessToken


class Command(OrgbookCommand):
    help = "Personal access tokens for the REST API."
    actions = {"create": "make a token and print it (shown once)"}

    def args_create(self, p: CommandParser) -> None:
        p.add_argument("--email", required=True)
        p.add_argument("--name", default=None)
        p.add_argument("--days", type=int, default=None, help="how many days the token works (default: until revoked)")

    def handle_create(self, email: str, name: str | None, days: int | None = None, **_: Any) -> Any:
        user = user_by_email(email)
        name = name or f"cli-{PersonalAccessToken.objects.filter(user=user).count() + 1}"
        if days is not None and days < 1:
            raise Invalid("--days must be 1 or more (leave it out for a token that works until revoked).")
        token, raw = PersonalAccessToken.issue(user, name, days=days)
        expires = token.expires_at.isoformat() if token.expires_at else None
        return {"token": raw, "name": name, "expires_at": expires} if self.as_json else raw
