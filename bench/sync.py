"""End-to-end sync through the emulator: API calls, client time vs waiting, memory.

    python bench/sync.py --components 10000

Generates (or reuses) the synthetic org of bench/generate_org.py, serves it from the fakeforce
emulator in its own process, connects it with the real OAuth flow, then runs a first sync and a
sync where nothing changed. Prints one JSON line. Not a test: figures go in bench/README.md.
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


def start_emulator(folder: Path, work: Path) -> tuple[subprocess.Popen[str], dict[str, object]]:
    config = {"client_id": CLIENT_ID, "client_secret": SECRET, "redirect_uris": ["*"], "api_versions": API_VERSIONS,
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
    args = parser.parse_args()
    import generate_org

    folder = generate_org.generate(args.components, args.seed)
    work = Path(tempfile.mkdtemp(prefix="orgbook-bench-sync-"))
    emu, info = start_emulator(folder, work)
    try:
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
    from orgbook.orgmodels.sync import run_sync
    from orgbook.salesforce.metadata_api import MetadataApi

    conn = connect_org(info, "Big")

    out: dict[str, object] = {"components": components}
    for label, full in (("first", True), ("nochange", False)):
        api = MetadataApi(connect.client_for(conn))
        started = time.perf_counter()
        sync_run = run_sync(conn, api, trigger=label, full=full)
        total = time.perf_counter() - started
        stats = api.client.stats
        waiting = stats.http_seconds + stats.poll_wait_seconds  # on the emulator: answering, or preparing a zip
        out.update({f"{label}_s": round(total, 2), f"{label}_calls": sync_run.api_calls,
                    f"{label}_waiting_s": round(waiting, 2), f"{label}_client_s": round(total - waiting, 2),
                    f"{label}_added": sync_run.added, f"{label}_changed": sync_run.changed})
    out["synced_components"] = conn.org_model.components.count()
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return out


if __name__ == "__main__":
    main()
