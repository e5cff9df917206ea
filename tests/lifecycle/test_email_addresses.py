"""An address that is not an email address is refused where Orgbook sends mail to it (an invitation,
the sync summary's recipients) or makes an account with it, by Django's own email rule: the old check
("contains an @") let `ops@`, `@example.com` and `a b@example.com` through, and the mail then failed
later, in a worker, where nobody saw it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client

from orgbook.errors import Invalid
from orgbook.implementations.models import Implementation, OrgConnection
from orgbook.orgmodels.models import SyncRecipients
from orgbook.spaces import members
from orgbook.spaces.models import Invitation

NOT_ADDRESSES = ["ops@", "@example.com", "a b@example.com", "ops@@example.com"]

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("address", NOT_ADDRESSES)
def test_an_invitation_to_something_that_is_not_an_address_is_refused(people: dict[str, Any], address: str) -> None:
    with pytest.raises(Invalid, match="not an email address"):
        members.invite(people["acme"], address, "viewer", people["alice"])
    assert not Invitation.objects.exists() and mail.outbox == []


def test_sync_summary_recipients_must_all_be_addresses(people: dict[str, Any]) -> None:
    impl = Implementation.objects.create(space=people["acme"], name="Retail")
    conn = OrgConnection.objects.create(implementation=impl, kind="production", org_id="00D000000000001AAA")
    client = Client()
    client.force_login(people["alice"])
    path = f"/api/v1/spaces/acme/implementations/{impl.pk}/connections/{conn.pk}/settings"
    answer = client.put(path, {"recipients": ["ana@example.com", "ops@"]}, content_type="application/json")
    assert answer.status_code == 400
    assert "'ops@' is not" in answer.json()["error"]["message"]
    assert not SyncRecipients.objects.filter(connection=conn).exists()

