"""The XML side by side of a component's history shows line numbers and the two texts only: difflib's
navigation column once put stray letters (f, n, t) beside each side, and its anchors repeated on
every table of the page (issue 15)."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from orgbook.runs.imports import import_path

from .conftest import change_price_precision, copy_corpus


def _cells(row: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", c).replace("&nbsp;", " ").strip()
            for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row, re.S)]


def test_every_row_is_line_number_and_text_on_each_side(dreamhouse: Any, web_as: Any, tmp_path: Any) -> None:
    for precision in (10, 12):  # two changes: two tables on the page
        root = copy_corpus(tmp_path / str(precision))
        change_price_precision(root, precision)
        import_path(dreamhouse, root)
    html = web_as("vera").get(f"/m/{dreamhouse.pk}/c/CustomField/Property__c.Price__c").content.decode()
    history = html.split('id="history"')[1].split("</section>")[0]
    tables = re.findall(r'<table class="diff".*?</table>', history, re.S)
    assert len(tables) == 2
    for table in tables:
        head, body = table.split("</thead>")
        assert [c for c in _cells(head) if c] and all(c.startswith(("before v", "v")) for c in _cells(head) if c)
        rows = re.findall(r"<tr>.*?</tr>", body, re.S)
        assert rows
        for row in rows:
            cells = _cells(row)
            assert len(cells) == 4, cells  # number, text, number, text: no gutter
            assert cells[0].isdigit() and cells[2].isdigit(), cells
        assert not re.search(r">[fnt]</a>", table) and "diff_next" not in table
    newest = re.sub(r"<[^>]+>", "", tables[0])
    assert "&lt;precision&gt;10&lt;/precision&gt;" in newest and "&lt;precision&gt;12&lt;/precision&gt;" in newest
    ids = Counter(re.findall(r'\sid="([^"]+)"', html))
    assert [i for i, n in ids.items() if n > 1] == []  # no anchor repeats on the page
