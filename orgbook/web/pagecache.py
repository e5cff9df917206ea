"""Rendered fragments of an org model version, in Django's cache (files in the data directory on the
embedded default, Redis when ORGBOOK_REDIS_URL is set; every web process shares it).

What may be cached: what a model *version* fixes, i.e. a component's attributes, XML, history,
dependencies, impact and graph. A sync that changes anything writes a new version (ingest.py), so
the version is in the key and an old entry is simply never asked for again (it expires or is
culled). Salesforce's dependency rows arrive a few seconds after their version is committed
(sfdeps.py): they bump the model's `content_stamp`, which is in the key too. What may not:
anything per user, per request or editable between versions (role-dependent forms, the CSRF
token, messages, the documentation panel, manual links, the Setup link, names).
Callers run the access check before asking, so a key is only ever read by someone allowed to see
the model; the key also carries the model's creation time so a reused id (a database restored or
recreated beside an old cache) cannot serve another model's content.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any, TypeVar

from cachetools import LRUCache
from django.core.cache import caches
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.template.loader import get_template

from orgbook.orgmodels.models import OrgModel

T = TypeVar("T")

# Bump when the code that builds a cached fragment's context changes meaning (templates are
# hashed below, so a template edit needs no bump), or when a data migration rewrites stored
# components without a new model version (2: 0009 read stored reports and dashboards as XML;
# 3: the XML diffs lost difflib's navigation gutter, web/xmldiff.py; 4: the graph's SVG scales to its
# card, orgmodels/graph.py).
FRAGMENT_CODE_VERSION = 4
TIMEOUT_S = 7 * 24 * 3600  # entries of superseded versions are never read again; let them go


@cache
def templates_digest(names: tuple[str, ...]) -> str:
    """A digest of the templates' sources, once per process: a deploy with changed templates never
    reads fragments rendered by the old ones."""
    h = hashlib.sha256(str(FRAGMENT_CODE_VERSION).encode())
    for name in names:
        h.update(name.encode())
        h.update(get_template(name).template.source.encode())  # type: ignore[attr-defined]
    return h.hexdigest()[:16]


def model_key(model: OrgModel) -> str:
    """The model version: id, creation time (ids can be reused by a recreated database), version, and
    the stamp of rows written to the version after it was committed (Salesforce's dependency rows)."""
    return f"{model.pk}.{model.created_at.timestamp():.6f}.v{model.version}.s{model.content_stamp}"


def digest(parts: Iterable[Any]) -> str:
    return hashlib.sha256(repr(list(parts)).encode()).hexdigest()[:16]


def fragment(kind: str, templates: tuple[str, ...], model: OrgModel, key: str, build: Callable[[], T]) -> T:
    """`build()` once per (kind, templates, model version, key); later calls in any web process read it."""
    # What else the fragment depends on is the caller's `key`: the component page puts the Space's time
    # zone in it, since its history's dates are written in that zone (web/dates.py).
    full = f"frag:{kind}:{templates_digest(templates)}:{model_key(model)}:{key}"
    local = _LOCAL.get(full)
    if local is not None:
        return local  # type: ignore[no-any-return]
    store = caches["default"]
    hit = store.get(full)
    if hit is not None:
        _LOCAL.put(full, hit)
        return hit  # type: ignore[no-any-return]
    value = build()
    store.set(full, value, TIMEOUT_S)
    _LOCAL.put(full, value)
    return value


class _Recent:
    """The fragments this process read last, in memory, up to `limit` characters: a key names content
    that never changes (see the module docstring), so a copy here is as good as the shared cache's,
    and skips reading and unpickling it (a heavily used field's page is 250 KB: 0.3 ms a request)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.items: LRUCache[str, Any] = LRUCache(maxsize=limit, getsizeof=_size)
        self.lock = threading.Lock()  # cachetools' caches are not thread-safe; web processes run threads

    def get(self, key: str) -> Any:
        with self.lock:
            return self.items.get(key)

    def put(self, key: str, value: Any) -> None:
        if _size(value) > self.limit // 4:
            return  # one huge page would push out many small ones
        with self.lock:
            if key not in self.items:
                self.items[key] = value

    def clear(self) -> None:
        with self.lock:
            self.items.clear()


def _size(value: Any) -> int:
    if isinstance(value, str | bytes):
        return len(value)
    if isinstance(value, dict):
        return sum(_size(v) for v in value.values()) + 64
    if isinstance(value, list | tuple):
        return sum(_size(v) for v in value) + 64
    return 64


LOCAL_LIMIT = 16_000_000  # characters per web process
_LOCAL = _Recent(LOCAL_LIMIT)


@receiver(setting_changed)
def _cache_changed(setting: str, **_: Any) -> None:
    # Tests give each test a cache of its own (their databases reuse ids and times).
    if setting == "CACHES":
        _LOCAL.clear()
