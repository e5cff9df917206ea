"""Upgrade check: a database made at each commit of .ci/upgrade-from migrates to this commit with its data.

    .venv/bin/python .ci/upgrade_check.py [--db sqlite|postgres] [--keep DIR] [COMMIT ...]

For each commit (default: those in .ci/upgrade-from), on SQLite and on PostgreSQL: the commit's own
code (its `orgbook` folder from `git archive`, first on PYTHONPATH) migrates a fresh database and
makes data with its CLI and API (.ci/upgrade_data.py make); this commit's `orgbook migrate` runs as
a process; this commit's code reads the data back (.ci/upgrade_data.py read). Every table must hold
the rows it held, the old token must still open the API, and the implementation, the imported
model's component count and the documentation note must be there; and each table must have the
columns and indexes a database migrated from empty has. --keep DIR leaves the SQLite
database made at the (single) commit in DIR, gzipped, with what was made in it (made.json): that is
how tests/data/upgrades/ was made.

PostgreSQL is ORGBOOK_UPGRADE_POSTGRES (default postgres://postgres@127.0.0.1:5432); each run makes
a database of its own and drops it after.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / ".ci" / "upgrade_data.py"
# A folder inside this repository (never beside it), read by every old commit's `orgbook import`.
METADATA = REPO / "orgbook" / "implementations" / "demo_org" / "dreamhouse-lwc"
PASSWORD = "upgrade-check-password-1\n"
POSTGRES = os.environ.get("ORGBOOK_UPGRADE_POSTGRES", "postgres://postgres@127.0.0.1:5432")


def listed_commits() -> list[str]:
    lines = (REPO / ".ci" / "upgrade-from").read_text().splitlines()
    return [line.split("#", 1)[0].strip() for line in lines if line.split("#", 1)[0].strip()]


def old_tree(commit: str, into: Path) -> Path:
    """The commit's `orgbook` package, as it was."""
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(REPO), "archive", "--format=tar", commit, "--", "orgbook"],
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def run(args: list[str], cwd: Path, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    done = subprocess.run(args, cwd=cwd, env=env, input=stdin, capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"failed ({done.returncode}): {' '.join(args)} in {cwd}")
    return done


def last_json(done: subprocess.CompletedProcess[str]) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def postgres(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]  # names made here, not input


# Derived from the stored definitions, and re-derived by data migrations when the reader learns more
# (orgmodels 0013 re-extracts flow, custom metadata and agent edges): their rows may change in
# number, but a table that had rows is never emptied.
DERIVED = {"orgmodels_dependency"}


def _kept(table: str, before: int, after: int | None) -> bool:
    if table in DERIVED:
        return after is not None and (after > 0 or before == 0)
    return after == before


def compare(made: dict[str, Any], before: dict[str, int], after: dict[str, Any],
            fresh: dict[str, list[str]]) -> list[str]:
    """What did not survive the upgrade, and where the schema differs from a fresh database's."""
    problems = [f"{table}: {sorted(set(columns) ^ set(after['schema'].get(table, [])))} differ from a fresh database"
                for table, columns in fresh.items() if set(columns) != set(after["schema"].get(table, []))]
    problems += [f"{table}: {n} rows before, {after['rows'].get(table)} after"
                for table, n in before.items() if not _kept(table, n, after["rows"].get(table))]
    seen = after["api"]
    if seen["token"] != 200:
        problems.append(f"the old token: the API answered {seen['token']}")
    if made["space"] not in seen["spaces"]:
        problems.append(f"Space {made['space']} not listed: {seen['spaces']}")
    if made["implementation"] not in seen["implementations"]:
        problems.append(f"implementation {made['implementation']} not listed: {seen['implementations']}")
    if made["model"] is not None and seen["components"] != made["components"]:
        problems.append(f"model {made['model']}: {made['components']} components before, {seen['components']} after")
    if made["note"] is not None and seen["note"] != made["note"]:
        problems.append(f"the documentation note reads {seen['note']!r}")
    return problems


def environment(label: str, db: str, work: Path) -> tuple[dict[str, str], str]:
    """The variables for a database of its own (and the PostgreSQL database's name)."""
    data_dir = work / f"{label}-{db}"
    name = f"orgbook_upgrade_{label}_{os.getpid()}"
    url = f"sqlite:///{data_dir / 'orgbook.sqlite3'}" if db == "sqlite" else f"{POSTGRES}/{name}"
    # This commit's code first on the path (PYTHONPATH=tree overrides it for an old commit's): a
    # script's own folder comes before the current one, and the virtualenv may hold another checkout.
    env = {**os.environ, "ORGBOOK_DATA_DIR": str(data_dir), "DATABASE_URL": url, "PYTHONPATH": str(REPO)}
    return env, name


def fresh_schema(db: str, work: Path) -> dict[str, list[str]]:
    """The schema this commit's migrations give an empty database."""
    env, name = environment("fresh", db, work)
    if db == "postgres":
        postgres(f'CREATE DATABASE "{name}"')
    try:
        run([sys.executable, "-m", "orgbook.cli", "migrate", "-v0"], REPO, env)
        schema: dict[str, list[str]] = last_json(run([sys.executable, str(DATA), "read"], REPO, env))["schema"]
    finally:
        if db == "postgres":
            postgres(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    return schema


def check(commit: str, tree: Path, db: str, work: Path, keep: Path | None, fresh: dict[str, list[str]]) -> list[str]:
    env, name = environment(commit, db, work)
    data_dir = Path(env["ORGBOOK_DATA_DIR"])
    if db == "postgres":
        postgres(f'CREATE DATABASE "{name}"')
    try:
        t0 = time.monotonic()
        made = last_json(run([sys.executable, str(DATA), "make", str(METADATA)], tree, {**env, "PYTHONPATH": str(tree)},
                             stdin=PASSWORD))
        if not made["orgbook"].startswith(str(tree)):
            raise SystemExit(f"{commit}: the old data was made by {made['orgbook']}, not by the commit's code")
        if keep is not None:
            keep_sqlite(data_dir / "orgbook.sqlite3", made["made"], keep)
        t1 = time.monotonic()
        migrated = run([sys.executable, "-m", "orgbook.cli", "migrate"], REPO, env)
        t2 = time.monotonic()
        after = last_json(run([sys.executable, str(DATA), "read", json.dumps(made["made"])], REPO, env))
        t3 = time.monotonic()
    finally:
        if db == "postgres":
            postgres(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    repaired = [line for line in migrated.stderr.splitlines() if line.startswith("Repaired")]
    applied = migrated.stdout.count("Applying ")
    print(f"{commit} on {db}: made at {commit} {t1 - t0:.1f} s, {applied} migrations to head {t2 - t1:.1f} s, "
          f"read back {t3 - t2:.1f} s; {made['rows'].get('orgmodels_component', 0)} components"
          + "".join(f"\n  {line}" for line in repaired), flush=True)
    if not after["orgbook"].startswith(str(REPO / "orgbook")):
        raise SystemExit(f"the data was read back by {after['orgbook']}, not by this commit's code")
    return [f"{commit} on {db}: {p}" for p in compare(made["made"], made["rows"], after, fresh)]


def keep_sqlite(database: Path, made: dict[str, Any], into: Path) -> None:
    into.mkdir(parents=True, exist_ok=True)
    with database.open("rb") as src, gzip.GzipFile(into / "orgbook.sqlite3.gz", "wb", mtime=0) as dst:
        shutil.copyfileobj(src, dst)
    (into / "made.json").write_text(json.dumps(made, indent=2) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("commits", nargs="*")
    parser.add_argument("--db", choices=["sqlite", "postgres"], action="append")
    parser.add_argument("--keep", type=Path)
    args = parser.parse_args()
    commits = args.commits or listed_commits()
    databases = args.db or ["sqlite", "postgres"]
    if args.keep and (len(commits) != 1 or databases != ["sqlite"]):
        parser.error("--keep takes one commit and --db sqlite")
    start, problems = time.monotonic(), []
    with tempfile.TemporaryDirectory(prefix="orgbook-upgrade-") as tmp:
        fresh = {db: fresh_schema(db, Path(tmp)) for db in databases}
        for commit in commits:
            tree = old_tree(commit, Path(tmp) / f"{commit}-tree")
            for db in databases:
                problems += check(commit, tree, db, Path(tmp), args.keep, fresh[db])
    print(f"upgrade check: {len(commits)} commits x {len(databases)} databases in {time.monotonic() - start:.0f} s")
    if problems:
        raise SystemExit("data lost in an upgrade:\n  " + "\n  ".join(problems))


if __name__ == "__main__":
    main()
