"""A form sent with a mistake comes back as the same page: the reason under the field, in the
product's words (what to do), and what was typed still in the boxes."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile

from orgbook.orgmodels.models import OrgModel
from orgbook.web.forms import OrgbookForm
from tests.web.conftest import text


def _under(html: str, field_id: str) -> str:
    """The error text under one field (web/_field.html's <auto_id>_error)."""
    start = html.index(f'id="{field_id}_error"')
    return text_of(html[start:html.index("</div>", start)])


def text_of(fragment: str) -> str:
    import re

    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment.split(">", 1)[1])).strip()


def test_django_defaults_are_replaced_by_what_to_do() -> None:
    class Sample(OrgbookForm):
        name = forms.CharField(max_length=3)
        count = forms.IntegerField(min_value=0, max_value=9)
        when = forms.DateField()
        pick = forms.ChoiceField(choices=[("a", "A")])

    form = Sample({"name": "toolong", "count": "-1", "when": "soon", "pick": "z"})
    assert not form.is_valid()
    assert form.errors == {
        "name": ["Shorten it to 3 characters or fewer (it has 7)."], "count": ["Give a number of 0 or more."],
        "when": ["Give a date, like 2026-12-31."], "pick": ["Pick one of the options in the list."]}
    empty = Sample({})
    assert not empty.is_valid()
    assert empty.errors["name"] == ["Fill in “Name”: it is needed."]
    assert empty.errors["pick"] == ["Choose an option for “Pick”."]
    assert "This field is required." not in str(empty.errors)


def test_a_message_a_field_declares_is_kept() -> None:
    class Own(OrgbookForm):
        name = forms.CharField(error_messages={"required": "Name the view."})

    assert Own({}).errors["name"] == ["Name the view."]


def test_a_nameless_reference_model_comes_back_with_the_reason_under_the_name(web_as: Any, retail: Any) -> None:
    response = web_as("alice").post(f"/d/s/acme/i/{retail.pk}/reference-models/new/", {"name": "  "})
    assert response.status_code == 400
    html = response.content.decode()
    assert _under(html, "id_name") == "Fill in “Name”: it is needed."
    assert 'aria-invalid="true"' in html and "message-error" not in html  # under the field, not a banner


