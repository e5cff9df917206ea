"""Reference model trees: by hand, and from CSV where one bad row refuses the file by line number."""

from __future__ import annotations

from typing import Any

import pytest

from orgbook.documentation import trees
from orgbook.documentation.models import TreeNode
from orgbook.errors import Invalid

GOOD = "Level,Name,Id\n1,Sales,§1\n2,Leads,§1.1\n3,Qualify lead,\n2,Opportunities,§1.2\n1,Service,§2\n"


def test_a_tree_is_imported_with_its_nesting_and_ids(people: dict[str, Any], retail: Any) -> None:
    model = trees.create_reference_model(people["alice"], retail, "Process map")
    assert trees.import_tree_csv(people["eddie"], model, GOOD) == 5
    shape = [(row["depth"], row["node"].name, row["node"].custom_id) for row in trees.tree(model)]
    assert shape == [(1, "Sales", "§1"), (2, "Leads", "§1.1"), (3, "Qualify lead", ""),
                     (2, "Opportunities", "§1.2"), (1, "Service", "§2")]


@pytest.mark.parametrize(("text", "line", "why"), [
    ("1,Sales\n3,Too deep\n", 2, "one level deeper"),
    ("1,Sales\n2,X\n", 2, "2 to 80"),
    ("1,Sales\nzero,Bad level\n", 2, "nesting level"),
    ("2,Starts deep\n", 1, "one level deeper"),
    ("1,Sales\n1," + "n" * 81 + "\n", 2, "2 to 80"),
])
def test_a_bad_row_is_reported_by_line_and_nothing_is_imported(people: dict[str, Any], retail: Any, text: str,
                                                               line: int, why: str) -> None:
    model = trees.create_reference_model(people["alice"], retail, "Process map")
    with pytest.raises(Invalid) as caught:
        trees.import_tree_csv(people["eddie"], model, text)
    assert caught.value.message.startswith(f"Line {line}:") and why in caught.value.message
    assert "Nothing was imported" in caught.value.message
    assert not TreeNode.objects.filter(model=model).exists()


def test_nodes_by_hand_with_name_rules(people: dict[str, Any], retail: Any) -> None:
    model = trees.create_reference_model(people["alice"], retail, "Capabilities")
    root = trees.add_node(people["eddie"], model, "Sell", custom_id="§1", description="Everything sales")
    child = trees.add_node(people["eddie"], model, "Quote", parent=root)
    assert child.parent == root and root.custom_id == "§1"
    with pytest.raises(Invalid):
        trees.add_node(people["eddie"], model, "Q")


def test_trees_are_only_for_reference_models(people: dict[str, Any], retail_models: dict[str, Any]) -> None:
    with pytest.raises(Invalid):
        trees.add_node(people["eddie"], retail_models["production"], "Sales")


def test_a_model_is_copied_as_it_stands(people: dict[str, Any], retail: Any, retail_models: dict[str, Any]) -> None:
    from orgbook.orgmodels.models import Component, Dependency

    source = retail_models["production"]
    copy = trees.copy_model(people["alice"], source, "To-be")
    assert copy.kind == "reference"
    assert Component.objects.filter(model=copy).count() == Component.objects.filter(model=source, status="present").count()
    assert Dependency.objects.filter(model=copy).count() == Dependency.objects.filter(model=source).count()


def test_bare_carriage_returns_end_rows(people: dict[str, Any], retail: Any) -> None:
    """Once a 500 through the API ("new-line character seen in unquoted field"), found by schemathesis."""
    model = trees.create_reference_model(people["alice"], retail, "Process map")
    assert trees.import_tree_csv(people["eddie"], model, "1,Sales\r2,Leads\r1,Service\r") == 3
    assert [row["node"].name for row in trees.tree(model)] == ["Sales", "Leads", "Service"]


def test_a_file_the_csv_module_cannot_read_is_refused_through_the_api(people: dict[str, Any], retail: Any) -> None:
    from tests.api.conftest import ApiClient

    model = trees.create_reference_model(people["alice"], retail, "Process map")
    huge_field = "1,Sales\n1,\"" + "x" * 200_000 + "\"\n"  # over the csv module's field limit
    api = ApiClient(people["eddie"])
    # The csv module refuses a field over its limit; NUL is refused before the import (orgbook/web/nul.py).
    for text, says in ((huge_field, "Nothing was imported"), ("\r\x00\u00d42X{", "NUL character")):
        response = api.call("post", f"/models/{model.pk}/tree-import", {"csv": text})
        assert response.status_code == 400, (text[:20], response.status_code)
        assert response.json_body["error"]["code"] == "invalid"
        assert says in response.json_body["error"]["message"]
    assert not TreeNode.objects.filter(model=model).exists()
