"""Help texts and errors are read with their field: every aria-describedby on every form the product
renders names an element that is in the page (Django names <auto_id>_helptext and <auto_id>_error)."""

from __future__ import annotations

from typing import Any

from django.test import Client

from orgbook.orgmodels.models import OrgModel
from tests.web.forms_html import dangling, read


def _pages(people: dict[str, Any], retail: Any, dreamhouse: Any) -> list[str]:
    reference = OrgModel.objects.create(implementation=retail, name="To-be", kind="reference")
    m = dreamhouse.pk
    return [
        "/spaces/new/", "/account/tokens/", "/s/acme/implementations/new/",
        f"/s/acme/implementations/{retail.pk}/edit/", f"/s/acme/implementations/{retail.pk}/delete/",
        "/s/acme/connect/implementation/?kind=sandbox", "/s/acme/subscription/", "/s/acme/members/",
        f"/d/s/acme/i/{retail.pk}/reference-models/new/", f"/d/s/acme/i/{retail.pk}/import/",
        f"/d/s/acme/m/{reference.pk}/tree/", f"/uploads/s/acme/i/{retail.pk}/",
        f"/m/{m}/c/CustomField/Property__c.Price__c", f"/m/{m}/compare/", f"/m/{m}/",
        f"/d/s/acme/m/{m}/c/CustomField/Property__c.Price__c/",
    ]


def test_every_help_text_a_form_points_at_is_in_the_page(people: dict[str, Any], retail: Any,
                                                         dreamhouse: Any, settings: Any) -> None:
    settings.ORGBOOK_SIGNUP = "open"  # the Create a Space and sign-up forms show
    client = Client()
    client.force_login(people["alice"])
    pages = _pages(people, retail, dreamhouse)
    described = 0
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert dangling(html) == [], url
        described += len(read(html).described)
    assert described >= 20  # the pages do describe their fields
    anonymous = Client()
    for url in ("/signup/", "/login/"):
        assert dangling(anonymous.get(url).content.decode()) == [], url


def test_a_help_text_is_read_with_its_field(people: dict[str, Any], retail: Any) -> None:
    client = Client()
    client.force_login(people["alice"])
    html = client.get(f"/d/s/acme/i/{retail.pk}/reference-models/new/").content.decode()
    assert 'aria-describedby="id_name_helptext"' in html and 'id="id_name_helptext"' in html


def test_errors_are_read_with_their_field_after_a_bad_submit(people: dict[str, Any], retail: Any,
                                                             dreamhouse: Any) -> None:
    client = Client()
    client.force_login(people["alice"])
    sent = [
        (f"/d/s/acme/i/{retail.pk}/reference-models/new/", {"name": ""}),
        (f"/m/{dreamhouse.pk}/links/add/", {"type": "CustomField", "full_name": "Property__c.Price__c",
                                            "target_type": "ApexClass", "target_full_name": "Nope"}),
        ("/s/acme/subscription/renew/", {"connection_licences": "-1"}),
    ]
    for url, body in sent:
        response = client.post(url, body)
        assert response.status_code == 400, url
        html = response.content.decode()
        assert dangling(html) == [], url
        assert read(html).invalid, url  # the field in error says so (aria-invalid)
        assert "_error" in html, url
