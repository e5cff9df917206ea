"""Every date in the web pages is written one way, by `{% when %}`: a <time> with the ISO moment in its
datetime attribute and the exact time and zone in its tooltip, "3 hours ago" within a week, else
"15 Jan 2026, 10:00", in the Space's time zone (settings.TIME_ZONE on a page with no Space)."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.template import Context, Template

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def when(value: Any, space_zone: str | None = "Europe/Paris", args: str = "") -> str:
    space = SimpleNamespace(time_zone=space_zone) if space_zone else None
    with time_machine.travel(NOW, tick=False):
        return Template("{% load when %}{% when value " + args + " %}").render(Context({"value": value, "space": space}))


def test_an_older_moment_is_the_exact_time_in_the_spaces_zone() -> None:
    html = when(datetime(2026, 1, 15, 9, 0, tzinfo=UTC))
    assert html == ('<time datetime="2026-01-15T10:00:00+01:00" title="15 Jan 2026, 10:00 Europe/Paris">'
                    "15 Jan 2026, 10:00</time>")


def test_a_page_with_no_space_writes_the_installations_zone(settings: Any) -> None:
    assert settings.TIME_ZONE == "UTC"
    html = when(datetime(2026, 1, 15, 9, 0, tzinfo=UTC), space_zone=None)
    assert 'title="15 Jan 2026, 09:00 UTC">15 Jan 2026, 09:00</time>' in html


@pytest.mark.parametrize(("moment", "reads"), [
    (NOW - timedelta(seconds=20), "just now"),
    (NOW - timedelta(minutes=1, seconds=5), "1 minute ago"),
    (NOW - timedelta(hours=3, minutes=59), "3 hours ago"),
    (NOW - timedelta(days=6, hours=23), "6 days ago"),
    (NOW + timedelta(days=2, hours=1), "in 2 days"),
])
def test_a_moment_within_a_week_reads_relative_with_the_exact_time_in_its_tooltip(moment: datetime, reads: str) -> None:
    html = when(moment)
    assert re.fullmatch(r'<time datetime="[^"]+" title="\d{1,2} \w{3} \d{4}, \d\d:\d\d Europe/Paris">' + reads + "</time>",
                        html), html


def test_exact_never_says_ago() -> None:
    assert when(NOW - timedelta(hours=3), args='"exact"').endswith(">2 Dec 2026, 10:00</time>")


def test_a_calendar_date_is_just_the_date() -> None:
    assert when(date(2027, 7, 30)) == '<time datetime="2027-07-30">30 Jul 2027</time>'


def test_a_deadline_shows_the_day_it_falls_on_in_the_spaces_zone() -> None:
    html = when(datetime(2027, 7, 29, 23, 30, tzinfo=UTC), args='"date"')  # already the 30th in Paris
    assert html.endswith('title="30 Jul 2027, 01:30 Europe/Paris">30 Jul 2027</time>')


def test_no_value_shows_what_the_page_says_instead() -> None:
    assert when(None, args='empty="never"') == "never"
    assert when(None) == ""


# What other date formats looked like in the pages ('2 Dec 2026 05:56', 'Jan. 15, 2024, 10 a.m.',
# '2024-01-15 10:00', '30 July 2027'): any of them in a page's text, outside a <time>, is a stray.
MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
STRAY = re.compile(rf"\b\d{{4}}-\d\d-\d\d\b|\b\d{{1,2}} ({MONTHS})\w* \d{{4}}|\b({MONTHS})\w*\.? \d{{1,2}}, \d{{4}}|\b[ap]\.m\.")


def stray_dates(html: str) -> list[str]:
    body = html.split("<main", 1)[1]
    body = re.sub(r"<time datetime=\"[^\"]+\"( title=\"[^\"]+\")?>[^<]*</time>", " ", body)
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
    readable = re.sub(r"<[^>]+>", " ", body)
    return [m.group(0) for m in STRAY.finditer(readable)]


def test_pages_show_dates_only_as_time_elements(web_as: Any, people: dict[str, Any], dreamhouse: Any) -> None:
    from orgbook.documentation.services import DocumentationEdit, save_documentation
    from orgbook.spaces import members
    from orgbook.spaces.models import PersonalAccessToken

    alice, acme = people["alice"], people["acme"]
    acme.time_zone = "Europe/Paris"
    acme.plan, acme.trial_ends_at = "trial", NOW + timedelta(days=20)
    acme.save()
    PersonalAccessToken.issue(alice, "laptop")
    members.invite(acme, "newcomer@example.com", "viewer", alice)
    impl, model = dreamhouse.implementation, dreamhouse
    # A folder import has no Salesforce dates; a synced org's components have (the grid's "Last modified").
    model.components.filter(type="CustomField").update(last_modified_date=datetime(2024, 1, 15, 10, 0, tzinfo=UTC))
    save_documentation(alice, impl, "CustomField", "Property__c.Price__c", DocumentationEdit(note="The asking price."),
                       model=model)
    client = web_as("alice")
    for path, expected in (
        (f"/s/acme/?impl={impl.pk}", "Created"), ("/s/acme/subscription/", "Trial ends"),
        ("/s/acme/members/", "newcomer@example.com"), ("/account/tokens/", "laptop"), ("/s/acme/audit/", "invite"),
        (f"/m/{model.pk}/?type=CustomField", "Price__c"),
        (f"/m/{model.pk}/c/CustomField/Property__c.Price__c", "asking price"),
        (f"/d/s/acme/i/{impl.pk}/", "Price__c"),
        (f"/d/s/acme/m/{model.pk}/c/CustomField/Property__c.Price__c/", "asking price"),
    ):
        response = client.get(path)
        html = response.content.decode()
        assert response.status_code == 200 and expected in html, path
        assert "<time datetime=" in html, f"{path} shows no date at all"
        assert not stray_dates(html), f"{path} writes dates another way: {stray_dates(html)}"


def test_a_suspended_implementations_page_writes_its_deletion_day_the_same_way(web_as: Any, dreamhouse: Any) -> None:
    from orgbook.implementations import lifecycle

    impl = dreamhouse.implementation
    impl.space.time_zone = "Pacific/Auckland"
    impl.space.save()
    lifecycle.suspend(impl, None, "test")
    impl.refresh_from_db()
    due = impl.purge_due_at()
    assert due is not None
    response = web_as("alice").get(f"/m/{dreamhouse.pk}/")
    html = response.content.decode()
    assert response.status_code == 403
    day = due.astimezone(ZoneInfo("Pacific/Auckland")).strftime("%-d %b %Y")  # the day it is in the Space
    assert f"will be deleted on {day} unless" in html
    assert stray_dates(html) == [day]  # in the sentence, the one form
