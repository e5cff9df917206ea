"""Orgbook beside the Salesforce CLI (`sf`), in one run, alternating, same inputs.

    python bench/peers.py --components 10000 [--rounds 2]

1. Convert: `orgbook import FOLDER` (parse everything, write it to the database) against
   `sf project convert mdapi --root-dir FOLDER` (parse everything, write it out as source format).
2. Retrieve: an Orgbook first sync of the emulated org (list, retrieve, read, ingest) against
   `sf project retrieve start --manifest ...` (retrieve, convert, write source files), both talking
   to the same fakeforce emulator over HTTP.

Every tool runs as its own process under `/usr/bin/time -v`: wall time and maximum resident set
size (the largest process of the tree; the emulator is a separate process and is in neither).
The CLI is installed in bench/.peers/ (see bench/README.md); its configuration goes to a private
HOME in the work folder, so nothing touches the user's own `sf` logins.

The Metadata API refuses a retrieve of more than 10,000 files (docs/salesforce-protocols.md §4.4) and the
emulator enforces that, as Salesforce does. Orgbook splits its retrieves; `sf` does not, so it is
given manifests of at most MANIFEST_FILES files each, run one after the other (what a user must do),
and its figures are the sum of their times and the largest of their peaks.
Prints one JSON line. Not a test: figures go in bench/README.md.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
PEERS = ROOT / "bench" / ".peers"
SF = PEERS / "node_modules" / ".bin" / "sf"
PY = sys.executable
ORGBOOK = str(Path(sys.executable).parent / "orgbook")
MANIFEST_FILES = 9000  # under the 10,000-file retrieve limit, with room for package.xml and meta files

# Generated org layout (bench/generate_org.py): directory -> (type, suffix, files per member)
LAYOUT = {"classes": ("ApexClass", ".cls", 2), "objects": ("CustomObject", ".object", 1),
          "layouts": ("Layout", ".layout", 1), "flows": ("Flow", ".flow", 1), "profiles": ("Profile", ".profile", 1)}


def timed(cmd: list[str], env: dict[str, str], cwd: Path, log: Path) -> dict[str, Any]:
    """Run `cmd` under /usr/bin/time -v; wall seconds and max RSS (MB), or raise with its output."""
    with log.open("w") as out:
        proc = subprocess.run(["/usr/bin/time", "-v", *cmd], cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                              check=False)
    text = log.read_text(errors="replace")
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    if proc.returncode != 0 or not wall or not rss:
        tail = "\n".join(text.splitlines()[-25:])
        raise RuntimeError(f"{' '.join(cmd[:4])} ... failed ({proc.returncode}); see {log}:\n{tail}")
    parts = [float(p) for p in wall.group(1).split(":")]
    seconds = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
    return {"s": round(seconds, 2), "rss_mb": round(int(rss.group(1)) / 1024, 1)}


def sf_env(work: Path) -> dict[str, str]:
    home = work / "sf-home"
    home.mkdir(exist_ok=True)
    return {**os.environ, "HOME": str(home), "SF_DISABLE_TELEMETRY": "true", "SF_AUTOUPDATE_DISABLE": "true",
            "SF_USE_GENERIC_UNIX_KEYCHAIN": "true", "SF_SKIP_NEW_VERSION_CHECK": "true",
            "PATH": f"{SF.parent}:{os.environ.get('PATH', '')}"}


def sf_project(work: Path, name: str) -> Path:
    project = work / name
    shutil.rmtree(project, ignore_errors=True)
    (project / "force-app").mkdir(parents=True)
    (project / "sfdx-project.json").write_text(json.dumps(
        {"packageDirectories": [{"path": "force-app", "default": True}], "sourceApiVersion": "62.0", "name": name}))
    return project


def orgbook_env(work: Path) -> dict[str, str]:
    return {**os.environ, "DJANGO_SETTINGS_MODULE": "orgbook.settings", "ORGBOOK_DATA_DIR": str(work / "orgbook"),
            "CELERY_BROKER_URL": "memory://"}


def setup_orgbook(work: Path, rounds: int) -> None:
    """Migrate, and make a Space with one implementation per import (not timed)."""
    env = orgbook_env(work)
    subprocess.run([ORGBOOK, "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    code = ("import django; django.setup()\n"
            "from django.contrib.auth import get_user_model\n"
            "from orgbook.implementations import lifecycle\n"
            "u = get_user_model().objects.create_user(username='b@example.com', email='b@example.com', password='x'*12)\n"
            f"s = lifecycle.create_space('Peers', u, plan='paid', licences={rounds + 1})\n"
            f"[lifecycle.create_implementation(s, u, f'Import {{i}}') for i in range({rounds})]\n"
            "print(s.slug)\n")
    slug = subprocess.run([PY, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True, text=True).stdout
    (work / "space-slug").write_text(slug.strip().splitlines()[-1])


def run_import(work: Path, folder: Path, i: int) -> dict[str, Any]:
    # Migrate again, untimed: the working tree may have gained a migration since setup.
    subprocess.run([ORGBOOK, "migrate", "-v", "0"], cwd=ROOT, env=orgbook_env(work), check=True)
    slug = (work / "space-slug").read_text()
    cmd = [ORGBOOK, "import", str(folder), "--space", slug, "--implementation", f"Import {i}",
           "--model", "Bench", "--json"]
    result = timed(cmd, orgbook_env(work), ROOT, work / f"import-{i}.log")
    return result


def run_convert(work: Path, folder: Path, i: int) -> dict[str, Any]:
    project = sf_project(work, f"convert-{i}")
    cmd = [str(SF), "project", "convert", "mdapi", "--root-dir", str(folder), "--output-dir", "out"]
    result = timed(cmd, sf_env(work), project, work / f"convert-{i}.log")
    result["files_out"] = sum(1 for p in (project / "out").rglob("*") if p.is_file())
    shutil.rmtree(project, ignore_errors=True)
    return result


# ----------------------------------------------------------------------------- retrieve side


def manifests(folder: Path, limit: int = MANIFEST_FILES) -> list[dict[str, list[str]]]:
    """The generated org's members as package.xml contents of at most `limit` files each."""
    members: list[tuple[str, str, int]] = []
    for directory, (mtype, suffix, cost) in LAYOUT.items():
        for f in sorted((folder / directory).glob(f"*{suffix}")):
            members.append((mtype, f.name[: -len(suffix)], cost))
    for meta in sorted((folder / "reports").glob("*-meta.xml")):
        name = meta.name[: -len("-meta.xml")]
        members.append(("Report", name, 1))
        members += [("Report", f"{name}/{r.name[: -len('.report')]}", 1)
                    for r in sorted((folder / "reports" / name).glob("*.report"))]
    out: list[dict[str, list[str]]] = [{}]
    size = 0
    for mtype, name, cost in members:
        if size + cost > limit:
            out.append({})
            size = 0
        out[-1].setdefault(mtype, []).append(name)
        size += cost
    return out


