"""HTTP controls under /__fakeforce/<action> and the `fakeforce` console script."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path

import requests

from fakeforce import Emulator
from fakeforce.tests import flow


def test_control_endpoints_drive_the_emulator(emu: Emulator) -> None:
    ctl = f"{emu.login_url}/__fakeforce"
    assert requests.post(f"{ctl}/set_auto_approve", json={"username": "admin@acme.com"}).json()["ok"]
    verifier, challenge = flow.pkce()
    resp = requests.get(f"{emu.login_url}/services/oauth2/authorize", params=flow.authorize_params(challenge),
                        allow_redirects=False)
    assert "code" in flow.code_from(resp)
    requests.post(f"{ctl}/set_auto_approve", json={"username": None})
    tok = flow.get_tokens(emu)
    assert requests.post(f"{ctl}/inject_fault", json={"org": "acme", "kind": "server_error", "times": 1}).json()["ok"]
    assert flow.rest(tok, "/services/data/v62.0/limits").status_code == 500
    assert requests.post(f"{ctl}/api_calls", json={"org": "acme"}).json()["result"] == emu.api_calls("acme")
    add = requests.post(f"{ctl}/add_component", json={"org": "acme", "type": "ApexClass", "full_name": "Ctl",
                                                      "xml": "public class Ctl {}", "by": "Jane Admin"})
    assert add.json()["ok"]
    assert emu.find_org("acme").store.get("ApexClass", "Ctl") is not None  # type: ignore[union-attr]
    new_id = requests.post(f"{ctl}/refresh_sandbox", json={"org": "uat"}).json()["result"]
    assert emu.org("uat").org_id == new_id
    assert emu.org(new_id).key == "uat" and emu.org(new_id[:15]).key == "uat"
    assert requests.post(f"{ctl}/expire_access_tokens", json={"org": "acme"}).json()["result"] >= 1
    assert flow.rest(tok, "/services/data/v62.0/limits").status_code == 401
    bad = requests.post(f"{ctl}/inject_fault", json={"org": "acme", "kind": "nope"})
    assert bad.status_code == 400
    info = requests.get(f"{ctl}/info").json()
    assert info["orgs"]["acme"]["instance_url"] == emu.org("acme").instance_url


def test_cli_prints_urls_and_stops_on_sigterm(tmp_path: Path) -> None:
    cfg = tmp_path / "fakeforce.json"
    cfg.write_text(json.dumps(flow.config()))
    proc = subprocess.Popen([sys.executable, "-m", "fakeforce", "--config", str(cfg)], stdout=subprocess.PIPE,
                            text=True)
    try:
        assert proc.stdout is not None
        info = json.loads(proc.stdout.readline())
        assert set(info) >= {"login_url", "sandbox_login_url", "orgs"}
        acme = info["orgs"]["acme"]
        assert acme["my_domain"] == "https://acme.my.salesforce.com" and acme["username"] == "admin@acme.com"
        assert acme["password"] == "pw"
        versions = requests.get(f"{acme['instance_url']}/services/data/", timeout=5)
        assert versions.status_code == 200
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
