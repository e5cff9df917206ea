"""The default email backend: Django's console backend, on stderr.

stdout carries `--json` output of the CLI and must stay machine-readable.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.mail.backends.console import EmailBackend as DjangoConsoleBackend


class ConsoleEmailBackend(DjangoConsoleBackend):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("stream", sys.stderr)
        super().__init__(*args, **kwargs)
