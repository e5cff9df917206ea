"""Throttling for personal access tokens (the API's `Authorization: Bearer`), in Django's cache.

Two rules, both answered 429 with a Retry-After:
- **Guessing**: after ORGBOOK_TOKEN_ATTEMPTS invalid tokens from one address within
  ORGBOOK_TOKEN_LOCKOUT_MINUTES, every Bearer request from that address is refused for
  ORGBOOK_TOKEN_LOCKOUT_MINUTES, a valid token's too (as a locked-out sign-in is refused even with the
  right password): a guesser learns nothing from what the lockout lets through.
- **Rate**: one valid token makes at most ORGBOOK_TOKEN_RATE_PER_MINUTE requests in any minute.

Both count in a sliding window made of two fixed ones (the current window's count plus the previous
one's, weighted by how much of it still overlaps the last window length): two cache keys per counter,
no list of timestamps, and no burst of twice the limit at a window's edge. The cache is shared by every
web process (files in the data directory, or Redis on several machines). Counts are read and written
without a lock, so requests racing from one address can each miss the others' count: the limit is
approximate by the number of concurrent requests, never by more. The cache may also drop an entry
early (the file cache culls at random when full; Redis down reads as a miss, orgbook/rediscache.py):
a count or a lockout then ends sooner. Throttling fails open; it never refuses a request it should not.

A lockout is written to the audit log of each Space of the owner of every known token involved (a
revoked token's, or a valid token over its rate), once per lockout; an unknown token names nobody.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache

from orgbook.errors import RateLimited
from orgbook.spaces import audit
from orgbook.spaces.models import PersonalAccessToken, Space

TOKEN_LOCKED_OUT = "token.locked_out"
TOKEN_RATE_LIMITED = "token.rate_limited"
_PREFIX = "orgbook:throttle:"


@dataclass(frozen=True)
class _Window:
    """A sliding-window counter named `key`, `seconds` long."""

    key: str
    seconds: int

    def _slots(self, now: float) -> tuple[str, str, float]:
        slot = int(now // self.seconds)
        elapsed = (now % self.seconds) / self.seconds
        return f"{self.key}:{slot}", f"{self.key}:{slot - 1}", elapsed

    def read(self, now: float) -> _Count:
        current, previous, elapsed = self._slots(now)
        found = cache.get_many([current, previous])  # one round trip
        return _Count(self, current, previous, found.get(current, 0), found.get(previous, 0), elapsed)


@dataclass(frozen=True)
class _Count:
    """What a window held at one moment: this window's count and the previous one's."""

    window: _Window
    current_key: str
    previous_key: str
    mine: int
    before: int
    elapsed: float  # share of this window gone

    @property
    def total(self) -> float:
        return self.mine + self.before * (1 - self.elapsed)

    def add_one(self) -> float:
        """Count one more; the total after it."""
        # Kept two windows: it is the previous window's count during the next one.
        cache.set(self.current_key, self.mine + 1, timeout=2 * self.window.seconds + 1)
        return self.total + 1

    def forget(self) -> None:
        cache.delete_many([self.current_key, self.previous_key])

    def wait(self, limit: int) -> int:
        """Seconds until the total is below `limit` again (at least 1)."""
        seconds, mine, before = self.window.seconds, self.mine, self.before
        if mine < limit and before:
            # The previous window's weight falls linearly to 0 over what is left of this one.
            needed = 1 - (limit - mine) / before  # how far into this window the total is under the limit
            return max(1, math.ceil((needed - self.elapsed) * seconds))
        # This window alone is at the limit: in the next one it weighs (1 - t); wait for t > 1 - limit/mine.
        left = seconds * (1 - self.elapsed)  # until this window ends
        return max(1, math.ceil(left + seconds * max(0.0, 1 - limit / max(mine, 1))))


def _address_key(address: str) -> str:
    return hashlib.sha256(address.encode()).hexdigest()[:32]


def _lockout_seconds() -> int:
    return int(settings.ORGBOOK_TOKEN_LOCKOUT_MINUTES) * 60


def _retry_message(what: str, seconds: int) -> str:
    minutes = math.ceil(seconds / 60)
    when = f"{seconds} seconds" if seconds < 120 else f"{minutes} minutes"
    return f"{what} Try again in {when} (Retry-After)."


def check_address(address: str, now: float | None = None) -> None:
    """Refuse every Bearer request from an address locked out for guessing tokens."""
    now = time.time() if now is None else now
    until = cache.get(f"{_PREFIX}lock:{_address_key(address)}")
    if until is not None and until > now:
        raise RateLimited(_retry_message(
            f"Too many invalid access tokens from your address: API requests with a token are paused for "
            f"{settings.ORGBOOK_TOKEN_LOCKOUT_MINUTES} minutes. Check the token your script sends "
            "(make a new one on your account's Tokens page).", math.ceil(until - now)), math.ceil(until - now))


def record_invalid(address: str, known: PersonalAccessToken | None, now: float | None = None) -> None:
    """Count an invalid token from `address`; at the limit, lock the address out (and say so in the
    audit log of the Spaces of every known token it tried)."""
    now = time.time() if now is None else now
    key = _address_key(address)
    window = _Window(f"{_PREFIX}invalid:{key}", _lockout_seconds())
    known_key = f"{_PREFIX}known:{key}"
    tried: list[int] = cache.get(known_key, [])
    if known is not None and known.pk not in tried:
        tried = [*tried, known.pk][-20:]
        cache.set(known_key, tried, timeout=_lockout_seconds())
    count = window.read(now)
    if count.add_one() < settings.ORGBOOK_TOKEN_ATTEMPTS:
        return
    cache.set(f"{_PREFIX}lock:{key}", now + _lockout_seconds(), timeout=_lockout_seconds() + 1)
    # A lockout starts afresh: the attempts that caused it are not counted again after it.
    count.forget()
    cache.delete(known_key)
    for token in PersonalAccessToken.objects.select_related("user").filter(pk__in=tried):
        _audit(token, TOKEN_LOCKED_OUT, {"invalid_attempts": settings.ORGBOOK_TOKEN_ATTEMPTS,
                                         "from_address": address,
                                         "minutes": settings.ORGBOOK_TOKEN_LOCKOUT_MINUTES})


def count_use(token: PersonalAccessToken, address: str, now: float | None = None) -> None:
    """Count one request made with a valid token; over the rate, refuse it."""
    now = time.time() if now is None else now
    limit = int(settings.ORGBOOK_TOKEN_RATE_PER_MINUTE)
    count = _Window(f"{_PREFIX}rate:{token.pk}", 60).read(now)
    if count.total >= limit:
        seconds = count.wait(limit)
        if cache.add(f"{_PREFIX}rate-audited:{token.pk}", True, timeout=60):
            _audit(token, TOKEN_RATE_LIMITED, {"requests_per_minute": limit, "from_address": address})
        raise RateLimited(_retry_message(
            f"This token made more than {limit} requests in a minute, the limit of this Orgbook "
            "(ORGBOOK_TOKEN_RATE_PER_MINUTE). Slow down.", seconds), seconds)
    count.add_one()


def _audit(token: PersonalAccessToken, action: str, after: dict[str, Any]) -> None:
    for space in Space.objects.filter(memberships__user=token.user_id):
        audit.record(space, None, action, token, after={"owner": token.user.email, "token": str(token), **after})
