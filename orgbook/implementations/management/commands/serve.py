from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Run Orgbook: web server (waitress), Celery worker and scheduler, on the embedded default or configured services."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--demo", action="store_true", help="create the demo Space and print its login")
        parser.add_argument("--no-worker", action="store_true", help="web server only (workers run elsewhere)")
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args: Any, host: str, port: int, demo: bool, no_worker: bool, threads: int, **_: Any) -> None:
        from waitress import serve

        from orgbook.wsgi import application

        call_command("migrate", interactive=False, verbosity=0)
        emulator = self._demo(host, port) if demo else None
        children = [] if no_worker else [self._worker()]

        def stop(signum: int, frame: Any) -> None:
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        self.stdout.write(f"Orgbook on http://{host}:{port}/  (data: {settings.DATA_DIR}; Ctrl-C stops)")
        try:
            serve(application, host=host, port=port, threads=threads, ident="orgbook")
        except KeyboardInterrupt:
            pass
        finally:
            for child in children:
                child.terminate()
                child.wait(timeout=20)
            if emulator is not None:
                emulator.stop()

    def _demo(self, host: str, port: int) -> Any:
        """The demo Space, and the Salesforce emulator beside Orgbook as its connected app."""
        from orgbook.implementations import demo_salesforce

        call_command("demo", stdout=self.stdout)
        if "ORGBOOK_BASE_URL" not in os.environ:  # the OAuth callback must come back to this server
            settings.BASE_URL = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"  # noqa: S104
            os.environ["ORGBOOK_BASE_URL"] = settings.BASE_URL
        config = demo_salesforce.write_config(settings.DATA_DIR, settings.BASE_URL)
        emulator = demo_salesforce.start(config)
        demo_salesforce.use(emulator)
        corpus = "dreamhouse-lwc metadata" if demo_salesforce.corpus_dir() else "empty metadata (corpus not found)"
        self.stdout.write(f"Salesforce emulator on {emulator.login_url} ({corpus}; config {config}). "
                          "In Connect Org, log in with:")
        for what, username, password in demo_salesforce.logins():
            self.stdout.write(f"  {what}: {username} / {password}")
        return emulator

    def _worker(self) -> subprocess.Popen[bytes]:
        # One process runs the worker with the scheduler embedded (-B): enough for one machine.
        # Larger installs run `orgbook worker` and `orgbook scheduler` separately.
        return subprocess.Popen([sys.executable, "-m", "celery", "-A", "orgbook", "worker", "-B",
                                 "--pool=threads", "--concurrency=2", "--loglevel=INFO",
                                 "-s", settings.CELERY_BEAT_SCHEDULE_FILENAME])
