"""Ingest benchmark: full import of a generated org against the lxml floor, then two re-syncs.

    python bench/ingest.py --components 100000 [--db sqlite|postgres] [--keep] [--seed 1] [--mutate 1]

Prints one JSON line. Every measured step runs in its own Python process, so `peak_rss_mb` is the
high-water mark (getrusage ru_maxrss) of the process that did that step and nothing else, and
`*_cpu_s` is that process's own CPU time (the database server's is not in it): on a shared machine
it shows how much of a wall-clock figure was waiting for a core.

- floor: walk the same folder, read every file and parse every XML file with lxml; nothing else.
  Run twice, the faster one is kept (a conservative floor: it makes the ratio larger, not smaller).
- native: the C-level work an ingest cannot do without (the floor, plus each file's digest and each
  component's serialised, hashed and compressed definition), no Python per element: with the write
  floor it gives `bound_s`, the fastest this design could ingest (bench/README.md, "What 12x would take").
- ingest: `orgbook.orgmodels.services.import_path` into a new org model on a freshly migrated
  database: parse, attributes, dependencies, history, database writes, one transaction.
- resync_nochange: the same folder imported again into the same model (files whose size, times and
  inode are unchanged are skipped unread; see bench/README.md).
- resync_1pct: a copy of the folder in which `--mutate` % of the components were changed.

The database is made here: SQLite in a temporary data directory, or PostgreSQL at
postgres://postgres@127.0.0.1:5432/orgbook_bench_<pid> (created, migrated, dropped; `--keep`
keeps either and prints where it is).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PG_SERVER = "postgres://postgres@127.0.0.1:5432"


def _peak_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # Linux reports KiB


# --- the steps, each run in a child process -----------------------------------------------------------


_XML_SUFFIXES = (".xml", ".object", ".layout", ".flow", ".profile", ".report")


def _read_files(folder: str) -> Iterator[tuple[str, bytes, bool]]:
    """Every file of the folder in walk order (dot files left out): its name, its bytes, and
    whether the floor parses it as XML."""
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for name in sorted(filenames):
            if name.startswith("."):
                continue
            with open(os.path.join(dirpath, name), "rb") as fh:
                data = fh.read()
            yield name, data, data.lstrip()[:5] == b"<?xml" or name.endswith(_XML_SUFFIXES)


def _parser() -> Any:
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_comments=True,
                           remove_pis=True)


def step_floor(folder: str) -> dict[str, Any]:
    from lxml import etree

    parser = _parser()
    files = xml = size = 0
    t0, c0 = time.perf_counter(), time.process_time()
    for _name, data, is_xml in _read_files(folder):
        files += 1
        size += len(data)
        if is_xml:
            etree.fromstring(data, parser)
            xml += 1
    return {"seconds": time.perf_counter() - t0, "cpu_s": time.process_time() - c0, "files": files, "xml_files": xml, "bytes": size,
            "peak_rss_mb": _peak_mb()}


def step_native(folder: str) -> dict[str, Any]:
    """The C-level work an ingest cannot do without, alone, in one process: what the floor does,
    plus each file's digest (blake2b), and for each component (each top-level element of a file
    whose type holds children, as the reader splits them, and each file itself): its serialised
    definition, a hash of its canonical (C14N) form, and its compressed definition. No Python per
    element, no attributes, no edges, no database. A lower bound on the parse side of an ingest
    written in any language over lxml and zlib: bench/README.md, "What 12x would take"."""
    import hashlib
    import zlib

    from lxml import etree

    sys.path.insert(0, str(ROOT))
    from orgbook.metadata.registry import REGISTRY

    split = {t.name: frozenset(c.xml_tag for c in t.children) for t in REGISTRY.types.values() if t.children}
    parser = _parser()
    components = 0
    t0, c0 = time.perf_counter(), time.process_time()
    for _name, data, is_xml in _read_files(folder):
        hashlib.blake2b(data, digest_size=16).digest()
        if not is_xml:
            hashlib.sha256(data).digest()  # a body: hashed and stored as it is
            zlib.compress(data, 1)
            continue
        root = etree.fromstring(data, parser)
        tags = split.get(etree.QName(root).localname)
        if tags:  # each child its own component, taken out of the tree once read (as the reader does)
            for child in list(root):
                if etree.QName(child).localname in tags:
                    definition = etree.tostring(child, encoding="UTF-8")
                    hashlib.sha256(etree.tostring(child, method="c14n")).digest()
                    zlib.compress(definition, 1)
                    root.remove(child)
                    components += 1
            data = etree.tostring(root, encoding="UTF-8", xml_declaration=True)  # the parent's own
        hashlib.sha256(etree.tostring(root, method="c14n")).digest()
        zlib.compress(data, 1)
        components += 1
    return {"seconds": time.perf_counter() - t0, "cpu_s": time.process_time() - c0, "components": components}


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "orgbook.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def step_setup() -> dict[str, Any]:
    _django()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from orgbook.implementations import lifecycle
    from orgbook.orgmodels.services import model_for_import

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrate_s = time.perf_counter() - t0
    user = get_user_model().objects.create_user(username="bench@example.com", email="bench@example.com")
    space = lifecycle.create_space("Bench", user, plan="paid", licences=2)
    impl = lifecycle.create_implementation(space, user, "Enterprise")
    model = model_for_import(impl, "Synthetic", "reference")
    return {"model_id": model.pk, "migrate_s": round(migrate_s, 2)}


def step_import(folder: str, model_id: int) -> dict[str, Any]:
    _django()
    from orgbook.orgmodels.models import Component, Dependency, OrgModel
    from orgbook.runs.imports import import_path

    model = OrgModel.objects.select_related("implementation").get(pk=model_id)
    before_mb = _peak_mb()
    t0, c0 = time.perf_counter(), time.process_time()
    run = import_path(model, folder)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = _peak_mb()
    # The reading workers (ORGBOOK_READ_WORKERS), waited for when the import closed its pool: their
    # CPU time added up, and the largest one's peak memory (each is a process of its own).
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"seconds": seconds, "cpu_s": cpu, "peak_rss_mb": peak, "rss_before_mb": before_mb, "stages": run.stages,
            "workers_cpu_s": kids.ru_utime + kids.ru_stime, "workers_peak_rss_mb": round(kids.ru_maxrss / 1024, 1),
            "added": run.added, "changed": run.changed, "removed": run.removed, "unchanged": run.unchanged,
            "warnings": len(run.warnings), "components": Component.objects.filter(model=model).count(),
            "dependencies": Dependency.objects.filter(model=model).count()}


def step_write_floor(model_id: int, bare: bool) -> dict[str, Any]:
    """The database's share alone: the rows the ingests stored for the model (components, history,
    dependency edges) read back and deleted (neither timed), then inserted again in one transaction,
    timed with its commit, through the same bulk path the ingest uses (executemany on SQLite; COPY
    of the rows' own text form on PostgreSQL, so no Python work per row at all). Same tables, same
    indexes: a lower bound on the ingest's write stage that no parsing speed-up can lower.

    `bare`: first drop every secondary index of the three tables (primary keys and unique
    constraints stay), i.e. what the writes would cost with none of the explorer's indexes."""
    _django()
    from django.db import connection, transaction

    from orgbook.orgmodels.models import Component, ComponentChange, Dependency

    qn = connection.ops.quote_name
    models = [Component, ComponentChange, Dependency]  # the ingest's order; deleted in reverse
    pg = connection.vendor == "postgresql"
    saved: list[tuple[str, str, Any]] = []
    counts: dict[str, int] = {}
    where = f"{qn('model_id')} = {int(model_id)}"
    with connection.cursor() as cursor:
        for m in models:
            table = qn(m._meta.db_table)
            # Generated columns (Component.visibly_described) are the database's to fill.
            cols = ", ".join(qn(str(f.column)) for f in m._meta.concrete_fields if not f.generated)
            if pg:
                chunks: list[bytes] = []
                with cursor.cursor.copy(f"COPY (SELECT {cols} FROM {table} WHERE {where}) TO STDOUT") as copy:
                    chunks.extend(bytes(block) for block in copy)
                data: Any = b"".join(chunks)
                counts[m._meta.db_table] = data.count(b"\n")
            else:
                cursor.execute(f"SELECT {cols} FROM {table} WHERE {where}")  # noqa: S608
                data = cursor.fetchall()
                counts[m._meta.db_table] = len(data)
            saved.append((table, cols, data))
        if bare:
            for name in _secondary_indexes(cursor, [m._meta.db_table for m in models], pg):
                cursor.execute(f"DROP INDEX {qn(name)}")
    with transaction.atomic(), connection.cursor() as cursor:
        for table, _cols, _data in reversed(saved):
            cursor.execute(f"DELETE FROM {table} WHERE {where}")  # noqa: S608
    with connection.cursor() as cursor:  # as empty as the fresh database the ingest wrote into
        cursor.execute("VACUUM")
        if pg:
            cursor.execute("CHECKPOINT")
    per_table: dict[str, float] = {}
    t0, c0 = time.perf_counter(), time.process_time()
    with transaction.atomic(), connection.cursor() as cursor:
        for table, cols, data in saved:
            t = time.perf_counter()
            if pg:
                with cursor.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                    copy.write(data)
            else:
                marks = ", ".join(["%s"] * (cols.count(",") + 1))
                sql = f"INSERT INTO {table} ({cols}) VALUES ({marks})"  # noqa: S608
                for i in range(0, len(data), 2000):
                    cursor.executemany(sql, data[i:i + 2000])
            per_table[table.strip('"')] = round(time.perf_counter() - t, 2)
    # The commit (pages written out) is in `seconds`, not in the per-table figures.
    return {"seconds": time.perf_counter() - t0, "cpu_s": time.process_time() - c0, "rows": counts,
            "tables_s": per_table}


def _secondary_indexes(cursor: Any, tables: list[str], pg: bool) -> list[str]:
    if pg:
        cursor.execute("SELECT c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                       "JOIN pg_class t ON t.oid = i.indrelid WHERE t.relname = ANY(%s) "
                       "AND NOT i.indisunique AND NOT i.indisprimary", [tables])
        return [r[0] for r in cursor.fetchall()]
    marks = ", ".join(["%s"] * len(tables))
    cursor.execute(f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ({marks})",  # noqa: S608
                   tables)
    # sql is NULL for the automatic indexes of UNIQUE constraints; CREATE UNIQUE INDEX ones stay too.
    return [name for name, sql in cursor.fetchall() if sql and "UNIQUE" not in sql.upper()]


def _child(env: dict[str, str], *args: str) -> dict[str, Any]:
    out = subprocess.run([sys.executable, __file__, "--step", *args], env=env, cwd=ROOT, capture_output=True,
                         text=True)
    if out.returncode != 0:
        sys.stderr.write(out.stderr)
        raise SystemExit(f"bench step {args[0]} failed (exit {out.returncode})")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


# --- the database --------------------------------------------------------------------------------------


class Database:
    def __init__(self, kind: str, keep: bool) -> None:
        self.kind, self.keep = kind, keep
        self.data_dir = tempfile.mkdtemp(prefix="orgbook-bench-")
        self.name = f"orgbook_bench_{os.getpid()}"
        self.env = {**os.environ, "ORGBOOK_DATA_DIR": self.data_dir, "DJANGO_SETTINGS_MODULE": "orgbook.settings",
                    "ORGBOOK_LOG_LEVEL": "WARNING"}
        if kind == "postgres":
            self._admin(f'CREATE DATABASE "{self.name}"')
            self.env["DATABASE_URL"] = f"{PG_SERVER}/{self.name}"
        else:
            self.env["DATABASE_URL"] = f"sqlite:///{self.data_dir}/orgbook.sqlite3"

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]  # a name we made, not user input

    def where(self) -> str:
        return self.env["DATABASE_URL"]

    def close(self) -> None:
        if self.keep:
            return
        if self.kind == "postgres":
            self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')
        shutil.rmtree(self.data_dir, ignore_errors=True)


