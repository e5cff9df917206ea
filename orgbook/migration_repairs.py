"""Repairs of a database's migration history that Django's consistency check would refuse.

A migration that has landed on main never changes again (ARCHITECTURE.md, "Migrations"): a
database made at any landed commit must migrate to head. Once that rule was broken, and this
module makes up for it, before `migrate` checks the history (the `migrate` command of
orgbook.orgmodels calls `repair_history`, so `orgbook migrate`, `orgbook serve` and every
`call_command("migrate")` repair first).

orgmodels 0009_reread_reports landed at 421bfa7 depending on 0007; 0bc286b then added
0008_dictionary_sort_indexes and fadddb2 made 0009 depend on it. A database migrated at 421bfa7
records 0009 as applied and 0008 not, and Django stops with InconsistentMigrationHistory.

The repair applies 0008's own operations (its indexes) and records 0008, leaving 0009's record
alone. Deleting 0009's record so that `migrate` runs 0008 and then 0009 again would be simpler,
but 0009 is not idempotent: its first run turned Salesforce's rows for a report's edges into
`origin="both"` rows (keeping Salesforce's `where`), and a second run no longer finds them as
Salesforce's, so it would add a duplicate `metadata` edge for each (orgmodels/upgrades.py,
`_add_edges`). It would also re-read every stored report of every model for nothing.
"""

from __future__ import annotations

import logging

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.recorder import MigrationRecorder

log = logging.getLogger(__name__)

REREAD_REPORTS = ("orgmodels", "0009_reread_reports")
SORT_INDEXES = ("orgmodels", "0008_dictionary_sort_indexes")


def repair_history(connection: BaseDatabaseWrapper) -> list[str]:
    """Make the database's migration history one Django accepts; returns what was repaired
    (nothing for a database that needs nothing, including an empty one)."""
    repaired = []
    if apply_sort_indexes_under_reread_reports(connection):
        repaired.append(".".join(SORT_INDEXES))
    return repaired


def apply_sort_indexes_under_reread_reports(connection: BaseDatabaseWrapper) -> bool:
    """A database made at 421bfa7: apply and record 0008 beneath the applied 0009 (see the
    module docstring for why 0009 is not run again). True when it did."""
    recorder = MigrationRecorder(connection)
    if not recorder.has_table():
        return False
    applied = recorder.applied_migrations()
    if REREAD_REPORTS not in applied or SORT_INDEXES in applied:
        return False
    executor = MigrationExecutor(connection)
    migration = executor.loader.get_migration(*SORT_INDEXES)
    # The models as 0008's dependencies leave them: the state its operations were written against.
    state = executor.loader.project_state(migration.dependencies, at_end=True)
    executor.apply_migration(state, migration)
    log.warning("Repaired the migration history: applied %s, which %s (recorded as applied at 421bfa7) "
                "now follows", ".".join(SORT_INDEXES), ".".join(REREAD_REPORTS))
    return True
