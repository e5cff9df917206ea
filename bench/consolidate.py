"""Consolidation benchmark: the matrix of 5 models of 100,000 components each (issue 17's target:
under 5 s on SQLite and on PostgreSQL).

    python bench/consolidate.py --components 100000 [--models 5] [--db sqlite|postgres] [--repeat 5]

The synthetic org of bench/generate_org.py is imported once as the first model; the others are
copies of its rows made in SQL (an import of each would take minutes and store the same rows),
each its own org: about 1 in 40 components absent, 1 in 50 with another definition (another
content hash and length), and 1 in 400 of the fields of another data type (a conflict). Prints
one JSON line: the server time of the consolidation API's first page (the matrix of every shared
component, its per-object scores and the cells of the 200 rows shown) and of the domain call
alone, p50 and max over `--repeat` runs after one warm-up, with the matrix's counts. `*_cpu`: the
CPU time this process spent (on SQLite that includes the database's work, so it shows the cost
on a busy machine, whose load average is printed too; PostgreSQL's work is in its own server).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent


def _copy_model(source: Any, target: Any, salt: int) -> None:
    """`target` gets `source`'s rows in SQL, with some absent, some redefined and some conflicting."""
    from django.db import connection

    from orgbook.orgmodels.models import Component

    table = Component._meta.db_table
    columns = [f.column for f in Component._meta.concrete_fields if f.column not in ("id", "model_id", "visibly_described")]
    cols = ", ".join(columns)
    picked = ", ".join(
        f"CASE WHEN id %% 50 = {salt} THEN substr(content_hash, 1, 60) || 'x{salt}' ELSE content_hash END" if c == "content_hash"
        else c for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} (model_id, {cols}) SELECT %s, {picked} FROM {table} "  # noqa: S608
                       f"WHERE model_id = %s AND id %% 40 <> {salt}", [target.pk, source.pk])
    changed = list(Component.objects.filter(model=target, content_hash__endswith=f"x{salt}", type="CustomField")
                   .only("id", "attributes", "name_key"))
    for i, c in enumerate(changed):
        attrs = dict(c.attributes or {})
        attrs["length"] = 255
        if i % 8 == 0:
            attrs["type"] = "Number"  # a conflict
        c.attributes = attrs
    Component.objects.bulk_update(changed, ["attributes"], batch_size=2000)


def _ms(samples: list[float]) -> dict[str, float]:
    return {"p50_ms": round(statistics.median(samples) * 1000, 1), "max_ms": round(max(samples) * 1000, 1),
            "n": len(samples)}


def _kept_database(server: str, name: str) -> str:
    """The PostgreSQL database `name` (letters, digits, underscores), made if it does not exist."""
    import psycopg

    if not name.replace("_", "").isalnum():
        raise SystemExit("--keep with --db postgres takes a database name: letters, digits and underscores")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]  # checked above
    return name


def run(components: int, n_models: int, db_kind: str, repeat: int, keep: str | None = None) -> dict[str, Any]:
    sys.path.insert(0, str(BENCH))
    import generate_org
    from explore import PG_SERVER, _setup_env

    folder = generate_org.generate(components, 1)
    if keep:  # a data directory (SQLite) or a database name (PostgreSQL) kept between runs, made on the first
        env = {"DJANGO_SETTINGS_MODULE": "orgbook.settings", "ORGBOOK_LOG_LEVEL": "WARNING"}
        if db_kind == "postgres":
            env["DATABASE_URL"] = f"{PG_SERVER}/{_kept_database(PG_SERVER, keep)}"
            env["ORGBOOK_DATA_DIR"] = str(Path(tempfile.gettempdir()) / f"orgbook-bench-{keep}")
        else:
            Path(keep).mkdir(parents=True, exist_ok=True)
            env.update(ORGBOOK_DATA_DIR=keep, DATABASE_URL=f"sqlite:///{keep}/orgbook.sqlite3")

        def cleanup() -> None:
            pass
    else:
        env, cleanup = _setup_env(db_kind)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    try:
        return _measure(folder, n_models, db_kind, repeat)
    finally:
        cleanup()


