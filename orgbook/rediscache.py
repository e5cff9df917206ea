"""The Redis cache, for pages that must keep answering while Redis is down or restarting.

Django's RedisCache raises when Redis is unreachable, and every page reads a session through the
cache (SESSION_ENGINE cached_db) and the page cache (orgbook/web/pagecache.py): a 6-second Redis
restart made every logged-in page answer 500. Here a failed read is a miss (sessions then come from
the database, page parts are rendered again) and a failed write is skipped.

Two things keep that safe and cheap:
- A write or delete that could not reach Redis leaves an entry that may be stale there (a signed-out
  session above all, which must not come back when Redis does). Such keys are remembered and
  deleted before anything else once Redis answers again.
- After a failure, Redis is left alone for RETRY_AFTER seconds: every call is a miss at once, so a
  Redis that does not answer (a host gone, packets dropped) costs one short timeout, not one per
  cache call of every request.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis import exceptions as redis_errors

log = logging.getLogger(__name__)

UNREACHABLE = (redis_errors.ConnectionError, redis_errors.TimeoutError)
RETRY_AFTER_S = 5.0
# Keys remembered for deletion per process; past this, the oldest are forgotten (and said so).
STALE_LIMIT = 100_000
# Redis on the network answers in a millisecond; these bound what a Redis that does not answer
# costs (redis-py waits for the system's TCP timeout otherwise, minutes).
SOCKET_TIMEOUTS = {"socket_connect_timeout": 0.5, "socket_timeout": 1.0}


class ResilientRedisCache(RedisCache):
    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS", {}))
        self.retry_after = float(options.pop("RETRY_AFTER", RETRY_AFTER_S))
        super().__init__(server, {**params, "OPTIONS": {**SOCKET_TIMEOUTS, **options}})
        self._lock = threading.Lock()
        self._down_until = 0.0
        self._stale: dict[str, None] = {}  # insertion-ordered: the oldest is dropped first

    # --- Redis's state, shared by the threads of this process

    def _available(self) -> bool:
        """False while Redis is left alone after a failure; once it may answer, the stale keys go first."""
        if time.monotonic() < self._down_until:
            return False
        with self._lock:
            stale = list(self._stale)
        if not stale:
            return True
        try:
            self._cache.delete_many(stale)
        except UNREACHABLE as exc:
            self._failed(exc)
            return False
        with self._lock:
            for key in stale:
                self._stale.pop(key, None)
        log.warning("Redis answers again; deleted %d cache entries written or deleted while it was away",
                    len(stale))
        return True

    def _failed(self, exc: Exception) -> None:
        with self._lock:
            first = self._down_until == 0.0
            self._down_until = time.monotonic() + self.retry_after
        if first:
            log.warning("Redis cache unreachable (%s: %s): pages read sessions from the database and render "
                        "without the cache; trying again every %.0f s", type(exc).__name__, exc, self.retry_after)

    def _recovered(self) -> None:
        if self._down_until:
            with self._lock:
                self._down_until = 0.0
            log.warning("Redis cache reachable again")

    def _remember_stale(self, keys: list[str]) -> None:
        with self._lock:
            for key in keys:
                self._stale[key] = None
            dropped = 0
            while len(self._stale) > STALE_LIMIT:
                self._stale.pop(next(iter(self._stale)))
                dropped += 1
        if dropped:
            log.error("Redis cache unreachable for long: %d entries changed meanwhile may be stale when it is back "
                      "(flush the cache's Redis database to be sure)", dropped)

    # --- reads: a miss when Redis cannot answer

    def get(self, key: Any, default: Any = None, version: int | None = None) -> Any:
        if not self._available():
            return default
        try:
            value = super().get(key, default, version)
        except UNREACHABLE as exc:
            self._failed(exc)
            return default
        self._recovered()
        return value

    def get_many(self, keys: Any, version: int | None = None) -> dict[Any, Any]:
        if not self._available():
            return {}
        try:
            found: dict[Any, Any] = super().get_many(keys, version)
        except UNREACHABLE as exc:
            self._failed(exc)
            return {}
        self._recovered()
        return found

    def has_key(self, key: Any, version: int | None = None) -> bool:
        if not self._available():
            return False
        try:
            found = bool(super().has_key(key, version))
        except UNREACHABLE as exc:
            self._failed(exc)
            return False
        self._recovered()
        return found

    # --- writes: skipped when Redis cannot answer, the key remembered as possibly stale

    def _write(self, keys: list[Any], version: int | None, call: Any) -> Any:
        made = [self.make_and_validate_key(key, version=version) for key in keys]
        if not self._available():
            self._remember_stale(made)
            return None
        try:
            result = call()
        except UNREACHABLE as exc:
            self._failed(exc)
            self._remember_stale(made)
            return None
        self._recovered()
        return result

    def set(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> None:
        self._write([key], version, lambda: super(ResilientRedisCache, self).set(key, value, timeout, version))

    def add(self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return bool(self._write([key], version,
                                lambda: super(ResilientRedisCache, self).add(key, value, timeout, version)))

    def set_many(self, data: dict[Any, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> list[Any]:
        failed = self._write(list(data), version,
                             lambda: super(ResilientRedisCache, self).set_many(data, timeout, version))
        return list(data) if failed is None else list(failed)

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return bool(self._write([key], version, lambda: super(ResilientRedisCache, self).touch(key, timeout, version)))

    def delete(self, key: Any, version: int | None = None) -> bool:
        return bool(self._write([key], version, lambda: super(ResilientRedisCache, self).delete(key, version)))

    def delete_many(self, keys: Any, version: int | None = None) -> None:
        keys = list(keys)
        self._write(keys, version, lambda: super(ResilientRedisCache, self).delete_many(keys, version))