# --- the run -------------------------------------------------------------------------------------------


def run(components: int, db_kind: str, keep: bool, seed: int, pct: float, workers: int | None = None,
        full_only: bool = False) -> dict[str, Any]:
    sys.path.insert(0, str(BENCH))
    import generate_org

    t0 = time.perf_counter()
    folder = generate_org.generate(components, seed)
    mutated, n_mutated = generate_org.mutate(components, pct, seed)
    gen_s = time.perf_counter() - t0
    floors = [_child(os.environ.copy(), "floor", str(folder)) for _ in range(2)]
    floor = min(floors, key=lambda f: f["seconds"])
    native = min((_child(os.environ.copy(), "native", str(folder)) for _ in range(2)), key=lambda f: f["cpu_s"])
    db = Database(db_kind, keep)
    if workers is not None:
        db.env["ORGBOOK_READ_WORKERS"] = str(workers)
    try:
        setup = _child(db.env, "setup")
        mid = str(setup["model_id"])
        full = _child(db.env, "import", str(folder), mid)
        if full_only:
            return _full_only(full, floor, floors, db_kind, native)
        same = _child(db.env, "import", str(folder), mid)
        one = _child(db.env, "import", str(mutated), mid)
        writes = _child(db.env, "writefloor", mid, "indexed")
        # Last: it drops the secondary indexes (only on a database that is thrown away). SQLite
        # only: on PostgreSQL the deferred foreign-key checks of that commit ran for over five
        # minutes at 100% CPU (not looked into: the indexed floor there is already 12-17x).
        bare = _child(db.env, "writefloor", mid, "bare") if not keep and db_kind == "sqlite" else None
    finally:
        db.close()
    r = {
        **_full_only(full, floor, floors, db_kind, native),
        "resync_nochange_s": round(same["seconds"], 2), "resync_nochange_ratio": round(same["seconds"] / full["seconds"], 3),
        "resync_1pct_s": round(one["seconds"], 2), "resync_1pct_ratio": round(one["seconds"] / full["seconds"], 3),
        "resync_nochange_peak_rss_mb": same["peak_rss_mb"], "resync_1pct_peak_rss_mb": one["peak_rss_mb"],
        # CPU time of each step's own process: on a shared machine these ratios move less than wall ones.
        "resync_nochange_cpu_s": round(same["cpu_s"], 2), "resync_nochange_cpu_ratio": round(same["cpu_s"] / full["cpu_s"], 3),
        "resync_1pct_cpu_s": round(one["cpu_s"], 2), "resync_1pct_cpu_ratio": round(one["cpu_s"] / full["cpu_s"], 3),
        "resync_nochange_stages": same["stages"], "resync_1pct_stages": one["stages"],
        "resync_1pct_counts": {k: one[k] for k in ("added", "changed", "removed", "unchanged")},
        "mutated_components": n_mutated, "nochange_counts": {k: same[k] for k in ("added", "changed", "removed")},
        "warnings": full["warnings"], "generate_s": round(gen_s, 1), "migrate_s": setup["migrate_s"],
        # The rows stored by then (after the re-syncs) written again by the database alone: the
        # write stage cannot be faster than this, however fast the parsing.
        "write_floor_s": round(writes["seconds"], 2), "write_floor_ratio": round(writes["seconds"] / floor["seconds"], 2),
        "write_floor_rows": writes["rows"], "write_floor_tables_s": writes["tables_s"],
        # The same with no secondary index at all: what even an index-free schema would cost.
        "write_floor_bare_s": bare and round(bare["seconds"], 2),
        "write_floor_bare_ratio": bare and round(bare["seconds"] / floor["seconds"], 2),
        "write_floor_bare_tables_s": bare and bare["tables_s"],
        # The fastest an ingest could be with no Python per component at all: the native work
        # spread over every core, then the database's writes (which wait for the reading to end, so
        # SQLite's write lock is held for the writes alone: ingest.py).
        "bound_s": round(native["cpu_s"] / (os.cpu_count() or 1) + writes["seconds"], 2),
        "bound_ratio": round((native["cpu_s"] / (os.cpu_count() or 1) + writes["seconds"]) / floor["seconds"], 2),
    }
    if keep:
        r["kept_database"] = db.where()
    return r


