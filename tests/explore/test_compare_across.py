"""Comparing any two models of a Space, across implementations (issue 17, part 1), on real corpus
metadata: dreamhouse-lwc and PMM as the production orgs of two implementations, and a changed copy
of dreamhouse as a third implementation's production org."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from orgbook.documentation import compare as doc_compare
from orgbook.documentation.services import DocumentationEdit, save_documentation
from orgbook.errors import NotFound
from orgbook.implementations import lifecycle
from orgbook.orgmodels import compare
from orgbook.orgmodels.services import model_for_import
from orgbook.runs.imports import import_path
from tests.corpus import PMM

from .conftest import add_field, by_kind, change_price_precision, copy_corpus


@pytest.fixture
def emea(people: Any, tmp_path: Any) -> Any:
    """Dreamhouse as a third implementation's production org, defined differently: Price__c has
    precision 12, and a field the global org lacks."""
    root = copy_corpus(tmp_path)
    change_price_precision(root, 12)
    add_field(root, "Region__c", "Region")
    model = model_for_import(lifecycle.create_implementation(people["acme"], people["alice"], "EMEA"),
                             "EMEA production", "production")
    import_path(model, root)
    return model


def test_two_projects_as_two_production_orgs_compare(dreamhouse: Any, programs: Any) -> None:
    found = by_kind(compare.lines(dreamhouse, programs))
    assert ("CustomObject", "Property__c") in found[compare.ONLY_A]
    assert ("CustomObject", "Program__c") in found[compare.ONLY_B]
    assert ("CustomField", "Program__c.Status__c") in found[compare.ONLY_B]


def test_one_object_defined_differently_in_two_implementations(dreamhouse: Any, emea: Any) -> None:
    lines = list(compare.lines(dreamhouse, emea))
    assert {(ln.kind, ln.full_name) for ln in lines if ln.full_name.startswith("Property__c.")} == {
        (compare.DIFFERENT, "Property__c.Price__c"), (compare.ONLY_B, "Property__c.Region__c")}
    price = [ln for ln in lines if ln.full_name == "Property__c.Price__c"]
    assert compare.semantic_diffs(dreamhouse, emea, price)[("CustomField", "property__c.price__c")] == \
        {"precision": [8, 12]}


def test_each_side_shows_its_own_implementations_note(dreamhouse: Any, emea: Any, people: Any) -> None:
    alice = people["alice"]
    save_documentation(alice, dreamhouse.implementation, "CustomField", "Property__c.Price__c",
                       DocumentationEdit(note="List price in USD"), model=dreamhouse)
    save_documentation(alice, emea.implementation, "CustomField", "Property__c.Price__c",
                       DocumentationEdit(note="Asking price in EUR"), model=emea)
    price = [ln for ln in compare.lines(dreamhouse, emea) if ln.full_name == "Property__c.Price__c"]
    assert doc_compare.notes(dreamhouse, emea, price)[("CustomField", "property__c.price__c")] == \
        doc_compare.Notes("List price in USD", "Asking price in EUR")
    # Documentation is not shared across implementations: EMEA's model still has none of Retail's notes.
    from orgbook.documentation.services import find

    assert find(emea.implementation, "CustomField", "Property__c.Price__c").note == "Asking price in EUR"


def test_a_model_of_another_space_is_not_found_even_for_a_member_of_both(dreamhouse: Any, people: Any) -> None:
    from orgbook.spaces.models import Membership, Role

    Membership.objects.create(space=people["globex"], user=people["vera"], role=Role.VIEWER)
    theirs = model_for_import(lifecycle.create_implementation(people["globex"], people["mallory"], "G"), "G", None)
    with pytest.raises(NotFound):
        list(compare.lines(dreamhouse, theirs))


def test_the_compare_api_across_implementations(dreamhouse: Any, emea: Any, people: Any, web_as: Any) -> None:
    save_documentation(people["alice"], emea.implementation, "CustomField", "Property__c.Price__c",
                       DocumentationEdit(note="Asking price in EUR"), model=emea)
    r = web_as("vera").get(f"/api/v1/models/{dreamhouse.pk}/compare/{emea.pk}")
    assert r.status_code == 200
    body = r.json()
    assert body["same_implementation"] is False
    assert body["counts"] == {"only_a": 0, "only_b": 1, "different": 1}
    price = next(i for i in body["items"] if i["full_name"] == "Property__c.Price__c")
    assert price["attributes"] == {"precision": [8, 12]}
    assert price["notes"] == {"a": "", "b": "Asking price in EUR"}


def test_the_compare_api_answers_404_for_another_spaces_model_to_a_member_of_both(
        dreamhouse: Any, people: Any, web_as: Any) -> None:
    from orgbook.spaces.models import Membership, Role

    Membership.objects.create(space=people["globex"], user=people["vera"], role=Role.VIEWER)
    theirs = model_for_import(lifecycle.create_implementation(people["globex"], people["mallory"], "G"), "G", None)
    import_path(theirs, PMM)
    client = web_as("vera")
    assert client.get(f"/api/v1/models/{theirs.pk}").status_code == 200  # vera may read each on its own
    for url in (f"/api/v1/models/{dreamhouse.pk}/compare/{theirs.pk}", f"/api/v1/models/{theirs.pk}/compare/{dreamhouse.pk}",
                f"/m/{dreamhouse.pk}/compare/?with={theirs.pk}", f"/m/{dreamhouse.pk}/compare.csv?with={theirs.pk}"):
        r = client.get(url)
        assert r.status_code == 404, url
        assert b"Property__c" not in r.content and b"Program__c" not in r.content


def test_the_compare_page_lists_every_model_of_the_space_by_implementation(
        dreamhouse: Any, programs: Any, emea: Any, people: Any, web_as: Any) -> None:
    theirs = model_for_import(lifecycle.create_implementation(people["globex"], people["mallory"], "Globex impl"),
                              "Globex model", None)
    page = web_as("vera").get(f"/m/{dreamhouse.pk}/compare/").content.decode()
    assert '<optgroup label="Programs">' in page and '<optgroup label="EMEA">' in page
    assert f'<option value="{programs.pk}"' in page and f'<option value="{emea.pk}"' in page
    assert theirs.name not in page and f'value="{dreamhouse.pk}"' not in page


def test_the_compare_page_and_csv_show_each_sides_note(dreamhouse: Any, emea: Any, people: Any,
                                                      web_as: Any) -> None:
    alice = people["alice"]
    save_documentation(alice, dreamhouse.implementation, "CustomField", "Property__c.Price__c",
                       DocumentationEdit(note="List price in USD"), model=dreamhouse)
    save_documentation(alice, emea.implementation, "CustomField", "Property__c.Price__c",
                       DocumentationEdit(note="Asking price in EUR"), model=emea)
    client = web_as("vera")
    page = client.get(f"/m/{dreamhouse.pk}/compare/", {"with": emea.pk}).content.decode()
    assert "each keeps its own documentation" in page
    assert "List price in USD" in page and "Asking price in EUR" in page
    rows = list(csv.reader(io.StringIO(client.get(f"/m/{dreamhouse.pk}/compare.csv", {"with": emea.pk})
                                       .content.decode())))
    assert rows[0][-2:] == ["Note in Dreamhouse", "Note in EMEA production"]
    price = next(row for row in rows if row[2] == "Property__c.Price__c")
    assert price[-2:] == ["List price in USD", "Asking price in EUR"]
