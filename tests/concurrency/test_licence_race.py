"""Two admins, one licence left, real parallel HTTP requests: exactly one create succeeds."""

from __future__ import annotations

import threading
from typing import Any

import pytest
import requests

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_exactly_one_of_two_parallel_creates_takes_the_last_licence(live_server: Any, people: dict[str, Any]) -> None:
    from django.db import connection

    from orgbook.implementations import lifecycle
    from orgbook.implementations.models import Implementation
    from orgbook.spaces.models import Membership, PersonalAccessToken, Role

    assert connection.vendor == "postgresql", "run with DATABASE_URL=postgres://..."
    acme = people["acme"]
    Membership.objects.filter(space=acme, user=people["eddie"]).update(role=Role.ADMIN)
    for name in ("A", "B"):
        lifecycle.create_implementation(acme, people["alice"], name)
    tokens = [PersonalAccessToken.issue(people[who], "race")[1] for who in ("alice", "eddie")]

    for attempt in range(5):  # several rounds so a lucky interleaving cannot hide a race
        barrier = threading.Barrier(2)
        results: list[int] = []

        def create(token: str, name: str) -> None:
            barrier.wait()
            r = requests.post(f"{live_server.url}/api/v1/spaces/acme/implementations",
                              json={"name": name}, headers={"Authorization": f"Bearer {token}"}, timeout=30)
            results.append(r.status_code)

        threads = [threading.Thread(target=create, args=(t, f"C{attempt}-{i}")) for i, t in enumerate(tokens)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(results) == [201, 409]
        assert Implementation.objects.filter(space=acme, status="active").count() == 3
        Implementation.objects.filter(name__startswith=f"C{attempt}-").delete()
