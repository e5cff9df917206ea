"""End-to-end sync through the emulator: API calls, client time vs waiting, memory.

    python bench/sync.py --components 10000
    python bench/sync.py --components 100000 --retrieve-seconds 10 --retrieve-seconds-per-file 0.005 --in-flight 3,1

Generates (or reuses) the synthetic org of bench/generate_org.py, serves it from the fakeforce
emulator in its own process, connects it with the real OAuth flow, then runs a first sync and a
sync where nothing changed. Prints one JSON line. With `--in-flight 3,1`, first syncs of the same org
into new implementations instead, one per number of retrieves in flight, in that order, in one run
(with the emulator's retrieve latency set by `--retrieve-seconds` and `--retrieve-seconds-per-file`). Not a test: figures go in bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

CLIENT_ID, SECRET = "bench-client", "bench-secret"


# Every version Salesforce serves today; the Salesforce CLI asks some things at v51.0 (bench/peers.py).
API_VERSIONS = [f"{v}.0" for v in range(31, 65)]


def start_emulator(folder: Path, work: Path, latency: dict[str, float] | None = None,
                   ) -> tuple[subprocess.Popen[str], dict[str, object]]:
    config = {**(latency or {}), "client_id": CLIENT_ID, "client_secret": SECRET, "redirect_uris": ["*"], "api_versions": API_VERSIONS,
              "orgs": [{"key": "big", "name": "Big Corp", "org_id": "00D5g000004BigCEAA", "sandbox": False,
                        "edition": "Enterprise Edition", "my_domain": "bigcorp",
                        "users": [{"username": "admin@big.example", "password": "pw", "name": "Big Admin"}],
                        "metadata": str(folder)}]}
    (work / "emulator.json").write_text(json.dumps(config))
    proc = subprocess.Popen([sys.executable, "-m", "fakeforce", "--config", str(work / "emulator.json")],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    return proc, json.loads(proc.stdout.readline())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--components", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--retrieve-seconds", type=float, default=0.0, help="emulator: time to prepare a retrieve")
    parser.add_argument("--retrieve-seconds-per-file", type=float, default=0.0, help="emulator: and per file in it")
    parser.add_argument("--in-flight", default="", help="e.g. 3,1: a first sync with each, in that order")
    parser.add_argument("--read-workers", default="", help="e.g. 2,0: ORGBOOK_READ_WORKERS for each of those syncs")
    args = parser.parse_args()
    import generate_org

    folder = generate_org.generate(args.components, args.seed)
    work = Path(tempfile.mkdtemp(prefix="orgbook-bench-sync-"))
    latency = {"retrieve_seconds": args.retrieve_seconds, "retrieve_seconds_per_file": args.retrieve_seconds_per_file}
    emu, info = start_emulator(folder, work, latency)
    try:
        if args.in_flight:
            counts = [int(n) for n in args.in_flight.split(",")]
            workers: list[int | None] = [int(n) for n in args.read_workers.split(",")] if args.read_workers \
                else [None] * len(counts)
            out = run_in_flight(work, info, args.components, counts, workers)
            print(json.dumps({**latency, **out}))
        else:
            print(json.dumps(run(work, info, args.components)))
    finally:
        emu.terminate()
        emu.wait(timeout=30)


def setup_django(work: Path, info: dict) -> None:  # type: ignore[type-arg]
    """Settings for a data directory `work` whose Salesforce is the emulator described by `info`."""
    os.environ.update({"DJANGO_SETTINGS_MODULE": "orgbook.settings", "ORGBOOK_DATA_DIR": str(work),
                       "CELERY_BROKER_URL": "memory://", "ORGBOOK_SF_CLIENT_ID": CLIENT_ID,
                       "ORGBOOK_SF_CLIENT_SECRET": SECRET, "ORGBOOK_SF_LOGIN_URL": str(info["login_url"]),
                       "ORGBOOK_SF_SANDBOX_LOGIN_URL": str(info["sandbox_login_url"]), "ORGBOOK_SF_POLL_MS": "100"})
    import django

    django.setup()


def connect_org(info: dict, impl_name: str, licences: int = 1, migrate: bool = True) -> Any:  # type: ignore[type-arg]
    """A new implementation (in the one bench Space) connected to the emulator's org, OAuth and all."""
    from urllib.parse import parse_qs, urlsplit

    import requests
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from orgbook.implementations import connect, lifecycle
    from orgbook.spaces.models import Space

    if migrate:
        call_command("migrate", verbosity=0)
    user, _ = get_user_model().objects.get_or_create(username="b@example.com", defaults={"email": "b@example.com"})
    space = Space.objects.filter(name="Bench").first() or lifecycle.create_space("Bench", user, plan="paid",
                                                                                 licences=licences)
    impl = lifecycle.create_implementation(space, user, impl_name)
    requests.post(f"{info['login_url']}/__fakeforce/set_auto_approve", json={"username": "admin@big.example"}, timeout=10)
    location = requests.get(connect.begin(user, impl, "production"), allow_redirects=False, timeout=30).headers["Location"]
    query = parse_qs(urlsplit(location).query)
    return connect.complete(user, query["state"][0], query["code"][0])


