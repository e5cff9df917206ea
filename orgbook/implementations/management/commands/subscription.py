from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from orgbook.implementations import lifecycle
from orgbook.spaces.management.base import OrgbookCommand, user_by_email
from orgbook.spaces.permissions import Action, authorize


class Command(OrgbookCommand):
    help = "Subscription renewals: set the connection licence count from a date."
    actions = {"renew": "record a renewal (suspends the excess when licences drop)", "show": "show the subscription"}

    def args_renew(self, p: CommandParser) -> None:
        p.add_argument("--space", required=True)
        p.add_argument("--as", dest="as_email", required=True, help="email of the Space admin acting")
        p.add_argument("--licences", type=int, required=True)
        p.add_argument("--keep", type=int, nargs="*", default=[], help="implementation ids to keep active")
        p.add_argument("--effective-date", default=None, help="YYYY-MM-DD (default: today in the Space's zone)")
        p.add_argument("--preview", action="store_true", help="say what would be suspended; change nothing")

    def args_show(self, p: CommandParser) -> None:
        p.add_argument("--space", required=True)
        p.add_argument("--as", dest="as_email", required=True)

    def handle_renew(self, space: str, as_email: str, licences: int, keep: list[int], effective_date: str | None,
                     preview: bool, **_: Any) -> Any:
        user = user_by_email(as_email)
        sp = authorize(user, space, Action.MANAGE_SUBSCRIPTION).space
        effective = lifecycle.clean_date(effective_date)
        if preview:
            return {"preview": True, **lifecycle.plan_renewal(sp, licences, keep, effective).as_dict()}
        r = lifecycle.renew(sp, user, licences, keep, effective)
        return {"id": r.pk, "connection_licences": r.connection_licences, "effective_on": r.effective_on.isoformat(),
                "applied": r.is_applied(), "suspended": r.suspended}

    def handle_show(self, space: str, as_email: str, **_: Any) -> Any:
        sp = authorize(user_by_email(as_email), space, Action.VIEW_SUBSCRIPTION).space
        return {"plan": sp.plan, "connection_licences": sp.connection_licences,
                "active_implementations": sp.active_implementation_count(), "trial_ends_at": sp.trial_ends_at}
