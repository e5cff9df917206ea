"""Another Space's pages and objects answer 404 everywhere, with a page that says what to do."""

from __future__ import annotations

from typing import Any

import pytest

from orgbook.spaces.models import Membership
from tests.web.conftest import text

ACME_GETS = [
    "/s/acme/", "/s/acme/implementations/new/", "/s/acme/connect/", "/s/acme/connect/implementation/?kind=production",
    "/s/acme/subscription/", "/s/acme/members/", "/s/acme/audit/", "/s/acme/changes/", "/s/acme/changes.csv",
]


@pytest.mark.parametrize("path", ACME_GETS)
def test_pages_of_a_space_you_are_not_in_are_404(web_as: Any, acme_impls: Any, path: str) -> None:
    response = web_as("mallory").get(path)
    assert response.status_code == 404
    page = text(response)
    assert "No such Space." in page
    assert "ask one of its Space admins to invite you" in page
    assert "Retail" not in page


def test_every_implementation_url_of_another_space_is_404(web_as: Any, acme_impls: Any, people: Any) -> None:
    pk = acme_impls["retail"].pk
    mallory = web_as("mallory")
    for method, path in [
        ("get", f"/s/acme/implementations/{pk}/edit/"), ("get", f"/s/acme/implementations/{pk}/delete/"),
        ("post", f"/s/acme/implementations/{pk}/delete/"), ("post", f"/s/acme/implementations/{pk}/reactivate/"),
        ("get", f"/s/acme/implementations/{pk}/panel/"), ("get", f"/s/acme/connect/next/?kind=sandbox&impl={pk}"),
        ("post", "/s/acme/subscription/renew/"), ("post", "/s/acme/members/invite/"),
        # Mallory's own Space slug with Acme's object ids: still not found.
        ("get", f"/s/globex/implementations/{pk}/edit/"), ("post", f"/s/globex/implementations/{pk}/delete/"),
        ("get", f"/s/globex/?impl={pk}"),
    ]:
        response = getattr(mallory, method)(path, {"confirm": "Retail"} if method == "post" else None)
        if path == f"/s/globex/?impl={pk}":
            assert "Retail" not in text(response)
            continue
        assert response.status_code == 404, path


def test_members_of_another_space_cannot_be_changed(web_as: Any, people: Any) -> None:
    vera = Membership.objects.get(user=people["vera"])
    mallory = web_as("mallory")
    assert mallory.post(f"/s/globex/members/{vera.pk}/remove/", {"confirm": "remove"}).status_code == 404
    assert mallory.post(f"/s/globex/members/{vera.pk}/role/", {"role": "admin"}).status_code == 404
    assert Membership.objects.filter(pk=vera.pk, role="viewer").exists()


def test_the_space_switcher_lists_only_your_spaces(web_as: Any, people: Any) -> None:
    page = text(web_as("mallory").get("/s/globex/"))
    assert "Globex" in page and "Acme" not in page
