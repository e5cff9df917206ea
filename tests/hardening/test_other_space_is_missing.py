"""Another Space's objects answer exactly as missing ones do, so an id tells an outsider nothing:
once another Space's model answered "No such Space." where a missing one said "No such org model."."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import get_resolver

from orgbook.implementations import lifecycle
from orgbook.orgmodels.services import model_for_import
from orgbook.runs.imports import import_path
from tests.api.conftest import ApiClient
from tests.corpus import DREAMHOUSE

from .test_no_server_errors import _patterns

pytestmark = pytest.mark.django_db
MISSING = 999_999_999


def _error_text(response: Any) -> str:
    """What the answer says: the JSON error, or the page's lead paragraph and heading."""
    if response["Content-Type"].startswith("application/json"):
        return str(response.json()["error"])
    page = response.content.decode()
    return " ".join(re.findall(r"<h1>(.*?)</h1>|<p class=\"lead\">(.*?)</p>", page, flags=re.S).__str__().split())


def test_a_model_of_another_space_answers_like_a_missing_one_on_every_model_route(people: dict[str, Any]) -> None:
    retail = lifecycle.create_implementation(people["acme"], people["alice"], "Retail")
    theirs = model_for_import(retail, "Production", "production")
    import_path(theirs, DREAMHOUSE)
    routes = [r for r in _patterns(get_resolver()) if "model_id" in r]
    assert len(routes) > 15
    web = Client(raise_request_exception=False)
    web.force_login(people["mallory"])  # admin of Globex, not a member of Acme
    api = ApiClient(people["mallory"])
    differing = []
    for route in routes:
        pairs = []
        for model_id in (theirs.pk, MISSING):
            values = {"model_id": model_id, "other_id": model_id, "slug": "globex", "type": "CustomObject",
                      "full_name": "Property__c", "fmt": "csv", "view_id": 1, "link_id": 1}
            path = "/" + re.sub(r"<(?:\w+:)?(\w+)>|\{(?:\w+:)?(\w+)\}",
                                lambda m: str(values.get(m.group(1) or m.group(2), "x")), route)
            if path.startswith("/api/"):
                response = api.call("get", path.removeprefix("/api/v1") + "?q=price")
            else:
                response = web.get(path)
            pairs.append((response.status_code, _error_text(response)))
        if pairs[0] != pairs[1]:
            differing.append((route, pairs))
        assert pairs[0][0] in (404, 405), (route, pairs)
    assert differing == []
