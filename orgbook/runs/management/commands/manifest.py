from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from orgbook.errors import OrgbookError
from orgbook.ids import parse_id
from orgbook.implementations.access import require_active
from orgbook.orgmodels import manifest
from orgbook.orgmodels.models import OrgModel
from orgbook.spaces.management.base import user_by_email
from orgbook.spaces.permissions import Action, authorize


def _model(ref: str) -> OrgModel:
    pk = parse_id(ref)
    model = OrgModel.objects.select_related("implementation__space").filter(pk=pk).first() if pk else None
    if model is None:
        raise CommandError(f"No org model {ref}; give its id (the number in /m/<id>/, or `id` in the API).")
    return model


class Command(BaseCommand):
    help = ("Write the manifest of what a sandbox added, changed and removed that its production lacks: "
            "package.xml, and destructiveChanges.xml when it removed something (docs/user/across-implementations.md).")
    requires_migrations_checks = True  # `orgbook` migrates the embedded default first (orgbook/cli.py)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="source", required=True, help="the sandbox's org model id")
        parser.add_argument("--to", dest="target", required=True, help="the production org model id")
        parser.add_argument("--since", default=None,
                            help="a date (2026-11-30) or date-time: only what the sandbox changed after it "
                                 "(default: its last confirmed refresh, else everything that differs)")
        parser.add_argument("--out", default=".", help="folder to write package.xml (and destructiveChanges.xml) into")
        parser.add_argument("--as", dest="as_email", default=None, help="check that this person may view both")
        parser.add_argument("--json", action="store_true", help="print the list as JSON instead of a summary")

    def handle(self, *args: Any, **o: Any) -> None:
        source, target = _model(o["source"]), _model(o["target"])
        try:
            if o["as_email"]:
                person = user_by_email(o["as_email"])
                for m in (source, target):
                    authorize(person, m.implementation.space, Action.VIEW_CONTENT)
            for m in (source, target):
                require_active(m.implementation)
            found = manifest.build(source, target, since=manifest.parse_since(o["since"]),
                                   api_version=settings.ORGBOOK_SF_API_VERSION)
        except OrgbookError as exc:
            raise CommandError(exc.message) from None
        out = Path(o["out"])
        if not out.is_dir():
            raise CommandError(f"{out} is not a folder; create it or give another with --out.")
        (out / "package.xml").write_text(found.package_xml(), encoding="utf-8")
        destructive = out / "destructiveChanges.xml"
        if found.of(manifest.DELETE):
            destructive.write_text(found.destructive_xml(), encoding="utf-8")
        elif destructive.exists():
            destructive.unlink()  # a stale one from an earlier run would delete what this one keeps
        if o["json"]:
            self.stdout.write(json.dumps({"baseline_version": found.baseline,
                                          "entries": [e.__dict__ for e in found.entries]}))
            return
        counts = ", ".join(f"{len(found.of(a))} {a.replace('_', ' ')}" for a in manifest.ACTIONS)
        self.stdout.write(f"{source.name} → {target.name} after version {found.baseline}: {counts}. "
                          f"Wrote {out / 'package.xml'}" + (f" and {destructive}" if found.of(manifest.DELETE) else ""))
