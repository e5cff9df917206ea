"""The org model API's explorer additions: the type tree and the component list's new filters;
the existing paths and fields stay as they were."""

from __future__ import annotations

from typing import Any

from orgbook.documentation.models import Documentation

from .conftest import make_component


def _get(client: Any, path: str, **params: Any) -> Any:
    r = client.get("/api/v1" + path, params)
    assert r.status_code == 200, r.content
    return r.json()


def test_the_tree_endpoint_groups_types_by_package(dreamhouse: Any, web_as: Any) -> None:
    make_component(dreamhouse, "ApexClass", "pkg__Helper", namespace="pkg")
    body = _get(web_as("vera"), f"/models/{dreamhouse.pk}/types")
    assert [g["namespace"] for g in body["groups"]] == [None, "pkg"]
    own = {t["type"]: t["count"] for t in body["groups"][0]["types"]}
    assert own["CustomObject"] == 2 and "CustomField" not in own


def test_the_list_keeps_its_shape_and_gains_namespace_change_and_documented_filters(
        dreamhouse: Any, web_as: Any) -> None:
    client = web_as("vera")
    make_component(dreamhouse, "ApexClass", "pkg__Helper", namespace="pkg")
    plain = _get(client, f"/models/{dreamhouse.pk}/components", type="ApexClass")
    assert set(plain) == {"items", "count", "page", "pages"}
    assert set(plain["items"][0]) >= {"type", "full_name", "label", "parent", "namespace", "status"}
    assert [i["full_name"] for i in _get(client, f"/models/{dreamhouse.pk}/components", namespace="pkg")["items"]] \
        == ["pkg__Helper"]
    own = _get(client, f"/models/{dreamhouse.pk}/components", namespace="-", type="ApexClass")
    assert own["count"] == plain["count"] - 1
    Documentation.objects.create(implementation=dreamhouse.implementation, type="CustomObject",
                                 name_key="broker__c", full_name="Broker__c", note="Agents")
    documented = _get(client, f"/models/{dreamhouse.pk}/components", documented="true")
    assert [i["full_name"] for i in documented["items"]] == ["Broker__c"]
    assert _get(client, f"/models/{dreamhouse.pk}/components", change="new")["count"] == \
        _get(client, f"/models/{dreamhouse.pk}/components")["count"]  # the first import: everything is new
    bad = client.get(f"/api/v1/models/{dreamhouse.pk}/components", {"change": "renamed"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid"
