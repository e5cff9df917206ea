"""A suspended implementation's content is locked on every route, web and API, GET and POST: one
check (`access.get_implementation` / `get_connection`) decides, and no view may skip it. Once
disconnect bypassed it and deleted a suspended org's connection and model."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import get_resolver

from orgbook.documentation import links
from orgbook.implementations import lifecycle
from orgbook.implementations.models import OrgConnection
from orgbook.orgmodels.models import OrgModel
from orgbook.orgmodels.services import model_for_import
from orgbook.runs.imports import import_path
from tests.api.conftest import ApiClient
from tests.corpus import DREAMHOUSE

from .test_no_server_errors import _patterns

pytestmark = pytest.mark.django_db

# Routes about an implementation that stay open while it is suspended: they are the way out
# (reactivate, delete) or show it greyed with its deletion date (the list, its panel), and renaming
# it touches no content; an org's sync state (orgmodels/syncstate.py) says "Suspended" there, as the
# card does, and the page after a first sync shows that state too. Everything else that names its
# content must refuse.
OPEN_WHILE_SUSPENDED = {
    "orgs/s/<slug:slug>/connections/<id:conn_id>/sync-status/",
    "orgs/s/<slug:slug>/connections/<id:conn_id>/first-sync/",
    "s/<slug:slug>/implementations/<id:impl_id>/panel/",
    "s/<slug:slug>/implementations/<id:impl_id>/edit/",
    "s/<slug:slug>/implementations/<id:impl_id>/delete/",
    "s/<slug:slug>/implementations/<id:impl_id>/reactivate/",
    "api/v1/spaces/<space>/implementations/<id:impl_id>",
    "api/v1/spaces/<space>/implementations/<id:impl_id>/reactivate",
}
BODY = {"name": "Renamed", "description": "", "body": "A note", "tags": [], "recipients": [], "type": "CustomObject",
        "full_name": "Property__c", "title": "Step", "parent": None, "label": "Step", "rows": [], "csv": "a,b\n",
        "source": {"model": 1, "type": "CustomObject", "full_name": "Property__c"},
        "target": {"model": 1, "type": "CustomObject", "full_name": "Broker__c"}}
CONTENT_PARAMS = ("impl_id", "model_id", "other_id", "conn_id", "run_id", "link_id", "view_id")


@pytest.fixture
def suspended(people: dict[str, Any]) -> dict[str, Any]:
    """Acme's Retail, with an org connection, an imported model and a manual link, suspended by a
    renewal to one licence that keeps Wholesale."""
    retail = lifecycle.create_implementation(people["acme"], people["alice"], "Retail")
    wholesale = lifecycle.create_implementation(people["acme"], people["alice"], "Wholesale")
    conn = OrgConnection.objects.create(implementation=retail, kind="production", org_id="00D000000000001AAA",
                                        org_name="Retail Prod")
    model = model_for_import(retail, "Design", "reference")
    import_path(model, DREAMHOUSE)
    ends = [links.resolve_end(retail, {"model": model.pk, "type": "CustomObject", "full_name": name})
            for name in ("Property__c", "Broker__c")]
    link = links.add_link(people["alice"], retail, *ends)
    lifecycle.renew(people["acme"], people["alice"], 1, keep=[wholesale.pk])
    retail.refresh_from_db()
    assert retail.is_suspended()
    return {"impl": retail, "conn": conn, "model": model, "link": link, "run": model.runs.first()}


def _fill(route: str, found: dict[str, Any]) -> str:
    values = {"slug": "acme", "space": "acme", "impl_id": found["impl"].pk, "model_id": found["model"].pk,
              "other_id": found["model"].pk, "conn_id": found["conn"].pk, "run_id": found["run"].pk,
              "link_id": found["link"].pk, "view_id": 1, "type": "CustomObject", "full_name": "Property__c",
              "fmt": "csv"}

    def value(match: re.Match[str]) -> str:
        return str(values.get(match.group(1) or match.group(2), "x"))

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>|\{(?:\w+:)?(\w+)\}", value, route)


def test_every_content_route_of_a_suspended_implementation_refuses(people: dict[str, Any],
                                                                   suspended: dict[str, Any]) -> None:
    routes = [r for r in _patterns(get_resolver())
              if any(p in r for p in CONTENT_PARAMS) and r not in OPEN_WHILE_SUSPENDED]
    assert len(routes) > 25
    web = Client(raise_request_exception=False)
    web.force_login(people["alice"])  # a Space admin: the lock is for everyone
    api = ApiClient(people["alice"])
    api.client = Client(raise_request_exception=False)
    answered, wrong = [], []
    for route in routes:
        path = _fill(route, suspended)
        for method in ("get", "post", "put", "patch", "delete"):
            if path.startswith("/api/"):
                # A plausible query and body, so that no validation answers before the lock would.
                response = api.call(method, path.removeprefix("/api/v1") + "?q=price", BODY if method != "get" else None)
                locked = response.status_code == 403 and response.json_body["error"]["code"] == "implementation_suspended"
            elif method in ("get", "post"):
                response = getattr(web, method)(path, {"confirm": "Retail Prod"} if method == "post" else None)
                locked = response.status_code == 403 and "is suspended" in response.content.decode()
            else:
                continue
            if response.status_code != 405:
                answered.append((method, path))
                if not locked:
                    wrong.append((method, path, response.status_code, response.content[:160]))
    assert not wrong, "\n".join(map(str, wrong))
    assert len(answered) > 40
    # Nothing was changed by any of them: the connection, the model, the link and the run are all there.
    assert OrgConnection.objects.filter(pk=suspended["conn"].pk).exists()
    assert OrgModel.objects.filter(pk=suspended["model"].pk).exists()
    assert type(suspended["link"]).objects.filter(pk=suspended["link"].pk).exists()


def test_a_suspended_orgs_sync_state_says_suspended_and_stops_polling(people: dict[str, Any],
                                                                        suspended: dict[str, Any]) -> None:
    client = Client()
    client.force_login(people["alice"])
    conn = suspended["conn"]
    for route in ("sync-status", "first-sync"):
        page = client.get(f"/orgs/s/acme/connections/{conn.pk}/{route}/")
        assert page.status_code == 200 and 'data-phase="suspended"' in page.content.decode()
        assert "hx-trigger" not in page.content.decode()  # settled: nothing polls
