"""The `orgbook` console script: Django management commands under one name.

`orgbook serve`, `orgbook user create`, `orgbook space create`, ... are management commands in
the domain apps; anything else Django offers (`orgbook migrate`) works too.

Whatever goes wrong, the user gets one line on stderr saying what happened and what to do, and exit
status 1 (2 for a bad setting); ORGBOOK_DEBUG=1 or --traceback shows the traceback instead.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from django.core.management.base import BaseCommand


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orgbook.settings")
    from orgbook.env import SettingError

    argv = ["orgbook", *sys.argv[1:]]
    try:
        _run(argv)
    except SettingError as exc:
        _stop(f"configuration error: {exc}", status=2)
    except KeyboardInterrupt:
        _stop("interrupted", status=130)
    except Exception as exc:
        if _wants_traceback(argv):
            raise
        _stop(_explain(exc), status=_status(exc))


def migrate() -> None:
    """Apply every unapplied migration. `orgbook serve` runs it on every start; other commands run it
    on the embedded default only (see `_prepare_database`)."""
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def _run(argv: list[str]) -> None:
    """Django's `execute_from_command_line`, except that a usage error raises CommandError (one line,
    exit 1) instead of printing argparse's usage and exiting 2, and that a command that needs the
    database (`requires_migrations_checks`) gets an up-to-date one."""
    import django
    from django.core.management import execute_from_command_line, get_commands, load_command_class
    from django.core.management.base import CommandError, handle_default_options
    from django.db import connections

    name = argv[1] if len(argv) > 1 else "help"
    if name.startswith("-") or name in {"help", "version"}:
        execute_from_command_line(argv)  # Django's own help and version output
        return
    try:
        django.setup()
    except OSError as exc:  # the settings make the data directory and its key file
        raise CommandError(f"cannot use the data directory: {exc.strerror}: {exc.filename}; set "
                           "ORGBOOK_DATA_DIR to a directory this user can create and write to.") from None
    app = get_commands().get(name)
    if app is None:
        raise CommandError(f"unknown command {name!r}; `orgbook help` lists the commands.")
    command = load_command_class(app, name)
    # Not marked as "called from the command line", so a usage error raises instead of exiting 2.
    parser = command.create_parser(argv[0], name)
    try:
        options = parser.parse_args(argv[2:])
    except CommandError as exc:
        raise CommandError(f"{str(exc).removeprefix('Error: ')} (see `{_usage(command, argv)} --help`)") from None
    handle_default_options(options)
    cmd_options = vars(options)
    args = cmd_options.pop("args", ())
    try:
        if command.requires_migrations_checks:
            _prepare_database()
            command.requires_migrations_checks = False  # Django would check the plan again
        command.execute(*args, **cmd_options)
    finally:
        connections.close_all()


def _usage(command: BaseCommand, argv: list[str]) -> str:
    """`orgbook user create` rather than `orgbook user` when the action was given: its help says more."""
    action = argv[2:3]
    return " ".join(argv[:2] + (action if action and action[0] in getattr(command, "actions", {}) else []))


def _prepare_database() -> None:
    """On the embedded default a fresh or upgraded data directory just works: migrate it. A configured
    database (DATABASE_URL) is migrated by an operator, once per upgrade (docs/deploy.md)."""
    from django.conf import settings
    from django.core.management.base import CommandError
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if not executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return
    if not settings.DATABASE_IS_EMBEDDED:
        raise CommandError("the database (DATABASE_URL) has unapplied migrations; run `orgbook migrate` first.")
    migrate()


def _explain(exc: Exception) -> str:
    """One line a user can act on, for the errors a command line meets; anything else is named as unexpected."""
    from django.core.management.base import CommandError
    from django.db import DatabaseError, OperationalError

    first_line = (str(exc).strip().splitlines() or [""])[0]
    if isinstance(exc, CommandError):
        return str(exc).strip()  # the command's own words (Orgbook's are one line; Django's may say more)
    if isinstance(exc, OperationalError) and "locked" in first_line:
        return (f"the database is locked by another process ({first_line}); "
                "try again when it has finished, or stop the other Orgbook process.")
    if isinstance(exc, OperationalError) and "readonly" in first_line:
        return (f"the database {_database_name()} is read-only ({first_line}); "
                "make it and its directory writable by this user.")
    if isinstance(exc, OperationalError) and "unable to open" in first_line:
        return (f"cannot open the database {_database_name()} ({first_line}); "
                "make it and its directory readable and writable by this user.")
    if isinstance(exc, OperationalError) and "no such table" in first_line:
        return f"the database is not set up ({first_line}); run `orgbook migrate` first."
    if isinstance(exc, DatabaseError):
        return f"database error: {first_line}"
    if isinstance(exc, OSError) and exc.filename is not None:
        return f"cannot use {exc.filename}: {exc.strerror}; check that this user can read and write it."
    return (f"unexpected error: {type(exc).__name__}: {first_line}; "
            "run with ORGBOOK_DEBUG=1 (or --traceback) for details.")


def _database_name() -> str:
    """The SQLite file, to say which file is read-only (never a server's URL: it may hold a password)."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    return str(db["NAME"]) if str(db["ENGINE"]).endswith("sqlite3") else "(DATABASE_URL)"


def _status(exc: Exception) -> int:
    from django.core.management.base import CommandError

    return exc.returncode if isinstance(exc, CommandError) else 1


def _wants_traceback(argv: list[str]) -> bool:
    from orgbook.env import SettingError, env_bool

    try:
        return "--traceback" in argv or env_bool("ORGBOOK_DEBUG", False)
    except SettingError:
        return False


def _stop(message: str, status: int) -> NoReturn:
    sys.stderr.write(f"orgbook: {message}\n")
    raise SystemExit(status)


if __name__ == "__main__":
    main()
