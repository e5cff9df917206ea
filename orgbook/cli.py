"""The `orgbook` console script: Django management commands under one name.

`orgbook serve`, `orgbook user create`, `orgbook space create`, ... are management commands in
the domain apps; anything else Django offers (`orgbook migrate`) works too.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orgbook.settings")
    from orgbook.env import SettingError

    try:
        from django.core.management import execute_from_command_line

        execute_from_command_line(["orgbook", *sys.argv[1:]])
    except SettingError as exc:
        sys.stderr.write(f"orgbook: configuration error: {exc}\n")
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
