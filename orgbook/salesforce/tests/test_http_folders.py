"""Listing reports by SOQL over HTTP: nested folders, unfiled and the counts a daily sync relies on."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from orgbook.salesforce.folders import FOLDERED, FolderListing
from orgbook.salesforce.tests.conftest import ACME_ID, CONFIG, connect

MD = "http://soap.sforce.com/2006/04/metadata"


def folder(label: str) -> str:
    return f'<ReportFolder xmlns="{MD}"><accessType>Public</accessType><name>{label}</name></ReportFolder>'


def report(label: str) -> str:
    return f'<Report xmlns="{MD}"><format>Tabular</format><name>{label}</name></Report>'


@pytest.fixture
def folder_emu(emulator_class: Any) -> Iterator[Any]:
    config = copy.deepcopy(CONFIG)
    config["orgs"] = [o for o in config["orgs"] if o["key"] == "acme"]
    with emulator_class.from_config(config) as emulator:
        emulator.add_component("acme", "ReportFolder", "Sales", folder("Sales"), by="Ann Admin")
        emulator.add_component("acme", "ReportFolder", "Sales/EMEA", folder("EMEA"), by="Ann Admin")
        emulator.add_component("acme", "Report", "Sales/Pipeline", report("Pipeline"), by="Ann Admin")
        emulator.add_component("acme", "Report", "Sales/EMEA/Forecast", report("Forecast"), by="Ann Admin")
        emulator.add_component("acme", "Report", "unfiled$public/Scratch", report("Scratch"), by="Ann Admin")
        yield emulator


def test_nested_folders_and_unfiled_reports_get_metadata_api_full_names(folder_emu: Any) -> None:
    listing = FolderListing(connect(folder_emu, "acme").client, ACME_ID)
    folders = listing.folders()
    assert sorted(f.full_name for f in folders.values()) == ["Sales", "Sales/EMEA"]
    assert {f.props.type for f in folders.values()} == {"ReportFolder"}
    items = {p.full_name: p for p in listing.items(FOLDERED["Report"], folders)}
    assert set(items) == {"Sales/Pipeline", "Sales/EMEA/Forecast", "unfiled$public/Scratch"}
    forecast = items["Sales/EMEA/Forecast"]
    assert forecast.file_name == "reports/Sales/EMEA/Forecast.report" and forecast.id.startswith("00O")
    assert forecast.last_modified_by_name == "Ann Admin" and forecast.last_modified_date.endswith("Z")
    assert listing.count(FOLDERED["Report"], folders) == 3


def test_items_since_a_moment_are_only_those_modified_at_or_after_it(folder_emu: Any) -> None:
    listing = FolderListing(connect(folder_emu, "acme").client, ACME_ID)
    folders = listing.folders()
    later = datetime(2999, 1, 1, tzinfo=UTC)
    assert listing.items(FOLDERED["Report"], folders, since=later) == []
    before = listing.client.calls
    assert len(listing.items(FOLDERED["Report"], folders, since=datetime(2000, 1, 1, tzinfo=UTC))) == 3
    assert listing.client.calls == before + 1
