"""A big object's fields come 50 to a page, with Previous/Next links that keep the sort and filters."""

from __future__ import annotations

from typing import Any

from .conftest import make_component
from .test_object_fields_table import field_rows


def test_a_big_objects_fields_are_paged(dreamhouse: Any, web_as: Any) -> None:
    make_component(dreamhouse, "CustomObject", "Big__c", label="Big")
    for i in range(120):
        make_component(dreamhouse, "CustomField", f"Big__c.F{i:03}__c", label=f"Field {i:03}", parent="Big__c",
                       attributes={"type": "Text", "length": 80})
    client = web_as("vera")
    url = f"/m/{dreamhouse.pk}/c/CustomObject/Big__c"
    first = client.get(url).content.decode()
    assert list(field_rows(first)) == [f"F{i:03}__c" for i in range(50)]
    assert "page 1 of 3" in first and 'href="?fpage=2#fields" rel="next"' in first and 'rel="prev"' not in first
    last = client.get(url, {"fpage": "3"}).content.decode()
    assert list(field_rows(last)) == [f"F{i:03}__c" for i in range(100, 120)]
    assert 'href="?fpage=2#fields" rel="prev"' in last and 'rel="next"' not in last
    # past the end: the last page; nonsense: the first
    assert list(field_rows(client.get(url, {"fpage": "99"}).content.decode())) == list(field_rows(last))
    assert list(field_rows(client.get(url, {"fpage": "x"}).content.decode())) == list(field_rows(first))
    second_desc = client.get(url, {"fsort": "-api_name", "fpage": "2"}).content.decode()
    assert list(field_rows(second_desc))[0] == "F069__c"
    assert 'href="?fsort=-api_name&amp;fpage=3#fields" rel="next"' in second_desc