def test_a_taken_name_keeps_what_was_typed(web_as: Any, retail: Any, dreamhouse: Any) -> None:
    response = web_as("alice").post(f"/d/s/acme/i/{retail.pk}/reference-models/new/", {"name": "Dreamhouse"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="Dreamhouse"' in html
    assert _under(html, "id_name") == "Retail already has a model called Dreamhouse."


def test_a_tree_node_too_short_keeps_its_fields(web_as: Any, retail: Any) -> None:
    model = OrgModel.objects.create(implementation=retail, name="To-be", kind="reference")
    response = web_as("eddie").post(f"/d/s/acme/m/{model.pk}/tree/", {"form": "node", "name": "S",
                                                                     "custom_id": "§9", "description": "Sales"})
    assert response.status_code == 400
    html = response.content.decode()
    assert _under(html, "node-name") == "Make it at least 2 characters long (it has 1)."
    assert 'value="§9"' in html and "Sales</textarea>" in html


def test_an_unknown_proposed_type_is_said_under_the_type(web_as: Any, retail: Any) -> None:
    model = OrgModel.objects.create(implementation=retail, name="To-be", kind="reference")
    response = web_as("eddie").post(f"/d/s/acme/m/{model.pk}/tree/", {"form": "proposed", "type": "Widget",
                                                                     "full_name": "Gizmo__c"})
    html = response.content.decode()
    assert "not a Salesforce metadata type" in _under(html, "proposed-type")
    assert 'value="Widget"' in html and 'value="Gizmo__c"' in html


def test_a_link_to_nothing_is_said_under_the_component_typed(web_as: Any, dreamhouse: Any) -> None:
    response = web_as("eddie").post(f"/m/{dreamhouse.pk}/links/add/", {
        "type": "CustomField", "full_name": "Property__c.Price__c", "direction": "used_by",
        "target_model": dreamhouse.pk, "target_type": "ApexClass", "target_full_name": "NoSuchClass",
        "description": "kept"})
    assert response.status_code == 400
    html = response.content.decode()
    assert _under(html, "link-target_full_name").startswith("No ApexClass called NoSuchClass")
    assert 'value="NoSuchClass"' in html and 'value="kept"' in html
    assert '<option value="used_by" selected>' in html


def test_a_negative_impact_depth_is_said_under_the_depth(web_as: Any, dreamhouse: Any) -> None:
    response = web_as("vera").get(f"/m/{dreamhouse.pk}/c/CustomObject/Broker__c", {"depth": "-1"})
    assert response.status_code == 200  # the page still shows, at the usual depth
    html = response.content.decode()
    assert _under(html, "id_depth") == "Give a number of 1 or more."
    assert 'name="depth" value="-1"' in html
    assert "up to 2 steps" in text(response)


def test_an_upload_without_a_file_keeps_the_model_name(web_as: Any, retail: Any) -> None:
    response = web_as("eddie").post(f"/uploads/s/acme/i/{retail.pk}/", {"model": "Design", "kind": "reference"})
    assert response.status_code == 400
    html = response.content.decode()
    assert _under(html, "file") == "Choose a file."
    assert 'value="Design"' in html


def test_a_documentation_import_without_a_file_says_choose_one(web_as: Any, retail: Any) -> None:
    response = web_as("alice").post(f"/d/s/acme/i/{retail.pk}/import/", {})
    assert response.status_code == 400
    assert _under(response.content.decode(), "id_file") == "Choose a file."
    bad = SimpleUploadedFile("docs.csv", b"\x00\x01not,csv", content_type="text/csv")
    assert web_as("alice").post(f"/d/s/acme/i/{retail.pk}/import/", {"file": bad}).status_code in (200, 400)


def test_a_bad_tag_is_said_under_the_tags_with_the_note_kept(web_as: Any, dreamhouse: Any) -> None:
    url = f"/d/s/acme/m/{dreamhouse.pk}/c/CustomField/Property__c.Price__c/"
    response = web_as("eddie").post(url, {"note": "Asking price", "tags": "<bad>", "base_revision": "0"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "is not valid" in _under(html, "doc-tags")
    assert "Asking price</textarea>" in html and 'value="&lt;bad&gt;"' in html


def test_forms_leave_checking_to_the_product(web_as: Any, retail: Any, dreamhouse: Any) -> None:
    """`novalidate`: the browser's own bubble never stands in for the product's message."""
    model = OrgModel.objects.create(implementation=retail, name="To-be", kind="reference")
    for url in (f"/d/s/acme/i/{retail.pk}/reference-models/new/", f"/d/s/acme/m/{model.pk}/tree/",
                f"/uploads/s/acme/i/{retail.pk}/", f"/m/{dreamhouse.pk}/c/CustomField/Property__c.Price__c"):
        html = web_as("alice").get(url).content.decode()
        forms_sent = [chunk for chunk in html.split("<form")[1:] if 'method="post"' in chunk[:200]
                      and "logout" not in chunk[:200] and "delete" not in chunk[:200]]
        assert forms_sent and all("novalidate" in chunk[:300] for chunk in forms_sent), url


def test_a_dictionary_filter_it_cannot_use_is_said_under_the_filter(web_as: Any, dreamhouse: Any) -> None:
    response = web_as("vera").get(f"/m/{dreamhouse.pk}/", {"since_version": "0", "changed_since": "yesterday",
                                                            "type": "CustomObject"})
    assert response.status_code == 200  # the grid still shows, without those two filters
    html = response.content.decode()
    assert _under(html, "filter-since_version") == "Give a number of 1 or more."
    assert _under(html, "filter-changed_since") == "Give a date, like 2026-12-31."
    assert 'value="yesterday"' in html and '<option value="CustomObject" selected>' in html
