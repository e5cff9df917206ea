"""Reports and dashboards stored by the older reader (a Metadata API `.report` kept as a raw body:
no XML, no attributes, no label, no edges) are rewritten on upgrade as the reader now reads them,
so the next import of the same files finds nothing changed and records no "Updated" history."""

from __future__ import annotations

import hashlib
import zlib
from typing import Any

from orgbook.orgmodels.models import ChangeKind, Component, ComponentChange, Dependency
from orgbook.orgmodels.services import model_for_import
from orgbook.orgmodels.upgrades import reread_reports
from orgbook.runs.imports import import_path
from tests.corpus import V4S


def _as_the_old_reader_stored(model: Any) -> None:
    for c in Component.objects.filter(model=model, type__in=["Report", "Dashboard"]):
        data = zlib.decompress(bytes(c.definition_z))
        c.body_z, c.definition_z = zlib.compress(data), zlib.compress(b"")
        c.content_hash, c.attributes, c.label = hashlib.sha256(data).hexdigest(), {}, ""
        c.source_digest = c.source_stat = ""  # the old reader classified the file differently: read again
        c.save()
    Dependency.objects.filter(model=model, source__type__in=["Report", "Dashboard"]).delete()
    Component.objects.filter(model=model, type="EmailTemplate").update(label="")


def test_an_mdapi_report_is_read_as_xml_with_label_attributes_and_edges(retail: Any) -> None:
    model = model_for_import(retail, "Volunteers", "reference")
    import_path(model, V4S)
    report = Component.objects.get(model=model, type="Report", name_key="volunteer_reports/active_volunteers")
    assert report.label == "Active Volunteers"
    assert "<Report" in report.definition() and report.body() is None
    assert report.attributes["reportType"] == "ContactList"
    assert {"column": "Contact.Volunteer_Status__c", "operator": "equals", "value": "Active"} in report.attributes["filters"]
    used = set(Dependency.objects.filter(source=report).values_list("target_type", "target_name"))
    assert ("CustomField", "Contact.Volunteer_Status__c") in used
    dashboard = Component.objects.filter(model=model, type="Dashboard").first()
    assert dashboard is not None and dashboard.label and dashboard.attributes["reports"]


def test_upgrading_stored_reports_changes_nothing_a_user_would_see_as_history(retail: Any) -> None:
    fresh = model_for_import(retail, "Fresh", "reference")
    import_path(fresh, V4S)
    old = model_for_import(retail, "Upgraded", "reference")
    import_path(old, V4S)
    _as_the_old_reader_stored(old)
    assert Component.objects.filter(model=old, type="Report", label="").count() == 32

    assert reread_reports(Component, Dependency) == 34  # 32 reports and 2 dashboards
    assert reread_reports(Component, Dependency) == 0  # idempotent

    def state(model: Any) -> set[tuple[Any, ...]]:
        return set(Component.objects.filter(model=model, type__in=["Report", "Dashboard", "EmailTemplate"]).values_list(
            "type", "name_key", "content_hash", "label", "definition_z"))

    def edges(model: Any) -> set[tuple[Any, ...]]:
        return set(Dependency.objects.filter(model=model, source__type__in=["Report", "Dashboard"]).values_list(
            "source__name_key", "target_type", "target_key", "where", "origin"))

    assert {r[:4] for r in state(old)} == {r[:4] for r in state(fresh)}
    assert edges(old) == edges(fresh) and len(edges(old)) > 100
    before = ComponentChange.objects.filter(model=old).count()
    run = import_path(old, V4S)
    assert (run.added, run.changed, run.removed) == (0, 0, 0)
    assert ComponentChange.objects.filter(model=old).count() == before
    assert not ComponentChange.objects.filter(model=old, kind=ChangeKind.UPDATED).exists()
