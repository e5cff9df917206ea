"""Components stored under the names the reader gave before issue 14 (a bot's version `v1`, an
Experience bundle `AutoFolio1`) are renamed by migration 0015 to the names it gives now
(`Agentforce_Service_Agent.v1`, `site/AutoFolio1`), with the documentation written on them and
the edges to them, so that the next import changes nothing but what is really new.

The old shape is what 764a096's reader stored for the Automotive kit (compared file by file: one
`v1`, the first bot's, no parent; bundles named by their folder; the same content hashes)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from orgbook.documentation import services as doc_services
from orgbook.documentation.models import Documentation, Revision
from orgbook.orgmodels.models import ChangeKind, Component, ComponentChange, Dependency, OrgModel
from orgbook.orgmodels.services import model_for_import
from orgbook.orgmodels.upgrades import rename_components
from orgbook.runs.imports import import_path
from tests.corpus import AUTOMOTIVE

RENAMES = {("BotVersion", "Agentforce_Service_Agent.v1"): "v1", ("DigitalExperienceBundle", "site/AutoFolio1"): "AutoFolio1",
           ("DigitalExperienceBundle", "site/ESW_ESA_Web_Deployment_17363131455131"): "ESW_ESA_Web_Deployment_17363131455131"}


def _as_764a096_stored(model: Any) -> None:
    """Back to the old names: one `v1` (the second bot's version was lost in the collision), no parent."""
    Component.objects.filter(model=model, type="BotVersion", name_key="copilot_for_salesforce.v1").delete()
    for (type_, new), old in RENAMES.items():
        Component.objects.filter(model=model, type=type_, name_key=new.lower()).update(
            full_name=old, name_key=old.lower(), parent_type="", parent_key="")
        Dependency.objects.filter(model=model, target_type=type_, target_key=new.lower()).update(
            target_key=old.lower(), target_name=old)


def _state(model: Any) -> set[tuple[Any, ...]]:
    return set(Component.objects.filter(model=model).values_list(
        "type", "full_name", "name_key", "parent_type", "parent_key", "content_hash", "status"))


def _edges(model: Any) -> set[tuple[Any, ...]]:
    return set(Dependency.objects.filter(model=model).values_list(
        "source__type", "source__name_key", "target_type", "target_key", "target_name", "where"))


def test_stored_old_names_get_the_new_ones_with_their_documentation(people: dict[str, Any], retail: Any) -> None:
    fresh = model_for_import(retail, "Fresh", None)
    import_path(fresh, AUTOMOTIVE)
    model = model_for_import(retail, "Upgraded", None)
    import_path(model, AUTOMOTIVE)
    _as_764a096_stored(model)
    alice = people["alice"]
    doc_services.save_documentation(alice, retail, "BotVersion", "v1", doc_services.DocumentationEdit(
        note="The service agent's first version.", tags=["agent"]), model=model)
    doc_services.save_documentation(alice, retail, "BotVersion", "v1", doc_services.DocumentationEdit(
        note="The service agent's first version; live since May.", base_revision=1), model=model)
    doc_services.save_documentation(alice, retail, "DigitalExperienceBundle", "AutoFolio1",
                                    doc_services.DocumentationEdit(note="The dealer site."), model=model)
    version = Component.objects.get(model=model, type="BotVersion", name_key="v1")
    stamp = OrgModel.objects.get(pk=model.pk).content_stamp

    assert rename_components(Component, Dependency, OrgModel, Documentation, Revision) == 3

    # The same row (its history and manual links stay), under the name a fresh import gives.
    renamed = Component.objects.get(pk=version.pk)
    assert (renamed.full_name, renamed.parent_type, renamed.parent_key) == (
        "Agentforce_Service_Agent.v1", "Bot", "agentforce_service_agent")
    assert _state(model) == _state(fresh) - {s for s in _state(fresh) if s[2] == "copilot_for_salesforce.v1"}
    lost = "copilot_for_salesforce.v1"
    assert {e for e in _edges(model) if lost not in (e[1], e[3])} == {e for e in _edges(fresh) if lost not in (e[1], e[3])}
    assert OrgModel.objects.get(pk=model.pk).content_stamp > stamp  # cached pages move on
    # The documentation moved with its revisions, and is found under the new name.
    doc = doc_services.find(retail, "BotVersion", "Agentforce_Service_Agent.v1")
    assert doc is not None and doc.note == "The service agent's first version; live since May." and doc.revision == 2
    assert [r.number for r in doc.revisions.all()] == [2, 1]
    assert doc_services.find(retail, "BotVersion", "v1") is None
    assert [d.full_name for d in doc_services.search(retail, "agentforce_service_agent")] == ["Agentforce_Service_Agent.v1"]
    site = doc_services.find(retail, "DigitalExperienceBundle", "site/AutoFolio1")
    assert site is not None and site.note == "The dealer site."

    assert rename_components(Component, Dependency, OrgModel, Documentation, Revision) == 0  # safe to run twice
    # The next import finds the renamed rows unchanged: only the version the old reader lost is new.
    run = import_path(model, AUTOMOTIVE)
    assert (run.added, run.changed, run.removed) == (1, 0, 0)
    assert list(ComponentChange.objects.filter(run=run).values_list("full_name", "kind")) == [
        ("Copilot_for_Salesforce.v1", ChangeKind.NEW.value)]
    assert _state(model) == _state(fresh)
    assert doc_services.find(retail, "BotVersion", "Agentforce_Service_Agent.v1") is not None


def test_a_name_two_models_renamed_differently_keeps_its_note_on_both(people: dict[str, Any], retail: Any) -> None:
    """Two models of one implementation each held a `v1`, of different bots: the note written on
    `v1` was shown on both, so each new name gets it."""
    first, second = model_for_import(retail, "First", None), model_for_import(retail, "Second", None)
    for m in (first, second):
        import_path(m, AUTOMOTIVE)
        _as_764a096_stored(m)
    Component.objects.filter(model=second, type="BotVersion", name_key="v1").update(
        source_path="force-app/main/default/bots/Copilot_for_Salesforce/v1.botVersion-meta.xml")
    doc_services.save_documentation(people["alice"], retail, "BotVersion", "v1",
                                    doc_services.DocumentationEdit(note="First version."), model=first)

    assert rename_components(Component, Dependency, OrgModel, Documentation, Revision) == 6

    for name in ("Agentforce_Service_Agent.v1", "Copilot_for_Salesforce.v1"):
        doc = doc_services.find(retail, "BotVersion", name)
        assert doc is not None and doc.note == "First version." and doc.revisions.count() == 1


@pytest.mark.django_db(transaction=True)
def test_migration_0015_renames_what_the_older_code_stored(people: dict[str, Any], retail: Any) -> None:
    """Through the migration itself, on this test's database (SQLite or PostgreSQL): unapplied
    back to 0014, the old shape stored, migrated forward. (Every test database is also migrated
    from empty, so 0015 runs on an empty database too.)"""
    model = model_for_import(retail, "Automotive", None)
    import_path(model, AUTOMOTIVE)
    _as_764a096_stored(model)
    doc_services.save_documentation(people["alice"], retail, "DigitalExperienceBundle", "AutoFolio1",
                                    doc_services.DocumentationEdit(note="The dealer site."), model=model)
    executor = MigrationExecutor(connection)
    executor.migrate([("orgmodels", "0014_import_report")])
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    names = set(Component.objects.filter(model=model, type__in=["BotVersion", "DigitalExperienceBundle"]).values_list(
        "full_name", flat=True))
    assert names == {"Agentforce_Service_Agent.v1", "site/AutoFolio1", "site/ESW_ESA_Web_Deployment_17363131455131"}
    site = doc_services.find(retail, "DigitalExperienceBundle", "site/AutoFolio1")
    assert site is not None and site.note == "The dealer site."
