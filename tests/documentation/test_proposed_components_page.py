"""Proposing a component by hand from the model's page, then documenting it."""

from __future__ import annotations

from typing import Any

from django.test import Client

from orgbook.documentation.models import ProposedComponent
from orgbook.orgmodels.models import OrgModel


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_editor_proposes_a_component_and_it_is_listed(people: dict[str, Any], retail: Any) -> None:
    model = OrgModel.objects.create(implementation=retail, name="To-be", kind="reference")
    url = f"/d/s/acme/m/{model.pk}/tree/"
    r = _client(people["eddie"]).post(url, {"form": "proposed", "type": "CustomField",
                                            "full_name": "Property__c.Commission__c", "label": "Commission"})
    assert r.status_code == 302
    assert ProposedComponent.objects.filter(model=model, name_key="property__c.commission__c").exists()
    page = _client(people["vera"]).get(url).content.decode()
    assert "Property__c.Commission__c" in page and "Propose</button>" not in page  # viewers read only


def test_an_unknown_type_is_refused_with_the_reason(people: dict[str, Any], retail: Any) -> None:
    model = OrgModel.objects.create(implementation=retail, name="To-be", kind="reference")
    r = _client(people["eddie"]).post(f"/d/s/acme/m/{model.pk}/tree/", {"form": "proposed", "type": "Widget",
                                                                       "full_name": "X"})
    assert r.status_code == 400 and "not a Salesforce metadata type" in r.content.decode()
    assert not ProposedComponent.objects.exists()


def test_a_proposed_component_can_be_documented_from_the_list(people: dict[str, Any], retail: Any) -> None:
    model = OrgModel.objects.create(implementation=retail, name="To-be", kind="reference")
    _client(people["eddie"]).post(f"/d/s/acme/m/{model.pk}/tree/", {"form": "proposed", "type": "CustomField",
                                                                   "full_name": "Property__c.Commission__c"})
    eddie = _client(people["eddie"])
    doc_url = f"/d/s/acme/m/{model.pk}/c/CustomField/Property__c.Commission__c/"
    assert doc_url in eddie.get(f"/d/s/acme/m/{model.pk}/tree/").content.decode()  # the list links to it
    assert "Save documentation" in eddie.get(doc_url).content.decode()
    saved = eddie.post(doc_url, {"note": "Paid to the **broker** on closing", "base_revision": "0"})
    assert saved.status_code == 302
    page = _client(people["vera"]).get(doc_url).content.decode()
    assert "<strong>broker</strong>" in page  # the note is there for everyone in the Space