def _measure(folder: Path, n_models: int, db_kind: str, repeat: int) -> dict[str, Any]:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from orgbook.implementations import lifecycle
    from orgbook.orgmodels import consolidate
    from orgbook.orgmodels.models import OrgModel
    from orgbook.orgmodels.services import model_for_import
    from orgbook.runs.imports import import_path

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    user = get_user_model().objects.filter(username="bench@example.com").first()
    import_s = copy_s = 0.0
    if user is not None:  # a kept database (--keep): measure again
        models = list(OrgModel.objects.order_by("pk"))[:n_models]
    else:
        user = get_user_model().objects.create_user(username="bench@example.com", email="bench@example.com")
        space = lifecycle.create_space("Bench", user, plan="paid", licences=n_models)
        models = [model_for_import(lifecycle.create_implementation(space, user, f"Region {i + 1}"),
                                   f"Prod {i + 1}", "production") for i in range(n_models)]
        t0 = time.perf_counter()
        import_path(models[0], folder)
        import_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        for i, m in enumerate(models[1:], start=1):
            _copy_model(models[0], m, i)
        with connection.cursor() as cursor:
            # As autovacuum leaves a table that has settled: statistics, and on PostgreSQL the visibility
            # map that lets the aggregate read the index alone (rows just written are otherwise checked
            # in the table).
            cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
        copy_s = time.perf_counter() - t0
    sizes = [m.components.count() for m in models]

    def domain() -> consolidate.Matrix:
        matrix = consolidate.build(models)
        consolidate.cells(matrix, matrix.rows[:200])
        return matrix

    client = Client()
    client.force_login(user)
    url = "/api/v1/consolidation?" + "&".join(f"models={m.pk}" for m in models)

    def api() -> None:
        r = client.get(url)
        assert r.status_code == 200, r.content[:300]

    samples: dict[str, list[float]] = {"api": [], "domain": [], "api_cpu": [], "domain_cpu": []}
    matrix = domain()
    stages: dict[str, float] = {}
    t0 = time.perf_counter()
    shared = consolidate._shared(models, consolidate.TYPES, None)
    stages["aggregate_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    consolidate._conflicts(models, [r for r in shared if r.state == consolidate.DIFFERENT and r.type == "CustomField"])
    stages["conflicts_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    consolidate.cells(matrix, matrix.rows[:200])
    stages["cells_s"] = time.perf_counter() - t0
    api()
    for _ in range(repeat):
        for name, fn in (("domain", domain), ("api", api)):
            t0, c0 = time.perf_counter(), time.process_time()
            fn()
            samples[name].append(time.perf_counter() - t0)
            samples[f"{name}_cpu"].append(time.process_time() - c0)
    return {"bench": "consolidate", "db": db_kind, "models": n_models, "components_per_model": sizes,
            "import_first_s": round(import_s, 1), "copies_s": round(copy_s, 1),
            "shared_rows": len(matrix.rows), "counts": matrix.counts, "objects": len(matrix.objects),
            "api_first_page": _ms(samples["api"]), "domain": _ms(samples["domain"]),
            "api_first_page_cpu": _ms(samples["api_cpu"]), "domain_cpu": _ms(samples["domain_cpu"]),
            "load_average": round(os.getloadavg()[0], 1),
            "stages": {k: round(v, 2) for k, v in stages.items()}}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--components", type=int, default=100000)
    ap.add_argument("--models", type=int, default=5)
    ap.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--keep", metavar="DIR_OR_NAME",
                    help="keep the data (SQLite: the data directory DIR; PostgreSQL: the database NAME) and "
                         "measure it again next time instead of importing")
    a = ap.parse_args(argv)
    print(json.dumps(run(a.components, a.models, a.db, a.repeat, a.keep)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
