"""Issue 14: a sync's run report says what it could not read, as an import's does: the files of the
retrieves that gave no component or were refused, with the reason, and what Salesforce would not
give (UNKNOWN_EXCEPTION); the run page and the API show it."""

from __future__ import annotations

from typing import Any

from django.test import Client

from orgbook.orgmodels.models import Component
from orgbook.runs.syncs import sync_connection
from tests.api.conftest import ApiClient

NOTES = "classes/Property_Notes.txt"
BROKEN_TAB = "tabs/Settings.tab"


def _sync_with_what_it_cannot_read(connected: Any, emu: Any) -> Any:
    """A first sync, then one whose retrieve holds a stray file beside a class and a tab that is
    not XML, and in which Salesforce will not list the flows."""
    sync_connection(connected, "first")
    emu.add_component("acme", "ApexClass", "PropertyNotes", {
        "classes/PropertyNotes.cls": "public with sharing class PropertyNotes {}\n",
        "classes/PropertyNotes.cls-meta.xml": '<?xml version="1.0" encoding="UTF-8"?>\n<ApexClass '
        'xmlns="http://soap.sforce.com/2006/04/metadata"><apiVersion>62.0</apiVersion><status>Active</status></ApexClass>',
        NOTES: "Who asked for this class, and why."})
    emu.modify_component("acme", "CustomTab", "Settings", "<CustomTab><label>Settings</CustomTab>")
    emu.inject_fault(org="acme", kind="soap_fault", operation="listMetadata", type="Flow", times=1000)
    run = sync_connection(connected, "scheduled", full=True)
    assert run.status == "succeeded" and run.removed == 0
    return run


def test_a_sync_records_the_files_it_could_not_read_and_the_types_left_out(connected: Any, emu: Any) -> None:
    run = _sync_with_what_it_cannot_read(connected, emu)
    skipped = {s["path"]: s["reason"] for s in run.report["skipped"]}
    assert skipped[NOTES] == "not a ApexClass file, although it is in a classes/ folder"
    assert skipped[BROKEN_TAB].startswith("refused: ")
    assert "package.xml" not in {p.rpartition("/")[2] for p in skipped}  # the request, not the org's
    assert run.report["skipped_total"] == len(skipped) == 2
    assert run.report["left_out"] == [{"what": "Flow", "reason": next(
        w["message"] for w in run.warnings if w["message"].startswith("Salesforce could not list Flow"))}]
    assert run.report["left_out_total"] == 1 and run.report["collisions_total"] == 0
    # What it could not read stays as the model held it: the tab, and the flow.
    model = connected.org_model
    assert Component.objects.get(model=model, type="CustomTab", name_key="settings").status == "present"
    assert Component.objects.filter(model=model, type="Flow", status="present").count() == 1
    assert Component.objects.get(model=model, type="ApexClass", name_key="propertynotes").status == "present"


def test_the_sync_run_page_lists_the_skipped_files_with_their_reasons(people: dict[str, Any], connected: Any,
                                                                     emu: Any) -> None:
    run = _sync_with_what_it_cannot_read(connected, emu)
    client = Client()
    client.force_login(people["vera"])
    page = client.get(f"/uploads/s/acme/runs/{run.pk}/").content.decode()
    assert "Sync report" in page and f"Sync of {connected.org_model.name}" in page
    assert f"<code>{NOTES}</code></td><td>not a ApexClass file, although it is in a classes/ folder" in page
    assert f"<code>{BROKEN_TAB}</code></td><td>refused: " in page
    assert '<span id="report-skipped">2 gave no component</span>' in page
    assert "Not retrieved" in page and "<td>Flow</td><td>Salesforce could not list Flow (UNKNOWN_EXCEPTION" in page
    assert '<span id="report-collisions">0 collisions</span>' in page


def test_the_api_gives_a_sync_runs_report(people: dict[str, Any], connected: Any, emu: Any) -> None:
    run = _sync_with_what_it_cannot_read(connected, emu)
    api = ApiClient(people["vera"])
    one = api.call("GET", f"/models/{connected.org_model.pk}/runs/{run.pk}").json_body
    assert one["trigger"] == "scheduled"
    assert {"path": NOTES, "reason": "not a ApexClass file, although it is in a classes/ folder"} in \
        one["report"]["skipped"]
    assert one["report"]["skipped_total"] == 2 and one["report"]["left_out"][0]["what"] == "Flow"
    listed = api.call("GET", f"/models/{connected.org_model.pk}/runs").json_body
    mine = next(r for r in listed if r["id"] == run.pk)
    assert "skipped" not in mine["report"] and mine["report"]["skipped_total"] == 2
