"""The object page's fields table sorts by any of its columns through the query string (a link per
header, so it works without script): ascending first, then the other way."""

from __future__ import annotations

from typing import Any

from .test_object_fields_table import URL, field_rows


def names(client: Any, model: Any, **params: str) -> list[str]:
    return list(field_rows(client.get(URL.format(pk=model.pk), params).content.decode()))


def test_fields_are_listed_by_label_until_sorted_otherwise(dreamhouse: Any, web_as: Any) -> None:
    html = web_as("vera").get(URL.format(pk=dreamhouse.pk)).content.decode()
    labels = [row[0] for row in field_rows(html).values()]
    assert labels == sorted(labels, key=str.lower)
    assert '<th scope="col" aria-sort="ascending"><a href="?fsort=-label#fields">Field label' in html


def test_each_column_sorts_both_ways(dreamhouse: Any, web_as: Any) -> None:
    client = web_as("vera")
    by_type = [r[2] for r in field_rows(client.get(URL.format(pk=dreamhouse.pk), {"fsort": "type"}).content.decode()).values()]
    assert by_type == sorted(by_type, key=str.lower)
    api = names(client, dreamhouse, fsort="-api_name")
    assert api == sorted(api, key=str.lower, reverse=True)
    most_used = field_rows(client.get(URL.format(pk=dreamhouse.pk), {"fsort": "-where_used"}).content.decode())
    counts = [int(r[6]) for r in most_used.values()]
    assert counts == sorted(counts, reverse=True) and counts[0] > counts[-1]


def test_a_header_link_sorts_the_other_way_when_the_table_is_sorted_on_it(dreamhouse: Any, web_as: Any) -> None:
    html = web_as("vera").get(URL.format(pk=dreamhouse.pk), {"fsort": "where_used", "fq": "price"}).content.decode()
    assert 'aria-sort="ascending"' in html
    assert 'href="?fsort=-where_used&amp;fq=price#fields"' in html  # the filter is kept, the page is not
    assert 'href="?fsort=label&amp;fq=price#fields"' in html or 'href="?fq=price#fields"' in html


def test_an_unknown_sort_is_the_default_one(dreamhouse: Any, web_as: Any) -> None:
    client = web_as("vera")
    assert names(client, dreamhouse, fsort="password") == names(client, dreamhouse)
