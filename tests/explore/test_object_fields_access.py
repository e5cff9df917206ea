"""Another Space's object page, sorted or filtered, answers 404 like every explorer page."""

from __future__ import annotations

from typing import Any

from .test_object_fields_table import URL


def test_another_spaces_object_page_is_not_found(dreamhouse: Any, web_as: Any) -> None:
    client = web_as("mallory")  # admin of Globex, not a member of Acme
    for params in ({}, {"fsort": "-where_used"}, {"fdoc": "yes", "fpage": "2"}):
        r = client.get(URL.format(pk=dreamhouse.pk), params)
        assert r.status_code == 404 and b"Price__c" not in r.content
