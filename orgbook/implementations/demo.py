"""The demo Space a newcomer can click through (`orgbook serve --demo`)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from orgbook.implementations import lifecycle
from orgbook.spaces.models import Membership, Role, Space

DEMO_EMAIL = "demo@orgbook.local"
DEMO_PASSWORD = "orgbook-demo"  # noqa: S105  (a published demo login, shown on the login page)
DEMO_SPACE = "Demo Space"


@transaction.atomic
def ensure_demo() -> Space:
    """Create the demo user and Space once; later calls change nothing."""
    User = get_user_model()
    user = User.objects.filter(email=DEMO_EMAIL).first()
    if user is None:
        user = User.objects.create_user(username=DEMO_EMAIL, email=DEMO_EMAIL, password=DEMO_PASSWORD)
    space = Space.objects.filter(memberships__user=user, name=DEMO_SPACE).first()
    if space is not None:
        return space
    space = lifecycle.create_space(DEMO_SPACE, user, plan="paid", licences=3)
    # No pretend connections: `orgbook serve --demo` runs the Salesforce emulator, whose production org
    # "Acme Retail" and sandbox "uat" a newcomer connects here through Connect Org.
    lifecycle.create_implementation(space, user, "Acme Retail",
                                    "The retail business unit: connect its production org and the UAT sandbox.")
    lifecycle.create_implementation(space, user, "Acme Services", "The services business unit (no org connected yet).")
    for email, role in (("viewer@orgbook.local", Role.VIEWER), ("editor@orgbook.local", Role.EDITOR)):
        member: Any = User.objects.filter(email=email).first() or User.objects.create_user(
            username=email, email=email, password=DEMO_PASSWORD)
        Membership.objects.get_or_create(space=space, user=member, defaults={"role": role})
    return space
