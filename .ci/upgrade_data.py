"""The data of the upgrade check, made and read inside a Django of any Orgbook commit.

    python .ci/upgrade_data.py make METADATA_FOLDER   (under an old commit's code) -> {"made", "rows"}
    python .ci/upgrade_data.py read [MADE_JSON]       (under this commit's code)  -> {"rows", "api"}

`make` uses what the commit offered a user, as far as it went: its CLI commands (user, Space,
implementation, `import` of a metadata folder, personal token) through call_command in one process
(a process per command would cost a Django start each), and a documentation note through its REST
API. `read` counts every table's rows and reads the same things back through this commit's API with
the old token. Only what every commit has is used here: call_command, the database introspection
and Django's test client (the real URLconf, middleware and token authentication, in-process).

Run with the commit's folder first on sys.path (PYTHONPATH): the script prints which `orgbook`
package it imported, so the caller can refuse a run that did not use the old code.
"""

from __future__ import annotations

import io
import json
import os
import sys
from typing import Any

EMAIL = "owner@example.com"
PASSWORD = "upgrade-check-password-1"
SPACE = "Upgrade Check"
IMPLEMENTATION = "Core"
MODEL = "Dreamhouse"
NOTE = {"type": "CustomObject", "full_name": "Property__c",
        "note": "Written before the upgrade: a property listed for sale."}
# Tables a migration may add rows to: its own record, and the content types and permissions Django
# makes for new models after migrating. Every other table keeps its row count through an upgrade.
GROWS = {"django_migrations", "django_content_type", "auth_permission"}


def setup() -> str:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orgbook.settings")
    import django

    import orgbook

    django.setup()
    return str(orgbook.__file__)


def cli(*args: str) -> str:
    """One of the commit's management commands; its standard output."""
    from django.core.management import call_command

    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def rows() -> dict[str, int]:
    from django.db import connection

    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            if table not in GROWS:
                cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
                counts[table] = cursor.fetchone()[0]
    return counts


def schema() -> dict[str, list[str]]:
    """Each table's columns and indexes, by name: an upgraded database must have a fresh one's."""
    from django.db import connection

    tables: dict[str, list[str]] = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            columns = [f"column {c.name}" for c in connection.introspection.get_table_description(cursor, table)]
            indexes = [f"index {name} ({', '.join(str(col) for col in c['columns'])})" for name, c in
                       connection.introspection.get_constraints(cursor, table).items() if c["index"]]
            tables[table] = sorted(columns + indexes)
    return tables


def api(token: str, method: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any]:
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    if method == "GET":
        response = client.get(path)
    else:
        response = client.generic(method, path, json.dumps(body), content_type="application/json")
    is_json = response.get("Content-Type", "").startswith("application/json")
    return response.status_code, response.json() if is_json else None


def note_path(made: dict[str, Any]) -> str:
    return (f"/api/v1/spaces/{made['space']}/implementations/{made['implementation']}/documentation/"
            f"{NOTE['type']}/{NOTE['full_name']}")


def has_route(path: str) -> bool:
    from django.urls import Resolver404, resolve

    try:
        resolve(path)
    except Resolver404:
        return False
    return True


def make(folder: str) -> dict[str, Any]:
    from django.core.management import get_commands

    cli("migrate", "-v0")
    cli("user", "create", "--email", EMAIL, "--password-stdin")  # the password comes on stdin
    space = json.loads(cli("space", "create", SPACE, "--admin", EMAIL, "--plan", "paid", "--licences", "2", "--json"))
    impl = json.loads(cli("implementation", "create", "--space", space["slug"], "--as", EMAIL, "--name",
                          IMPLEMENTATION, "--json"))
    token = json.loads(cli("token", "create", "--email", EMAIL, "--name", "upgrade", "--json"))["token"]
    made: dict[str, Any] = {"space": space["slug"], "implementation": impl["id"], "token": token,
                            "model": None, "components": None, "note": None}
    if "import" in get_commands():  # from eef6f27
        imported = json.loads(cli("import", folder, "--space", space["slug"], "--implementation", IMPLEMENTATION,
                                  "--model", MODEL, "--kind", "production", "--json"))
        made["model"], made["components"] = imported["model_id"], imported["components"]
        if has_route(note_path(made)):  # documentation from 217110e
            status, _ = api(token, "PUT", note_path(made), {"note": NOTE["note"]})
            if status != 200:
                raise SystemExit(f"the documentation API answered {status}")
            made["note"] = NOTE["note"]
    return made


def read(made: dict[str, Any] | None) -> dict[str, Any]:
    """Row counts; with what `make` made, what this commit's API says of it."""
    seen: dict[str, Any] = {}
    if made:
        token = made["token"]
        status, spaces = api(token, "GET", "/api/v1/spaces")
        seen["token"] = status
        seen["spaces"] = [s["slug"] for s in spaces] if status == 200 else []
        status, page = api(token, "GET", f"/api/v1/spaces/{made['space']}/implementations")
        seen["implementations"] = [i["id"] for i in page["items"]] if status == 200 else []
        if made["model"] is not None:
            status, model = api(token, "GET", f"/api/v1/models/{made['model']}")
            seen["components"] = model["components"] if status == 200 else None
        if made["note"] is not None:
            status, doc = api(token, "GET", note_path(made))
            seen["note"] = (doc.get("documentation") or {}).get("note") if status == 200 else None
    return {"rows": rows(), "api": seen, "schema": schema()}


def main(argv: list[str]) -> None:
    where = setup()
    if argv[:1] == ["make"] and len(argv) == 2:
        made = make(argv[1])
        result = {"orgbook": where, "made": made, "rows": rows()}
    elif argv[:1] == ["read"] and len(argv) <= 2:
        result = {"orgbook": where, **read(json.loads(argv[1]) if len(argv) == 2 else None)}
    else:
        raise SystemExit(__doc__)
    sys.stdout.write(json.dumps(result) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
