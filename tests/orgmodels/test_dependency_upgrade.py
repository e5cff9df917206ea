"""Stored models get the edges the ingest now finds (issue 14) on upgrade, not only at the next
change of each file: a re-import skips unchanged files and would keep invented edges forever."""

from __future__ import annotations

from typing import Any

from orgbook.orgmodels.models import Component, Dependency, OrgModel
from orgbook.orgmodels.services import model_for_import
from orgbook.orgmodels.upgrades import REEXTRACTED, reextract_dependencies
from orgbook.runs.imports import import_path
from tests.corpus import RETAIL


def _edges(model: Any) -> set[tuple[str, ...]]:
    return set(Dependency.objects.filter(model=model, source__type__in=REEXTRACTED).values_list(
        "source__type", "source__name_key", "target_type", "target_key", "where", "origin"))


def test_upgrade_replaces_invented_edges_and_adds_the_new_kinds(retail: Any) -> None:
    model = model_for_import(retail, "Retail kit", "production")
    import_path(model, RETAIL)
    fresh = _edges(model)
    flow = Component.objects.get(model=model, type="Flow", name_key="seasonal_product_recommender")
    assert ("Flow", "seasonal_product_recommender", "GenAiPromptTemplate", "season_predictor",
            "actionCalls:Season_Name", "metadata") in fresh
    # As the older extractor stored it: an invented field, none of the new kinds, and a row
    # Salesforce also found.
    Dependency.objects.filter(model=model, source__type__in=REEXTRACTED).exclude(source=flow).delete()
    Dependency.objects.filter(source=flow, target_type="GenAiPromptTemplate").delete()
    Dependency.objects.create(model=model, source=flow, target_type="CustomField", target_key="contact.threshold",
                              target_name="Contact.threshold", where="formulas:threshold", origin="metadata")
    Dependency.objects.filter(source=flow, target_type="ApexClass").update(origin="both")
    Dependency.objects.create(model=model, source=flow, target_type="ApexClass", target_key="onlysalesforce",
                              target_name="OnlySalesforce", where="", origin="salesforce")
    stamp = OrgModel.objects.get(pk=model.pk).content_stamp

    reextract_dependencies(Component, Dependency, OrgModel)

    after = _edges(model)
    assert not any(t == "contact.threshold" for _, _, _, t, _, _ in after)
    assert ("Flow", "seasonal_product_recommender", "ApexClass", "onlysalesforce", "", "salesforce") in after
    # What a fresh import finds; the rows Salesforce found too stay marked so. Edges read from an
    # agent's JSON schema files are not re-derived here: the files are read again at the next import,
    # which the reader's new version (READER_VERSION) makes a full one.
    from_json = {e[:5] for e in fresh if ".json" in e[4]}
    assert from_json and all(e[0] in {"GenAiFunction", "GenAiPlannerBundle"} for e in from_json)
    assert {e[:5] for e in after if e[3] != "onlysalesforce"} == {e[:5] for e in fresh} - from_json
    assert {e[3] for e in after if e[5] == "both"} == {"promptjsontomodelaction", "validatecontactcontext"}
    assert OrgModel.objects.get(pk=model.pk).content_stamp == stamp + 1  # cached pages move on
    reextract_dependencies(Component, Dependency, OrgModel)
    assert _edges(model) == after  # idempotent
