from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail

from orgbook.errors import Conflict, Forbidden, Invalid
from orgbook.spaces import members
from orgbook.spaces.models import AuditEvent, Membership


def test_an_invitation_is_emailed_as_a_link_and_joins_with_its_role(people: dict[str, Any], make_user: Any) -> None:
    invitation = members.invite(people["acme"], "Newbie@Example.com", "editor", people["alice"])
    assert mail.outbox[-1].to == ["newbie@example.com"]
    assert f"/invitations/{invitation.token}/" in mail.outbox[-1].body
    membership = members.accept(invitation.token, make_user("newbie@example.com"))
    assert membership.role == "editor" and membership.space == people["acme"]
    with pytest.raises(Conflict):
        members.accept(invitation.token, make_user("other@example.com"))


def test_an_invitation_works_only_for_the_invited_address(people: dict[str, Any], make_user: Any) -> None:
    invitation = members.invite(people["acme"], "right@example.com", "viewer", people["alice"])
    with pytest.raises(Forbidden, match="for right@example.com"):
        members.accept(invitation.token, make_user("wrong@example.com"))
    assert members.accept(invitation.token, make_user("Right@Example.com")).role == "viewer"


def test_an_expired_invitation_is_refused(people: dict[str, Any], make_user: Any) -> None:
    invitation = members.invite(people["acme"], "late@example.com", "viewer", people["alice"])
    with time_machine.travel(invitation.expires_at + timedelta(seconds=1)), pytest.raises(Invalid, match="expired"):
        members.accept(invitation.token, make_user("late@example.com"))
    assert not Membership.objects.filter(user__email="late@example.com").exists()


def test_the_last_space_admin_cannot_be_removed_or_demoted(people: dict[str, Any]) -> None:
    alice = people["acme"].memberships.get(user=people["alice"])
    with pytest.raises(Conflict, match="last Space admin"):
        members.remove(alice, people["alice"])
    with pytest.raises(Conflict, match="last Space admin"):
        members.change_role(alice, "viewer", people["alice"])
    eddie = people["acme"].memberships.get(user=people["eddie"])
    members.change_role(eddie, "admin", people["alice"])
    members.remove(alice, people["eddie"])
    assert AuditEvent.objects.filter(action="member.removed").count() == 1


def test_an_unknown_role_is_refused(people: dict[str, Any]) -> None:
    with pytest.raises(Invalid, match="Role must be"):
        members.invite(people["acme"], "x@example.com", "owner", people["alice"])