def package_xml(types: dict[str, list[str]]) -> str:
    body = "".join("    <types>\n" + "".join(f"        <members>{m}</members>\n" for m in names)
                   + f"        <name>{t}</name>\n    </types>\n" for t, names in sorted(types.items()))
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<Package xmlns="http://soap.sforce.com/2006/04/metadata">\n'
            f"{body}    <version>62.0</version>\n</Package>\n")


def access_token(info: dict[str, Any], client_id: str, secret: str) -> tuple[str, str]:
    """The OAuth web-server flow with PKCE against the emulator: (access token, instance URL)."""
    import requests

    login = str(info["login_url"])
    verifier = base64.urlsafe_b64encode(secrets.token_bytes(48)).decode().rstrip("=")
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    redirect = "http://localhost:1717/OauthRedirect"
    requests.post(f"{login}/__fakeforce/set_auto_approve", json={"username": "admin@big.example"}, timeout=10)
    answer = requests.get(f"{login}/services/oauth2/authorize", allow_redirects=False, timeout=30, params={
        "response_type": "code", "client_id": client_id, "redirect_uri": redirect, "code_challenge": challenge})
    code = parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0]
    tokens = requests.post(f"{login}/services/oauth2/token", timeout=30, data={
        "grant_type": "authorization_code", "code": code, "client_id": client_id, "client_secret": secret,
        "redirect_uri": redirect, "code_verifier": verifier}).json()
    return tokens["access_token"], tokens["instance_url"]


def sf_login(work: Path, info: dict[str, Any]) -> None:
    from sync import CLIENT_ID, SECRET

    token, instance = access_token(info, CLIENT_ID, SECRET)
    env = {**sf_env(work), "SF_ACCESS_TOKEN": token}
    project = sf_project(work, "login")
    log = work / "sf-login.log"
    with log.open("w") as out:
        subprocess.run([str(SF), "org", "login", "access-token", "--instance-url", instance, "--no-prompt",
                        "--alias", "emu"], cwd=project, env=env, stdout=out, stderr=subprocess.STDOUT, check=True)


def run_retrieve(work: Path, folder: Path, i: int) -> dict[str, Any]:
    project = sf_project(work, f"retrieve-{i}")
    total, peak = 0.0, 0.0
    parts = manifests(folder)
    for n, types in enumerate(parts):
        (project / f"package-{n}.xml").write_text(package_xml(types))
        cmd = [str(SF), "project", "retrieve", "start", "--manifest", f"package-{n}.xml", "--target-org", "emu",
               "--wait", "60"]
        one = timed(cmd, sf_env(work), project, work / f"retrieve-{i}-{n}.log")
        total += one["s"]
        peak = max(peak, one["rss_mb"])
    files = sum(1 for p in (project / "force-app").rglob("*") if p.is_file())
    shutil.rmtree(project, ignore_errors=True)
    return {"s": round(total, 2), "rss_mb": peak, "invocations": len(parts), "files_out": files}


