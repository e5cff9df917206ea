from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from tests.corpus import DREAMHOUSE


@pytest.fixture
def retail(people: dict[str, Any]) -> Any:
    from orgbook.implementations import lifecycle

    return lifecycle.create_implementation(people["acme"], people["alice"], "Retail")


@pytest.fixture
def dreamhouse(retail: Any) -> Any:
    from orgbook.orgmodels.services import model_for_import
    from orgbook.runs.imports import import_path

    model = model_for_import(retail, "Dreamhouse", "production")
    import_path(model, DREAMHOUSE)
    return model


@pytest.fixture
def as_user(people: dict[str, Any]) -> Any:
    def make(name: str) -> Client:
        client = Client()
        client.force_login(people[name])
        return client

    return make


def copy_corpus(tmp_path: Path) -> Path:
    """A writable copy of the dreamhouse project, to change and import as a second version or model."""
    import shutil

    dest = tmp_path / "dreamhouse"
    shutil.copytree(DREAMHOUSE, dest)
    return dest


FIELDS = "force-app/main/default/objects/Property__c/fields"


def change_price_precision(root: Path, precision: int) -> None:
    f = root / FIELDS / "Price__c.field-meta.xml"
    f.write_text(f.read_text().replace("<precision>8</precision>", f"<precision>{precision}</precision>"))


def add_field(root: Path, name: str, label: str) -> None:
    (root / FIELDS / f"{name}.field-meta.xml").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">'
        f"<fullName>{name}</fullName><label>{label}</label><type>Text</type><length>40</length></CustomField>\n")


def make_component(model: Any, type_: str, full_name: str, label: str = "", namespace: str = "",
                   parent: str = "", **extra: Any) -> Any:
    """A component written directly (for shapes the corpus lacks: packages, many rows)."""
    import zlib

    from orgbook.orgmodels.models import Component

    return Component.objects.create(
        model=model, type=type_, full_name=full_name, name_key=full_name.lower(), label=label, namespace=namespace,
        parent_type="CustomObject" if parent else "", parent_key=parent.lower(),
        definition_z=zlib.compress(f"<{type_}>{full_name}</{type_}>".encode()), content_hash=full_name,
        added_version=model.version or 1, changed_version=model.version or 1, **extra)
