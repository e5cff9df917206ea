"""An error inside a Space keeps the Space in the top bar, with its navigation, for its members; an
address in a Space the person is not in says nothing of it (404, no name, no navigation)."""

from __future__ import annotations

from typing import Any


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
