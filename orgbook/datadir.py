"""The data directory's permissions: a system check that every `orgbook` command (serve included)
runs at start, warning when other users of the machine can read what is in it.

Orgbook creates everything there 0600/0700 (the umask in settings), but a data directory made by an
earlier version, copied, or restored from a backup may not be: a session key read from a
world-readable SQLite file signs in as its owner.
"""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.checks import Warning, register

OPEN_TO_OTHERS = stat.S_IRWXG | stat.S_IRWXO
SAMPLE = 3  # paths named in the warning


def exposed(data_dir: Path) -> list[Path]:
    """The data directory and its entries (not walked: a private folder guards what is below it,
    and a busy queue holds thousands of files) that its group or others may use."""
    found = []
    for path in [data_dir, *sorted(data_dir.iterdir())]:  # sorted: the warning names the same ones each time
        try:
            mode = path.lstat().st_mode
        except OSError:
            continue  # gone meanwhile (a queue message, a cache file)
        if not stat.S_ISLNK(mode) and mode & OPEN_TO_OTHERS:
            found.append(path)
    return found


@register("security")
def data_directory_is_private(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    data_dir = Path(settings.DATA_DIR)
    found = exposed(data_dir) if data_dir.is_dir() else []
    if not found:
        return []
    named = ", ".join(f"{p} ({stat.filemode(p.lstat().st_mode)})" for p in found[:SAMPLE])
    more = f" and {len(found) - SAMPLE} more" if len(found) > SAMPLE else ""
    return [Warning(
        f"Other users of this machine can read Orgbook's data directory: {named}{more}.",
        hint=f"It holds the database, sessions and key files; run: chmod -R go-rwx {data_dir}",
        id="orgbook.W001",
    )]
