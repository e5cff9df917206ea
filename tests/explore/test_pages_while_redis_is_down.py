"""Logged-in pages keep answering while the Redis of ORGBOOK_REDIS_URL is down (issue 20, item 4).

Sessions (cached_db) and the page cache go through Redis; with Django's RedisCache a 6-second Redis
restart made every logged-in page answer 500. Each test runs its own redis-server (never the shared
one) with the settings' cache backend, stops or freezes it, and asks for pages.
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from django.test import Client

from orgbook.web import pagecache
from tests.redis_server import RedisServer, own_redis, wait_until

PRICE = "CustomField/Property__c.Price__c"
RETRY_AFTER = 0.2  # seconds Redis is left alone after a failure (5 in production)
PAGE_SECONDS = 2.0  # a page with Redis gone may pay one socket timeout (1 s), not one per cache call


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    with own_redis(tmp_path) as server:
        yield server


@pytest.fixture
def redis_cache(settings: Any, redis_server: RedisServer) -> redis.Redis:
    """The settings' Redis cache backend (ORGBOOK_REDIS_URL), on this test's redis-server."""
    settings.CACHES = {"default": {"BACKEND": "orgbook.rediscache.ResilientRedisCache", "LOCATION": redis_server.url,
                                   "KEY_PREFIX": f"test-{uuid.uuid4().hex[:8]}",
                                   "OPTIONS": {"RETRY_AFTER": RETRY_AFTER}}}
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.cached_db"
    return redis.Redis.from_url(redis_server.url)


def _logged_in() -> Client:
    client = Client()
    answer = client.post("/login/", {"username": "alice@example.com", "password": "correct-horse-battery"})
    assert answer.status_code == 302 and not answer["Location"].startswith("/login/")
    return client


def _timed_get(client: Client, url: str) -> Any:
    start = time.monotonic()
    answer = client.get(url)
    assert time.monotonic() - start < PAGE_SECONDS, f"{url} took {time.monotonic() - start:.1f} s"
    return answer


def _keys(store: redis.Redis, part: str) -> list[bytes]:
    return [k for k in store.keys("*") if part.encode() in k]


@pytest.mark.redis
def test_logged_in_pages_answer_while_redis_is_down_and_use_it_again_when_it_is_back(
        people: dict[str, Any], dreamhouse: Any, redis_server: RedisServer, redis_cache: redis.Redis) -> None:
    alice = _logged_in()
    pages = ["/s/acme/", f"/m/{dreamhouse.pk}/c/{PRICE}"]
    for url in pages:
        assert _timed_get(alice, url).status_code == 200
    assert _keys(redis_cache, "sessions") and _keys(redis_cache, "frag:")

    redis_server.stop()
    for _ in range(2):  # the first request finds Redis gone, the next ones do not wait for it
        for url in pages:
            answer = _timed_get(alice, url)
            assert answer.status_code == 200, url
            assert b"alice@example.com" in answer.content  # still her session, read from the database
    assert _logged_in().get("/s/acme/").status_code == 200  # signing in works too

    redis_server.start()  # empty: it kept nothing
    time.sleep(RETRY_AFTER)  # the backend leaves Redis alone this long after a failure
    pagecache._LOCAL.clear()  # as in another web process: the page parts are not in memory
    assert _timed_get(alice, pages[1]).status_code == 200
    wait_until(lambda: bool(_keys(redis_cache, "sessions")) and bool(_keys(redis_cache, "frag:")), 5,
               "the session and the page parts in Redis again")


@pytest.mark.redis
def test_a_sign_out_while_redis_does_not_answer_is_not_undone_when_it_answers_again(
        people: dict[str, Any], redis_server: RedisServer, redis_cache: redis.Redis) -> None:
    alice = _logged_in()
    assert _timed_get(alice, "/s/acme/").status_code == 200
    cookie = alice.cookies["sessionid"].value
    assert _keys(redis_cache, cookie)

    assert redis_server.process is not None
    os.kill(redis_server.process.pid, signal.SIGSTOP)  # no answers, but it keeps its data
    try:
        assert alice.post("/logout/").status_code == 302
        assert _timed_get(alice, "/s/acme/")["Location"].startswith("/login/")
    finally:
        os.kill(redis_server.process.pid, signal.SIGCONT)
    assert _keys(redis_cache, cookie), "Redis still holds the signed-out session"

    time.sleep(RETRY_AFTER)
    stolen = Client()
    stolen.cookies["sessionid"] = cookie
    assert _timed_get(stolen, "/s/acme/")["Location"].startswith("/login/")
    assert not _keys(redis_cache, cookie)
