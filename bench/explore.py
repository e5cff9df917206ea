"""Explorer benchmark: server time of search, dictionary page, component page, where-used at depth 3,
and comparing two large models, on the synthetic org from bench/generate_org.py.

    python bench/explore.py --components 100000 [--db sqlite|postgres] [--repeat 40] [--load 60]

Prints one JSON line. Server time is the time Django takes to answer a request in this process
(django.test.Client: URL routing, the access check, queries, template rendering; no network). The
figures are p50/p95/max over `--repeat` requests per case, after one warm-up request each.

- search: a mix of queries people type (exact API names, labels, prefixes, typos) through the
  search page's as-you-type partial. `referenced_names`: building the per-version index of names
  the model refers to without defining them (the first search's extra cost after a sync).
- dictionary: the dictionary page in every variant of `dictionary_variants()`: each sortable column
  both ways, each filter alone, and combinations (type + sort by last modified, not documented +
  type, page 40...), on model b: the org, then its `--mutate 1` copy re-imported as version 2, with
  the last-modified dates and users, package and documentation a synced org has (`_as_synced`).
  p95 per variant, and `first_ms`: the first request, before the kept counts.
- component: the component page of the heavily used field Account.Segment__c (about 1,400 direct
  users: formulas, classes, flows, layouts, every profile; its where-used list, impact at depth 2,
  graph and history) and of an object; `component_page_depth3`: that field's page at depth 3.
- object_page_500_fields (after compare): the page of an object given 500 fields (`_big_object`: Setup's mix of
  types, half described, a third documented, each used by 1 to 6 of 60 classes): the first request
  (its fields table's rows worked out and cached with the version), then p50/p95 of the page as it
  opens and sorted, filtered and paged (`OBJECT_VARIANTS`); the documented column is read each time.
  `--only-object`: the org imported as one model, then this alone.
- where_used_depth3: `impact.impact` at depth 3 on that field (`capped`: the walk stopped at
  `impact.IMPACT_LIMIT` components, as the page says).
- compare: every difference between the org and its `--mutate 1` copy (two models of one
  implementation: the org; the org re-synced to the copy), against `diff -rq` on the two folders (the issue's yardstick):
  as generated (unchanged files are hard links, which diff skips) and against a real copy.
- load (`--load SECONDS`): `orgbook serve --no-worker` (its default workers and threads) in a child
  process, 20 concurrent keep-alive clients on loopback (one asyncio loop, raw sockets) requesting
  the component page for SECONDS; p50/p99, errors, and the CPU the client and server spent.
  `--only-load`: that alone (the org imported as one model, its page cache filled by one request).
- `--only-search`: the org imported as one model, then the search alone.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
SEARCHES = ["price", "Invoice__c", "invoice amount", "Shipment", "amout", "Score", "contrct", "Account", "stat",
            "Payment_Flag__c", "Policy__c.Visit", "warranty code", "Shipmnt_Score__c", "Inspecton_Remarks__c"]


def _ms(samples: list[float]) -> dict[str, float]:
    s = sorted(samples)

    def pick(q: float) -> float:
        return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]

    return {"p50_ms": round(pick(0.5) * 1000, 1), "p95_ms": round(pick(0.95) * 1000, 1),
            "p99_ms": round(pick(0.99) * 1000, 1), "max_ms": round(s[-1] * 1000, 1), "n": len(s)}


def _time(fn: Any, repeat: int) -> list[float]:
    fn()  # warm-up: first-query plans, template loading
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def _setup_env(kind: str) -> tuple[dict[str, str], Any]:
    data_dir = tempfile.mkdtemp(prefix="orgbook-bench-explore-")
    env = {"ORGBOOK_DATA_DIR": data_dir, "DJANGO_SETTINGS_MODULE": "orgbook.settings", "ORGBOOK_LOG_LEVEL": "WARNING"}
    name = f"orgbook_bench_explore_{os.getpid()}"
    if kind == "postgres":
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')  # type: ignore[arg-type]  # our own name
        env["DATABASE_URL"] = f"{PG_SERVER}/{name}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{data_dir}/orgbook.sqlite3"

    def cleanup() -> None:
        from django.db import connections

        connections.close_all()
        if kind == "postgres":
            import psycopg

            with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]
        shutil.rmtree(data_dir, ignore_errors=True)

    return env, cleanup


def _diff_rq(a: Path, b: Path) -> float:
    best = float("inf")
    for _ in range(2):
        t0 = time.perf_counter()
        subprocess.run(["diff", "-rq", str(a), str(b)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        best = min(best, time.perf_counter() - t0)
    return best


def _wait_for_listeners(pid: int, port: int, banner: str, timeout: float = 60.0) -> None:
    """Start the load once every web process the banner announces listens on the port. Each gunicorn
    process has its own socket (SO_REUSEPORT) and a keep-alive connection stays with the process
    that accepted it: connecting as soon as the first process listened put all 20 clients on it for
    the whole run, one core of two busy (how p99 swung from 239 to 287 ms between runs)."""
    import re

    import psutil

    match = re.search(r"(\d+) process", banner)
    wanted = int(match.group(1)) if match else 1
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        listening = 0
        root = psutil.Process(pid)
        for proc in (root, *root.children(recursive=True)):
            try:
                listening += sum(1 for c in proc.net_connections(kind="tcp")
                                 if c.status == psutil.CONN_LISTEN and c.laddr.port == port)
            except psutil.NoSuchProcess:
                continue
        if listening >= wanted:
            return
        time.sleep(0.05)
    raise RuntimeError(f"only some of the {wanted} web processes listened on {port} after {timeout:.0f} s")


def _load(env: dict[str, str], url: str, cookie: str, seconds: float, clients: int = 20,
          serve_args: tuple[str, ...] = ()) -> dict[str, Any]:
    """`orgbook serve --no-worker` (the command users run, its default workers and threads) in a child
    process, and `clients` keep-alive connections from one asyncio loop here: a raw-socket client
    spends ~0.1 ms of CPU per request, so the server has the cores (requests' Session spent more
    CPU than the server it measured on a 2-core machine)."""
    import asyncio
    import socket
    from urllib.parse import quote

    import psutil

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    orgbook = [sys.executable, "-c", "from orgbook.cli import main; main()"]
    log = tempfile.TemporaryFile("w+")  # the server's errors, quoted when requests failed
    server = subprocess.Popen([*orgbook, "serve", "--no-worker", "--host", "127.0.0.1", "--port", str(port), *serve_args],
                              env={**os.environ, **env}, cwd=ROOT, stdout=subprocess.PIPE, stderr=log, text=True)
    path = quote(url, safe="/:@!$&'()*+,;=-._~")
    request = (f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: sessionid={cookie}\r\n"
               "Accept: text/html\r\n\r\n").encode()
    samples: list[float] = []
    errors: list[str] = []

    async def fetch(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> tuple[int, bytes, bool]:
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        headers = head.decode("latin-1").lower()
        length = next((int(line.split(":", 1)[1]) for line in headers.split("\r\n")
                       if line.startswith("content-length:")), None)
        if length is not None:
            body = await reader.readexactly(length)
        elif "transfer-encoding: chunked" in headers:
            parts = []
            while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
                parts.append(await reader.readexactly(size + 2))
            await reader.readuntil(b"\r\n")
            body = b"".join(p[:-2] for p in parts)
        else:
            raise ValueError("no Content-Length and not chunked")
        return status, body, "connection: close" in headers

    async def client(stop: float) -> None:
        loop = asyncio.get_running_loop()
        conn: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
        while loop.time() < stop:
            t0 = time.perf_counter()
            problem = ""
            try:
                async with asyncio.timeout(10):
                    if conn is None:
                        conn = await asyncio.open_connection("127.0.0.1", port, limit=2**24)
                    status, body, close = await fetch(*conn)
                if status != 200:
                    problem = str(status)
                elif not body.rstrip().endswith(b"</html>"):
                    problem = "truncated page"
            except (OSError, ValueError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError) as exc:
                problem, close = type(exc).__name__, True
            samples.append(time.perf_counter() - t0)
            if problem:
                errors.append(problem)
            if close and conn is not None:
                conn[1].close()
                conn = None
        if conn is not None:
            conn[1].close()

    async def main() -> None:
        stop = asyncio.get_running_loop().time() + seconds
        await asyncio.gather(*(client(stop) for _ in range(clients)))

    try:
        assert server.stdout is not None
        banner = server.stdout.readline().strip()  # printed once the server is configured
        _wait_for_listeners(server.pid, port, banner)
        cpu0 = time.process_time()
        tree = [psutil.Process(server.pid), *psutil.Process(server.pid).children(recursive=True)]
        server_cpu0 = sum(sum(p.cpu_times()[:2]) for p in tree)
        t0 = time.perf_counter()
        asyncio.run(main())
        wall = time.perf_counter() - t0
        tree = [psutil.Process(server.pid), *psutil.Process(server.pid).children(recursive=True)]
        server_cpu = sum(sum(p.cpu_times()[:2]) for p in tree) - server_cpu0
        log.seek(0)
        server_errors = [line.rstrip() for line in log if line.strip() and not line.startswith(" ")][-5:]
        return {"server": banner, "clients": clients, "seconds": seconds, "requests": len(samples),
                "per_second": round(len(samples) / wall, 1), "errors": len(errors), "error_samples": errors[:5],
                "server_errors": server_errors if errors else [],
                "client_cpu_s": round(time.process_time() - cpu0, 2), "server_cpu_s": round(server_cpu, 1),
                **_ms(samples)}
    finally:
        server.terminate()
        server.wait(30)
        log.close()


def _wait_for_quiet() -> None:
    """With ORGBOOK_BENCH_HANDSHAKE=FILE: write FILE once the data is in, then wait until it is removed.
    On a shared machine whoever runs the bench pauses other work in between, so only the measuring
    needs a quiet machine, not the minutes of import before it."""
    handshake = os.environ.get("ORGBOOK_BENCH_HANDSHAKE")
    if not handshake:
        return
    Path(handshake).write_text(str(os.getpid()))
    while Path(handshake).exists():
        time.sleep(0.5)


def run(components: int, db_kind: str, repeat: int, load_s: float, only_load: bool = False,
        only_search: bool = False, only_object: bool = False) -> dict[str, Any]:
    sys.path.insert(0, str(BENCH))
    import generate_org

    folder = generate_org.generate(components, 1)
    mutated, n_mutated = generate_org.mutate(components, 1, 1)
    env, cleanup = _setup_env(db_kind)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    try:
        return _measure(env, folder, mutated, n_mutated, db_kind, repeat, load_s, only_load, only_search, only_object)
    finally:
        cleanup()


def _as_synced(model: Any, user: Any) -> None:
    """What a folder import lacks and a synced org has, so that the dictionary's sorts and filters
    meet realistic data: Salesforce's last-modified date (spread over five years, to the second) and
    user (23 people), a managed package (every 20th component: namespace `acme`), and documentation
    on every 50th component (about 2%). Deterministic (from the row ids)."""
    from django.db import connection

    from orgbook.documentation.models import Documentation
    from orgbook.orgmodels.models import Component

    table = Component._meta.db_table
    if connection.vendor == "postgresql":
        when = "TIMESTAMPTZ '2021-01-01 00:00:00+00' + ((id * 7919) %% 157680000) * INTERVAL '1 second'"
    else:
        when = "strftime('%%Y-%%m-%%d %%H:%%M:%%S', '2021-01-01', '+' || ((id * 7919) %% 157680000) || ' seconds')"
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET last_modified_date = {when}, "  # noqa: S608  # our own SQL
                       f"last_modified_by = 'User ' || ((id * 31) %% 23), "
                       f"namespace = CASE WHEN id %% 20 = 0 THEN 'acme' ELSE '' END WHERE model_id = %s", [model.pk])
    rows = Component.objects.filter(model=model).order_by("id").values_list("type", "name_key", "full_name")
    Documentation.objects.bulk_create(
        [Documentation(implementation=model.implementation, type=t, name_key=k, full_name=n, note="Documented.",
                       search_text=n.lower(), written_in=model, updated_by=user)
         for i, (t, k, n) in enumerate(rows.iterator(chunk_size=5000)) if i % 50 == 0], batch_size=2000)


BIG_TYPES: list[dict[str, Any]] = [
    {"type": "Text", "length": 80}, {"type": "Number", "precision": 18, "scale": 2}, {"type": "Picklist"},
    {"type": "Lookup", "referenceTo": "Account"}, {"type": "Checkbox"}, {"type": "Currency", "precision": 16, "scale": 2},
    {"type": "Number", "precision": 18, "scale": 0, "formula": "Amount__c * 2"}, {"type": "Date"},
    {"type": "LongTextArea", "length": 32768}, {"type": "Summary", "summaryOperation": "count"},
]


def _big_object(model: Any, user: Any, n: int) -> str:
    """An object with `n` fields written directly (a generated org's objects have a few dozen): types in
    Setup's mix, half described, a third documented, each used by 1 to 6 of the model's classes."""
    import zlib

    from orgbook.documentation.models import Documentation
    from orgbook.orgmodels.models import Component, Dependency

    name = "Big500__c"

    def row(type_: str, full_name: str, attrs: dict[str, Any], parent: str = "") -> Component:
        return Component(model=model, type=type_, full_name=full_name, name_key=full_name.lower(), label=full_name,
                         parent_type="CustomObject" if parent else "", parent_key=parent.lower(), attributes=attrs,
                         definition_z=zlib.compress(f"<{type_}>{full_name}</{type_}>".encode()),
                         content_hash=full_name, added_version=model.version, changed_version=model.version)

    Component.objects.bulk_create([row("CustomObject", name, {})])
    fields = Component.objects.bulk_create(
        [row("CustomField", f"{name}.Field_{i:03}__c",
             {**BIG_TYPES[i % len(BIG_TYPES)], "required": i % 7 == 0,
              **({"description": f"What field {i} holds and who fills it in."} if i % 2 else {})}, name)
         for i in range(n)], batch_size=500)
    fields = list(Component.objects.filter(model=model, parent_key=name.lower(), type="CustomField"))
    classes = list(Component.objects.filter(model=model, type="ApexClass").order_by("id")[:60])
    Dependency.objects.bulk_create(
        [Dependency(model=model, source=classes[(i * 7 + j) % len(classes)], target_type="CustomField",
                    target_key=f.name_key, target_name=f.full_name, where="code")
         for i, f in enumerate(fields) for j in range(1 + i % 6)], batch_size=2000)
    Documentation.objects.bulk_create(
        [Documentation(implementation=model.implementation, type="CustomField", name_key=f.name_key,
                       full_name=f.full_name, note="Documented.", search_text=f.name_key, written_in=model,
                       updated_by=user) for i, f in enumerate(fields) if i % 3 == 0])
    return name


OBJECT_VARIANTS: list[dict[str, Any]] = [
    {}, {"fsort": "-where_used"}, {"fsort": "type"}, {"fsort": "-documented"}, {"fq": "field_1"},
    {"ftype": "Formula"}, {"fdoc": "no"}, {"fpage": 10}, {"fsort": "-description", "fpage": 5},
]


def _object_page(get: Any, m: int, name: str, repeat: int, reference: str) -> dict[str, Any]:
    """The big object's page: the first request (its rows worked out), then every variant warm; and,
    measured alongside on the same machine, the page of the generated org's object `reference`."""
    url = f"/m/{m}/c/CustomObject/{name}"
    get(f"/m/{m}/")  # the process's first request (imports, URLconf) is not the object page's cost
    t0 = time.perf_counter()
    get(url)
    first_ms = round((time.perf_counter() - t0) * 1000, 1)
    samples: list[float] = []
    worst: dict[str, float] = {}
    for params in OBJECT_VARIANTS:
        got = _time(lambda params=params: get(url, params), max(3, repeat // 2))
        worst[json.dumps(params)] = _ms(got)["p95_ms"]
        samples += got
    ordinary = _ms(_time(lambda: get(f"/m/{m}/c/CustomObject/{reference}"), max(3, repeat // 2)))
    return {"first_ms": first_ms, **_ms(samples), "p95_ms_by_variant": worst,
            "ordinary_object": {"name": reference, "p50_ms": ordinary["p50_ms"], "p95_ms": ordinary["p95_ms"]}}


# The dictionary's variants: every column's sort both ways, each filter alone, and combinations people
# use. Measured on model b (version 2 of the org, about 1% updated; see `_as_synced`).
DICTIONARY_SORTS = ["full_name", "type", "label", "parent", "namespace", "status", "last_modified_date",
                    "last_modified_by", "changed_version"]
DICTIONARY_FILTERS: list[dict[str, Any]] = [
    {"type": "CustomField"}, {"type": "ApexClass"}, {"namespace": "-"}, {"namespace": "acme"},
    {"status": "present"}, {"status": "deleted"}, {"status": "unfetched"},
    {"change": "new"}, {"change": "updated"}, {"change": "deleted"}, {"change": "new", "since_version": 1},
    {"changed_since": "2025-06-01"}, {"changed_since": "2021-06-01"},
    {"documented": "yes"}, {"documented": "no"}, {"q": "score"}, {"q": "segment"}, {"type": "CustomField", "parent": "Account"},
]
DICTIONARY_COMBINED: list[dict[str, Any]] = [
    {"type": "CustomField", "sort": "-last_modified_date"}, {"type": "CustomField", "sort": "last_modified_date"},
    {"documented": "no", "type": "CustomField"}, {"documented": "yes", "type": "ApexClass"},
    {"type": "ApexClass", "sort": "-label"}, {"change": "updated", "sort": "-last_modified_date"},
    {"namespace": "acme", "sort": "label"}, {"page": 40}, {"page": 40, "sort": "-last_modified_date"},
    {"col": ["full_name", "label", "documented", "description"]},
]


def dictionary_variants() -> list[dict[str, Any]]:
    sorts = [{"sort": sign + key} for key in DICTIONARY_SORTS for sign in ("", "-")]
    return [*sorts, *DICTIONARY_FILTERS, *DICTIONARY_COMBINED]


def _dictionary(get: Any, model: Any, repeat: int) -> dict[str, Any]:
    """Every variant's p95 wall and CPU time of this process (the database server's is not in it), after
    a warm-up request whose time is `first_ms` (caches cold), and its rows."""
    import re

    samples: list[float] = []
    by_case: dict[str, Any] = {}
    for params in dictionary_variants():
        t0 = time.perf_counter()
        html = get(f"/m/{model.pk}/", params).content.decode()
        first = time.perf_counter() - t0
        case, cpu = [], []
        for _ in range(max(5, repeat // 2)):
            t0, c0 = time.perf_counter(), time.process_time()
            get(f"/m/{model.pk}/", params)
            case.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        rows = re.search(r"([\d,]+) components? in this list", html)
        by_case[json.dumps(params)] = {"p95_ms": _ms(case)["p95_ms"], "first_ms": round(first * 1000, 1),
                                       "cpu_p95_ms": _ms(cpu)["p95_ms"], "rows": rows.group(1) if rows else "?"}
        samples += case
    worst = max(by_case, key=lambda k: by_case[k]["p95_ms"])
    return {**_ms(samples), "worst": worst, "by_case": by_case}


def _measure(env: dict[str, str], folder: Path, mutated: Path, n_mutated: int, db_kind: str, repeat: int,
             load_s: float, only_load: bool = False, only_search: bool = False,
             only_object: bool = False) -> dict[str, Any]:
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db.models import Count
    from django.test import Client

    from orgbook.implementations import lifecycle
    from orgbook.orgmodels import compare, impact
    from orgbook.orgmodels.models import Component, Dependency
    from orgbook.orgmodels.services import model_for_import
    from orgbook.runs.imports import import_path

    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user(username="bench@example.com", email="bench@example.com")
    space = lifecycle.create_space("Bench", user, plan="paid", licences=2)
    impl = lifecycle.create_implementation(space, user, "Enterprise")
    a = model_for_import(impl, "Production", "production")
    b = model_for_import(impl, "UAT", "sandbox")
    t0 = time.perf_counter()
    import_path(a, folder)
    if not (only_load or only_search or only_object):  # the load, the search and the object run on model a only
        import_path(b, folder)
        import_path(b, mutated)  # b: version 2, about 1% of its components updated (the dictionary's changes)
    ingest_s = time.perf_counter() - t0
    _wait_for_quiet()
    if not (only_load or only_search or only_object):
        _as_synced(b, user)
    if db_kind == "postgres":
        from django.db import connection

        # What autovacuum does after a bulk load (PostgreSQL 13+ also vacuums after inserts): plans need
        # statistics, and index-only scans (compare) need the visibility map.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
            # And write the load's dirty pages out now: otherwise the timed checkpoint (5 min) falls
            # in the measurements that follow and competes with them for the 2 cores and the disk.
            cursor.execute("CHECKPOINT")
    n = Component.objects.filter(model=a).count()

    import generate_org

    field = Component.objects.get(model=a, type="CustomField",
                                  name_key=f"{generate_org.HEAVY_OBJECT}.{generate_org.HEAVY_FIELD}".lower())
    users = Dependency.objects.filter(model=a, target_type="CustomField", target_key=field.name_key)
    by_type = dict(users.values_list("source__type").annotate(n=Count("id")).order_by())
    obj = Component.objects.filter(model=a, type="CustomObject").order_by("name_key")[10]

    client = Client()
    client.force_login(user)

    def get(url: str, params: dict[str, Any] | None = None) -> Any:
        r = client.get(url, params or {})
        if r.status_code != 200:
            raise SystemExit(f"{url} answered {r.status_code}")
        return r

    m = a.pk
    results: dict[str, Any] = {"components": n, "db": db_kind, "ingest_both_s": round(ingest_s, 1),
                               "heavy_field": field.full_name, "its_users": sum(by_type.values()),
                               "its_users_by_type": by_type}
    if only_object:
        return {**results, "object_page_500_fields": _object_page(get, m, _big_object(a, user, 500), repeat,
                                                                   obj.full_name)}
    if only_load:
        get(f"/m/{m}/c/CustomField/{field.full_name}")  # the page cache filled, as after the measurements
        return {**results, "load_component_page": _load_page(env, client, m, field, load_s, tuple(SERVE_ARGS))}
    from orgbook.orgmodels import referenced

    t0 = time.perf_counter()  # what the first search after a sync pays to gather referenced names
    names = referenced._Names.build(a)
    results["referenced_names"] = {"build_ms": round((time.perf_counter() - t0) * 1000, 1), "names": len(names.rows)}
    search_samples: list[float] = []
    by_query: dict[str, float] = {}
    for q in SEARCHES:
        samples = _time(lambda q=q: get(f"/m/{m}/search/", {"q": q, "partial": "1"}),
                        max(3, repeat // len(SEARCHES) * 2))
        by_query[q] = _ms(samples)["p95_ms"]
        search_samples += samples
    results["search"] = {**_ms(search_samples), "p95_ms_by_query": by_query}
    if only_search:
        return results
    results["dictionary_page"] = _dictionary(get, b, repeat)
    comp_samples = _time(lambda: get(f"/m/{m}/c/CustomField/{field.full_name}"), repeat // 2)
    comp_samples += _time(lambda: get(f"/m/{m}/c/CustomObject/{obj.full_name}"), repeat // 2)
    results["component_page"] = _ms(comp_samples)
    results["component_page_depth3"] = _ms(_time(
        lambda: get(f"/m/{m}/c/CustomField/{field.full_name}", {"depth": 3}), repeat // 2))
    depth3: list[Any] = []
    results["where_used_depth3"] = _ms(_time(lambda: depth3.append(
        len(impact.impact(a, "CustomField", field.full_name, 3))), repeat))
    results["where_used_depth3"]["components_reached"] = depth3[-1]
    results["where_used_depth3"]["capped"] = depth3[-1] >= impact.IMPACT_LIMIT

    lines: list[Any] = []
    compare_s = min(_time(lambda: lines.append(list(compare.lines(a, b))), 2))
    counts = {k: sum(1 for ln in lines[-1] if ln.kind == k) for k in compare.KINDS}
    diff_s = _diff_rq(folder, mutated)
    # The generator hard-links unchanged files, and diff skips a file linked to itself; two folders
    # retrieved from two orgs share nothing, so the yardstick is also taken on a real copy.
    with tempfile.TemporaryDirectory(prefix="orgbook-bench-copy-") as tmp:
        copy = Path(tmp) / "copy"
        shutil.copytree(mutated, copy)
        diff_copy_s = _diff_rq(folder, copy)
    results["compare"] = {"seconds": round(compare_s, 3), "diff_rq_s": round(diff_s, 3),
                          "ratio": round(compare_s / diff_s, 2), "diff_rq_real_copy_s": round(diff_copy_s, 3),
                          "ratio_real_copy": round(compare_s / diff_copy_s, 2), "counts": counts,
                          "mutated": n_mutated}
    page_s = _time(lambda: get(f"/m/{m}/compare/", {"with": b.pk}), 2)
    results["compare_page"] = {"seconds": round(statistics.median(page_s), 2)}
    # After compare: the object's 500 fields would be differences between the two models.
    results["object_page_500_fields"] = _object_page(get, m, _big_object(a, user, 500), repeat, obj.full_name)
    if load_s:
        results["load_component_page"] = _load_page(env, client, m, field, load_s, tuple(SERVE_ARGS))
    return results


SERVE_ARGS: list[str] = []  # --serve-arg: options for `orgbook serve` in the load


def _load_page(env: dict[str, str], client: Any, m: int, field: Any, load_s: float,
               serve_args: tuple[str, ...] = ()) -> dict[str, Any]:
    """`_load` on the heavy field's page, as the signed-in bench user; CPU per request added."""
    from django.db import connections

    connections.close_all()
    cookie = client.cookies["sessionid"].value
    found = _load(env, f"/m/{m}/c/CustomField/{field.full_name}", cookie, load_s, serve_args=serve_args)
    found["server_cpu_ms_per_request"] = round(found["server_cpu_s"] / max(1, found["requests"]) * 1000, 1)
    return found


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--components", type=int, default=100000)
    ap.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--repeat", type=int, default=40)
    ap.add_argument("--load", type=float, default=0, metavar="SECONDS",
                    help="also run 20 concurrent clients against the component page for SECONDS")
    ap.add_argument("--only-load", action="store_true",
                    help="with --load: import the org as one model and run only the load (no other measurement)")
    ap.add_argument("--only-search", action="store_true", help="import the org as one model and time the search only")
    ap.add_argument("--only-object", action="store_true",
                    help="import the org as one model and time only the page of an object with 500 fields")
    ap.add_argument("--serve-arg", action="append", default=[], metavar="ARG",
                    help="with --load: an option for `orgbook serve` (repeat: --serve-arg=--workers=2)")
    a = ap.parse_args(argv)
    SERVE_ARGS[:] = a.serve_arg
    if a.only_load and not a.load:
        ap.error("--only-load needs --load SECONDS")
    print(json.dumps(run(a.components, a.db, a.repeat, a.load, a.only_load, a.only_search, a.only_object)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
