"""The implementations page costs the same number of queries for 1 or 20 implementations (no N+1)."""

from __future__ import annotations

from typing import Any

from orgbook.implementations import lifecycle
from orgbook.implementations.models import OrgConnection

# session, user, membership (permission check), implementations, their connections, the Space switcher.
MAX_QUERIES = 7  # the selected implementation's org models add one, whatever the number of cards


def fill(people: Any, count: int) -> None:
    acme = people["acme"]
    acme.connection_licences = count
    acme.save()
    for n in range(count):
        impl = lifecycle.create_implementation(acme, people["alice"], f"Impl {n:02}")
        OrgConnection.objects.create(implementation=impl, kind="production", org_id=f"00D{n:015}", org_name=f"Prod {n}")
        for s in range(2):
            OrgConnection.objects.create(implementation=impl, kind="sandbox", org_id=f"00D{n:012}{s:03}", sandbox_name=f"dev{s}")
    lifecycle.renew(acme, people["alice"], count - 2)  # two suspended ones, with banners


def test_one_implementation(web_as: Any, people: Any, django_assert_max_num_queries: Any) -> None:
    fill(people, 3)
    client = web_as("alice")
    with django_assert_max_num_queries(MAX_QUERIES):
        assert client.get("/s/acme/").status_code == 200


def test_twenty_implementations_cost_no_more(web_as: Any, people: Any, django_assert_max_num_queries: Any) -> None:
    fill(people, 20)
    client = web_as("alice")
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get("/s/acme/")
    assert response.content.count(b'class="impl-card') == 20
    cards = response.content.split(b'class="impl-card', 1)[1].split(b'class="panel', 1)[0]
    assert cards.count(b"dev1") == 20  # every card shows its sandbox
