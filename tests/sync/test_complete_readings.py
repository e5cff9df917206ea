"""Issue 19, point 1, for connected orgs: a full sync that reads nothing keeps the model (an org
never has no components), a sync that removes a few still does, and the org's model takes no
upload or import (only its syncs change it)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client

from orgbook.errors import IncompleteReading
from orgbook.orgmodels.models import Component, OrgModel, SyncRun
from orgbook.runs.syncs import sync_connection
from tests.corpus import DREAMHOUSE
from tests.orgmodels.conftest import model_digest


def test_a_full_sync_that_reads_nothing_fails_and_keeps_the_model(connected: Any, emu: Any) -> None:
    sync_connection(connected, "first")
    model = connected.org_model
    for type_, full_name in Component.objects.filter(model=model, parent_type="").values_list("type", "full_name"):
        emu.delete_component("acme", type_, full_name)
    before = model_digest(model)
    with pytest.raises(IncompleteReading, match="Read no components"):
        sync_connection(connected, "manual", full=True)
    assert model_digest(model) == before
    assert SyncRun.objects.filter(model=model).latest("id").status == "failed"


def test_a_sync_may_still_remove_many_components(connected: Any, emu: Any) -> None:
    """The share rule is an import's: the org decides what was deleted."""
    sync_connection(connected, "first")
    fields = list(Component.objects.filter(model=connected.org_model, type="CustomField").values_list(
        "full_name", flat=True))
    for name in fields:
        emu.delete_component("acme", "CustomField", name)
    assert sync_connection(connected, "manual", full=True).removed == len(fields) > 25


def test_the_orgs_model_takes_no_upload_or_import(connected: Any, people: dict[str, Any]) -> None:
    sync_connection(connected, "first")
    model = connected.org_model
    before = model_digest(model)
    client = Client()
    client.force_login(people["eddie"])
    upload = SimpleUploadedFile("empty.zip", b"PK\x05\x06" + b"\x00" * 18, content_type="application/zip")
    r = client.post(f"/uploads/s/acme/i/{connected.implementation_id}/", {"model": model.name, "file": upload})
    assert r.status_code == 400 and "model of a connected org" in r.content.decode()
    with pytest.raises(CommandError, match="model of a connected org"):
        call_command("import", str(DREAMHOUSE), "--space", "acme", "--implementation", "Retail", "--model",
                     model.name, stdout=io.StringIO())
    assert model_digest(model) == before
    assert OrgModel.objects.filter(implementation=connected.implementation).count() == 1
