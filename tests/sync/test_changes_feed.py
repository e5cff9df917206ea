"""The Space's Changes feed (issue 15): every org's changes after their first reading, newest first,
filtered by implementation, org, type, person and dates, paged, linked from the Space's navigation;
never another Space's changes or a suspended implementation's."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from orgbook.implementations import lifecycle
from orgbook.orgmodels.models import ComponentChange
from orgbook.orgmodels.services import model_for_import
from orgbook.runs.imports import import_path
from tests.invoice import invoice, write_mdapi
from tests.sync.changes import sync_with_changes

HUGE = str(2**64)


def amount(label: str, precision: int) -> str:
    return (f"    <fields><fullName>Amount__c</fullName><label>{label}</label><precision>{precision}</precision>"
            "<scale>2</scale><type>Currency</type></fields>\n")


def billing(space: Any, alice: Any, tmp_path: Path, name: str = "Wholesale") -> Any:
    """An implementation whose reference model Billing was imported twice: Amount__c's label and
    precision changed in between. The import's change is dated 15 Jan 2025, 23:30 UTC."""
    impl = lifecycle.create_implementation(space, alice, name)
    model = model_for_import(impl, "Billing", "reference")
    import_path(model, write_mdapi(tmp_path / f"{name}-v1", invoice(amount("Amount", 16))))
    run = import_path(model, write_mdapi(tmp_path / f"{name}-v2", invoice(amount("Amount due", 18))))
    assert run.changed == 1
    run.changes.update(at=datetime(2025, 1, 15, 23, 30, tzinfo=ZoneInfo("UTC")))
    return model


def listed(client: Client, **params: Any) -> list[str]:
    """The components the feed lists, in its order."""
    r = client.get("/s/acme/changes/", params)
    assert r.status_code == 200
    return re.findall(r'<a href="/m/\d+/c/[^"]+">([^<]+)</a></h4>', r.content.decode())


@pytest.fixture
def feed(people: dict[str, Any], connected: Any, emu: Any, tmp_path: Path) -> dict[str, Any]:
    _, run = sync_with_changes(connected, emu)
    mallory_model = billing(people["globex"], people["mallory"], tmp_path, "Theirs")
    ours = billing(people["acme"], people["alice"], tmp_path)
    client = Client()
    client.force_login(people["vera"])
    return {"run": run, "billing": ours, "theirs": mallory_model, "client": client, "conn": connected}


def test_every_orgs_changes_newest_first_never_the_first_reading_nor_another_space(feed: dict[str, Any]) -> None:
    names = listed(feed["client"])
    # the sync's three (today) before the import's (dated January 2025); no baseline, nothing of Globex
    assert sorted(names[:3]) == ["Property__c.Price__c", "Property__c.Risk__c", "Property__c.Tags__c"]
    assert names[3:] == ["Invoice__c.Amount__c"]
    page = feed["client"].get("/s/acme/changes/").content.decode()
    assert "4 changes." in page
    assert f'href="/s/acme/runs/{feed["run"].pk}/changes/"' in page  # each change leads to its run
    assert "Theirs" not in page


def test_filters(people: dict[str, Any], feed: dict[str, Any]) -> None:
    client, billing_model, production = feed["client"], feed["billing"], feed["conn"].org_model
    assert listed(client, impl=billing_model.implementation_id) == ["Invoice__c.Amount__c"]
    assert sorted(listed(client, org=production.pk)) == ["Property__c.Price__c", "Property__c.Risk__c",
                                                         "Property__c.Tags__c"]
    assert listed(client, person="Jane Admin") == ["Property__c.Price__c"]
    assert sorted(listed(client, person="Who is not known")) == ["Invoice__c.Amount__c", "Property__c.Tags__c"]
    assert listed(client, type="ApexClass") == []
    assert len(listed(client, type="CustomField")) == 4
    # The date range is read in the Space's time zone, both days included: 23:30 UTC on 15 January
    # is already the 16th in Paris.
    assert listed(client, since="2025-01-15", until="2025-01-15") == ["Invoice__c.Amount__c"]
    people["acme"].time_zone = "Europe/Paris"
    people["acme"].save()
    assert listed(client, since="2025-01-15", until="2025-01-15") == []
    assert listed(client, since="2025-01-16", until="2025-01-16") == ["Invoice__c.Amount__c"]
    assert "Invoice__c.Amount__c" not in listed(client, since="2025-02-01")
    page = client.get("/s/acme/changes/", {"person": "Jane Admin"}).content.decode()
    assert "1 change matches these filters." in page
    assert re.search(r'<option value="Jane Admin" selected>Jane Admin</option>', page)  # the form shows what is chosen


