"""Errors are pages a person can act on, with the right status."""

from __future__ import annotations

from typing import Any

from tests.web.conftest import text


def test_unknown_address_is_a_friendly_404(web_as: Any, people: Any) -> None:
    response = web_as("alice").get("/no/such/page/")
    assert response.status_code == 404
    assert "We could not find that page" in text(response) and "Back to your Spaces" in text(response)


def test_unknown_implementation_in_your_space_is_404(web_as: Any, people: Any) -> None:
    response = web_as("alice").get("/s/acme/implementations/999999/edit/")
    assert response.status_code == 404
    assert "No such implementation." in text(response)


def test_forbidden_page_names_the_role_and_what_to_do(web_as: Any, people: Any) -> None:
    response = web_as("vera").get("/s/acme/connect/")
    assert response.status_code == 403
    page = text(response)
    assert "Your role in Acme (Viewer) cannot connect org. Ask a Space admin." in page
    assert "A Space admin can do it, or change your role." in page
