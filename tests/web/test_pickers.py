"""Pickers: a metadata type from a list, a model from the Space's models grouped by implementation,
a component by name with suggestions from /m/<id>/component-options/ (checked like every page of the
model: another Space's answers 404)."""

from __future__ import annotations

from typing import Any

from django.test import Client

from orgbook.implementations import lifecycle
from orgbook.orgmodels.models import OrgModel


def _datalist(html: str, list_id: str) -> str:
    start = html.index(f'<datalist id="{list_id}">')
    return html[start:html.index("</datalist>", start)]


def test_a_proposed_component_type_is_picked_from_the_types_orgbook_knows(web_as: Any, retail: Any) -> None:
    model = OrgModel.objects.create(implementation=retail, name="To-be", kind="reference")
    html = web_as("eddie").get(f"/d/s/acme/m/{model.pk}/tree/").content.decode()
    assert 'list="proposed-type-options"' in html
    options = _datalist(html, "proposed-type-options")
    assert '<option value="CustomField">' in options and '<option value="Flow">' in options


def test_a_link_picks_its_type_from_the_models_types_and_its_model_from_the_implementation(
        web_as: Any, dreamhouse: Any) -> None:
    html = web_as("eddie").get(f"/m/{dreamhouse.pk}/c/CustomField/Property__c.Price__c").content.decode()
    types = _datalist(html, "link-type-options")
    assert '<option value="ApexClass">' in types and '<option value="Widget">' not in types
    assert f'<option value="{dreamhouse.pk}" selected>Dreamhouse</option>' in html
    # The component box asks the server for suggestions as it is typed in (htmx, progressive).
    assert f'hx-get="/m/{dreamhouse.pk}/component-options/"' in html and 'list="link-name-options"' in html


def test_component_suggestions_match_what_was_typed(web_as: Any, dreamhouse: Any) -> None:
    response = web_as("vera").get(f"/m/{dreamhouse.pk}/component-options/",
                                  {"target_full_name": "propertycontr", "target_type": "ApexClass"})
    assert response.status_code == 200
    body = response.content.decode()
    assert '<option value="PropertyController">ApexClass</option>' in body
    assert "Broker__c" not in body
    every = web_as("vera").get(f"/m/{dreamhouse.pk}/component-options/", {"q": "Broker"}).content.decode()
    assert '<option value="Broker__c">CustomObject</option>' in every


def test_another_spaces_model_answers_404(people: dict[str, Any], dreamhouse: Any) -> None:
    mallory = Client()
    mallory.force_login(people["mallory"])
    assert mallory.get(f"/m/{dreamhouse.pk}/component-options/", {"q": "Broker"}).status_code == 404
    # Nor can a model of one's own Space be used to read another Space's model as the far end.
    lab = lifecycle.create_implementation(people["globex"], people["mallory"], "Lab")
    own = OrgModel.objects.create(implementation=lab, name="Sketch", kind="reference")
    response = mallory.get(f"/m/{own.pk}/component-options/", {"q": "Broker", "target_model": dreamhouse.pk})
    assert response.status_code == 404 and b"Broker__c" not in response.content


def test_the_compare_picker_groups_the_spaces_models_by_implementation(web_as: Any, people: dict[str, Any],
                                                                      retail: Any, dreamhouse: Any) -> None:
    service = lifecycle.create_implementation(people["acme"], people["alice"], "Service")
    OrgModel.objects.create(implementation=service, name="Field ops", kind="reference")
    OrgModel.objects.create(implementation=retail, name="Design", kind="reference")
    html = web_as("vera").get(f"/m/{dreamhouse.pk}/compare/").content.decode()
    assert '<optgroup label="Retail">' in html and '<optgroup label="Service">' in html
    assert html.index("Design (Reference model)") < html.index('<optgroup label="Service">') < html.index("Field ops")
    unchosen = web_as("vera").get(f"/m/{dreamhouse.pk}/compare/", {"with": ""}).content.decode()
    assert "Choose the model to compare with." in unchosen
