from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = ("Run the Salesforce API emulator (fakeforce) for tests and demos: prints one JSON line with its URLs "
            "and serves until stopped. Runs `python -m fakeforce` as a subprocess; Orgbook never imports it.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--config", required=True, help="the emulator's JSON config file (see fakeforce/README.md)")
        parser.add_argument("--port-base", type=int, default=None,
                            help="login host on N, sandbox login on N+1, orgs on N+2... (default: free ports)")

    def handle(self, *args: Any, config: str, port_base: int | None, **_: Any) -> None:
        _check_config(config)
        command = [sys.executable, "-m", "fakeforce", "--config", config]
        if port_base is not None:
            command += ["--port-base", str(port_base)]
        child = subprocess.Popen(command)  # noqa: S603  (our own interpreter, our own arguments)
        # Stopping `orgbook fakeforce` stops the emulator too.
        signal.signal(signal.SIGTERM, lambda signum, frame: child.terminate())
        try:
            code = child.wait()
        except KeyboardInterrupt:
            child.terminate()
            code = child.wait(timeout=20)
        if code not in (0, -15):
            raise CommandError(f"fakeforce exited with code {code}")


def _check_config(path: str) -> None:
    """The emulator dies with a traceback on a config it cannot read; say what is wrong in one line first."""
    try:
        json.loads(Path(path).read_text())
    except OSError as exc:
        raise CommandError(f"cannot read the emulator config {path}: {exc.strerror}.") from None
    except ValueError as exc:
        raise CommandError(f"the emulator config {path} is not JSON ({exc}); see fakeforce/README.md.") from None
