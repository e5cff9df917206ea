"""Full and incremental syncs of a connected org, over the Metadata API of the emulator."""

from __future__ import annotations

from typing import Any

import pytest

from orgbook.errors import Conflict, ImplementationSuspended
from orgbook.implementations import lifecycle
from orgbook.implementations.models import ConnectionStatus
from orgbook.orgmodels.models import ChangeKind, Component, ComponentChange
from orgbook.orgmodels.syncing import acquire_lease
from orgbook.runs.syncs import sync_connection
from orgbook.salesforce.errors import TransientError
from tests.sync.metadata import PRICE


def test_the_first_sync_builds_the_model_with_history_and_who_changed_what(connected: Any) -> None:
    lines: list[str] = []
    run = sync_connection(connected, "first", echo=lines.append)
    assert run.status == "succeeded" and run.added > 80 and run.version == 1
    model = connected.org_model
    fields = Component.objects.filter(model=model, type="CustomField", parent_key="property__c")
    assert fields.count() == 25
    price = fields.get(name_key="property__c.price__c")
    assert price.attributes["precision"] == 8 and price.label == "Asking Price"
    assert ComponentChange.objects.filter(model=model, kind=ChangeKind.BASELINE).count() == run.added
    assert run.api_calls < 40 and "listing" in run.stages
    assert lines[-1].endswith("done")
    connected.refresh_from_db()
    assert connected.status == ConnectionStatus.UP_TO_DATE


def test_a_sync_where_nothing_changed_writes_nothing_but_its_run(connected: Any) -> None:
    sync_connection(connected, "first")
    changes = ComponentChange.objects.count()
    run = sync_connection(connected, "scheduled")
    assert (run.added, run.changed, run.removed) == (0, 0, 0)
    assert ComponentChange.objects.count() == changes
    assert run.api_calls < 30


def test_an_incremental_sync_fetches_the_changed_field_and_records_who(connected: Any, emu: Any) -> None:
    sync_connection(connected, "first")
    emu.modify_component("acme", "CustomField", "Property__c.Price__c", PRICE, by="Jane Admin")
    run = sync_connection(connected, "scheduled")
    assert run.changed >= 1 and run.added == 0 and run.removed == 0
    change = ComponentChange.objects.get(run=run, full_name="Property__c.Price__c")
    assert change.kind == ChangeKind.UPDATED and change.changed_by == "Jane Admin"
    assert change.attribute_diff["precision"] == [8, 10] and change.attribute_diff["scale"] == [0, 2]


def test_a_component_deleted_in_salesforce_is_marked_deleted(connected: Any, emu: Any) -> None:
    sync_connection(connected, "first")
    emu.delete_component("acme", "CustomField", "Property__c.Tags__c")
    run = sync_connection(connected, "scheduled")
    assert run.removed == 1
    assert Component.objects.get(model=connected.org_model, name_key="property__c.tags__c").status == "deleted"


def test_a_chunk_over_the_file_limit_is_split_and_retried(connected: Any, emu: Any) -> None:
    emu.inject_fault(org="acme", kind="retrieve_limit", times=1)
    run = sync_connection(connected, "first")
    assert run.status == "succeeded"
    assert Component.objects.filter(model=connected.org_model, type="CustomField").count() == 32


def test_a_transient_error_fails_the_run_and_leaves_the_model_whole(connected: Any, emu: Any) -> None:
    sync_connection(connected, "first")
    before = list(Component.objects.filter(model=connected.org_model).values_list("name_key", "content_hash"))
    emu.modify_component("acme", "CustomField", "Property__c.Price__c", PRICE)
    emu.inject_fault(org="acme", kind="server_error", times=50, code="SERVER_UNAVAILABLE", status=503)
    with pytest.raises(TransientError):
        sync_connection(connected, "scheduled")
    connected.refresh_from_db()
    assert connected.status == ConnectionStatus.SYNC_FAILED and "retrying" in connected.status_reason
    assert list(Component.objects.filter(model=connected.org_model).values_list("name_key", "content_hash")) == before
    emu.clear_faults()
    assert sync_connection(connected, "scheduled").changed >= 1


def test_one_sync_per_org_at_a_time(connected: Any) -> None:
    assert acquire_lease(connected, "another-attempt")
    with pytest.raises(Conflict, match="already running"):
        sync_connection(connected, "manual")


def test_a_suspended_implementation_never_syncs(connected: Any) -> None:
    lifecycle.suspend(connected.implementation, None, reason="test")
    with pytest.raises(ImplementationSuspended):
        sync_connection(connected, "scheduled")



