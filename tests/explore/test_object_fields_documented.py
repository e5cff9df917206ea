"""The fields table's documented column reads the implementation's documentation on every request:
a note written after the page was first shown (no new model version) shows at once, in the column
and in the documented filter, although the rest of the table comes from the page cache."""

from __future__ import annotations

from typing import Any

from .test_object_fields_table import URL, field_rows


def test_the_documented_column_follows_the_documentation(dreamhouse: Any, web_as: Any, people: dict[str, Any]) -> None:
    from orgbook.documentation.services import DocumentationEdit, save_documentation

    client = web_as("vera")
    url = URL.format(pk=dreamhouse.pk)
    assert field_rows(client.get(url).content.decode())["Price__c"][5] == "No"
    assert field_rows(client.get(url, {"fdoc": "yes"}).content.decode()) == {}
    save_documentation(people["eddie"], dreamhouse.implementation, "CustomField", "Property__c.Price__c",
                       DocumentationEdit(note="The price the seller asks, before any offer."), model=dreamhouse)
    rows = field_rows(client.get(url).content.decode())
    assert rows["Price__c"][5] == "Yes" and rows["City__c"][5] == "No"
    assert list(field_rows(client.get(url, {"fdoc": "yes"}).content.decode())) == ["Price__c"]
    assert "Price__c" not in field_rows(client.get(url, {"fdoc": "no"}).content.decode())
    documented_first = field_rows(client.get(url, {"fsort": "-documented"}).content.decode())
    assert next(iter(documented_first)) == "Price__c"
