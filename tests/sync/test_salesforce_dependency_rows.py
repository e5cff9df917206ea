"""Salesforce's MetadataComponentDependency rows join Orgbook's own edges, marked by origin."""

from __future__ import annotations

from typing import Any

from orgbook.orgmodels.models import Component, Dependency
from orgbook.runs.syncs import sync_connection
from tests.sync.metadata import PRICE


def edge(model: Any, source: tuple[str, str], target: tuple[str, str]) -> Dependency:
    return Dependency.objects.get(model=model, source__type=source[0], source__name_key=source[1].lower(),
                                  target_type=target[0], target_key=target[1].lower())


def test_a_first_sync_adds_salesforce_rows_and_marks_edges_both_sources_found(connected: Any, emu: Any, client: Any,
                                                                             people: Any) -> None:
    emu.set_dependencies("acme", [
        {"from": "ApexClass:PropertyController", "to": "CustomField:Property__c.Price__c"},  # code: not in the corpus
        {"from": "CustomField:Property__c.Broker__c", "to": "CustomObject:Broker__c"},  # the lookup: Orgbook finds it too
    ])
    run = sync_connection(connected, "first")
    model = connected.org_model
    found = edge(model, ("ApexClass", "PropertyController"), ("CustomField", "Property__c.Price__c"))
    assert found.origin == "salesforce" and found.target_name == "Property__c.Price__c"  # full name, not "Price"
    assert edge(model, ("CustomField", "Property__c.Broker__c"), ("CustomObject", "Broker__c")).origin == "both"
    assert Dependency.objects.filter(model=model, origin="metadata").exists()
    assert "dependencies from Salesforce" in run.stages
    client.force_login(people["vera"])
    page = client.get(f"/m/{model.pk}/c/CustomField/Property__c.Price__c").content.decode()
    assert "PropertyController" in page and "Found by Salesforce's dependency API only" in page
    page = client.get(f"/m/{model.pk}/c/CustomField/Property__c.Broker__c").content.decode()
    assert "+ Salesforce" in page


def test_an_incremental_sync_asks_only_about_changed_components(connected: Any, emu: Any) -> None:
    sync_connection(connected, "first")
    model = connected.org_model
    assert not Dependency.objects.filter(model=model, origin="salesforce").exists()
    nothing = sync_connection(connected, "scheduled")
    assert "dependencies from Salesforce" not in nothing.stages  # nothing changed: no dependency call

    emu.set_dependencies("acme", [
        {"from": "CustomField:Property__c.Price__c", "to": "GlobalValueSet:Currencies"},
        {"from": "ApexClass:PropertyController", "to": "CustomField:Property__c.Beds__c"},  # unchanged: not asked
    ])
    emu.modify_component("acme", "CustomField", "Property__c.Price__c", PRICE, by="Jane Admin")
    run = sync_connection(connected, "scheduled")
    assert run.changed >= 1 and "dependencies from Salesforce" in run.stages
    assert edge(model, ("CustomField", "Property__c.Price__c"), ("GlobalValueSet", "Currencies")).origin == "salesforce"
    assert not Dependency.objects.filter(model=model, source__type="ApexClass", origin="salesforce").exists()


def test_a_refused_dependency_api_is_a_warning_and_the_sync_still_succeeds(connected: Any, emu: Any) -> None:
    emu.set_dependencies("acme", [{"from": "ApexClass:PropertyController", "to": "CustomField:Property__c.Price__c"}])
    emu.inject_fault("acme", "failed_bulk_job", message="InternalServerError: dependency job failed")
    run = sync_connection(connected, "first")
    assert run.status == "succeeded" and run.added > 80
    assert any("dependency API" in w["message"] for w in run.warnings)
    assert not Dependency.objects.filter(model=connected.org_model, origin="salesforce").exists()
    assert Component.objects.filter(model=connected.org_model, type="ApexClass").exists()


def test_salesforce_rows_written_after_the_version_show_on_pages_viewed_before(connected: Any, emu: Any,
                                                                              client: Any, people: Any) -> None:
    """The rows come in the seconds after the sync's version is committed (same version number): a page
    viewed in between, and so in the page cache, shows them on the next request."""
    from orgbook.implementations import connect
    from orgbook.orgmodels import sfdeps
    from orgbook.orgmodels.models import OrgModel

    sync_connection(connected, "first")  # Salesforce has no rows for this org yet
    model = OrgModel.objects.get(pk=connected.org_model.pk)
    client.force_login(people["vera"])
    broker = f"/m/{model.pk}/c/CustomField/Property__c.Broker__c"
    price = f"/m/{model.pk}/c/CustomField/Property__c.Price__c"
    assert "+ Salesforce" not in client.get(broker).content.decode()
    assert "PropertyController" not in client.get(price).content.decode()
    emu.set_dependencies("acme", [
        {"from": "ApexClass:PropertyController", "to": "CustomField:Property__c.Price__c"},
        {"from": "CustomField:Property__c.Broker__c", "to": "CustomObject:Broker__c"},
    ])
    outcome = sfdeps.refresh(connect.client_for(connected), model, full=True)
    assert (outcome.added, outcome.confirmed) == (1, 1)
    assert OrgModel.objects.get(pk=model.pk).version == model.version  # the same version, as after a sync
    assert "+ Salesforce" in client.get(broker).content.decode()
    page = client.get(price).content.decode()
    assert "PropertyController" in page and "Found by Salesforce's dependency API only" in page



def test_salesforce_confirms_every_row_of_a_dependency_used_in_several_places(people: Any) -> None:
    """A class naming an object in Apex and in SOQL has two rows to it; Salesforce's one row confirms
    both. Confirming only the first row the database returned made two syncs of one org differ in
    which row said "both" (found by the fault suite, tests/tasks/test_sync_faults.py)."""
    from orgbook.implementations import lifecycle
    from orgbook.orgmodels import sfdeps
    from orgbook.orgmodels.models import OrgModel
    from orgbook.salesforce.client import Dependency as SfEdge

    impl = lifecycle.create_implementation(people["acme"], people["alice"], "Retail")
    model = OrgModel.objects.create(implementation=impl, name="Production")
    cls = Component.objects.create(model=model, type="ApexClass", full_name="Finder", name_key="finder",
                                   sf_id="01p5g00000AbCdE")
    Component.objects.create(model=model, type="CustomObject", full_name="Broker__c", name_key="broker__c",
                             sf_id="01I5g00000AbCdE")
    for where in ("SOQL", "Apex", "Apex type"):
        Dependency.objects.create(model=model, source=cls, target_type="CustomObject", target_key="broker__c",
                                  target_name="Broker__c", where=where, origin="metadata")
    row = SfEdge("01p5g00000AbCdE", "Finder", "ApexClass", None, "01I5g00000AbCdE", "Broker", "CustomObject",
                 None)
    outcome = sfdeps._store(model, [row], full=True, only_sources=None)
    assert (outcome.added, outcome.confirmed) == (0, 1)
    assert sorted(Dependency.objects.filter(model=model).values_list("where", "origin")) == [
        ("Apex", "both"), ("Apex type", "both"), ("SOQL", "both")]
