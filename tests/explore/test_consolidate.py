"""The consolidation matrix (issue 17, part 2) on real corpus metadata: dreamhouse as Retail's
production org, a differently defined copy as EMEA's, and PMM as a third implementation's."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from orgbook.errors import Invalid, NotFound
from orgbook.implementations import lifecycle
from orgbook.orgmodels import consolidate
from orgbook.orgmodels.services import model_for_import
from orgbook.runs.imports import import_path
from tests.corpus import PMM

from .conftest import FIELDS, add_field, change_price_precision, copy_corpus


@pytest.fixture
def emea(people: Any, tmp_path: Any) -> Any:
    """Dreamhouse as EMEA's production org: Price__c precision 12, Baths__c a text field (a conflict:
    its numbers would need converting), and a field of its own."""
    root = copy_corpus(tmp_path)
    change_price_precision(root, 12)
    baths = root / FIELDS / "Baths__c.field-meta.xml"
    baths.write_text(baths.read_text().replace("<type>Number</type>", "<type>Text</type><length>10</length>")
                     .replace("<precision>2</precision>", "").replace("<scale>0</scale>", ""))
    add_field(root, "Region__c", "Region")
    model = model_for_import(lifecycle.create_implementation(people["acme"], people["alice"], "EMEA"),
                             "EMEA production", "production")
    import_path(model, root)
    return model


def _row(matrix: consolidate.Matrix, type_: str, name: str) -> consolidate.Row:
    return next(r for r in matrix.rows if (r.type, r.name_key) == (type_, name.lower()))


def test_conflicts_come_first_then_differences_then_agreement(dreamhouse: Any, emea: Any, programs: Any) -> None:
    matrix = consolidate.build([dreamhouse, emea, programs])
    assert matrix.rows[0].state == consolidate.CONFLICT
    assert _row(matrix, "CustomField", "Property__c.Baths__c").state == consolidate.CONFLICT
    assert _row(matrix, "CustomField", "Property__c.Price__c").state == consolidate.DIFFERENT
    assert _row(matrix, "CustomField", "Property__c.Beds__c").state == consolidate.AGREED
    states = [r.state for r in matrix.rows]
    assert states == sorted(states, key=[consolidate.CONFLICT, consolidate.DIFFERENT, consolidate.AGREED].index)
    # Only what more than one model holds: EMEA's own field and PMM's objects are not rows.
    assert all(r.name_key != "property__c.region__c" and r.object != "program__c" for r in matrix.rows)
    assert {r.type for r in matrix.rows} <= set(consolidate.TYPES)


def test_cells_say_absent_same_or_differs_and_how(dreamhouse: Any, emea: Any, programs: Any) -> None:
    matrix = consolidate.build([dreamhouse, emea, programs])
    rows = [_row(matrix, "CustomField", "Property__c.Price__c"), _row(matrix, "CustomField", "Property__c.Baths__c")]
    found = consolidate.cells(matrix, rows)
    price = found[("CustomField", "property__c.price__c")]
    assert price.full_name == "Property__c.Price__c"
    assert price.cells == [consolidate.SAME, consolidate.DIFFERS, consolidate.ABSENT] and price.how == ["precision"]
    baths = found[("CustomField", "property__c.baths__c")]
    assert baths.how[:3] == ["type", "length", "precision"]


def test_per_object_agreement_with_the_least_agreed_first(dreamhouse: Any, emea: Any) -> None:
    matrix = consolidate.build([dreamhouse, emea])
    scores = {s.object: s for s in matrix.objects}
    prop, broker = scores["property__c"], scores["broker__c"]
    assert prop.conflicts == 1 and prop.same == prop.shared - 2 and prop.agreement < 100
    assert broker.agreement == 100 and broker.conflicts == 0
    assert matrix.objects[0].object == "property__c"


def test_filters_by_type_object_and_namespace(dreamhouse: Any, emea: Any) -> None:
    fields = consolidate.build([dreamhouse, emea], types=("CustomField",))
    assert {r.type for r in fields.rows} == {"CustomField"}
    broker = consolidate.build([dreamhouse, emea], object_="Broker__c")
    assert broker.rows and {r.object for r in broker.rows} == {"broker__c"}
    assert consolidate.build([dreamhouse, emea], namespace="nope").rows == []
    assert len(consolidate.build([dreamhouse, emea], namespace="").rows) == len(consolidate.build([dreamhouse, emea]).rows)
    with pytest.raises(Invalid, match="type must be one of"):
        consolidate.build([dreamhouse, emea], types=("Report",))


def test_two_to_ten_models_of_one_space(dreamhouse: Any, emea: Any, people: Any) -> None:
    with pytest.raises(Invalid, match="Choose 2 to 10 models"):
        consolidate.build([dreamhouse])
    with pytest.raises(Invalid, match="each model once"):
        consolidate.build([dreamhouse, dreamhouse])
    theirs = model_for_import(lifecycle.create_implementation(people["globex"], people["mallory"], "G"), "G", None)
    with pytest.raises(NotFound):
        consolidate.build([dreamhouse, emea, theirs])


def test_the_consolidation_api(dreamhouse: Any, emea: Any, programs: Any, web_as: Any) -> None:
    r = web_as("vera").get("/api/v1/consolidation", {"models": [dreamhouse.pk, emea.pk, programs.pk]})
    assert r.status_code == 200, r.content
    body = r.json()
    assert [m["implementation"] for m in body["models"]] == ["Retail", "EMEA", "Programs"]
    assert body["counts"]["conflict"] == 1 and body["counts"]["differs"] >= 1
    first = body["items"][0]
    assert (first["full_name"], first["state"], first["cells"]) == (
        "Property__c.Baths__c", "conflict", ["same", "differs", "absent"])
    assert body["objects"][0]["object"] == "property__c" and body["objects"][0]["conflicts"] == 1
    one = web_as("vera").get("/api/v1/consolidation", {"models": [dreamhouse.pk]})
    assert one.status_code == 400 and "Choose 2 to 10 models" in one.json()["error"]["message"]


def test_the_consolidation_api_answers_404_for_another_spaces_model(dreamhouse: Any, people: Any, web_as: Any) -> None:
    from orgbook.spaces.models import Membership, Role

    Membership.objects.create(space=people["globex"], user=people["vera"], role=Role.VIEWER)
    theirs = model_for_import(lifecycle.create_implementation(people["globex"], people["mallory"], "G"), "G", None)
    import_path(theirs, PMM)
    client = web_as("vera")
    for url, query in (("/api/v1/consolidation", {"models": [dreamhouse.pk, theirs.pk]}),
                       (f"/m/{dreamhouse.pk}/consolidate/", {"with": theirs.pk}),
                       (f"/m/{dreamhouse.pk}/consolidate.csv", {"with": theirs.pk})):
        r = client.get(url, query)
        assert r.status_code == 404, url
        assert b"Program__c" not in r.content


def test_the_consolidation_page_and_its_csv(dreamhouse: Any, emea: Any, programs: Any, web_as: Any) -> None:
    client = web_as("vera")
    page = client.get(f"/m/{dreamhouse.pk}/consolidate/").content.decode()
    assert f'value="{emea.pk}"' in page and f'value="{programs.pk}"' in page
    query = {"with": [emea.pk, programs.pk]}
    page = client.get(f"/m/{dreamhouse.pk}/consolidate/", query).content.decode()
    assert "<strong>1</strong> conflicts" in page and "Agreement by object" in page
    assert '<strong class="conflict">Conflict</strong> Property__c.Baths__c' in page
    rows = list(csv.reader(io.StringIO(client.get(f"/m/{dreamhouse.pk}/consolidate.csv", query).content.decode())))
    assert rows[0] == ["State", "Type", "API name", "Label", "Object", "Dreamhouse (Retail)",
                       "EMEA production (EMEA)", "PMM (Programs)", "What differs"]
    assert ["differs", "CustomField", "Property__c.Price__c", "Asking Price", "property__c", "same", "differs",
            "absent", "precision"] in rows
    xlsx = client.get(f"/m/{dreamhouse.pk}/consolidate.xlsx", query)
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
