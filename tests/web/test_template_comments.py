"""No template shows its own comment to users: Django's {# #} comment ends at the end of its line, so one
spread over two lines is printed on the page as text (the implementations panel once read "{# What the
implementation holds: ..."). A comment over several lines is {% comment %} ... {% endcomment %}."""

from __future__ import annotations

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "orgbook"
UNCLOSED = re.compile(r"\{#(?:(?!#\})[^\n])*\n")  # a {# with no #} before the end of its line


def test_no_template_comment_spreads_over_several_lines() -> None:
    found = [f"{path.relative_to(TEMPLATES)}:{text[:match.start()].count(chr(10)) + 1}"
             for path in sorted(TEMPLATES.rglob("*.html")) for text in [path.read_text()]
             for match in UNCLOSED.finditer(text)]
    assert not found, "{# #} comments over several lines, which Django prints on the page:\n" + "\n".join(found)
