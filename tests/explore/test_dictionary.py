"""The dictionary page: the type tree, the grid's filters, columns, sort and paging, saved views."""

from __future__ import annotations

from typing import Any

from orgbook.documentation.models import Documentation
from orgbook.documentation.services import notes_of
from orgbook.orgmodels import census, grid
from orgbook.orgmodels.grid import Grid
from orgbook.orgmodels.models import SavedView

from .conftest import make_component


def _names(model: Any, **params: Any) -> list[str]:
    from django.http import QueryDict

    q = QueryDict(mutable=True)
    for k, v in params.items():
        q.setlist(k, v if isinstance(v, list) else [v])
    return [c.full_name for c in grid.grid_queryset(model, Grid.parse(q), notes_of(model))]


def test_the_tree_lists_used_types_alphabetically_with_object_children_under_their_object(dreamhouse: Any) -> None:
    groups = census.type_tree(dreamhouse)
    assert [g.namespace for g in groups] == [""]
    names = [t.type for t in groups[0].types]
    assert names == sorted(names, key=str.lower)
    assert "CustomObject" in names and "Flow" in names
    assert "CustomField" not in names and "ListView" not in names  # they are under their object
    assert "Report" not in names  # unused types are hidden
    children = census.object_children(dreamhouse, "property__c")
    assert list(children) == sorted(children)
    assert len(children["CustomField"]) == 25
    assert "Price__c" in [c.short_name for c in children["CustomField"]]


def test_managed_package_components_come_after_the_orgs_own_grouped_by_namespace(dreamhouse: Any) -> None:
    make_component(dreamhouse, "ApexClass", "zed__Helper", namespace="zed")
    make_component(dreamhouse, "CustomObject", "abc__Thing__c", namespace="abc")
    make_component(dreamhouse, "CustomField", "abc__Thing__c.abc__Size__c", namespace="abc", parent="abc__Thing__c")
    groups = census.type_tree(dreamhouse)
    assert [g.namespace for g in groups] == ["", "abc", "zed"]
    assert [(t.type, t.count) for t in groups[1].types] == [("CustomObject", 1)]
    assert set(_names(dreamhouse, namespace="abc")) == {"abc__Thing__c", "abc__Thing__c.abc__Size__c"}
    assert not any(n.startswith(("abc__", "zed__")) for n in _names(dreamhouse, namespace=grid.OWN))


def test_grid_filters_by_type_status_change_and_documentation(dreamhouse: Any, people: Any) -> None:
    assert len(_names(dreamhouse, type="CustomField", parent="Property__c")) == 25
    gone = make_component(dreamhouse, "ApexClass", "OldThing", status="deleted")
    assert "OldThing" not in _names(dreamhouse, type="ApexClass")
    assert _names(dreamhouse, status="deleted") == ["OldThing"]
    dreamhouse.version = 2
    dreamhouse.save()
    gone.changed_version = 2
    gone.save()
    make_component(dreamhouse, "ApexClass", "NewThing")  # added in version 2
    assert _names(dreamhouse, change="new") == ["NewThing"]
    assert _names(dreamhouse, change="deleted") == ["OldThing"]
    assert "NewThing" in _names(dreamhouse, change="new", since_version="1") and \
        len(_names(dreamhouse, change="new", since_version="1")) > 90
    Documentation.objects.create(implementation=dreamhouse.implementation, type="CustomField",
                                 name_key="property__c.price__c", full_name="Property__c.Price__c", note="Asking")
    assert _names(dreamhouse, documented="yes") == ["Property__c.Price__c"]
    assert "Property__c.Price__c" not in _names(dreamhouse, documented="no", type="CustomField")


def test_grid_sorts_on_any_sortable_column_and_ignores_unknown_ones(dreamhouse: Any) -> None:
    notes = notes_of(dreamhouse)
    asc = [c.label for c in grid.grid_queryset(dreamhouse, Grid.parse({"parent": "Property__c", "type": "CustomField",
                                                                       "sort": "label"}), notes)]
    desc = [c.label for c in grid.grid_queryset(dreamhouse, Grid.parse({"parent": "Property__c",
                                                                        "type": "CustomField", "sort": "-label"}), notes)]
    assert len(set(asc)) == 25 and desc == asc[::-1]
    assert asc[0].lower() < asc[-1].lower()
    assert Grid.parse({"sort": "definition_z"}).sort == "full_name"
    assert Grid.parse({"sort": "-description"}).sort == "full_name"  # not sortable: the default
    assert Grid.parse({"col": "nonsense"}).columns == grid.DEFAULT_COLUMNS


