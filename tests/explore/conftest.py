from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"
DREAMHOUSE = CORPUS / "trailheadapps__dreamhouse-lwc"


@pytest.fixture
def retail(people: dict[str, Any]) -> Any:
    from orgbook.implementations import lifecycle

    return lifecycle.create_implementation(people["acme"], people["alice"], "Retail")


@pytest.fixture
def dreamhouse(retail: Any) -> Any:
    from orgbook.orgmodels.services import import_path, model_for_import

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
