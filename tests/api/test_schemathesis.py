"""Schemathesis over the live OpenAPI document: every operation, with the personal access tokens of
an admin, an Editor and a Viewer, on a Space holding real data (dreamhouse-lwc imported twice, a
reference model, documentation, a manual link, a webhook, an org connection with its runs). No answer
is a server error, and every answer's status, content type and body are the ones the document
declares.

In-process: the Django WSGI application inside the test's transaction (as Django's test client
runs it), so it needs no server and each example is rolled back before the next one sees the data.
The budget is fixed (EXAMPLES per operation and mode, a fixed seed): `./run tests` and CI run it on
every push, on SQLite and again on PostgreSQL (.ci/run runs every unmarked test on both).
"""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from django.utils import timezone
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.corpus import DREAMHOUSE

pytestmark = pytest.mark.django_db

# Per operation and generation mode: about 700 requests, under a minute on 2 busy cores. A longer
# run (docs/api.md): ORGBOOK_FUZZ_EXAMPLES=40 .venv/bin/pytest tests/api/test_schemathesis.py -s
# -o timeout=2000.
EXAMPLES = int(os.environ.get("ORGBOOK_FUZZ_EXAMPLES", "8"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
COMPONENTS = [("CustomObject", "Property__c"), ("CustomField", "Property__c.Price__c"),
              ("ApexClass", "PropertyController"), ("LightningComponentBundle", "propertyTile"),
              ("Flow", "Create_property")]


@pytest.fixture
def in_test_transaction() -> Iterator[None]:
    """Requests keep the test's database connection, as under Django's test client: without this,
    each request's end closes it (its autocommit differs from the settings inside a transaction)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def local_names_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Webhook URLs are resolved when saved; invented host names must not reach the machine's DNS
    resolver. Literal addresses and localhost still resolve (and are refused as the product says)."""
    real = socket.getaddrinfo

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host in ("localhost",) or _is_address(host):
            return real(host, *args, **kwargs)
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def _is_address(host: Any) -> bool:
    try:
        ipaddress.ip_address(str(host))
    except ValueError:
        return False
    return True


@pytest.fixture
def space(people: dict[str, Any], tmp_path: Path) -> dict[str, list[Any]]:
    """Acme with real content; the values an address may name, by path parameter."""
    from orgbook.documentation import links, trees
    from orgbook.documentation.services import DocumentationEdit, save_documentation
    from orgbook.implementations import lifecycle, vault
    from orgbook.implementations.models import OrgConnection
    from orgbook.orgmodels.models import Webhook
    from orgbook.orgmodels.services import model_for_import
    from orgbook.runs.imports import import_path
    from orgbook.spaces.models import Membership

    alice, acme = people["alice"], people["acme"]
    retail = lifecycle.create_implementation(acme, alice, "Retail")
    production = model_for_import(retail, "Production", "production")
    import_path(production, DREAMHOUSE)
    changed = tmp_path / "dreamhouse"
    shutil.copytree(DREAMHOUSE, changed)
    price = changed / "force-app/main/default/objects/Property__c/fields/Price__c.field-meta.xml"
    price.write_text(price.read_text().replace("<precision>8</precision>", "<precision>10</precision>"))
    sandbox = model_for_import(retail, "Sandbox", "sandbox")
    import_path(sandbox, changed)
    conn = OrgConnection.objects.create(implementation=retail, kind="production", org_id="00D000000000001EAA",
                                        org_name="Acme")
    production.connection = conn
    production.save(update_fields=["connection"])
    blueprint = trees.create_reference_model(alice, retail, "Blueprint")
    node = trees.add_node(alice, blueprint, "Sales", custom_id="S-1", description="Selling houses")
    save_documentation(alice, retail, "CustomObject", "Property__c",
                       DocumentationEdit(note="A house **for sale**.", tags=["core"], owner="eddie@example.com",
                                         links=[{"url": "https://example.com/house", "title": "Spec"}]),
                       model=production)
    link = links.add_link(alice, retail,
                          links.resolve_end(retail, {"model": production.pk, "type": "CustomObject",
                                                     "full_name": "Property__c"}),
                          links.resolve_end(retail, {"node": node.pk}), "uses", "sold by")
    hook = Webhook.objects.create(space=acme, url="https://hooks.example.com/orgbook", events=list(Webhook.EVENTS),
                                  secret_enc=vault.encrypt("s3cret"))
    lifecycle.renew(acme, alice, 3, [], timezone.localdate() + timedelta(days=30))
    return {
        "space": ["acme"], "impl_id": [retail.pk], "model_id": [production.pk, sandbox.pk, blueprint.pk],
        "other_id": [sandbox.pk, production.pk, blueprint.pk], "conn_id": [conn.pk],
        "member_id": list(Membership.objects.filter(space=acme).exclude(user=alice).values_list("pk", flat=True)),
        "hook_id": [hook.pk], "link_id": [link.pk],
    }


def _real_path(names: dict[str, list[Any]], wanted: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Path parameters naming things that exist, so the examples reach past the 404."""
    parts: dict[str, st.SearchStrategy[Any]] = {name: st.sampled_from(names[name]) for name in wanted
                                               if name in names}
    if "type" in wanted:
        pair = st.sampled_from(COMPONENTS)
        return st.tuples(st.fixed_dictionaries(parts), pair).map(
            lambda t: {**t[0], "type": t[1][0], "full_name": t[1][1]})
    return st.fixed_dictionaries(parts)


def test_every_operation_answers_as_its_schema_says_and_never_with_a_server_error(
        people: dict[str, Any], space: dict[str, list[Any]], in_test_transaction: None,
        local_names_only: None) -> None:
    from orgbook.spaces.models import PersonalAccessToken

    # Mostly the Space admin (every operation goes through), sometimes an Editor or a Viewer (the 403s).
    tokens = [PersonalAccessToken.issue(people[name], "schemathesis")[1] for name in ("alice", "eddie", "vera")]
    callers = st.sampled_from([tokens[0], tokens[0], tokens[1], tokens[2]])
    app = get_wsgi_application()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    tried: Counter[str] = Counter()
    statuses: Counter[int] = Counter()
    failures: list[str] = []
    started = time.monotonic()
    for operation in operations:
        wanted = [p.name for p in operation.path_parameters]
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            generated = operation.as_strategy(generation_mode=mode)
            real = _real_path(space, wanted).flatmap(
                lambda path, mode=mode: operation.as_strategy(generation_mode=mode, path_parameters=path))
            strategy = st.one_of(real, real, real, generated) if wanted else generated

            @settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                      phases=[Phase.explicit, Phase.generate, Phase.shrink],
                      suppress_health_check=list(HealthCheck))
            @given(case=strategy, token=callers)
            def check(case: schemathesis.Case, token: str) -> None:
                headers = {"Authorization": f"Bearer {token}"}
                case.headers = {**(case.headers or {}), **headers}
                with transaction.atomic():
                    response = case.call()
                    transaction.set_rollback(True)
                tried[operation.label] += 1
                statuses[response.status_code] += 1
                case.validate_response(response, checks=CHECKS, headers=headers)

            try:
                check()
            except (Exception, BaseExceptionGroup) as exc:  # every operation is tried; the failures are listed together
                failures.append(f"{operation.label} ({mode.value}): {exc}")
    print(f"\nschemathesis: {len(operations)} operations, {sum(tried.values())} examples, "
          f"statuses {dict(sorted(statuses.items()))}, {time.monotonic() - started:.1f} s")
    assert len(operations) >= 43
    assert failures == [], "\n\n".join(failures)
