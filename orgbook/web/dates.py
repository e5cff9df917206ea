"""The one written form of dates and moments in the web pages (and their flash messages).

A moment (datetime) is shown in the Space's time zone (Space.time_zone; a page with no Space uses
settings.TIME_ZONE, UTC unless configured): "2 Dec 2026, 05:56"; a calendar date as "30 Jul 2027".
Pages use the `{% when %}` tag (web/templatetags/when.py), which adds "3 hours ago" for recent moments.
"""

from __future__ import annotations

import zoneinfo
from datetime import date, datetime, timedelta, tzinfo

from django.conf import settings
from django.utils import timezone

RELATIVE_WITHIN = timedelta(days=7)
DATE_FORMAT = "%-d %b %Y"  # 30 Jul 2027
MOMENT_FORMAT = "%-d %b %Y, %H:%M"  # 2 Dec 2026, 05:56


def zone_named(name: str | None) -> tzinfo:
    """The time zone called `name` (a Space's), else the installation's (settings.TIME_ZONE)."""
    try:
        return zoneinfo.ZoneInfo(name or settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def local(value: datetime, zone: tzinfo) -> datetime:
    if timezone.is_naive(value):
        value = timezone.make_aware(value, zoneinfo.ZoneInfo(settings.TIME_ZONE))
    return value.astimezone(zone)


def exact(value: date | datetime, zone: tzinfo) -> str:
    """ "2 Dec 2026, 05:56" for a moment (in `zone`), "30 Jul 2027" for a date."""
    if isinstance(value, datetime):
        return local(value, zone).strftime(MOMENT_FORMAT)
    return value.strftime(DATE_FORMAT)


def exact_with_zone(value: datetime, zone: tzinfo) -> str:
    """ "2 Dec 2026, 05:56 Europe/Paris": for a tooltip or a message that must not be misread."""
    return f"{exact(value, zone)} {getattr(zone, 'key', str(zone))}"


def relative(value: datetime, now: datetime) -> str:
    """ "just now", "5 minutes ago", "in 3 days": whole units, the largest that fits."""
    seconds = (now - value).total_seconds()
    ago, seconds = seconds >= 0, abs(seconds)
    if seconds < 60:
        return "just now"
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            count = int(seconds // size)
            amount = f"{count} {unit}{'' if count == 1 else 's'}"
            return f"{amount} ago" if ago else f"in {amount}"
    raise AssertionError("unreachable: 60 seconds or more is at least a minute")


def reads_relative(value: datetime, now: datetime) -> bool:
    """Within a week, "3 hours ago" reads better than a date; further away the date itself does."""
    return abs(now - value) < RELATIVE_WITHIN
