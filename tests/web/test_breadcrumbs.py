"""A model's and a component's pages say where they are: Space › Implementation › Org (its kind, and a
sandbox's name) › Type › Component, each step a link back up."""

from __future__ import annotations

import re
from typing import Any


def trail(html: str) -> list[tuple[str, str]]:
    nav = html.split('<nav class="breadcrumbs" aria-label="Breadcrumb">', 1)[1].split("</nav>", 1)[0]
    return [(href, re.sub(r"<[^>]+>", "", label).strip())
            for href, label in re.findall(r'<li>(?:<a href="([^"]*)">)?(.*?)(?:</a>)?</li>', nav)]


def test_a_components_page_names_space_implementation_org_type_and_component(
    web_as: Any, dreamhouse: Any, retail: Any,
) -> None:
    m = dreamhouse.pk
    html = web_as("alice").get(f"/m/{m}/c/CustomField/Property__c.Price__c").content.decode()
    assert trail(html) == [
        ("/s/acme/", "Acme"), (f"/s/acme/?impl={retail.pk}", "Retail"),
        (f"/m/{m}/", "Production: Dreamhouse"), (f"/m/{m}/?type=CustomField", "CustomField"),
        ("", "Asking Price"),
    ]


def test_a_sandbox_is_named_in_the_trail(web_as: Any, retail: Any) -> None:
    from orgbook.orgmodels.services import model_for_import
    from orgbook.runs.imports import import_path
    from tests.corpus import DREAMHOUSE

    uat = model_for_import(retail, "UAT", "sandbox")
    import_path(uat, DREAMHOUSE)
    html = web_as("vera").get(f"/m/{uat.pk}/").content.decode()
    assert [label for _, label in trail(html)] == ["Acme", "Retail", "Sandbox: UAT"]
    assert '<li class="trail-note">version 1</li>' in html


def test_the_documentation_page_leads_back_to_its_component(web_as: Any, dreamhouse: Any) -> None:
    m = dreamhouse.pk
    html = web_as("alice").get(f"/d/s/acme/m/{m}/c/CustomField/Property__c.Price__c/").content.decode()
    assert trail(html)[-2:] == [(f"/m/{m}/c/CustomField/Property__c.Price__c", "Property__c.Price__c"),
                                ("", "Documentation")]
