"""Reports in many folders are listed with SOQL, so a daily sync costs the same few calls however
many folders the org has; changes inside folders are still picked up."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from orgbook.orgmodels.models import ChangeKind, Component, ComponentChange, ComponentStatus
from orgbook.runs.syncs import sync_connection
from tests.emulator import connect_org
from tests.sync.conftest import config

FOLDERS, PER_FOLDER = 60, 3


def folder_xml(n: int) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?><ReportFolder xmlns="http://soap.sforce.com/2006/04/metadata">'
            f"<accessType>Public</accessType><name>Team {n}</name><publicFolderAccess>ReadWrite</publicFolderAccess>"
            "</ReportFolder>")


def report_xml(label: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8"?><Report xmlns="http://soap.sforce.com/2006/04/metadata">'
            f"<format>Tabular</format><name>{label}</name><reportType>Opportunity</reportType></Report>")


def _emulator(hidden: list[str]) -> Any:
    from fakeforce import Emulator

    cfg = config()
    cfg["orgs"][0]["users"][0]["hidden_objects"] = hidden
    emu = Emulator.from_config(cfg)
    for f in range(FOLDERS):
        emu.add_component("acme", "ReportFolder", f"Team_{f:02d}", folder_xml(f), by="Ann Admin")
        for r in range(PER_FOLDER):
            emu.add_component("acme", "Report", f"Team_{f:02d}/Pipeline_{r}", report_xml(f"Pipeline {r}"), by="Ann Admin")
    return emu


@pytest.fixture(params=[[]], ids=["soql"])
def emu(request: Any) -> Iterator[Any]:
    with _emulator(request.param) as emulator:
        yield emulator


@pytest.fixture
def connected(people: dict[str, Any], emu: Any, settings: Any) -> Any:
    return connect_org(people, emu, settings)


def reports(model: Any) -> dict[str, str]:
    return dict(Component.objects.filter(model=model, type="Report").values_list("full_name", "status"))


def test_a_nothing_changed_sync_costs_the_same_calls_however_many_report_folders(connected: Any, emu: Any) -> None:
    first = sync_connection(connected, "first")
    assert first.status == "succeeded"
    assert len(reports(connected.org_model)) == FOLDERS * PER_FOLDER
    report = Component.objects.get(model=connected.org_model, full_name="Team_07/Pipeline_2")
    assert report.last_modified_by == "Ann Admin" and report.sf_id.startswith("00O")
    run = sync_connection(connected, "scheduled")
    assert (run.added, run.changed, run.removed) == (0, 0, 0)
    # describe 1 + listMetadata of the other listed types and the children (45 queries, three a
    # call) 15 + the retrieve of the swept types 1 and its 2 polls + Folder 1 + Report modified
    # since the newest stored 1 + Report COUNT() 1. One listMetadata query per folder would add 20
    # calls here (and 33 on the 98 folders of bench/sync.py's large org).
    assert run.api_calls == 22


def test_a_report_changed_added_or_deleted_in_a_folder_is_picked_up(connected: Any, emu: Any) -> None:
    sync_connection(connected, "first")
    model = connected.org_model

    emu.modify_component("acme", "Report", "Team_03/Pipeline_1", report_xml("Pipeline one, revised"), by="Jane Admin")
    run = sync_connection(connected, "scheduled")
    assert (run.added, run.changed, run.removed) == (0, 1, 0)
    change = ComponentChange.objects.get(run=run)
    assert change.full_name == "Team_03/Pipeline_1" and change.changed_by == "Jane Admin"

    emu.add_component("acme", "Report", "Team_41/Forecast", report_xml("Forecast"), by="Jane Admin")
    run = sync_connection(connected, "scheduled")
    assert (run.added, run.changed, run.removed) == (1, 0, 0)
    assert reports(model)["Team_41/Forecast"] == ComponentStatus.PRESENT

    emu.delete_component("acme", "Report", "Team_12/Pipeline_0")
    run = sync_connection(connected, "scheduled")
    assert (run.added, run.changed, run.removed) == (0, 0, 1)
    assert reports(model)["Team_12/Pipeline_0"] == ComponentStatus.DELETED


def test_a_report_moved_to_another_folder_is_one_deletion_and_one_addition(connected: Any, emu: Any) -> None:
    # The count stays the same; only the full listing the mismatch falls back to can tell.
    sync_connection(connected, "first")
    emu.delete_component("acme", "Report", "Team_05/Pipeline_2")
    emu.add_component("acme", "Report", "Team_06/Moved", report_xml("Pipeline 2"), by="Jane Admin")
    run = sync_connection(connected, "scheduled")
    assert (run.added, run.changed, run.removed) == (1, 0, 1)
    kinds = dict(ComponentChange.objects.filter(run=run).values_list("full_name", "kind"))
    assert kinds == {"Team_06/Moved": ChangeKind.NEW, "Team_05/Pipeline_2": ChangeKind.DELETED}


@pytest.mark.parametrize("emu", [["Report"], ["Folder"]], ids=["no-report-access", "no-folder-access"], indirect=True)
def test_without_access_to_the_report_object_reports_are_listed_with_listmetadata(connected: Any, emu: Any) -> None:
    first = sync_connection(connected, "first")
    assert len(reports(connected.org_model)) == FOLDERS * PER_FOLDER
    emu.delete_component("acme", "Report", "Team_12/Pipeline_0")
    run = sync_connection(connected, "scheduled")
    assert (run.added, run.changed, run.removed) == (0, 0, 1)
    assert run.api_calls >= 22 - 3 + FOLDERS // 3 and first.status == "succeeded"
