"""An error inside a Space keeps the Space in the top bar, with its navigation, for its members; an
address in a Space the person is not in says nothing of it (404, no name, no navigation). A server error
(500) too, unless the database is what failed: then a plain page, which reads nothing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.test import Client

FAILS = "tests.web.raising_urls"  # Orgbook's routes and /s/<slug>/fails/, /fails/, which raise


def space_nav(html: str) -> str:
    return html.split('<nav class="tabs" aria-label="Space">', 1)[1].split("</nav>", 1)[0] if 'aria-label="Space"' in html else ""


def test_a_404_inside_your_space_keeps_it_and_its_navigation(web_as: Any, people: Any) -> None:
    for path in ("/s/acme/implementations/999999/edit/", "/s/acme/no-such-page/"):
        response = web_as("alice").get(path)
        html = response.content.decode()
        assert response.status_code == 404, path
        assert 'href="/s/acme/members/"' in space_nav(html), path
        assert "Choose a Space" not in html and "· Acme · Orgbook</title>" in html, path


def test_a_403_keeps_the_space(web_as: Any, people: Any) -> None:
    response = web_as("vera").get("/s/acme/connect/")
    assert response.status_code == 403
    assert 'href="/s/acme/subscription/"' in space_nav(response.content.decode())


def test_another_spaces_address_reveals_nothing_of_it(web_as: Any, people: Any) -> None:
    client = web_as("alice")
    client.get("/s/acme/")  # her last Space, remembered
    for path in ("/s/globex/", "/s/globex/members/", "/s/globex/no-such-page/"):
        response = client.get(path)
        html = response.content.decode()
        assert response.status_code == 404, path
        assert "Globex" not in html and "globex" not in html.replace(path, ""), path
        assert not space_nav(html), path


def test_a_page_that_names_no_space_keeps_the_one_you_were_in(web_as: Any, people: Any) -> None:
    client = web_as("alice")
    assert "Choose a Space" in client.get("/account/tokens/").content.decode()  # none visited yet
    client.get("/s/acme/members/")
    html = client.get("/account/tokens/").content.decode()
    assert "Choose a Space" not in html and 'href="/s/acme/members/"' in space_nav(html)
    # Someone who is no longer a member is not shown the Space they remember.
    people["acme"].memberships.filter(user=people["alice"]).delete()
    assert "Acme" not in client.get("/account/tokens/").content.decode()


@pytest.fixture
def failing_as(people: Any, settings: Any) -> Callable[[str], Client]:
    """A signed-in client that gets the 500 page as a browser does (not the exception)."""
    settings.ROOT_URLCONF = FAILS

    def make(name: str) -> Client:
        client = Client(raise_request_exception=False)
        client.force_login(people[name])
        return client

    return make


def test_a_500_inside_your_space_keeps_it_and_its_navigation(failing_as: Any) -> None:
    response = failing_as("alice").get("/s/acme/fails/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in html and "· Acme · Orgbook</title>" in html
    assert 'href="/s/acme/members/"' in space_nav(html) and 'href="/s/acme/audit/"' in space_nav(html)
    assert "alice@example.com" in html  # the account menu: the person is still signed in


def test_a_500_on_a_page_that_names_no_space_keeps_the_one_you_were_in(failing_as: Any) -> None:
    client = failing_as("vera")
    client.get("/s/acme/")
    html = client.get("/fails/").content.decode()
    assert 'href="/s/acme/changes/"' in space_nav(html) and 'href="/s/acme/audit/"' not in html  # a viewer's


def test_a_500_in_another_spaces_address_reveals_nothing_of_it(failing_as: Any) -> None:
    html = failing_as("alice").get("/s/globex/fails/").content.decode()
    assert "Something went wrong on our side" in html and "Globex" not in html and not space_nav(html)


def test_with_the_database_down_the_500_page_is_plain_and_still_answers(failing_as: Any) -> None:
    client = failing_as("alice")
    client.get("/s/acme/")

    def down(*args: Any) -> Any:
        raise OperationalError("connection refused")

    with connection.execute_wrapper(down):  # every query the request makes fails, as with the server down
        response = client.get("/s/acme/fails/")
    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in html and "Back to your Spaces" in html
    assert not space_nav(html) and "Acme" not in html
