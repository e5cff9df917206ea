"""What an offline browser needs is served by Orgbook itself: the API docs' Swagger UI files, the icon,
and a way to find the API docs. (tests/browser/test_offline.py opens every page in Chromium.)"""

from __future__ import annotations

import re
from typing import Any

from django.test import Client


def fetched_addresses(html: str) -> list[str]:
    """What a browser would fetch for the page: its scripts, stylesheets and icons."""
    tags = re.findall(r"<(?:script|link)\b[^>]*>", html)
    return [m.group(1) for tag in tags if (m := re.search(r'\b(?:src|href)="([^"]+)"', tag))]


def test_the_api_docs_load_swagger_ui_from_orgbooks_own_static_files(client: Client, db: Any) -> None:
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    addresses = fetched_addresses(response.content.decode())
    assert {"/static/ninja/swagger-ui-bundle.js", "/static/ninja/swagger-ui.css"} <= set(addresses)
    for address in addresses:
        assert address.startswith("/static/"), address
        # The test client goes through whitenoise's middleware, as `orgbook serve` does.
        served = client.get(address)
        assert served.status_code == 200, address
        served.close()


def test_favicon_ico_sends_browsers_to_the_svg_every_page_links(client: Client, db: Any) -> None:
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/orgbook/favicon.svg"
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    assert icon["Content-Type"].startswith("image/svg+xml")
    icon.close()
    assert 'rel="icon" href="/static/orgbook/favicon.svg"' in client.get("/login/").content.decode()


def test_the_tokens_page_links_to_the_api_docs(web_as: Any, people: Any) -> None:
    assert 'href="/api/v1/docs"' in web_as("alice").get("/account/tokens/").content.decode()
