"""A component's page: attributes by type, XML, Setup link, dependencies both ways with `where`,
impact at a chosen depth, the re-rootable graph, and history with semantic and XML diffs."""

from __future__ import annotations

import re
from typing import Any

from orgbook.orgmodels import impact
from orgbook.runs.imports import import_path

from .conftest import change_price_precision, copy_corpus


def _page(client: Any, model: Any, type_: str, name: str, **params: Any) -> str:
    r = client.get(f"/m/{model.pk}/c/{type_}/{name}", params)
    assert r.status_code == 200, r.content[:500]
    return str(r.content.decode())


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#x27;", "'")


def test_a_field_shows_its_attributes_by_type(dreamhouse: Any, web_as: Any) -> None:
    text = _text(_page(web_as("vera"), dreamhouse, "CustomField", "Property__c.Price__c"))
    assert "Asking Price" in text and "Type Currency" in text and "Precision 8" in text and "Scale 0" in text
    assert "Required No" in text
    lookup = _text(_page(web_as("vera"), dreamhouse, "CustomField", "Property__c.Broker__c"))
    assert "Lookup to Broker__c" in lookup


def test_a_flow_shows_type_status_trigger_object_and_elements(dreamhouse: Any, web_as: Any) -> None:
    flow = dreamhouse.components.get(type="Flow", name_key="create_property")
    text = _text(_page(web_as("vera"), dreamhouse, "Flow", "Create_property"))
    assert f"Type {flow.attributes['processType']}" in text and f"Status {flow.attributes['status']}" in text
    assert "recordCreates" in text


def test_the_page_names_uses_and_where_used_grouped_by_type_with_the_place(dreamhouse: Any, web_as: Any) -> None:
    html = _page(web_as("vera"), dreamhouse, "CustomField", "Property__c.Price__c")
    where_used = html.split("<h2>Where used</h2>")[1].split("</section>")[0]
    text = _text(where_used)
    for group in ("CompactLayout", "Flow", "Layout", "ListView", "PermissionSet"):
        assert f"{group} " in text
    assert "Create_property recordCreates:create_property" in text
    assert "Property__c-Property Layout layoutItems" in text
    uses = _text(html.split("<h2>Uses</h2>")[1].split("<h2>Where used</h2>")[0])
    assert "CustomObject" in uses and "Property__c" in uses


def test_where_used_on_the_corpus_for_an_object_and_a_lookup(dreamhouse: Any) -> None:
    broker = dreamhouse.components.get(type="CustomObject", name_key="broker__c")
    users = {(e.type, e.full_name) for e in impact.used_by(broker)}
    assert ("CustomField", "Property__c.Broker__c") in users  # the lookup's referenceTo
    assert ("CustomField", "Broker__c.Broker_Id__c") in users  # a child depends on its object
    lookup = dreamhouse.components.get(type="CustomField", name_key="property__c.broker__c")
    assert ("CustomObject", "Broker__c") in {(e.type, e.full_name) for e in impact.uses(lookup)}


def test_impact_walks_where_used_to_the_chosen_depth_once_per_component(dreamhouse: Any) -> None:
    one = impact.impact(dreamhouse, "CustomObject", "Broker__c", 1)
    three = impact.impact(dreamhouse, "CustomObject", "Broker__c", 3)
    assert {e.depth for e in one} == {1} and len(three) > len(one)
    assert max(e.depth for e in three) >= 2
    keys = [(e.type, e.full_name.lower()) for e in three]
    assert len(keys) == len(set(keys)) and ("CustomObject", "broker__c") not in keys
    deeper = next(e for e in three if e.depth == 2)
    assert deeper.via in {e.full_name for e in three if e.depth == 1}


