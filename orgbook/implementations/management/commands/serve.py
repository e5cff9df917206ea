from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from orgbook.cli import migrate

# Threads per web process: requests spend part of their time waiting on the database. waitress
# has one process, so more of them.
DEFAULT_THREADS = {"gunicorn": 4, "waitress": 8}
MAX_DEFAULT_WORKERS = 8


def cpu_count() -> int:
    """Cores this process may run on (a container's CPU set, not the host's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def default_workers() -> int:
    """One web process per core plus one: Python runs one thread at a time per process (the GIL), so
    processes are what use the cores; the extra one keeps a core busy while another waits on I/O."""
    return min(cpu_count() + 1, MAX_DEFAULT_WORKERS)


def gunicorn_available() -> bool:
    """gunicorn runs on Unix only (it forks); elsewhere waitress serves in one process."""
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        return False
    return os.name == "posix"


class Command(BaseCommand):
    help = ("Run Orgbook: web server (gunicorn, several processes; waitress where gunicorn cannot run), "
            "Celery worker and scheduler, on the embedded default or configured services.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--demo", action="store_true", help="create the demo Space and print its login")
        parser.add_argument("--no-worker", action="store_true", help="web server only (workers run elsewhere)")
        parser.add_argument("--workers", type=int, default=None,
                            help=f"web processes (default: cores + 1, at most {MAX_DEFAULT_WORKERS})")
        parser.add_argument("--threads", type=int, default=None,
                            help="threads per web process (default: 4 with gunicorn, 8 with waitress)")
        parser.add_argument("--server", choices=["auto", "gunicorn", "waitress"], default="auto",
                            help="auto: gunicorn on Unix, waitress elsewhere (one process)")

    def handle(self, *args: Any, host: str, port: int, demo: bool, no_worker: bool, workers: int | None,
               threads: int | None, server: str, **_: Any) -> None:
        if server == "auto":
            server = "gunicorn" if gunicorn_available() else "waitress"
        elif server == "gunicorn" and not gunicorn_available():
            raise CommandError("gunicorn runs on Unix only; use --server waitress.")
        if workers is None:
            workers = default_workers() if server == "gunicorn" else 1
        threads = threads or DEFAULT_THREADS[server]
        if workers < 1 or threads < 1:
            raise CommandError("--workers and --threads need 1 or more.")
        if server == "waitress" and workers != 1:
            raise CommandError("waitress runs one process; use --threads, or gunicorn for --workers.")
        if server == "gunicorn":
            _refuse_a_taken_port(host, port)

        from orgbook.wsgi import application

        migrate()
        emulator = self._demo(host, port) if demo else None
        children = [] if no_worker else [self._worker()]
        parent = os.getpid()

        def stop(signum: int, frame: Any) -> None:
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)  # waitress; gunicorn installs its own handlers
        self.stdout.write(f"Orgbook on http://{host}:{port}/  ({server}: {workers} process"
                          f"{'es' if workers > 1 else ''} x {threads} threads; data: {settings.DATA_DIR}; "
                          "Ctrl-C stops)")
        self.stdout.flush()
        try:
            if server == "gunicorn":
                _gunicorn(application, host, port, workers, threads)
            else:
                from waitress import serve

                serve(application, host=host, port=port, threads=threads, ident="orgbook")
        except KeyboardInterrupt:
            pass
        finally:
            # A gunicorn web process is a fork of this one and leaves through here too when it
            # stops: only the parent owns the worker and the emulator.
            if os.getpid() == parent:
                for child in children:
                    child.terminate()
                    child.wait(timeout=20)
                if emulator is not None:
                    emulator.stop()

    def _demo(self, host: str, port: int) -> Any:
        """The demo Space, and the Salesforce emulator beside Orgbook as its connected app."""
        from orgbook.implementations import demo_salesforce

        call_command("demo", stdout=self.stdout)
        if "ORGBOOK_SIGNUP" not in os.environ:  # a newcomer may try signing up and creating a Space
            settings.ORGBOOK_SIGNUP = os.environ["ORGBOOK_SIGNUP"] = "open"
        if "ORGBOOK_BASE_URL" not in os.environ:  # the OAuth callback must come back to this server
            settings.BASE_URL = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"  # noqa: S104
            os.environ["ORGBOOK_BASE_URL"] = settings.BASE_URL
        config = demo_salesforce.write_config(settings.DATA_DIR, settings.BASE_URL)
        emulator = demo_salesforce.start(config)
        demo_salesforce.use(emulator)
        production = demo_salesforce.corpus_dir()
        corpus = ("dreamhouse-lwc metadata" if production == demo_salesforce.DEMO_ORG
                  else f"metadata from {production}" if production else "empty metadata (ORGBOOK_DEMO_CORPUS is empty)")
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


def _gunicorn(application: Any, host: str, port: int, workers: int, threads: int) -> None:
    """gunicorn's arbiter in this process, forking `workers` web processes of `threads` threads each.
    The forks inherit everything set up above (settings changed by --demo, the loaded app)."""
    from django.db import connections
    from gunicorn.app.base import BaseApplication

    _warm()
    connections.close_all()  # a connection opened here must not be shared by the forks

    class Server(BaseApplication):  # type: ignore[misc]  # untyped library
        def load_config(self) -> None:
            bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
            for name, value in {
                "bind": [bind], "workers": workers, "threads": threads, "worker_class": "gthread",
                # Each web process listens on the port itself (SO_REUSEPORT) and the kernel spreads new
                # connections across them; on one shared socket a process could take every keep-alive
                # connection and leave the others idle (one core used of two). Port 0: one socket.
                "reuse_port": port != 0,
                # Exports of large models and the compare page take longer than gunicorn's 30 s default.
                "timeout": 300, "graceful_timeout": 20, "keepalive": 5, "preload_app": True,
                "loglevel": "warning", "errorlog": "-", "proc_name": "orgbook",
                "control_socket_disable": True,  # no socket in $HOME shared by every install on the machine
            }.items():
                self.cfg.set(name, value)

        def load(self) -> Any:
            return application

    Server().run()


def _warm() -> None:
    """What each web process would otherwise do on its first requests, about a second of CPU while
    requests queue behind it: import every view (the URLconf, with the API's schemas) and compile
    Orgbook's templates. Done once before the fork, the web processes share it."""
    from pathlib import Path

    from django.template.loader import get_template
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018  # the property imports the URLconf
    root = Path(__file__).resolve().parents[3]  # the orgbook package
    for folder in root.glob("*/templates"):
        for template in folder.rglob("*.html"):
            get_template(template.relative_to(folder).as_posix())


def _refuse_a_taken_port(host: str, port: int) -> None:
    """With SO_REUSEPORT (see `_gunicorn`), a second `orgbook serve` on the same port would share it
    silently; a plain bind says first whether anything listens there."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # connections closing from a last run
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise CommandError(f"{host}:{port} is in use ({exc.strerror}); is Orgbook already running?") from None
