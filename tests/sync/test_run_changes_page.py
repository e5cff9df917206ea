"""A run's changes page (issue 15): what one sync added, changed and removed, by type and by who
changed it in Salesforce, with each attribute before and after; reached from the org panel's
"Last sync" counts; another Space's run is missing; a suspended implementation's is locked."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client

from orgbook.orgmodels.models import ChangeKind, ComponentChange
from tests.sync.changes import sync_with_changes


def _get(user: Any, path: str, **params: Any) -> Any:
    client = Client()
    client.force_login(user)
    return client.get(path, params)


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_the_panels_last_sync_counts_open_what_the_sync_changed(people: dict[str, Any], connected: Any,
                                                                 emu: Any) -> None:
    _, run = sync_with_changes(connected, emu)
    panel = _get(people["vera"], f"/s/acme/?impl={connected.implementation_id}").content.decode()
    link = re.search(r'<a class="sync-changes" href="([^"]+)">([^<]+)</a>', panel)
    assert link and link.group(2) == "1 added, 1 changed, 1 removed"
    assert link.group(1) == f"/s/acme/runs/{run.pk}/changes/"
    page = _get(people["vera"], link.group(1))  # a viewer may read it
    assert page.status_code == 200
    text = _text(page.content.decode())
    assert "1 added, 1 changed, 1 removed" in text
    html = page.content.decode()
    by_type = _text(re.search(r'id="by-type".*?</section>', html, re.S).group(0))
    assert "CustomField 1 1 1" in by_type
    by_person = _text(re.search(r'id="by-person".*?</section>', html, re.S).group(0))
    assert "Jane Admin 0 1 0" in by_person and "Raj Dev 1 0 0" in by_person and "Who is not known 0 0 1" in by_person
    # Price__c's change shows its attributes before and after, as its own history does
    price = re.search(r'<article class="change" id="change-\d+">(?:(?!</article>).)*Property__c\.Price__c.*?</article>',
                      html, re.S).group(0)
    assert "Changed" in price and "Jane Admin" in price
    rows = re.findall(r"<tr><td><code>(\w+)</code></td><td class=\"before\">([^<]*)</td><td class=\"after\">([^<]*)</td>",
                      price)
    assert ("precision", "8", "10") in rows and ("scale", "0", "2") in rows
    assert "Property__c.Risk__c" in text and "Property__c.Tags__c" in text


def test_grouped_by_person_and_filtered(people: dict[str, Any], connected: Any, emu: Any) -> None:
    _, run = sync_with_changes(connected, emu)
    path = f"/s/acme/runs/{run.pk}/changes/"
    html = _get(people["eddie"], path, group="person").content.decode()
    groups = re.findall(r'<h3 class="change-group">([^<]+)</h3>', html)
    assert groups == ["Who is not known", "Jane Admin", "Raj Dev"]  # "" sorts first: who deleted is not known
    only_raj = _text(_get(people["eddie"], path, group="person", person="Raj Dev").content.decode())
    assert "Property__c.Risk__c" in only_raj and "Property__c.Price__c" not in only_raj
    nobody = _text(_get(people["eddie"], path, group="person", person="Who is not known").content.decode())
    assert "Property__c.Tags__c" in nobody and "Property__c.Risk__c" not in nobody
    none_of = _text(_get(people["eddie"], path, type="ApexClass").content.decode())
    assert "No change of type ApexClass in this run." in none_of


def test_the_first_sync_lists_what_it_read_paged(people: dict[str, Any], connected: Any, emu: Any) -> None:
    first, _ = sync_with_changes(connected, emu)
    count = ComponentChange.objects.filter(run=first, kind=ChangeKind.BASELINE).count()
    assert count > 50
    pages = -(-count // 50)
    html = _get(people["vera"], f"/s/acme/runs/{first.pk}/changes/").content.decode()
    assert html.count('<article class="change"') == 50
    assert f"Page 1 of {pages} ({count} changes)" in _text(html) and 'rel="next"' in html
    last = _get(people["vera"], f"/s/acme/runs/{first.pk}/changes/", page=pages).content.decode()
    assert last.count('<article class="change"') == count - 50 * (pages - 1) and 'rel="next"' not in last
    assert f"{count} added, 0 changed, 0 removed" in _text(html)  # a first reading's components count as added


def test_a_sync_that_changed_nothing_says_so(people: dict[str, Any], connected: Any, emu: Any) -> None:
    from orgbook.runs.syncs import sync_connection

    sync_with_changes(connected, emu)
    sync_connection(connected, "manual")
    run = connected.org_model.runs.order_by("id").last()
    text = _text(_get(people["vera"], f"/s/acme/runs/{run.pk}/changes/").content.decode())
    assert "0 added, 0 changed, 0 removed" in text and "Nothing was added, changed or removed" in text


def test_another_spaces_run_answers_like_a_missing_one(people: dict[str, Any], connected: Any, emu: Any) -> None:
    _, run = sync_with_changes(connected, emu)
    theirs = _get(people["mallory"], f"/s/globex/runs/{run.pk}/changes/")
    missing = _get(people["mallory"], "/s/globex/runs/999999999/changes/")
    assert theirs.status_code == missing.status_code == 404
    assert _text(theirs.content.decode()) == _text(missing.content.decode())
    assert "Property__c" not in theirs.content.decode()
    assert _get(people["mallory"], f"/s/acme/runs/{run.pk}/changes/").status_code == 404  # not a member


def test_every_role_of_the_space_may_read_it(people: dict[str, Any], connected: Any, emu: Any) -> None:
    _, run = sync_with_changes(connected, emu)
    for who in ("alice", "eddie", "vera"):
        assert _get(people[who], f"/s/acme/runs/{run.pk}/changes/").status_code == 200, who
