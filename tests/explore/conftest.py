from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from tests.corpus import DREAMHOUSE, PMM, imported


@pytest.fixture
def programs(people: Any) -> Any:
    """PMM as the production org of a second implementation of the same Space."""
    from orgbook.implementations import lifecycle

    return imported(lifecycle.create_implementation(people["acme"], people["alice"], "Programs"),
                    "PMM", "production", PMM)


def by_kind(lines: Iterable[Any]) -> dict[str, set[tuple[str, str]]]:
    """Compared lines as {kind: {(type, full name)}}, every kind present."""
    from orgbook.orgmodels import compare

    found: dict[str, set[tuple[str, str]]] = {k: set() for k in compare.KINDS}
    for ln in lines:
        found[ln.kind].add((ln.type, ln.full_name))
    return found


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
