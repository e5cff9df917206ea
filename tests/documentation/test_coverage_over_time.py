"""The coverage page's "Over time": one measurement is said in words, not drawn as an empty frame
with a dot in its corner; from two days on, a line between the first and the last day (issue 15)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from orgbook.documentation.models import CoverageSnapshot


def _over_time(web_as: Any, model: Any) -> str:
    html = web_as("vera").get(f"/d/s/acme/m/{model.pk}/coverage/").content.decode()
    return html.split("<h2>Over time</h2>")[1].split("<h2>")[0]


def test_one_measurement_is_said_in_words(dreamhouse: Any, web_as: Any) -> None:
    section = _over_time(web_as, dreamhouse)  # opening the page measures today
    assert "<svg" not in section
    text = " ".join(re.sub(r"<[^>]+>", " ", section).split())
    only = CoverageSnapshot.objects.get(model=dreamhouse)
    assert f"One measurement so far: {round(only.share() * 100)}% on {only.day.day} {only.day:%b %Y}." in text


def test_two_days_draw_a_line_between_their_dates(dreamhouse: Any, web_as: Any) -> None:
    _over_time(web_as, dreamhouse)
    today = CoverageSnapshot.objects.get(model=dreamhouse)
    yesterday = today.day - timedelta(days=1)
    CoverageSnapshot.objects.create(model=dreamhouse, day=yesterday, covered=0, total=today.total)
    section = _over_time(web_as, dreamhouse)
    assert "<polyline" in section and section.count("<circle") == 2
    assert f">{yesterday.day} {yesterday:%b %Y}</text>" in section and f">{today.day.day} {today.day:%b %Y}</text>" in section
    assert "One measurement" not in section