def test_descending_is_the_exact_reverse_of_ascending_even_among_equal_labels(dreamhouse: Any) -> None:
    # Ties are broken in the sort's direction (one index read backwards serves both directions).
    for name in ("Zeta", "Alpha", "Mid"):
        make_component(dreamhouse, "ApexClass", f"Same{name}", label="Same label")
    params = {"type": "ApexClass", "q": "same"}
    notes = notes_of(dreamhouse)
    asc = [c.full_name for c in grid.grid_queryset(dreamhouse, Grid.parse({**params, "sort": "label"}), notes)]
    desc = [c.full_name for c in grid.grid_queryset(dreamhouse, Grid.parse({**params, "sort": "-label"}), notes)]
    assert asc == ["SameAlpha", "SameMid", "SameZeta"] and desc == asc[::-1]


def test_the_tree_counts_follow_components_added_after_it_was_cached(dreamhouse: Any, web_as: Any) -> None:
    before = census.census(dreamhouse).by_type.get("ApexClass", 0)
    make_component(dreamhouse, "ApexClass", "AddedLater")
    assert census.census(dreamhouse).by_type["ApexClass"] == before + 1
    page = web_as("vera").get(f"/m/{dreamhouse.pk}/", {"type": "ApexClass"}).content.decode()
    assert "AddedLater" in page


def test_the_page_shows_the_tree_chosen_columns_and_pages(dreamhouse: Any, web_as: Any) -> None:
    r = web_as("vera").get(f"/m/{dreamhouse.pk}/", {"type": "CustomField", "col": ["full_name", "label"],
                                                     "sort": "-label"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "Asking Price" in html and f'href="/m/{dreamhouse.pk}/c/CustomField/Property__c.Price__c"' in html
    assert "<th scope=\"col\">" in html and "Last modified" not in html.split("<table")[1].split("</thead>")[0]
    for i in range(60):
        make_component(dreamhouse, "ApexClass", f"Gen{i:03}")
    page2 = web_as("vera").get(f"/m/{dreamhouse.pk}/", {"type": "ApexClass", "page": 2}).content.decode()
    assert "Page 2 of 2" in page2 and "Gen059" in page2 and "Gen000" not in page2


def test_tree_nodes_load_members_and_an_objects_children(dreamhouse: Any, web_as: Any) -> None:
    client = web_as("vera")
    js = {"HTTP_HX_REQUEST": "true"}
    objects = client.get(f"/m/{dreamhouse.pk}/tree/", {"type": "CustomObject", "ns": ""}, **js).content.decode()
    assert "<html" not in objects
    assert "Broker__c" in objects and "Property__c" in objects
    children = client.get(f"/m/{dreamhouse.pk}/tree/", {"object": "Property__c"}, **js).content.decode()
    assert "CustomField" in children and "Price__c" in children
    without_script = client.get(f"/m/{dreamhouse.pk}/tree/", {"object": "Property__c"}).content.decode()
    assert "<html" in without_script and "Price__c" in without_script
    assert "Asking Price" in children


def test_saved_views_belong_to_their_user(dreamhouse: Any, web_as: Any, people: Any) -> None:
    vera = web_as("vera")
    r = vera.post(f"/m/{dreamhouse.pk}/views/", {"name": "Property fields", "type": "CustomField",
                                                  "parent": "Property__c", "col": ["full_name", "label"]})
    assert r.status_code == 302 and "type=CustomField" in r["Location"]
    view = SavedView.objects.get(user=people["vera"])
    assert view.query == {"type": "CustomField", "parent": "Property__c", "col": ["full_name", "label"]}
    assert "Property fields" in vera.get(f"/m/{dreamhouse.pk}/").content.decode()
    assert "Property fields" not in web_as("eddie").get(f"/m/{dreamhouse.pk}/").content.decode()
    assert web_as("eddie").post(f"/m/{dreamhouse.pk}/views/{view.pk}/delete/").status_code == 404
    assert vera.post(f"/m/{dreamhouse.pk}/views/{view.pk}/delete/").status_code == 302
    assert not SavedView.objects.exists()


def test_a_view_without_a_name_comes_back_with_the_grid_and_the_reason_under_the_box(
        dreamhouse: Any, web_as: Any) -> None:
    from tests.web.forms_html import dangling
    from tests.web.test_form_errors import _under

    r = web_as("vera").post(f"/m/{dreamhouse.pk}/views/", {"name": "  ", "type": "CustomField", "parent": "Property__c",
                                                        "csrfmiddlewaretoken": "t" * 64})
    assert r.status_code == 400
    html = r.content.decode()
    assert _under(html, "view-name") == "Name the view, e.g. “Fields without a description”."
    assert "Price__c" in html and "Broker__c.Email__c" not in html  # the same filtered grid, not a banner
    assert '<input type="hidden" name="type" value="CustomField">' in html  # the filters kept for the next try
    save_form = html.split('class="save-view')[1].split("</form>")[0]
    assert save_form.count('name="csrfmiddlewaretoken"') == 1  # the refused post's token is not carried twice
    assert not dangling(html) and not SavedView.objects.exists()