def test_unknown_exception_reading_one_permission_set_leaves_it_out_with_a_warning(connected: Any, emu: Any) -> None:
    # Real UNKNOWN_EXCEPTIONs are often deterministic for one request (readMetadata of one layout):
    # after two short retries the sync goes on without that item, says so, and keeps what it held.
    first = sync_connection(connected, "first")
    stored = Component.objects.filter(model=connected.org_model, type="PermissionSet", status="present")
    kept = {p.name_key: p.content_hash for p in stored}
    victim = stored.first()
    assert victim is not None
    emu.modify_component("acme", "CustomField", "Property__c.Price__c", PRICE)  # so that permission sets are read again
    emu.inject_fault(org="acme", kind="soap_fault", operation="readMetadata", name=victim.full_name, times=1000)
    run = sync_connection(connected, "scheduled")
    assert run.status == "succeeded" and run.changed >= 1 and run.removed == 0 and run.version > first.version
    warned = [w["message"] for w in run.warnings if "UNKNOWN_EXCEPTION" in w["message"]]
    assert warned == [f"Salesforce could not read PermissionSet {victim.full_name} (UNKNOWN_EXCEPTION: "
                      "UNKNOWN_EXCEPTION: injected by fakeforce); the model keeps what it held of it."]
    after = Component.objects.filter(model=connected.org_model, type="PermissionSet", status="present")
    assert {p.name_key: p.content_hash for p in after} == kept


def test_unknown_exception_listing_one_type_leaves_that_type_as_it_was(connected: Any, emu: Any) -> None:
    sync_connection(connected, "first")
    tabs = Component.objects.filter(model=connected.org_model, type="CustomTab", status="present").count()
    assert tabs
    emu.inject_fault(org="acme", kind="soap_fault", operation="listMetadata", type="CustomTab", times=1000)
    run = sync_connection(connected, "scheduled", full=True)
    assert run.status == "succeeded" and run.removed == 0
    assert [w["message"][:45] for w in run.warnings if "UNKNOWN_EXCEPTION" in w["message"]] == [
        "Salesforce could not list CustomTab (UNKNOWN_"]
    assert Component.objects.filter(model=connected.org_model, type="CustomTab", status="present").count() == tabs


def test_unknown_exception_retrieving_one_component_leaves_it_out(connected: Any, emu: Any) -> None:
    sync_connection(connected, "first")
    emu.inject_fault(org="acme", kind="soap_fault", operation="retrieve", type="CustomObject", name="Property__c",
                     times=1000)
    run = sync_connection(connected, "scheduled", full=True)
    assert run.status == "succeeded" and run.removed == 0
    warned = [w["message"] for w in run.warnings if "UNKNOWN_EXCEPTION" in w["message"]]
    assert len(warned) == 1 and warned[0].startswith("Salesforce could not retrieve CustomObject Property__c (")
    assert Component.objects.get(model=connected.org_model, name_key="property__c", type="CustomObject").status == "present"


def _delete_every(connected: Any, emu: Any, type_: str) -> list[str]:
    names = list(Component.objects.filter(model=connected.org_model, type=type_, status="present")
                 .values_list("full_name", flat=True))
    assert names
    for name in names:
        emu.delete_component("acme", type_, name)
    return names


def test_an_incremental_sync_marks_deleted_every_member_of_a_type_emptied_in_the_org(connected: Any,
                                                                                       emu: Any) -> None:
    # A type listed with no members is "all of them deleted", not "not listed" (issue 19, item 14).
    sync_connection(connected, "first")
    gone = _delete_every(connected, emu, "CustomTab") + _delete_every(connected, emu, "RemoteSiteSetting")
    run = sync_connection(connected, "scheduled")
    assert run.full is False and run.status == "succeeded"
    assert run.removed == len(gone) == 6
    assert not Component.objects.filter(model=connected.org_model, type__in=["CustomTab", "RemoteSiteSetting"],
                                        status="present").exists()


def test_an_incremental_sync_keeps_a_type_whose_listing_failed(connected: Any, emu: Any) -> None:
    # The other side of the rule above: no answer for a type is not "no members".
    sync_connection(connected, "first")
    tabs = _delete_every(connected, emu, "CustomTab")
    emu.inject_fault(org="acme", kind="soap_fault", operation="listMetadata", type="CustomTab", times=1000)
    run = sync_connection(connected, "scheduled")
    assert run.status == "succeeded" and run.removed == 0
    assert Component.objects.filter(model=connected.org_model, type="CustomTab", status="present").count() == len(tabs)
