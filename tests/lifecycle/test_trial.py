from __future__ import annotations

from datetime import timedelta
from typing import Any

import time_machine
from django.utils import timezone

from orgbook.implementations import lifecycle
from orgbook.implementations.models import Implementation


def test_a_trial_space_gets_its_first_implementation_and_one_licence(make_user: Any) -> None:
    owner = make_user("owner@example.com")
    space = lifecycle.create_space("Initech", owner)
    assert space.plan == "trial" and space.connection_licences == 1
    assert [i.name for i in space.implementations.all()] == [lifecycle.TRIAL_IMPLEMENTATION_NAME]
    assert space.trial_ends_at is not None
    assert timedelta(days=13, hours=23) < space.trial_ends_at - timezone.now() <= timedelta(days=14)
    assert not space.has_free_licence()


def test_a_paid_space_starts_with_no_implementation(make_user: Any) -> None:
    space = lifecycle.create_space("Paid", make_user("p@example.com"), plan="paid", licences=4)
    assert space.implementations.count() == 0 and space.free_licences() == 4


def test_a_trial_that_ends_without_renewal_suspends_its_implementation(make_user: Any) -> None:
    space = lifecycle.create_space("Initech", make_user("owner@example.com"))
    with time_machine.travel(space.trial_ends_at + timedelta(minutes=1), tick=False):
        assert lifecycle.expire_trials() == 1
    assert Implementation.objects.get(space=space).is_suspended()


def test_renewing_a_trial_makes_it_paid(make_user: Any) -> None:
    owner = make_user("owner@example.com")
    space = lifecycle.create_space("Initech", owner)
    lifecycle.renew(space, owner, 5)
    space.refresh_from_db()
    assert space.plan == "paid" and space.connection_licences == 5 and space.trial_ends_at is None