def run(work: Path, info: dict, components: int) -> dict[str, object]:  # type: ignore[type-arg]
    setup_django(work, info)
    from orgbook.implementations import connect
    from orgbook.orgmodels.models import SyncRun
    from orgbook.orgmodels.sync import SyncReporter, model_for, run_sync
    from orgbook.salesforce.metadata_api import MetadataApi

    conn = connect_org(info, "Big")

    out: dict[str, object] = {"components": components}
    for label, full in (("first", True), ("nochange", False)):
        api = MetadataApi(connect.client_for(conn))
        started = time.perf_counter()
        # The sync itself (describe, list, fetch, ingest), without the steps after the commit.
        sync_run = SyncRun.objects.create(model=model_for(conn), trigger="manual", stage="describing", full=full)
        run_sync(sync_run, api, SyncReporter(sync_run))
        sync_run.api_calls = api.client.calls
        total = time.perf_counter() - started
        stats = api.client.stats
        waiting = stats.http_seconds + stats.poll_wait_seconds  # on the emulator: answering, or preparing a zip
        out.update({f"{label}_s": round(total, 2), f"{label}_calls": sync_run.api_calls,
                    f"{label}_waiting_s": round(waiting, 2), f"{label}_client_s": round(total - waiting, 2),
                    f"{label}_added": sync_run.added, f"{label}_changed": sync_run.changed})
    out["synced_components"] = conn.org_model.components.count()
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return out


def run_in_flight(work: Path, info: dict, components: int, counts: list[int],  # type: ignore[type-arg]
                  workers: list[int | None]) -> dict[str, object]:
    """A first sync of the org for each number of retrieves in flight (its model deleted in between),
    each with its number of reading workers (None: the default, one per core).
    Client CPU is this process's user + system time over the sync, with its reading workers' (the
    emulator runs in another process, never waited for, so not counted)."""
    setup_django(work, info)
    from django.conf import settings

    from orgbook.implementations import connect
    from orgbook.orgmodels.models import OrgModel, SyncRun
    from orgbook.orgmodels.sync import SyncReporter, model_for, run_sync
    from orgbook.salesforce.metadata_api import MetadataApi

    conn = connect_org(info, "Big")
    out: dict[str, object] = {"components": components}
    default_workers = settings.ORGBOOK_READ_WORKERS
    for n, readers in zip(counts, workers, strict=True):
        OrgModel.objects.filter(connection=conn).delete()  # each sync is a first sync
        conn = type(conn).objects.get(pk=conn.pk)
        settings.ORGBOOK_SYNC_RETRIEVES_IN_FLIGHT = n
        settings.ORGBOOK_READ_WORKERS = default_workers if readers is None else readers
        api = MetadataApi(connect.client_for(conn))
        usage, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = usage.ru_utime + usage.ru_stime + kids.ru_utime + kids.ru_stime
        started = time.perf_counter()
        sync_run = SyncRun.objects.create(model=model_for(conn), trigger="manual", stage="describing", full=True)
        run_sync(sync_run, api, SyncReporter(sync_run))
        total = time.perf_counter() - started
        usage, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        stats = api.client.stats
        used = usage.ru_utime + usage.ru_stime + kids.ru_utime + kids.ru_stime - cpu
        out.update({f"in_flight_{n}_s": round(total, 2), f"in_flight_{n}_cpu_s": round(used, 2),
                    f"in_flight_{n}_read_workers": sync_run.stages.get("read_workers", 0),
                    f"in_flight_{n}_stages": sync_run.stages,
                    f"in_flight_{n}_poll_wait_s": round(stats.poll_wait_seconds, 2), f"in_flight_{n}_calls": api.client.calls,
                    f"in_flight_{n}_added": sync_run.added,
                    f"in_flight_{n}_peak_rss_mb_so_far": round(usage.ru_maxrss / 1024, 1)})
    first, last = counts[0], counts[-1]
    out["wall_ratio"] = round(float(out[f"in_flight_{first}_s"]) / float(out[f"in_flight_{last}_s"]), 3)  # type: ignore[arg-type]
    out["cpu_ratio"] = round(float(out[f"in_flight_{first}_cpu_s"]) / float(out[f"in_flight_{last}_cpu_s"]), 3)  # type: ignore[arg-type]
    return out


if __name__ == "__main__":
    main()
