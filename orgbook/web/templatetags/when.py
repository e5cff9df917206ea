"""`{% when value %}`: every date and moment in the web pages, written one way (orgbook/web/dates.py).

A moment is a `<time>` whose datetime attribute is the ISO form and whose title (the tooltip) is the
exact moment with its time zone, showing "3 hours ago" within a week and "2 Dec 2026, 05:56" further
away, in the page's Space's time zone (settings.TIME_ZONE on a page with no Space); a date shows as
"30 Jul 2027". `{% when value "exact" %}` never says "ago": for text that is cached (a component's
history) or read as a record (the audit log); `{% when value "date" %}` shows only the day a moment falls
on (a deadline such as the day content is deleted). `empty="never"` is what shows when there is no value.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString

from orgbook.web import dates

register = template.Library()


@register.simple_tag(takes_context=True)
def when(context: Any, value: date | datetime | None, style: str = "auto", empty: str = "") -> SafeString | str:
    if value is None or value == "":
        return empty
    zone = dates.zone_named(getattr(context.get("space"), "time_zone", None))
    if not isinstance(value, datetime):
        return format_html('<time datetime="{}">{}</time>', value.isoformat(), dates.exact(value, zone))
    moment, now = dates.local(value, zone), timezone.now()
    if style == "date":  # a deadline that is a day: the calendar date the moment falls on, there
        return format_html('<time datetime="{}" title="{}">{}</time>', moment.isoformat(timespec="seconds"),
                           dates.exact_with_zone(moment, zone), dates.exact(moment.date(), zone))
    shown = dates.relative(moment, now) if style != "exact" and dates.reads_relative(moment, now) else dates.exact(moment, zone)
    return format_html('<time datetime="{}" title="{}">{}</time>', moment.isoformat(timespec="seconds"),
                       dates.exact_with_zone(moment, zone), shown)


@register.filter
def is_date(value: Any) -> bool:
    """Whether a value (a grid cell, say) is a date or a moment, to show it with `{% when %}`."""
    return isinstance(value, date)
