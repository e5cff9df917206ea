"""With no connection licence free, "New implementation" says so before the form: disabled, with
the reason and a link to Subscription; the form page says it too and offers no live Create button.
Before, the refusal came only after the form was filled in."""

from __future__ import annotations

import re
from typing import Any

import pytest

from orgbook.implementations import lifecycle
from tests.web.conftest import text

pytestmark = pytest.mark.django_db


def new_implementation_action(html: str) -> str:
    found = re.search(r'<div class="actions">(.*?)</div>', html, re.S)
    assert found
    return found.group(1)


def test_the_action_is_live_while_a_licence_is_free(web_as: Any, acme_impls: Any) -> None:
    action = new_implementation_action(web_as("alice").get("/s/acme/").content.decode())
    assert '<a class="button" href="/s/acme/implementations/new/">New implementation</a>' in action
    assert "No connection licence is free" not in action


def test_with_none_free_the_action_is_disabled_with_the_reason_and_a_link(web_as: Any, acme_impls: Any,
                                                                          people: Any) -> None:
    lifecycle.create_implementation(people["acme"], people["alice"], "Third")
    html = web_as("alice").get("/s/acme/").content.decode()
    action = new_implementation_action(html)
    assert 'href="/s/acme/implementations/new/"' not in action
    assert re.search(r"<button[^>]*disabled[^>]*>New implementation</button>", action)
    assert "No connection licence is free." in text_of(action)
    assert 'href="/s/acme/subscription/"' in action


def test_the_form_page_says_it_too(web_as: Any, acme_impls: Any, people: Any) -> None:
    lifecycle.create_implementation(people["acme"], people["alice"], "Third")
    response = web_as("alice").get("/s/acme/implementations/new/")
    page = text(response)
    assert "No connection licence is free, so a new implementation cannot be created now." in page
    html = response.content.decode()
    assert 'href="/s/acme/subscription/"' in html
    assert re.search(r'<button class="button primary" type="submit" disabled', html)


def text_of(fragment: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment)).strip()