def test_unknown_or_malformed_filters_are_left_out(feed: dict[str, Any]) -> None:
    assert len(listed(feed["client"], impl=HUGE, org="x", since="yesterday", until="2025-13-45")) == 4
    # ... and the filter row says so under each field, the typed value kept (web/_field.html)
    page = feed["client"].get("/s/acme/changes/", {"since": "yesterday", "org": "x"}).content.decode()
    assert re.search(r'id="changes-since_error"[^>]*>\s*<p class="field-error">Give a date, like 2026-12-31.</p>', page)
    assert re.search(r'id="changes-org_error"[^>]*>\s*<p class="field-error">Pick one of the options in the list.</p>',
                     page)
    assert 'value="yesterday"' in page
    assert listed(feed["client"], org=feed["theirs"].pk) == []  # another Space's model: nothing of it


def _queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_paged_fifty_a_page(feed: dict[str, Any]) -> None:
    change = ComponentChange.objects.filter(model=feed["billing"], kind="updated").get()
    few = _queries(feed["client"], "/s/acme/changes/"), _queries(feed["client"], f"/s/acme/runs/{change.run_id}/changes/")
    ComponentChange.objects.bulk_create([
        ComponentChange(model=change.model, run=change.run, type="CustomField", full_name=f"Invoice__c.F{i}__c",
                        kind="new", version=change.version, at=change.at) for i in range(60)])
    first = feed["client"].get("/s/acme/changes/").content.decode()
    assert first.count('<article class="change"') == 50 and "Page 1 of 2 (64 changes)" in first
    second = feed["client"].get("/s/acme/changes/", {"page": 2}).content.decode()
    assert second.count('<article class="change"') == 14 and 'rel="prev"' in second
    filtered = feed["client"].get("/s/acme/changes/", {"impl": feed["billing"].implementation_id}).content.decode()
    next_link = re.search(r'href="\?([^"]+)" rel="next"', filtered).group(1)
    assert f"impl={feed['billing'].implementation_id}" in next_link  # paging keeps the filters
    # a page of 50 reads no more than a page of 4: nothing is read change by change
    many = _queries(feed["client"], "/s/acme/changes/"), _queries(feed["client"], f"/s/acme/runs/{change.run_id}/changes/")
    assert many == few


def test_a_suspended_implementations_changes_are_locked_out_of_the_feed(people: dict[str, Any],
                                                                        feed: dict[str, Any]) -> None:
    lifecycle.renew(people["acme"], people["alice"], 1, keep=[feed["billing"].implementation_id])
    assert listed(feed["client"]) == ["Invoice__c.Amount__c"]
    page = feed["client"].get("/s/acme/changes/").content.decode()
    assert "Retail" not in re.search(r'<select name="impl"[^>]*>.*?</select>', page, re.S).group(0)


def test_the_space_navigation_leads_to_it(people: dict[str, Any]) -> None:
    client = Client()
    client.force_login(people["vera"])
    page = client.get("/s/acme/").content.decode()
    assert re.search(r'<a href="/s/acme/changes/"[^>]*>Changes</a>', page)
    empty = client.get("/s/acme/changes/").content.decode()
    assert "No changes yet" in empty and 'aria-current="page">Changes</a>' in empty
