"""Coverage per model: which key components carry documentation or a Salesforce description."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.fields.json import KT
from django.utils import timezone

from orgbook.documentation.models import CoverageSnapshot, Documentation
from orgbook.orgmodels.models import Component, ComponentStatus, Dependency, OrgModel

COVERED_TYPES = ("CustomObject", "CustomField", "Flow", "ApexClass", "ValidationRule", "PermissionSet")


@dataclass
class Coverage:
    by_type: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def covered(self) -> int:
        return sum(v["covered"] for v in self.by_type.values())

    @property
    def total(self) -> int:
        return sum(v["total"] for v in self.by_type.values())

    def share(self) -> float:
        return self.covered / self.total if self.total else 1.0

    def percent(self) -> int:
        return round(self.share() * 100)


def _key_components(model: OrgModel) -> Any:
    """Custom objects and fields only (standard ones are Salesforce's to document), plus the other types."""
    custom = Q(type__in=("CustomObject", "CustomField"), name_key__endswith="__c")
    other = Q(type__in=COVERED_TYPES) & ~Q(type__in=("CustomObject", "CustomField"))
    return Component.objects.filter(model=model, status=ComponentStatus.PRESENT).filter(custom | other)


def _documented(implementation_id: int) -> Exists:
    return Exists(Documentation.objects.filter(implementation_id=implementation_id,
                                               type=OuterRef("type"), name_key=OuterRef("name_key"))
                  .exclude(note="", links=[], tags=[]))


def _described(attrs: dict[str, Any] | None) -> bool:
    attrs = attrs or {}
    return bool(str(attrs.get("description") or "").strip() or str(attrs.get("inlineHelpText") or "").strip())


def _has_description(component: Component) -> bool:
    return _described(component.attributes)


def _described_value(value: Any) -> bool:
    """`_described` for one attribute as the database extracts it from the JSON: a string as
    itself; a boolean (the reader stores a description reading `true`/`false` as one) as 1/0
    (SQLite) or 'true'/'false' (PostgreSQL). A string never reads 'false': the reader made it False."""
    if value is None or value == 0 or value == "false":
        return False
    return bool(str(value).strip())


def compute(model: OrgModel) -> Coverage:
    result = Coverage({t: {"covered": 0, "total": 0} for t in COVERED_TYPES})
    # This runs after every sync, over every key component (80,000 at the large benchmark size).
    # Two grouped counts, not a row per component: first every key component by whether it is
    # covered for certain (documented, or `visibly_described`, the column the database computes
    # when it writes the row), read from the `component_by_status` index alone; then the rest,
    # grouped by their description and help text, decided here (a string of non-ASCII letters
    # is a description; one of no-break spaces is not).
    documented = _documented(model.implementation_id)
    sure = (_key_components(model).annotate(documented=documented)
            .values("type", "documented", "visibly_described").annotate(n=Count("pk")).order_by()
            .values_list("type", "documented", "visibly_described", "n"))
    for type_, is_documented, described, n in sure:
        counts = result.by_type[type_]
        counts["total"] += n
        if is_documented or described:
            counts["covered"] += n
    rest = (_key_components(model).filter(visibly_described=False).annotate(documented=documented)
            .filter(documented=False)
            .values("type", description=KT("attributes__description"), help=KT("attributes__inlineHelpText"))
            .annotate(n=Count("pk")).order_by()
            .values_list("type", "description", "help", "n"))
    for type_, description, help_text, n in rest:
        if _described_value(description) or _described_value(help_text):
            result.by_type[type_]["covered"] += n
    return result


def undocumented(model: OrgModel, limit: int = 200) -> list[dict[str, Any]]:
    """Key components with neither documentation nor a description, most used first."""
    used = (Dependency.objects.filter(model=model, target_type=OuterRef("type"), target_key=OuterRef("name_key"))
            .values("target_key").annotate(n=Count("pk")).values("n"))
    # Those the database already knows are described are left out before any JSON is decoded here.
    rows = (_key_components(model).filter(visibly_described=False)
            .annotate(documented=_documented(model.implementation_id)).filter(documented=False)
            .annotate(used_by=used).only("type", "full_name", "label", "attributes"))
    items = [{"type": c.type, "full_name": c.full_name, "label": c.label, "used_by": c.used_by or 0}  # type: ignore[attr-defined]
             for c in rows.iterator(chunk_size=2000) if not _has_description(c)]
    items.sort(key=lambda i: (-i["used_by"], i["type"], i["full_name"].lower()))
    return items[:limit]


def record_snapshot(model: OrgModel, day: date | None = None) -> CoverageSnapshot:
    """Today's row (one per day, the latest figure wins)."""
    cov = compute(model)
    snapshot, _ = CoverageSnapshot.objects.update_or_create(
        model=model, day=day or timezone.localdate(),
        defaults={"covered": cov.covered, "total": cov.total, "by_type": cov.by_type})
    return snapshot


def history(model: OrgModel, days: int = 365) -> list[CoverageSnapshot]:
    return list(CoverageSnapshot.objects.filter(model=model).order_by("-day")[:days])[::-1]


def chart_svg(snapshots: list[CoverageSnapshot], width: int = 480, height: int = 120) -> str:
    """A small line chart of coverage share, drawn here (no script, no CDN). A line needs two days:
    with one measurement (a model's first day) the chart would be an empty frame with a dot in a
    corner, so it says the figure in words instead."""
    pad = 24
    if not snapshots:
        return '<p class="coverage-history muted">No measurement yet: coverage is measured once a day.</p>'
    if len(snapshots) == 1:
        only = snapshots[0]
        return (f'<p class="coverage-history">One measurement so far: <strong>{round(only.share() * 100)}%</strong> '
                f'on {only.day:%-d %b %Y}. Coverage is measured once a day; the chart draws a line from the '
                'second day on.</p>')
    n = len(snapshots)
    step = (width - 2 * pad) / max(1, n - 1)
    points = [(pad + i * step, height - pad - s.share() * (height - 2 * pad)) for i, s in enumerate(snapshots)]
    path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
    last = snapshots[-1]
    label = f"Coverage from {snapshots[0].day} to {last.day}: now {round(last.share() * 100)}%"
    dots = "".join(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5"><title>{s.day}: {round(s.share() * 100)}%</title>'
                   "</circle>" for (x, y), s in zip(points, snapshots, strict=True))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="coverage-chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{label}">'
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" stroke="currentColor" '
        f'stroke-opacity="0.3"/><line x1="{pad}" y1="{pad}" x2="{width - pad}" y2="{pad}" stroke="currentColor" '
        f'stroke-opacity="0.15"/><text x="2" y="{pad + 4}" font-size="10">100%</text>'
        f'<text x="8" y="{height - pad + 4}" font-size="10">0%</text>'
        f'<text x="{pad}" y="{height - 6}" font-size="10">{snapshots[0].day:%-d %b %Y}</text>'
        f'<text x="{width - pad}" y="{height - 6}" font-size="10" text-anchor="end">{last.day:%-d %b %Y}</text>'
        f'<polyline fill="none" stroke="currentColor" stroke-width="2" points="{path}"/>{dots}</svg>'
    )
