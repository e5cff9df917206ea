from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from orgbook.implementations import lifecycle
from orgbook.spaces.management.base import OrgbookCommand, user_by_email


class Command(OrgbookCommand):
    help = "Manage Spaces."
    actions = {"create": "create a Space with its first Space admin"}

    def args_create(self, p: CommandParser) -> None:
        p.add_argument("name")
        p.add_argument("--admin", required=True, help="email of an existing user")
        p.add_argument("--plan", choices=["trial", "paid"], default="trial")
        p.add_argument("--licences", type=int, default=None, help="connection licences (paid plan)")
        p.add_argument("--time-zone", default=None)

    def handle_create(self, name: str, admin: str, plan: str, licences: int | None, time_zone: str | None,
                      **_: Any) -> dict[str, Any]:
        space = lifecycle.create_space(name, user_by_email(admin), plan=plan, licences=licences, time_zone=time_zone)
        return {"slug": space.slug, "id": space.pk}
