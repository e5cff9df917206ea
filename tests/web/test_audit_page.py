"""The audit log page: newest first, paged, filtered by action."""

from __future__ import annotations

from typing import Any

from orgbook.implementations import lifecycle
from tests.web.conftest import text


def rows(response: Any) -> str:
    """The table's rows, without the filters above them."""
    return text(response).split("What happened Details", 1)[1]


def test_newest_first_with_who_what_before_after(web_as: Any, acme_impls: Any, people: Any) -> None:
    lifecycle.update_implementation(acme_impls["retail"], people["alice"], name="Retail EU")
    page = rows(web_as("alice").get("/s/acme/audit/"))
    changed = "alice@example.com changed the implementation Retail EU: name from “Retail” to “Retail EU”."
    assert changed in page
    assert page.index(changed) < page.index("alice@example.com created the implementation Retail.")
    row = page[page.index(changed):]
    assert "Before name Retail" in row and "After name Retail EU" in row


def test_paged_and_filtered(web_as: Any, people: Any) -> None:
    acme = people["acme"]
    acme.connection_licences = 30
    acme.save()
    for n in range(30):
        lifecycle.create_implementation(acme, people["alice"], f"Impl {n:02}")
    client = web_as("alice")
    first = rows(client.get("/s/acme/audit/?action=implementation.created"))
    assert "Page 1 of 2" in first and "Impl 29" in first and "Impl 00" not in first
    second = rows(client.get("/s/acme/audit/?action=implementation.created&page=2"))
    assert "Impl 00" in second and "created the Space" not in second
    assert "alice@example.com created the Space Acme (paid plan, 3 licences)." in rows(
        client.get("/s/acme/audit/?action=space.created"))