def run_first_sync(work: Path, info_file: Path, i: int) -> dict[str, Any]:
    data = work / f"sync-data-{i}"  # a fresh, migrated database per round (migrating is not timed)
    data.mkdir()
    subprocess.run([ORGBOOK, "migrate", "-v", "0"], cwd=ROOT, check=True,
                   env={**os.environ, "ORGBOOK_DATA_DIR": str(data), "CELERY_BROKER_URL": "memory://"})
    cmd = [PY, str(Path(__file__).resolve()), "--orgbook-first-sync", str(data), str(info_file), f"Sync {i}"]
    result = timed(cmd, os.environ.copy(), ROOT, work / f"sync-{i}.log")
    line = [x for x in (work / f"sync-{i}.log").read_text().splitlines() if x.startswith("{")][-1]
    result.update(json.loads(line))
    return result


def orgbook_first_sync(data: str, info_file: str, impl_name: str) -> None:
    """Child process: connect a new implementation to the emulator and run its first sync."""
    from sync import connect_org, setup_django

    info = json.loads(Path(info_file).read_text())
    setup_django(Path(data), info)
    from orgbook.implementations import connect
    from orgbook.orgmodels.models import SyncRun
    from orgbook.orgmodels.sync import SyncReporter, model_for, run_sync
    from orgbook.salesforce.metadata_api import MetadataApi

    conn = connect_org(info, impl_name, migrate=False)
    api = MetadataApi(connect.client_for(conn))
    started = time.perf_counter()
    # The sync itself (describe, list, fetch, ingest), as bench/sync.py times it.
    sync_run = SyncRun.objects.create(model=model_for(conn), trigger="first", stage="describing", full=True)
    run_sync(sync_run, api, SyncReporter(sync_run))
    sync_run.api_calls = api.client.calls
    print(json.dumps({"sync_s": round(time.perf_counter() - started, 2), "calls": sync_run.api_calls,
                      "components": sync_run.added}), flush=True)


def ratio(a: float, b: float) -> float:
    return round(a / b, 2) if b else 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--components", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--skip", choices=["convert", "retrieve"], default=None)
    parser.add_argument("--orgbook-first-sync", nargs=3, metavar=("DATA", "INFO", "NAME"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.orgbook_first_sync:
        orgbook_first_sync(*args.orgbook_first_sync)
        return
    if not SF.exists():
        sys.exit(f"The Salesforce CLI is not installed in {PEERS}: see bench/README.md (Salesforce CLI side by side).")
    import generate_org
    from sync import start_emulator

    folder = generate_org.generate(args.components, args.seed)
    work = Path(tempfile.mkdtemp(prefix="orgbook-bench-peers-"))
    out: dict[str, Any] = {"components": args.components, "rounds": args.rounds, "work": str(work),
                           "sf_version": subprocess.run([str(SF), "--version"], env=sf_env(work), capture_output=True,
                                                        text=True).stdout.strip()}
    if args.skip != "convert":
        setup_orgbook(work, args.rounds)
        for i in range(args.rounds):
            pair = [("orgbook_import", run_import), ("sf_convert_mdapi", run_convert)]
            for label, step in pair if i % 2 == 0 else pair[::-1]:  # alternate who goes first
                out.setdefault(label, []).append(step(work, folder, i))
    if args.skip != "retrieve":
        emu, info = start_emulator(folder, work)
        info_file = work / "emulator-info.json"
        info_file.write_text(json.dumps(info))
        try:
            sf_login(work, info)
            for i in range(args.rounds):
                pair = [("orgbook_first_sync", lambda w, f, n: run_first_sync(w, info_file, n)),
                        ("sf_retrieve", run_retrieve)]
                for label, step in pair if i % 2 == 0 else pair[::-1]:
                    out.setdefault(label, []).append(step(work, folder, i))
        finally:
            emu.terminate()
            emu.wait(timeout=30)
    for ours, theirs in (("orgbook_import", "sf_convert_mdapi"), ("orgbook_first_sync", "sf_retrieve")):
        if ours in out:
            best_ours = min(r["s"] for r in out[ours])
            best_theirs = min(r["s"] for r in out[theirs])
            out[f"{ours}_vs_{theirs}"] = {
                "time_ratio_best": ratio(best_ours, best_theirs),
                "rss_ratio_max": ratio(max(r["rss_mb"] for r in out[ours]), max(r["rss_mb"] for r in out[theirs]))}
    print(json.dumps(out))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
