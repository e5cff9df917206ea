"""The Changes feed as CSV (issue 15): the feed's filters, times in the Space's zone, each attribute
before and after, an absolute link to the component, and cells a spreadsheet would run as a formula
kept as text (a Salesforce user's name is whatever its admin typed)."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.test import Client

from orgbook.runs.syncs import sync_connection
from tests.sync.changes import RISK, sync_with_changes

EVIL = '=HYPERLINK("http://evil.example/","Click")'


def _csv(user: Any, **params: Any) -> tuple[Any, list[list[str]]]:
    client = Client()
    client.force_login(user)
    r = client.get("/s/acme/changes.csv", params)
    return r, list(csv.reader(io.StringIO(b"".join(r.streaming_content if r.streaming else [r.content]).decode())))


def test_the_csv_holds_the_filtered_changes_with_formulas_kept_as_text(people: dict[str, Any], connected: Any,
                                                                       emu: Any, settings: Any) -> None:
    settings.BASE_URL = "https://orgbook.example.com"
    sync_with_changes(connected, emu)
    emu.modify_component("acme", "CustomField", "Property__c.Risk__c", RISK.replace("<length>40", "<length>80"),
                         by=EVIL)
    sync_connection(connected, "scheduled")
    response, rows = _csv(people["vera"])
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert 'filename="acme-changes.csv"' in response["Content-Disposition"]
    assert rows[0] == ["When (UTC)", "Implementation", "Org", "Change", "Type", "API name", "Changed by", "Version",
                       "Attributes (before → after)", "Link"]
    body = rows[1:]
    assert len(body) == 4  # the first sync's reading is not a change
    evil = next(r for r in body if r[5] == "Property__c.Risk__c" and r[3] == "changed")
    assert evil[6] == "'" + EVIL  # a leading apostrophe: text, not a formula
    assert evil[8] == "length: 40 → 80"
    price = next(r for r in body if r[5] == "Property__c.Price__c")
    assert price[1:8] == ["Retail", connected.org_model.name, "changed", "CustomField", "Property__c.Price__c",
                          "Jane Admin", "2"]
    assert "precision: 8 → 10" in price[8] and "scale: 0 → 2" in price[8]
    assert price[9] == f"https://orgbook.example.com/m/{connected.org_model.pk}/c/CustomField/Property__c.Price__c"
    _, only_jane = _csv(people["vera"], person="Jane Admin")
    assert [r[5] for r in only_jane[1:]] == ["Property__c.Price__c"]


def test_the_csv_follows_the_spaces_time_zone_and_only_csv_or_xlsx(people: dict[str, Any]) -> None:
    people["acme"].time_zone = "Europe/Paris"
    people["acme"].save()
    _, rows = _csv(people["vera"])
    assert rows == [["When (Europe/Paris)", "Implementation", "Org", "Change", "Type", "API name", "Changed by",
                     "Version", "Attributes (before → after)", "Link"]]
    client = Client()
    client.force_login(people["vera"])
    assert client.get("/s/acme/changes.pdf").status_code == 404
    assert client.get("/s/acme/changes.xlsx").status_code == 200
    client.force_login(people["mallory"])
    assert client.get("/s/acme/changes.csv").status_code == 404  # not a member of Acme
