"""Coverage: documented or described share of key types, what has neither (most used first), a daily chart."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from orgbook.documentation import coverage, services
from orgbook.documentation.models import CoverageSnapshot
from orgbook.documentation.services import DocumentationEdit
from orgbook.orgmodels.services import model_for_import
from orgbook.runs.imports import import_path

from .conftest import write_invoice


def test_a_description_or_a_note_covers_a_component(people: dict[str, Any], retail: Any, tmp_path: Path) -> None:
    model = model_for_import(retail, "Billing", "sandbox")
    import_path(model, write_invoice(tmp_path))
    cov = coverage.compute(model)
    assert cov.by_type["CustomField"] == {"covered": 1, "total": 1}  # Amount__c has a description
    assert cov.by_type["CustomObject"] == {"covered": 0, "total": 1}
    services.save_documentation(people["eddie"], retail, "CustomObject", "Invoice__c", DocumentationEdit(note="Bills"))
    assert coverage.compute(model).by_type["CustomObject"]["covered"] == 1


def test_what_has_neither_is_listed_most_used_first(people: dict[str, Any], retail_models: dict[str, Any]) -> None:
    items = coverage.undocumented(retail_models["production"])
    assert items and items == sorted(items, key=lambda i: -i["used_by"])
    assert items[0]["used_by"] > 0
    assert {i["type"] for i in items} <= set(coverage.COVERED_TYPES)


def test_one_snapshot_a_day_and_a_chart(people: dict[str, Any], retail_models: dict[str, Any]) -> None:
    model = retail_models["production"]
    coverage.record_snapshot(model, date(2020, 1, 1))
    coverage.record_snapshot(model, date(2020, 1, 2))
    coverage.record_snapshot(model, date(2020, 1, 2))
    assert CoverageSnapshot.objects.filter(model=model, day__year=2020).count() == 2
    svg = coverage.chart_svg(coverage.history(model))
    assert svg.startswith("<svg") and "<polyline" in svg and "Coverage from 2020-01-01" in svg


def test_what_counts_as_a_description(people: dict[str, Any], retail: Any, tmp_path: Path) -> None:
    # Read from the database as two extracted attributes, not the whole JSON: the same rule.
    def field(name: str, inner: str) -> str:
        return f"<fields><fullName>{name}__c</fullName>{inner}<label>{name}</label><type>Text</type></fields>"

    extra = "".join([
        field("Blank", "<description>   </description>"),
        field("ReadsFalse", "<description>false</description>"),  # stored as a boolean: no description
        field("ReadsTrue", "<description>true</description>"),
        field("HelpOnly", "<inlineHelpText>Ask finance</inlineHelpText>"),
        field("Unicode", "<description>Überweisung \"quoted\"</description>"),
        field("ReadsZero", "<description>0</description>"),
        field("NonAscii", "<description>\u65e5\u672c</description>"),
        field("NoBreakSpaces", "<description>\u00a0\u00a0</description><inlineHelpText>\u2003</inlineHelpText>"),
        field("Nothing", ""),
    ])
    model = model_for_import(retail, "Billing", "sandbox")
    import_path(model, write_invoice(tmp_path, extra))
    # Amount, ReadsTrue, HelpOnly, Unicode, ReadsZero, NonAscii
    assert coverage.compute(model).by_type["CustomField"] == {"covered": 6, "total": 10}
    # The list of what has neither follows the same rule.
    listed = {i["full_name"] for i in coverage.undocumented(model) if i["type"] == "CustomField"}
    assert listed == {f"Invoice__c.{n}__c" for n in ("Blank", "ReadsFalse", "NoBreakSpaces", "Nothing")}


def test_a_sync_that_changes_a_description_moves_the_figure(people: dict[str, Any], retail: Any, tmp_path: Path) -> None:
    # The database keeps whether a row is described as it writes it: an updated row counts anew.
    model = model_for_import(retail, "Billing", "sandbox")
    folder = write_invoice(tmp_path)
    import_path(model, folder)
    assert coverage.compute(model).by_type["CustomField"] == {"covered": 1, "total": 1}
    invoice = folder / "objects" / "Invoice__c.object"
    text = invoice.read_text()
    invoice.write_text(text.replace("<description>Total including tax</description>", "")
                       .replace("<inlineHelpText>What the customer pays</inlineHelpText>", ""))
    import_path(model, folder)
    assert coverage.compute(model).by_type["CustomField"] == {"covered": 0, "total": 1}
    invoice.write_text(text.replace("Total including tax", "\u00a0")  # a no-break space alone: not described
                       .replace("<inlineHelpText>What the customer pays</inlineHelpText>", ""))
    import_path(model, folder)
    assert coverage.compute(model).by_type["CustomField"] == {"covered": 0, "total": 1}
    invoice.write_text(text.replace("Total including tax", "\u7a0e\u8fbc")  # non-ASCII letters: described
                       .replace("<inlineHelpText>What the customer pays</inlineHelpText>", ""))
    import_path(model, folder)
    assert coverage.compute(model).by_type["CustomField"] == {"covered": 1, "total": 1}
