"""The dictionary grid's every sort and filter, as the user sees them: order and contents, and the row
count the page states (kept per model version and documentation state)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.http import QueryDict
from django.utils import timezone

from orgbook.documentation.models import Documentation
from orgbook.documentation.services import notes_of
from orgbook.orgmodels import census, grid
from orgbook.orgmodels.grid import COLUMNS, Grid
from orgbook.orgmodels.models import Component

from .conftest import make_component

SORTABLE = [key for key, (_, column) in COLUMNS.items() if column]


def _grid(**params: Any) -> Grid:
    q = QueryDict(mutable=True)
    for k, v in params.items():
        q.setlist(k, v if isinstance(v, list) else [str(v)])
    return Grid.parse(q)


def _rows(model: Any, walk: bool = False, **params: Any) -> list[tuple[str, str]]:
    g = _grid(**params)
    return [(c.type, c.full_name) for c in grid.grid_queryset(model, g, notes_of(model), walk=walk)]


@pytest.fixture
def varied(dreamhouse: Any) -> Any:
    """Dreamhouse with every sortable column varied: modified dates (some equal, some unknown), people,
    a package, statuses, versions, objects with children."""
    base = datetime(2024, 3, 1, 9, 0, tzinfo=ZoneInfo("UTC"))
    people = ["ann", "bob", "cy", ""]
    for i, c in enumerate(Component.objects.filter(model=dreamhouse).order_by("id")):
        c.last_modified_date = None if i % 7 == 0 else base + timedelta(days=i % 11, seconds=i % 3)
        c.last_modified_by = people[i % 4]
        c.changed_version = 1
        c.save(update_fields=["last_modified_date", "last_modified_by", "changed_version"])
    make_component(dreamhouse, "ApexClass", "pkg__Helper", namespace="pkg", last_modified_by="bob")
    make_component(dreamhouse, "CustomObject", "pkg__Thing__c", label="Thing", namespace="pkg")
    make_component(dreamhouse, "CustomField", "pkg__Thing__c.pkg__Size__c", label="Size", namespace="pkg",
                   parent="pkg__Thing__c")
    make_component(dreamhouse, "ApexClass", "Unfetched", status="unfetched", last_modified_by="ann")
    make_component(dreamhouse, "ApexClass", "Gone", status="deleted")
    dreamhouse.version = 2
    dreamhouse.save()
    make_component(dreamhouse, "ApexClass", "Newer", last_modified_date=base + timedelta(days=40))
    changed = Component.objects.get(model=dreamhouse, type="CustomField", name_key="property__c.price__c")
    changed.changed_version = 2
    changed.save(update_fields=["changed_version"])
    return dreamhouse


def _expected(model: Any, column: str, descending: bool, **filters: Any) -> list[tuple[str, str]]:
    """What the user should see: the rows in (column, type, name) order, computed here in Python.
    An unknown date sorts first on SQLite and last on PostgreSQL, each database's own rule."""
    rows = list(Component.objects.filter(model=model, **filters).exclude(status="deleted"))
    nulls_first = connection.vendor == "sqlite"

    def key(c: Component) -> tuple[Any, ...]:
        value = getattr(c, column)
        rank = (0 if nulls_first else 1) if value is None else (1 if nulls_first else 0)
        return (rank, value if value is not None else 0, c.type, c.name_key)

    ordered = sorted(rows, key=key, reverse=descending)
    return [(c.type, c.full_name) for c in ordered]


@pytest.mark.parametrize("sort", SORTABLE)
def test_every_sortable_column_orders_the_grid_both_ways_with_the_same_tie_break(varied: Any, sort: str) -> None:
    column = COLUMNS[sort][1]
    asc = _rows(varied, sort=sort)
    desc = _rows(varied, sort=f"-{sort}")
    assert len(asc) == Component.objects.filter(model=varied).exclude(status="deleted").count()
    assert desc == asc[::-1]
    if column == "name_key":  # the API name sorts on its name, then its type
        assert asc == [(c.type, c.full_name) for c in sorted(
            Component.objects.filter(model=varied).exclude(status="deleted"), key=lambda c: (c.name_key, c.type))]
    else:
        assert asc == _expected(varied, column, False)


def test_a_type_filter_sorted_by_last_modified_lists_that_type_newest_first(varied: Any) -> None:
    rows = _rows(varied, type="CustomField", sort="-last_modified_date")
    assert rows == _expected(varied, "last_modified_date", True, type="CustomField")
    assert {t for t, _ in rows} == {"CustomField"}


def test_modified_since_keeps_the_rows_modified_on_or_after_that_day_in_the_users_time_zone(varied: Any) -> None:
    paris = ZoneInfo("Europe/Paris")
    just_in = make_component(varied, "ApexClass", "JustIn", last_modified_date=datetime(2024, 3, 20, 0, 0, tzinfo=paris))
    make_component(varied, "ApexClass", "JustOut",
                   last_modified_date=datetime(2024, 3, 20, 0, 0, tzinfo=paris) - timedelta(seconds=1))
    for zone in ("UTC", "Europe/Paris"):
        with timezone.override(zone):
            day = date(2024, 3, 20) if zone == "Europe/Paris" else date(2024, 3, 5)
            by_date = sorted((c.type, c.full_name) for c in Component.objects.filter(
                model=varied, last_modified_date__date__gte=day).exclude(status="deleted"))
            for walk in (False, True):
                assert sorted(_rows(varied, walk, changed_since=day.isoformat())) == by_date
    with timezone.override("Europe/Paris"):
        assert _rows(varied, changed_since="2024-03-20") == [("ApexClass", "JustIn"), ("ApexClass", "Newer")]
    assert just_in.last_modified_date is not None


