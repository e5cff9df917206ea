from __future__ import annotations

from typing import Any

from django.core.management.base import CommandParser

from orgbook.implementations import lifecycle
from orgbook.implementations.access import get_implementation
from orgbook.implementations.models import Implementation
from orgbook.spaces.management.base import OrgbookCommand, user_by_email
from orgbook.spaces.permissions import Action, authorize


def _out(i: Implementation) -> dict[str, Any]:
    due = i.purge_due_at()
    return {"id": i.pk, "name": i.name, "description": i.description, "status": i.status,
            "purge_on": due.date().isoformat() if due else None}


class Command(OrgbookCommand):
    help = "The implementation lifecycle, acting as a named Space member (checked against their role)."
    actions = {"list": "list implementations", "create": "create one (needs a free licence)",
               "update": "rename or re-describe", "delete": "delete, confirmed by the exact name",
               "reactivate": "reactivate a suspended implementation"}

    def _common(self, p: CommandParser, with_id: bool = True) -> None:
        p.add_argument("--space", required=True)
        p.add_argument("--as", dest="as_email", required=True, help="email of the member acting")
        if with_id:
            p.add_argument("id", type=int)

    def args_list(self, p: CommandParser) -> None:
        self._common(p, with_id=False)

    def args_create(self, p: CommandParser) -> None:
        self._common(p, with_id=False)
        p.add_argument("--name", required=True)
        p.add_argument("--description", default="")

    def args_update(self, p: CommandParser) -> None:
        self._common(p)
        p.add_argument("--name")
        p.add_argument("--description")

    def args_delete(self, p: CommandParser) -> None:
        self._common(p)
        p.add_argument("--confirm", required=True, help="the implementation's exact name")

    def args_reactivate(self, p: CommandParser) -> None:
        self._common(p)

    def handle_list(self, space: str, as_email: str, **_: Any) -> Any:
        m = authorize(user_by_email(as_email), space, Action.VIEW_IMPLEMENTATIONS)
        rows = [_out(i) for i in m.space.implementations.all()]  # type: ignore[attr-defined]
        if self.as_json:
            return rows
        return "\n".join(f"{r['id']:>5}  {r['status']:<9}  {r['name']}" for r in rows) or "No implementations."

    def handle_create(self, space: str, as_email: str, name: str, description: str, **_: Any) -> Any:
        user = user_by_email(as_email)
        m = authorize(user, space, Action.CREATE_IMPLEMENTATION)
        return _out(lifecycle.create_implementation(m.space, user, name, description))

    def handle_update(self, space: str, as_email: str, id: int, name: str | None, description: str | None, **_: Any) -> Any:
        user = user_by_email(as_email)
        impl = get_implementation(user, space, id, Action.UPDATE_IMPLEMENTATION)[1]
        changes = {k: v for k, v in {"name": name, "description": description}.items() if v is not None}
        return _out(lifecycle.update_implementation(impl, user, **changes))

    def handle_delete(self, space: str, as_email: str, id: int, confirm: str, **_: Any) -> Any:
        user = user_by_email(as_email)
        impl = get_implementation(user, space, id, Action.DELETE_IMPLEMENTATION)[1]
        lifecycle.delete_implementation(impl, user, confirm)
        return {"deleted": id}

    def handle_reactivate(self, space: str, as_email: str, id: int, **_: Any) -> Any:
        user = user_by_email(as_email)
        impl = get_implementation(user, space, id, Action.REACTIVATE_IMPLEMENTATION)[1]
        return _out(lifecycle.reactivate(impl, user))
