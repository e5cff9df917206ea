"""Exports of any list: the dictionary grid (CSV, XLSX) with its filters and columns, impact lists."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import load_workbook

from orgbook.orgmodels.exports import csv_lines

from .conftest import make_component


def test_the_grid_exports_as_csv_with_its_filters_and_columns(dreamhouse: Any, web_as: Any) -> None:
    r = web_as("vera").get(f"/m/{dreamhouse.pk}/export.csv", {"type": "CustomField", "parent": "Property__c",
                                                               "col": ["full_name", "label", "documented"]})
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(r.content.decode())))
    assert rows[0] == ["API name", "Label", "Documented"] and len(rows) == 26
    assert ["Property__c.Price__c", "Asking Price", "no"] in rows


def test_the_grid_exports_as_xlsx(dreamhouse: Any, web_as: Any) -> None:
    r = web_as("vera").get(f"/m/{dreamhouse.pk}/export.xlsx", {"type": "CustomObject"})
    assert r.status_code == 200
    sheet = load_workbook(io.BytesIO(r.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][:3] == ["Type", "API name", "Label"]
    assert sorted(v[1] for v in values[1:]) == ["Broker__c", "Property__c"]


def test_exports_never_hand_a_spreadsheet_a_formula(dreamhouse: Any, web_as: Any) -> None:
    make_component(dreamhouse, "ApexClass", "Evil", label='=HYPERLINK("http://x")')
    text = web_as("vera").get(f"/m/{dreamhouse.pk}/export.csv", {"type": "ApexClass", "q": "evil",
                                                                  "col": ["full_name", "label"]}).content.decode()
    assert "'=HYPERLINK" in text
    assert "".join(csv_lines(["a"], [["+1"], [-1]])) == "a\r\n'+1\r\n-1\r\n"


def test_impact_exports(dreamhouse: Any, web_as: Any) -> None:
    r = web_as("vera").get(f"/m/{dreamhouse.pk}/c/CustomObject/Broker__c/impact.csv", {"depth": 2})
    rows = list(csv.reader(io.StringIO(r.content.decode())))
    assert rows[0] == ["Depth", "Type", "API name", "Where", "Through", "Found by"]
    assert any(row[2] == "Property__c.Broker__c" and row[0] == "1" for row in rows)


def test_an_unknown_export_format_is_404(dreamhouse: Any, web_as: Any) -> None:
    assert web_as("vera").get(f"/m/{dreamhouse.pk}/export.pdf").status_code == 404
