from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from orgbook.errors import OrgbookError
from orgbook.implementations.models import Implementation
from orgbook.orgmodels.models import ComponentStatus
from orgbook.orgmodels.services import discard_new_model, import_target
from orgbook.runs.imports import import_path
from orgbook.spaces.management.base import user_by_email
from orgbook.spaces.models import Space
from orgbook.spaces.permissions import Action, authorize


class Command(BaseCommand):
    help = "Import an SFDX project folder, a Metadata API folder (with package.xml) or a zip of either into an org model."
    requires_migrations_checks = True  # `orgbook` migrates the embedded default first (orgbook/cli.py)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path")
        parser.add_argument("--space", required=True)
        parser.add_argument("--implementation", required=True, help="implementation name")
        parser.add_argument("--model", required=True, help="org model name (made if missing)")
        parser.add_argument("--kind", choices=["production", "sandbox", "reference"], default=None)
        parser.add_argument("--as", dest="as_email", default=None, help="check an Editor's or admin's role")
        parser.add_argument("--allow-removals", action="store_true",
                            help="store a reading although files were refused or it removes more than a quarter "
                                 "of the model (docs/user/syncing.md)")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **o: Any) -> None:
        space = Space.objects.filter(slug=o["space"]).first()
        if space is None:
            raise CommandError(f"No Space with slug {o['space']}; the slug is the Space's part of its web address.")
        if o["as_email"]:
            authorize(user_by_email(o["as_email"]), space, Action.EDIT_DOCUMENTATION)
        impl = Implementation.objects.filter(space=space, name__iexact=o["implementation"]).first()
        if impl is None:
            raise CommandError(f"No implementation called {o['implementation']} in {space.name}; "
                               f"`orgbook implementation list --space {space.slug} --as EMAIL` lists them.")

        def progress(stage: str, n: int) -> None:
            sys.stderr.write(f"  {stage}: {n:,} components\n")

        made = False
        try:
            model, made = import_target(impl, o["model"], o["kind"])
            run = import_path(model, o["path"], progress=progress, allow_removals=o["allow_removals"])
        except Exception as exc:
            if made:
                discard_new_model(model)  # a rejected import leaves no model behind
            if not isinstance(exc, OrgbookError):
                raise
            if o["json"]:
                self.stdout.write(json.dumps(exc.as_dict()))  # its message names no server path (pathnames.py)
            raise CommandError(exc.message) from None
        total = model.components.filter(status=ComponentStatus.PRESENT).count()
        report = run.report
        result = {"model_id": model.pk, "run_id": run.pk, "components": total, "added": run.added,
                  "changed": run.changed, "removed": run.removed, "skipped": report.get("skipped", []),
                  "skipped_total": report.get("skipped_total", 0), "collisions": report.get("collisions", []),
                  "identical_copies": report.get("identical_copies", 0), "project": report.get("project", {})}
        if o["json"]:
            self.stdout.write(json.dumps(result))
        else:
            self.stdout.write(f"{model.name}: {total:,} components ({run.added:,} added, {run.changed:,} changed, "
                              f"{run.removed:,} removed, {len(run.warnings)} warnings)")
            self.stdout.write(f"  {report.get('skipped_total', 0):,} files gave no component, "
                              f"{report.get('collisions_total', 0):,} collisions; `--json` lists them with reasons")
