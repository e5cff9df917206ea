"""Server paths out of the texts users read (run errors, pages, API and CLI `--json` errors).

An exception's text often names a file by its absolute path (`OSError`, a zip opened from the upload
folder): where the data directory, temporary folders and the installation are is the server's
business, and of no use to the person reading. Such paths become relative to the folder they are in
(`uploads/3f2a.zip`, `lxml/etree.py`); a path the user gave (`orgbook import ./project`) is shown as
given by the code that names it, never rewritten here unless it lies in one of those folders.
"""

from __future__ import annotations

import re
import sys
import sysconfig
import tempfile
from functools import lru_cache
from pathlib import Path

_END = r"""(?=$|[/\s'"),:;\]])"""  # a root ends where a path part would (not "/tmpfoo" for "/tmp")
_REST = r"""(/[^\s'"),:;\]]*)?"""


@lru_cache(maxsize=4)
def _pattern(data_dir: str) -> tuple[re.Pattern[str], dict[str, str]]:
    named = {data_dir: "the data directory", tempfile.gettempdir(): "a temporary folder",
             str(Path(__file__).resolve().parent.parent): "the installation", sys.prefix: "the installation",
             sys.base_prefix: "the installation"}
    for key in ("purelib", "platlib", "stdlib", "platstdlib"):
        named[sysconfig.get_paths()[key]] = "the installation"
    roots: dict[str, str] = {}
    for root, what in named.items():
        for form in {root, str(Path(root).resolve())}:
            if len(form) > 1:
                roots[form.rstrip("/")] = what
    ordered = sorted(roots, key=len, reverse=True)  # the most specific folder first
    alternatives = "|".join(re.escape(r) for r in ordered)
    return re.compile(f"({alternatives}){_END}{_REST}"), roots


def hide_server_paths(text: str) -> str:
    """`text` with every path inside a server folder made relative to that folder."""
    from django.conf import settings

    pattern, roots = _pattern(str(settings.DATA_DIR))

    def relative(match: re.Match[str]) -> str:
        rest = (match.group(2) or "").lstrip("/")
        return rest or roots[match.group(1)]

    return pattern.sub(relative, text)
