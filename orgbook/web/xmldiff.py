"""A component's XML side by side (its history, another copy of it): difflib's table without its
navigation column. difflib puts "f" (first), "n" (next) and "t" (top) links in a gutter beside each
side; on our pages they read as stray letters and their anchors repeat across the tables of a page."""

from __future__ import annotations

import difflib
import re

from django.utils.safestring import SafeString, mark_safe

# The gutter's cells (a header cell, or a cell holding nothing, a line break or one link), and the
# column groups that made room for them.
_GUTTER = re.compile(r'<t([hd]) class="diff_next"[^>]*>(?:<br />|<a href="[^"]*">[a-z]</a>)?</t\1>')
_COLGROUPS = re.compile(r"(?:<colgroup></colgroup>\s*)+")
# difflib's ids restart at 0 in every table: several on one page would repeat them.
_IDS = re.compile(r' id="(?:difflib_chg_to\d+__\w+|from\d+_\d+|to\d+_\d+)"')


def side_by_side(before: str, after: str, before_label: str, after_label: str) -> SafeString:
    """The changed lines of two XML texts with two lines of context, line numbers on each side."""
    table = difflib.HtmlDiff(wrapcolumn=70).make_table(
        before.splitlines(), after.splitlines(), before_label, after_label, context=True, numlines=2)
    table = _IDS.sub("", _COLGROUPS.sub("", _GUTTER.sub("", table)))
    return mark_safe(table)  # noqa: S308 (difflib escapes the text; we only removed whole cells and ids)
