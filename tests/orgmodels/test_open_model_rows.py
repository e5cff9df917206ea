"""The org model a page opens and the person's memberships are read with one hand-written join each
(orgbook/rows.py): they carry the same values, of the same Python types, as the ORM reads, on both
databases (SQLite's dates come back as text and PostgreSQL's JSON as a string unless converted)."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Model

from orgbook.errors import NotFound
from orgbook.implementations import lifecycle
from orgbook.implementations.models import Implementation, OrgConnection
from orgbook.orgmodels.models import OrgModel
from orgbook.orgmodels.services import open_model
from orgbook.spaces.models import Space
from orgbook.spaces.permissions import memberships_of

pytestmark = pytest.mark.django_db


def _values(obj: Model) -> dict[str, Any]:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def _same(loaded: Model, expected: Model) -> None:
    got, want = _values(loaded), _values(expected)
    assert got == want
    assert {k: type(v) for k, v in got.items()} == {k: type(v) for k, v in want.items()}


@pytest.fixture
def setup() -> dict[str, Any]:
    alice = get_user_model().objects.create_user(username="alice@example.com", email="alice@example.com")
    acme = lifecycle.create_space("Acme", alice, plan="paid", licences=2, time_zone="Europe/Paris")
    zeta = lifecycle.create_space("Zeta", alice, plan="paid", licences=1)
    retail = lifecycle.create_implementation(acme, alice, "Retail", "Stores")
    Implementation.objects.filter(pk=retail.pk).update(purge_warnings_sent=[30, 7])
    conn = OrgConnection.objects.create(
        implementation=retail, kind="production", org_id="00D000000000001", org_name="Retail Prod",
        refresh_token_enc=b"\x00secret", sync_time=time(23, 15),
        sync_lease_until=datetime(2026, 11, 29, 6, 0, tzinfo=UTC))
    synced = OrgModel.objects.create(implementation=retail, name="Production", kind="production", connection=conn,
                                     version=3, last_synced_at=datetime(2026, 11, 28, 22, 5, 7, 123456, tzinfo=UTC))
    imported = OrgModel.objects.create(implementation=retail, name="Reference", kind="reference")
    return {"alice": alice, "spaces": [acme, zeta], "synced": synced, "imported": imported}


def test_the_opened_model_has_the_orms_values_with_its_implementation_space_and_connection(setup: dict[str, Any]) -> None:
    model, membership = open_model(setup["alice"], setup["synced"].pk, with_connection=True)
    expected = OrgModel.objects.select_related("implementation__space", "connection").get(pk=setup["synced"].pk)
    _same(model, expected)
    _same(model.implementation, expected.implementation)
    _same(model.implementation.space, expected.implementation.space)
    assert model.connection is not None and expected.connection is not None
    _same(model.connection, expected.connection)
    assert model.implementation.purge_warnings_sent == [30, 7]
    assert model.last_synced_at == datetime(2026, 11, 28, 22, 5, 7, 123456, tzinfo=UTC)
    assert bytes(model.connection.refresh_token_enc) == b"\x00secret"
    assert membership.space == model.implementation.space and membership.role == "admin"


def test_a_model_without_a_connection_opens_with_none(setup: dict[str, Any], django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(2):  # the model with its implementation, Space and (no) connection; memberships
        model, _ = open_model(setup["alice"], setup["imported"].pk, with_connection=True)
        assert model.connection is None
        assert model.implementation.space.name == "Acme"


def test_a_missing_model_is_not_found(setup: dict[str, Any]) -> None:
    with pytest.raises(NotFound):
        open_model(setup["alice"], setup["imported"].pk + 1000)


def test_memberships_have_the_orms_values_and_come_by_space_name(setup: dict[str, Any]) -> None:
    found = memberships_of(setup["alice"])
    assert [m.space.name for m in found] == ["Acme", "Zeta"]
    for membership in found:
        expected = type(membership).objects.select_related("space").get(pk=membership.pk)
        _same(membership, expected)
        _same(membership.space, expected.space)
        assert isinstance(membership.space, Space) and membership.user == setup["alice"]
