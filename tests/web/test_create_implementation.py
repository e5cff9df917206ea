"""Creating an implementation from the page: it appears in the list, or the page says why not."""

from __future__ import annotations

from typing import Any

from orgbook.implementations.models import Implementation
from tests.web.conftest import text


def test_admin_creates_an_implementation_and_sees_it_selected(web_as: Any, people: Any) -> None:
    client = web_as("alice")
    response = client.post("/s/acme/implementations/new/", {"name": "  Retail EMEA ", "description": "EU stores"}, follow=True)
    impl = Implementation.objects.get(space=people["acme"], name="Retail EMEA")
    assert response.redirect_chain[-1][0] == f"/s/acme/?impl={impl.pk}"
    page = text(response)
    assert "Implementation Retail EMEA created" in page
    assert "No production org connected" in page
    assert "1 of 3 connection licences in use" in page


def test_empty_name_is_refused_with_the_rule(web_as: Any, people: Any) -> None:
    response = web_as("alice").post("/s/acme/implementations/new/", {"name": "   ", "description": ""})
    assert response.status_code == 400
    assert "Give the implementation a name (1 to 80 characters)." in text(response)
    assert not Implementation.objects.filter(space=people["acme"]).exists()


def test_duplicate_name_ignoring_case_is_refused(web_as: Any, acme_impls: Any) -> None:
    response = web_as("alice").post("/s/acme/implementations/new/", {"name": "RETAIL"})
    assert response.status_code == 400
    assert "already exists in this Space (names ignore case)" in text(response)


def test_no_free_licence_says_so_with_counts_and_what_to_do(web_as: Any, acme_impls: Any, people: Any) -> None:
    client = web_as("alice")
    assert client.post("/s/acme/implementations/new/", {"name": "Third"}).status_code == 302
    response = client.post("/s/acme/implementations/new/", {"name": "Fourth"})
    page = text(response)
    assert response.status_code == 400
    assert "All 3 connection licence(s) are in use by 3 active implementation(s)" in page
    assert "Delete an implementation you no longer need, or renew the subscription with more licences" in page
    assert not Implementation.objects.filter(name="Fourth").exists()
    assert "No connection licence is free" in text(client.get("/s/acme/implementations/new/"))
