"""The component page's cached parts (orgbook/web/pagecache.py) never show anything stale or another
person's: a new version, a documentation edit, a manual link, a role change and a suspension show on
the very next request, on the cache the embedded default really uses (files in the data directory)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from orgbook.implementations import lifecycle
from orgbook.runs.imports import import_path
from orgbook.spaces import members
from orgbook.spaces.models import Membership, Role

from .conftest import change_price_precision, copy_corpus
from .test_query_counts import WARM_COMPONENT_MAX

PRICE = "CustomField/Property__c.Price__c"


@pytest.fixture(autouse=True)
def file_cache(settings: Any, tmp_path: Path) -> Path:
    """The embedded default's backend (see test_settings_choose_the_cache), in this test's own folder."""
    folder = tmp_path / "cache"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
                                   "LOCATION": str(folder), "OPTIONS": {"MAX_ENTRIES": 3000}}}
    return folder


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _page(client: Client, model: Any, what: str = PRICE, **params: Any) -> str:
    r = client.get(f"/m/{model.pk}/c/{what}", params)
    assert r.status_code == 200
    return r.content.decode()


def _section(page: str, name: str) -> str:
    start = page.index(f'<section id="{name}"')
    return page[start:page.index("</section>", start)]


def test_the_second_request_reads_the_cache_and_shows_the_same_page(people: dict[str, Any], dreamhouse: Any,
                                                                     file_cache: Path,
                                                                     django_assert_max_num_queries: Any) -> None:
    vera = _client(people["vera"])
    first = _page(vera, dreamhouse)
    assert any(file_cache.iterdir())
    with django_assert_max_num_queries(WARM_COMPONENT_MAX) as ctx:  # no dependency, impact or history queries
        second = _page(vera, dreamhouse)
    tables = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "orgmodels_componentchange" not in tables and "orgmodels_dependency" not in tables
    assert _section(first, "attributes") == _section(second, "attributes")
    assert _section(first, "graph") == _section(second, "graph")


def test_a_new_version_shows_at_once(people: dict[str, Any], dreamhouse: Any, tmp_path: Path) -> None:
    vera = _client(people["vera"])
    before = _page(vera, dreamhouse)
    assert "<dt>Precision</dt><dd>8</dd>" in _section(before, "attributes")
    folder = copy_corpus(tmp_path)
    change_price_precision(folder, 12)
    import_path(dreamhouse, folder)
    after = _page(vera, dreamhouse)
    assert "<dt>Precision</dt><dd>12</dd>" in _section(after, "attributes")
    assert "precision" in _section(after, "history")  # the change is listed with its diff


def test_a_documentation_edit_and_a_manual_link_show_at_once(people: dict[str, Any], dreamhouse: Any) -> None:
    vera, eddie = _client(people["vera"]), _client(people["eddie"])
    _page(vera, dreamhouse)
    r = eddie.post(f"/d/s/acme/m/{dreamhouse.pk}/c/{PRICE}/", {"note": "Asking **price** in euros",
                                                                 "base_revision": "0"})
    assert r.status_code == 302
    assert "<strong>price</strong> in euros" in _page(vera, dreamhouse)
    eddie.post(f"/m/{dreamhouse.pk}/links/add/", {
        "type": "CustomField", "full_name": "Property__c.Price__c", "direction": "uses",
        "target_model": dreamhouse.pk, "target_type": "ApexClass", "target_full_name": "PropertyController",
        "description": "priced in the controller"})
    page = _page(vera, dreamhouse)
    assert "manual link: priced in the controller" in _section(page, "dependencies")
    assert "PropertyController" in _section(page, "graph")


def test_roles_and_suspension_are_checked_on_every_request(people: dict[str, Any], dreamhouse: Any,
                                                           retail: Any) -> None:
    vera = _client(people["vera"])
    assert "Add link" not in _page(vera, dreamhouse)  # a viewer gets no editing forms
    membership = Membership.objects.get(space=people["acme"], user=people["vera"])
    members.change_role(membership, Role.EDITOR, by=people["alice"])
    assert "Add link" in _page(vera, dreamhouse)  # same cached parts, the editor's forms around them
    members.change_role(Membership.objects.get(pk=membership.pk), Role.VIEWER, by=people["alice"])
    assert "Add link" not in _page(vera, dreamhouse)
    assert _client(people["mallory"]).get(f"/m/{dreamhouse.pk}/c/{PRICE}").status_code == 404  # another Space
    lifecycle.suspend(retail, people["alice"], "trial ended")
    assert vera.get(f"/m/{dreamhouse.pk}/c/{PRICE}").status_code == 403


def test_a_recreated_model_with_the_same_id_never_reads_the_old_ones_pages(people: dict[str, Any],
                                                                          dreamhouse: Any) -> None:
    """A database recreated beside an old cache folder hands out the same ids again."""
    from orgbook.web import pagecache

    key = pagecache.model_key(dreamhouse)
    dreamhouse.created_at = dreamhouse.created_at.replace(microsecond=(dreamhouse.created_at.microsecond + 1) % 10**6)
    assert pagecache.model_key(dreamhouse) != key


def test_dates_follow_the_space_time_zone(people: dict[str, Any], dreamhouse: Any, tmp_path: Path) -> None:
    """History times are rendered into the cached part, in the Space's time zone: a Space admin who
    changes the zone sees the times in the new one at once, not a cached page in the old one."""
    folder = copy_corpus(tmp_path)
    change_price_precision(folder, 12)
    run = import_path(dreamhouse, folder)
    # A time to show: an import's change carries none from Salesforce. (The XML diff's anchors once
    # differed on every rendering and hid that this page showed no time at all.)
    run.changes.update(at=datetime(2026, 3, 1, 12, 0, tzinfo=UTC))
    vera = _client(people["vera"])
    utc = _section(_page(vera, dreamhouse), "history")
    assert "1 Mar 2026, 12:00" in utc
    space = dreamhouse.implementation.space
    space.time_zone = "Pacific/Auckland"
    space.save()
    auckland = _section(_page(vera, dreamhouse), "history")
    assert "2 Mar 2026, 01:00" in auckland and "1 Mar 2026, 12:00" not in auckland
    assert auckland == _section(_page(vera, dreamhouse), "history")


@pytest.mark.parametrize(("redis_url", "backend"), [
    ("", "django.core.cache.backends.filebased.FileBasedCache"),
    ("redis://127.0.0.1:6379/3", "orgbook.rediscache.ResilientRedisCache"),
])
def test_settings_choose_the_cache(tmp_path: Path, redis_url: str, backend: str) -> None:
    env = {**os.environ, "ORGBOOK_DATA_DIR": str(tmp_path), "ORGBOOK_REDIS_URL": redis_url,
           "DJANGO_SETTINGS_MODULE": "orgbook.settings"}
    out = subprocess.run([sys.executable, "-c", "import json; from django.conf import settings; "
                          "print(json.dumps(settings.CACHES['default'], default=str))"],
                         env=env, capture_output=True, text=True, check=True).stdout
    config = json.loads(out)
    assert config["BACKEND"] == backend
    if redis_url:
        assert config["LOCATION"] == redis_url
    else:
        assert config["LOCATION"] == str(tmp_path / "cache")
