"""The documentation API: PUT/GET by identity, stale edits 409, roles, suspension, tenant isolation, search."""

from __future__ import annotations

from typing import Any

from .conftest import imported

URL = "/spaces/acme/implementations/{id}/documentation/CustomField/Property__c.Price__c"


def test_put_in_a_sandbox_reads_back_everywhere_in_the_implementation_only(
        api_as: Any, retail: Any, retail_models: dict[str, Any], wholesale: Any) -> None:
    other = imported(wholesale, "W prod", "production")
    r = api_as("eddie").call("PUT", URL.format(id=retail.pk).replace("Price__c", "PRICE__C"),
                             {"note": "Asking price", "tags": ["pricing"], "model": retail_models["uat"].pk})
    assert r.status_code == 200, r.json_body
    assert r.json_body["revision"] == 1 and r.json_body["written_in"] == "UAT"
    for model in (retail_models["production"], retail_models["design"]):
        c = api_as("vera").call("GET", f"/models/{model.pk}/components/CustomField/Property__c.Price__c")
        assert c.json_body["documentation"]["note"] == "Asking price"
    c = api_as("alice").call("GET", f"/models/{other.pk}/components/CustomField/Property__c.Price__c")
    assert c.json_body["documentation"] is None
    got = api_as("vera").call("GET", URL.format(id=retail.pk))
    assert {p["name"]: p["status"] for p in got.json_body["presence"]}["Target design"] == "present"
    assert got.json_body["revisions"][0]["author"] == "eddie@example.com"


def test_a_stale_put_is_409_with_the_other_persons_text(api_as: Any, retail: Any, retail_models: dict[str, Any]) -> None:
    url = URL.format(id=retail.pk)
    api_as("eddie").call("PUT", url, {"note": "one"})
    api_as("alice").call("PUT", url, {"note": "alice two", "base_revision": 1})
    r = api_as("eddie").call("PUT", url, {"note": "eddie two", "base_revision": 1})
    assert r.status_code == 409
    err = r.json_body["error"]
    assert err["code"] == "conflict" and err["details"]["their_note"] == "alice two"
    assert err["details"]["changed_by"] == "alice@example.com"


def test_viewers_read_editors_write_other_spaces_see_nothing(api_as: Any, retail: Any,
                                                             retail_models: dict[str, Any]) -> None:
    url = URL.format(id=retail.pk)
    assert api_as("vera").call("PUT", url, {"note": "x"}).status_code == 403
    assert api_as("alice").call("PUT", url, {"note": "x"}).status_code == 200
    assert api_as("vera").call("GET", url).status_code == 200
    assert api_as("mallory").call("GET", url).status_code == 404
    assert api_as("mallory").call("PUT", url, {"note": "y"}).status_code == 404


def test_nothing_is_read_or_written_while_suspended(people: dict[str, Any], api_as: Any, retail: Any,
                                                    retail_models: dict[str, Any]) -> None:
    from orgbook.implementations import lifecycle

    url = URL.format(id=retail.pk)
    api_as("eddie").call("PUT", url, {"note": "x"})
    lifecycle.suspend(retail, people["alice"], "test")
    for method, body in (("GET", None), ("PUT", {"note": "y", "base_revision": 1})):
        r = api_as("alice").call(method, url, body)
        assert r.status_code == 403 and r.json_body["error"]["code"] == "implementation_suspended"
    assert api_as("alice").call("GET", f"/spaces/acme/implementations/{retail.pk}/documentation").status_code == 403


def test_search_finds_documentation_text(api_as: Any, retail: Any, retail_models: dict[str, Any]) -> None:
    api_as("eddie").call("PUT", URL.format(id=retail.pk), {"note": "Used by the **broker commission** flow"})
    base = f"/spaces/acme/implementations/{retail.pk}/documentation"
    found = api_as("vera").call("GET", base + "?q=Commission")
    assert [i["full_name"] for i in found.json_body["items"]] == ["Property__c.Price__c"]
    assert api_as("vera").call("GET", base + "?q=nothing-like-this").json_body["count"] == 0


def test_reference_model_tree_proposed_links_coverage_and_export(api_as: Any, retail: Any,
                                                                 retail_models: dict[str, Any]) -> None:
    base = f"/spaces/acme/implementations/{retail.pk}"
    ref = api_as("eddie").call("POST", base + "/reference-models", {"name": "Processes"}).json_body
    bad = api_as("eddie").call("POST", f"/models/{ref['id']}/tree-import", {"csv": "1,Sales\n3,Deep\n"})
    assert bad.status_code == 400 and bad.json_body["error"]["message"].startswith("Line 2:")
    ok = api_as("eddie").call("POST", f"/models/{ref['id']}/tree-import", {"csv": "1,Sales,§1\n2,Leads\n"})
    assert ok.json_body == {"nodes": 2}
    node = api_as("vera").call("GET", f"/models/{ref['id']}/tree").json_body["nodes"][0]
    link = api_as("eddie").call("POST", base + "/links", {
        "source": {"node": node["id"]},
        "target": {"model": retail_models["production"].pk, "type": "CustomObject", "full_name": "Property__c"},
        "description": "sold here"})
    assert link.status_code == 200, link.json_body
    prop = api_as("eddie").call("POST", f"/models/{ref['id']}/proposed",
                                {"type": "CustomField", "full_name": "Lead.Score__c"})
    assert prop.json_body["status"] == "proposed"
    cov = api_as("vera").call("GET", f"/models/{retail_models['production'].pk}/coverage").json_body
    assert cov["total"] > 0 and cov["undocumented"]
    vera = api_as("vera")
    site = vera.client.get("/api/v1" + base + "/documentation-export?format=html", headers=vera.headers)
    assert site.status_code == 200 and site["Content-Type"] == "application/zip"
    imp = api_as("eddie").call("POST", base + "/documentation-import",
                               {"csv": "type,full_name,note\nCustomField,Lead.Score__c,Planned score\n"})
    assert imp.json_body == {"imported": 1, "unmatched": []}