@pytest.mark.parametrize("change", ["new", "updated", "deleted"])
def test_changes_since_a_version_are_the_same_rows_whichever_index_finds_them(varied: Any, change: str) -> None:
    expected = {"new": [("ApexClass", "Newer")], "updated": [("CustomField", "Property__c.Price__c")],
                "deleted": []}
    for walk in (False, True):
        assert _rows(varied, walk, change=change) == expected[change]
    everything_new = _rows(varied, True, change="new", since_version=1)
    assert everything_new == _rows(varied, False, change="new", since_version=1)
    assert len(everything_new) == Component.objects.filter(model=varied).exclude(status="deleted").count()


def _document(model: Any, *names: tuple[str, str]) -> None:
    for type_, name in names:
        Documentation.objects.create(implementation=model.implementation, type=type_, name_key=name.lower(),
                                     full_name=name, note="Why it exists.")


def test_documented_and_not_documented_list_the_same_rows_from_the_notes_or_walking_the_grid(varied: Any) -> None:
    # Same name, two types: only the documented type is listed as documented.
    make_component(varied, "Layout", "Property__c")
    _document(varied, ("CustomObject", "Property__c"), ("ApexClass", "pkg__Helper"), ("Flow", "Not_In_This_Model"))
    docs = grid.doc_state(varied, notes_of(varied))
    assert docs.sparse  # 3 notes for ~100 components: "documented" starts from the notes
    dense = grid.DocState(docs.count, docs.top, live=docs.count)
    for state in (docs, dense):
        g = _grid(documented="yes")
        assert [(c.type, c.full_name) for c in grid.grid_queryset(varied, g, notes_of(varied), state)] == [
            ("ApexClass", "pkg__Helper"), ("CustomObject", "Property__c")]
    not_documented = _rows(varied, documented="no")
    assert ("Layout", "Property__c") in not_documented and ("CustomObject", "Property__c") not in not_documented
    assert len(not_documented) == census.census(varied).live - 2


def test_contains_finds_names_and_labels_in_any_case_the_same_either_way(varied: Any) -> None:
    for q in ("price", "PRICE", "Size", "zzz-nothing"):
        found = _rows(varied, q=q)
        assert found == _rows(varied, True, q=q)
        assert all(q.lower() in name.lower() or q.lower() in (Component.objects.get(
            model=varied, type=t, full_name=name).label.lower()) for t, name in found)
    assert ("CustomField", "Property__c.Price__c") in _rows(varied, q="PRICE")
    assert _rows(varied, q="size") == [("CustomField", "pkg__Thing__c.pkg__Size__c")]  # by label "Size"


FILTERS: list[dict[str, Any]] = [
    {}, {"type": "ApexClass"}, {"namespace": "pkg"}, {"namespace": "-"}, {"namespace": "-", "type": "ApexClass"},
    {"status": "present"}, {"status": "deleted"}, {"status": "unfetched"}, {"status": "deleted", "type": "ApexClass"},
    {"change": "new"}, {"change": "updated"}, {"change": "deleted"}, {"change": "new", "since_version": 1},
    {"changed_since": "2024-03-05"}, {"documented": "yes"}, {"documented": "no"},
    {"documented": "no", "type": "CustomField"}, {"q": "price"}, {"type": "CustomField", "parent": "Property__c"},
]


@pytest.mark.parametrize("params", FILTERS, ids=[str(p) for p in FILTERS])
def test_the_stated_count_is_the_number_of_rows_listed(varied: Any, params: dict[str, Any]) -> None:
    _document(varied, ("CustomObject", "Property__c"), ("CustomField", "Property__c.Price__c"))
    g = _grid(**params)
    assert grid.grid_count(varied, g, notes_of(varied)) == len(grid.grid_queryset(varied, g, notes_of(varied)))
    assert grid.grid_count(varied, g, notes_of(varied)) == len(grid.grid_queryset(varied, g, notes_of(varied)))  # kept: the same


def test_documented_counts_follow_notes_written_and_removed_after_they_were_kept(varied: Any, web_as: Any) -> None:
    client = web_as("vera")

    def stated(**params: Any) -> str:
        html = client.get(f"/m/{varied.pk}/", params).content.decode()
        found = re.search(r"(\d+) components? in this list", html)
        assert found is not None
        return found.group(1)

    live = census.census(varied).live
    assert stated(documented="yes") == "0" and stated(documented="no") == str(live)
    _document(varied, ("CustomObject", "Property__c"))
    assert stated(documented="yes") == "1" and stated(documented="no") == str(live - 1)
    Documentation.objects.all().delete()
    _document(varied, ("CustomObject", "Broker__c"))  # one removed, one added: the same number of notes
    assert stated(documented="yes") == "1"
    page = client.get(f"/m/{varied.pk}/", {"documented": "yes"}).content.decode()
    assert "Broker__c" in page and ">Property__c<" not in page
    Documentation.objects.all().delete()
    assert stated(documented="yes") == "0"


def test_status_and_package_counts_come_from_the_census_and_the_tree_counts_only_live_rows(varied: Any) -> None:
    found = census.census(varied)
    assert _grid(status="deleted").known_count(found) == 1
    assert _grid(status="unfetched", type="ApexClass").known_count(found) == 1
    assert _grid(namespace="pkg").known_count(found) == 3
    assert _grid(namespace="-", type="ApexClass").known_count(found) == len(_rows(varied, namespace="-",
                                                                                  type="ApexClass"))
    apex = next(t for g in found.tree for t in g.types if t.type == "ApexClass" and g.namespace == "")
    assert apex.count == Component.objects.filter(model=varied, type="ApexClass", namespace="").exclude(
        status="deleted").count()