def test_impact_depth_is_chosen_on_the_page_and_in_the_api(dreamhouse: Any, web_as: Any) -> None:
    html = _page(web_as("vera"), dreamhouse, "CustomObject", "Broker__c", depth=3)
    assert 'name="depth" value="3"' in html  # the depth box shows the depth shown
    api = web_as("vera").get(f"/api/v1/models/{dreamhouse.pk}/impact/CustomObject/Broker__c", {"depth": 3}).json()
    assert api["depth"] == 3 and api["count"] == len(impact.impact(dreamhouse, "CustomObject", "Broker__c", 3))
    missing = web_as("vera").get(f"/api/v1/models/{dreamhouse.pk}/impact/CustomObject/Nope__c")
    assert missing.status_code == 404


def test_the_graph_is_svg_and_every_node_re_roots_it(dreamhouse: Any, web_as: Any) -> None:
    html = _page(web_as("vera"), dreamhouse, "CustomField", "Property__c.Price__c")
    svg = html.split('<svg class="dep-graph"')[1].split("</svg>")[0]
    assert f'href="/m/{dreamhouse.pk}/c/Flow/Create_property#graph"' in svg
    assert f'href="/m/{dreamhouse.pk}/c/CustomObject/Property__c#graph"' in svg
    assert "node-root" in svg and "node-used_by" in svg and "node-uses" in svg
    rerooted = _page(web_as("vera"), dreamhouse, "Flow", "Create_property")
    assert 'aria-label="Dependencies of Create_property"' in rerooted


def test_history_shows_the_semantic_and_the_xml_diff(dreamhouse: Any, web_as: Any, tmp_path: Any) -> None:
    root = copy_corpus(tmp_path)
    change_price_precision(root, 10)
    import_path(dreamhouse, root)
    html = _page(web_as("vera"), dreamhouse, "CustomField", "Property__c.Price__c")
    history = html.split('id="history"')[1].split("</section>")[0]
    assert "Updated" in history and "version 2" in history
    assert re.search(r"<code>precision</code></td><td class=\"before\">8</td><td class=\"after\">10</td>", history)
    xml = history.split('class="xml-diff"')[1]
    assert 'class="diff"' in xml and "before v2" in xml
    assert re.search(r"&lt;precision&gt;<span class=\"diff_(chg|sub)\">8</span>", xml)
    assert re.search(r"&lt;precision&gt;<span class=\"diff_(chg|add)\">10</span>", xml)


def test_raw_xml_and_no_setup_link_for_an_imported_model(dreamhouse: Any, web_as: Any) -> None:
    html = _page(web_as("vera"), dreamhouse, "CustomField", "Property__c.Price__c")
    assert "&lt;precision&gt;8&lt;/precision&gt;" in html.split('id="xml"')[1]
    assert "Open in Salesforce Setup" not in html  # an import has no org to open


def test_setup_links_follow_salesforce_setup(dreamhouse: Any) -> None:
    from types import SimpleNamespace

    from orgbook.web.views.models import setup_url

    model: Any = SimpleNamespace(connection=SimpleNamespace(instance_url="https://acme.my.salesforce.com/",
                                                            my_domain=""))
    field = dreamhouse.components.get(type="CustomField", name_key="property__c.price__c")
    assert setup_url(model, field) == \
        "https://acme.my.salesforce.com/lightning/setup/ObjectManager/Property__c/FieldsAndRelationships/view"
    field.sf_id = "00N000000000001"
    assert setup_url(model, field).endswith("/ObjectManager/Property__c/FieldsAndRelationships/00N000000000001/view")
    obj = dreamhouse.components.get(type="CustomObject", name_key="property__c")
    assert setup_url(model, obj).endswith("/lightning/setup/ObjectManager/Property__c/Details/view")


def test_an_unknown_component_is_a_friendly_404(dreamhouse: Any, web_as: Any) -> None:
    r = web_as("vera").get(f"/m/{dreamhouse.pk}/c/CustomField/Property__c.Nope__c")
    assert r.status_code == 404 and b"No CustomField called Property__c.Nope__c" in r.content