def _full_only(full: dict[str, Any], floor: dict[str, Any], floors: list[dict[str, Any]], db_kind: str,
               native: dict[str, Any]) -> dict[str, Any]:
    """The full ingest's figures against the floor."""
    total_cpu = full["cpu_s"] + full["workers_cpu_s"]
    return {
        "components": full["components"], "db": db_kind, "floor_s": round(floor["seconds"], 2),
        "ingest_s": round(full["seconds"], 2), "ratio": round(full["seconds"] / floor["seconds"], 2),
        "peak_rss_mb": full["peak_rss_mb"],
        "read_workers": full["stages"].get("read_workers", 0),
        "workers_peak_rss_mb": full["workers_peak_rss_mb"],
        "floor_cpu_s": round(floor["cpu_s"], 2), "ingest_cpu_s": round(full["cpu_s"], 2),
        "cpu_ratio": round(full["cpu_s"] / floor["cpu_s"], 2),
        # The workers' CPU time too: what the whole ingest cost the machine.
        "ingest_workers_cpu_s": round(full["workers_cpu_s"], 2), "ingest_total_cpu_s": round(total_cpu, 2),
        "total_cpu_ratio": round(total_cpu / floor["cpu_s"], 2),
        "rss_before_import_mb": full["rss_before_mb"], "floor_peak_rss_mb": floor["peak_rss_mb"],
        "floor_runs_s": [round(f["seconds"], 2) for f in floors],
        "files": floor["files"], "mbytes": round(floor["bytes"] / 2**20, 1), "dependencies": full["dependencies"],
        "ingest_stages": full["stages"], "cpus": os.cpu_count(),
        # The C-level work alone (step_native), best of two by CPU: its ratio is the part of the
        # floor ratio no Python code can take away.
        "native_floor_s": round(native["seconds"], 2), "native_floor_cpu_s": round(native["cpu_s"], 2),
        "native_floor_ratio": round(native["seconds"] / floor["seconds"], 2),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--components", type=int, default=10_000)
    ap.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--keep", action="store_true", help="keep the benchmark database and print where it is")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--mutate", type=float, default=1.0, metavar="PCT", help="percent changed for the re-sync")
    ap.add_argument("--workers", type=int, help="ORGBOOK_READ_WORKERS for the imports (default: one per core)")
    ap.add_argument("--full-only", action="store_true", help="the full ingest and the floor only, no re-syncs")
    ap.add_argument("--step", nargs="+", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.step:
        name, *rest = a.step
        if name == "floor":
            result = step_floor(rest[0])
        elif name == "native":
            result = step_native(rest[0])
        elif name == "setup":
            result = step_setup()
        elif name == "writefloor":
            result = step_write_floor(int(rest[0]), bare=rest[1] == "bare")
        else:
            result = step_import(rest[0], int(rest[1]))
        print(json.dumps(result))
        return 0
    print(json.dumps(run(a.components, a.db, a.keep, a.seed, a.mutate, a.workers, a.full_only)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
