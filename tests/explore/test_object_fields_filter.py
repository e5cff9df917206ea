"""The object page's fields table filters by text (label or API name), by data type and by whether
the field is documented: a GET form, so it works without script, the other parameters kept."""

from __future__ import annotations

from typing import Any

from .test_object_fields_table import URL, field_rows


def test_the_text_filter_matches_the_label_or_the_api_name(dreamhouse: Any, web_as: Any) -> None:
    client = web_as("vera")
    by_label = field_rows(client.get(URL.format(pk=dreamhouse.pk), {"fq": "asking"}).content.decode())
    assert list(by_label) == ["Price__c"]  # its label is "Asking Price"
    by_name = field_rows(client.get(URL.format(pk=dreamhouse.pk), {"fq": "DATE_"}).content.decode())
    assert by_name and all("date_" in name.lower() for name in by_name)


def test_the_type_filter_offers_the_kinds_present_and_keeps_those(dreamhouse: Any, web_as: Any) -> None:
    client = web_as("vera")
    html = client.get(URL.format(pk=dreamhouse.pk), {"ftype": "Formula"}).content.decode()
    assert "<option selected>Formula</option>" in html and "<option>Currency</option>" in html
    rows = field_rows(html)
    assert rows and all(r[2].startswith("Formula (") for r in rows.values())
    assert "Days_On_Market__c" in rows
    assert f"{len(rows)} of 25 fields match" in html


def test_no_match_says_so(dreamhouse: Any, web_as: Any) -> None:
    html = web_as("vera").get(URL.format(pk=dreamhouse.pk), {"fq": "no such field"}).content.decode()
    assert field_rows(html) == {} and "No field matches the filters." in html


def test_the_filter_form_keeps_the_sort_and_the_impact_depth(dreamhouse: Any, web_as: Any) -> None:
    html = web_as("vera").get(URL.format(pk=dreamhouse.pk), {"fsort": "-type", "depth": "3"}).content.decode()
    form = html.split('class="filters field-filters"', 1)[1].split("</form>", 1)[0]
    assert '<input type="hidden" name="depth" value="3">' in form
    assert '<input type="hidden" name="fsort" value="-type">' in form
