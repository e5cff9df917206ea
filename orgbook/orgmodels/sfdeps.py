"""Salesforce's own dependency rows (MetadataComponentDependency) beside Orgbook's analysis.

Orgbook's extractor is the main source (docs/dependencies.md); Salesforce's Dependency API adds
what the metadata alone cannot show and costs API calls, so a sync asks it only:
- after a first or full sync: one Bulk API 2.0 job for the whole org;
- after an incremental sync: for the components added or changed in it, by batches of ids
  (a changed component's edges were rewritten by the ingest, so its Salesforce rows go too);
- never when nothing changed.

Each edge's `origin` says who found it: `metadata`, `salesforce`, or `both`. Rows are matched
to components through the Salesforce ids `listMetadata` gave (`Component.sf_id`), since the API
names fields without their object. A Salesforce refusal (no "View Setup and Configuration",
the beta API switched off) is a warning on the run, never a failed sync: the version is already
written and complete with Orgbook's own edges.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F

from orgbook.orgmodels.models import Component, ComponentStatus, Dependency, OrgModel
from orgbook.salesforce import bulk
from orgbook.salesforce.client import Dependency as SfEdge
from orgbook.salesforce.client import SalesforceClient
from orgbook.salesforce.errors import SalesforceError
from orgbook.salesforce.ids import to_18
from orgbook.salesforce.metadata_api import Backoff

log = logging.getLogger(__name__)

WHERE = "Salesforce dependency API"
# Past this many changed components one Bulk job is cheaper than batches of 100 ids.
BULK_ABOVE = 2000
BATCH = 500


@dataclass
class Outcome:
    rows: int = 0  # rows Salesforce answered
    added: int = 0  # edges only Salesforce found
    confirmed: int = 0  # edges both found
    unmatched: int = 0  # rows whose using component is not in the model
    warning: str = ""


def refresh(client: SalesforceClient, model: OrgModel, *, full: bool) -> Outcome:
    """Add Salesforce's rows to the model's current version; see the module docstring."""
    version = model.version
    changed: list[str] = []
    if not full:
        changed = [to_18(i) for i in Component.objects.filter(model=model, status=ComponentStatus.PRESENT)
                   .exclude(sf_id="").filter(changed_version=version).values_list("sf_id", flat=True)
                   if _is_id(i)]
        if not changed:
            return Outcome()
    poll = Backoff(initial=settings.ORGBOOK_SF_POLL_MS / 1000)
    try:
        if full or len(changed) > BULK_ABOVE:
            rows = list(bulk.all_dependencies(client, poll))
        else:
            result = client.metadata_component_dependencies(changed)
            rows = result.edges
    except SalesforceError as exc:
        log.info("dependency API unavailable for model %s: %s", model.pk, exc.code)
        return Outcome(warning=f"Salesforce's dependency API answered {exc.code}: the model shows Orgbook's own "
                               "dependency analysis only. Grant 'View Setup and Configuration' to the "
                               "connected user to add Salesforce's rows on the next full sync.")
    return _store(model, rows, full=full, only_sources=None if full else set(changed))


def _is_id(value: str) -> bool:
    return len(value) in (15, 18) and value.isalnum() and value.isascii()


def _store(model: OrgModel, rows: list[SfEdge], *, full: bool, only_sources: set[str] | None) -> Outcome:
    outcome = Outcome(rows=len(rows))
    ids = {to_18(i) for r in rows for i in (r.component_id, r.ref_id) if _is_id(i)}
    known = _components_by_id(model, ids)
    wanted: dict[tuple[int, str, str], str] = {}
    for row in rows:
        source = known.get(to_18(row.component_id)) if _is_id(row.component_id) else None
        if source is None or (only_sources is not None and to_18(row.component_id) not in only_sources):
            outcome.unmatched += source is None
            continue
        target_type, target_name = _target(row, known)
        wanted.setdefault((source[0], target_type, target_name.lower()), target_name)
    with transaction.atomic():
        if full:
            Dependency.objects.filter(model=model, origin="salesforce").delete()
            Dependency.objects.filter(model=model, origin="both").update(origin="metadata")
        existing = _existing(model, {s for s, _, _ in wanted})
        confirm = [pk for key in wanted for pk in existing.get(key, ())]
        for i in range(0, len(confirm), BATCH):
            Dependency.objects.filter(pk__in=confirm[i:i + BATCH]).update(origin="both")
        new = [Dependency(model=model, source_id=s, target_type=t, target_key=k, target_name=name[:400],
                          where=WHERE, origin="salesforce")
               for (s, t, k), name in wanted.items() if (s, t, k) not in existing]
        Dependency.objects.bulk_create(new, batch_size=BATCH)
        if full or confirm or new:
            # These rows join a version already committed (and perhaps already shown and cached):
            # the page cache keys on the stamp too (web/pagecache.py).
            OrgModel.objects.filter(pk=model.pk).update(content_stamp=F("content_stamp") + 1)
    model.refresh_from_db(fields=["content_stamp"])
    outcome.added, outcome.confirmed = len(new), sum(1 for key in wanted if key in existing)
    return outcome


def _components_by_id(model: OrgModel, ids: set[str]) -> dict[str, tuple[int, str, str]]:
    """18-char id -> (pk, type, full name), for the ids Salesforce mentioned."""
    out: dict[str, tuple[int, str, str]] = {}
    wanted = sorted(ids | {i[:15] for i in ids})  # listMetadata may have given either form
    for i in range(0, len(wanted), BATCH):
        for pk, sf_id, type_, name in Component.objects.filter(
                model=model, sf_id__in=wanted[i:i + BATCH]).values_list("pk", "sf_id", "type", "full_name"):
            if _is_id(sf_id):
                out[to_18(sf_id)] = (pk, type_, name)
    return out


def _target(row: SfEdge, known: dict[str, tuple[int, str, str]]) -> tuple[str, str]:
    if _is_id(row.ref_id) and to_18(row.ref_id) in known:
        _, type_, name = known[to_18(row.ref_id)]
        return type_, name
    if row.ref_type == "StandardEntity":  # a standard object, named by its API name
        return "CustomObject", row.ref_name
    name = f"{row.ref_namespace}__{row.ref_name}" if row.ref_namespace else row.ref_name
    return row.ref_type, name


def _existing(model: OrgModel, sources: Iterable[int]) -> dict[tuple[int, str, str], list[int]]:
    """(source, target type, target key) -> every edge row between them. Salesforce confirms the
    dependency, so each row of it (one per place it is used: `Apex` and `SOQL`) is found by both.
    Confirming one of them, the first the database returned, made the model depend on row order:
    two syncs of one org differed in which row said "both" (issue 19, item 14's fault suite)."""
    out: dict[tuple[int, str, str], list[int]] = {}
    ordered = sorted(sources)
    for i in range(0, len(ordered), BATCH):
        for pk, s, t, k in Dependency.objects.filter(model=model, source_id__in=ordered[i:i + BATCH]).values_list(
                "pk", "source_id", "target_type", "target_key"):
            out.setdefault((s, t, k), []).append(pk)
    return out
