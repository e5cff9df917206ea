"""The demo's Salesforce: the fakeforce emulator run beside Orgbook as a subprocess.

Product code never imports the emulator; this module writes its JSON config into the data
directory, starts `python -m fakeforce` and reads the one JSON line it prints (its URLs).
The production org's metadata is trailheadapps/dreamhouse-lwc, shipped inside this package
(demo_org/, with its licence and NOTICE) so that `pip install` brings it; the sandbox gets a
slightly changed copy written into the data directory (never into the package), so the two org
models differ. `ORGBOOK_DEMO_CORPUS` serves another folder instead, or none when set empty.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

from orgbook.env import SettingError

CLIENT_ID = "orgbook-demo"
ORG_PASSWORD = "fakeforce-demo"  # noqa: S105  (the emulator's published demo login)
PRODUCTION_USER = "admin@acme-retail.demo"
SANDBOX_NAME = "uat"
OTHER_PRODUCTION_USER = "admin@globex.demo"
DEMO_ORG = Path(__file__).resolve().parent / "demo_org" / "dreamhouse-lwc"
START_TIMEOUT_S = 60

# The sandbox differs from production the way a sandbox under development does.
_NEW_FIELD = """<?xml version="1.0" encoding="UTF-8" ?>
<CustomField xmlns="http://soap.sforce.com/2006/04/metadata">
    <fullName>Open_House_Date__c</fullName>
    <externalId>false</externalId>
    <label>Open House Date</label>
    <required>false</required>
    <trackHistory>false</trackHistory>
    <type>Date</type>
</CustomField>
"""


@dataclass
class DemoSalesforce:
    process: subprocess.Popen[str]
    info: dict[str, Any]
    config_path: Path

    @property
    def login_url(self) -> str:
        return str(self.info["login_url"])

    @property
    def sandbox_login_url(self) -> str:
        return str(self.info["sandbox_login_url"])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def corpus_dir() -> Path | None:
    """The production org's metadata: `ORGBOOK_DEMO_CORPUS` when set (empty: no metadata), else
    the dreamhouse-lwc copy in the package."""
    given = os.environ.get("ORGBOOK_DEMO_CORPUS")
    if given is None:
        return DEMO_ORG
    if given == "":
        return None
    folder = Path(given)
    if not folder.is_dir():
        raise SettingError(f"ORGBOOK_DEMO_CORPUS must be a folder of Salesforce metadata, got {given!r}: "
                           "name an existing folder, or set it empty for demo orgs without metadata")
    return folder


def _sandbox_copy(production: Path, target: Path) -> Path:
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(production, target)
    fields = target / "force-app" / "main" / "default" / "objects" / "Property__c" / "fields"
    if fields.is_dir():
        (fields / "Open_House_Date__c.field-meta.xml").write_text(_NEW_FIELD, encoding="utf-8")
        price = fields / "Price__c.field-meta.xml"
        if price.is_file():
            price.write_text(price.read_text(encoding="utf-8").replace("Asking Price", "List Price"), encoding="utf-8")
    return target


def _client_secret(folder: Path) -> str:
    """One secret per data directory, kept so a restarted demo keeps working with stored tokens."""
    path = folder / "client_secret"
    if not path.is_file():
        path.write_text(secrets.token_urlsafe(24), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def write_config(data_dir: Path, base_url: str) -> Path:
    folder = data_dir / "fakeforce"
    folder.mkdir(parents=True, exist_ok=True)
    production = corpus_dir()
    sandbox = _sandbox_copy(production, folder / "uat-metadata") if production else None
    config = {
        "client_id": CLIENT_ID, "client_secret": _client_secret(folder), "redirect_uris": [base_url + "/"],
        "retrieve_polls": 1,
        "orgs": [
            {"key": "acme", "name": "Acme Retail", "sandbox": False,
             "edition": "Enterprise Edition", "my_domain": "acme-retail",
             "users": [{"username": PRODUCTION_USER, "password": ORG_PASSWORD, "name": "Ada Admin"}],
             "metadata": str(production) if production else None},
            {"key": SANDBOX_NAME, "sandbox": True, "parent": "acme", "sandbox_name": SANDBOX_NAME,
             "metadata": str(sandbox) if sandbox else None},
            {"key": "globex", "name": "Globex", "sandbox": False, "edition": "Enterprise Edition",
             "my_domain": "globex", "metadata": None,
             "users": [{"username": OTHER_PRODUCTION_USER, "password": ORG_PASSWORD, "name": "Gus Globex"}]},
        ],
    }
    path = folder / "fakeforce.json"
    path.write_text(json.dumps(config, indent=2), encoding="utf-8")
    return path


def start(config_path: Path, port_base: int | None = None) -> DemoSalesforce:
    """Run the emulator and wait for the JSON line with its URLs."""
    command = [sys.executable, "-m", "fakeforce", "--config", str(config_path)]
    if port_base is not None:
        command += ["--port-base", str(port_base)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)  # noqa: S603  (our own interpreter)
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        process.wait(timeout=START_TIMEOUT_S)
        raise RuntimeError(f"the Salesforce emulator did not start (exit code {process.returncode})")
    return DemoSalesforce(process, json.loads(line), config_path)


def use(emulator: DemoSalesforce) -> None:
    """Point this process (settings are read at call time) and its children (environment) at the emulator."""
    secret = json.loads(emulator.config_path.read_text(encoding="utf-8"))["client_secret"]
    values = {
        "ORGBOOK_SF_CLIENT_ID": CLIENT_ID, "ORGBOOK_SF_CLIENT_SECRET": secret,
        "ORGBOOK_SF_LOGIN_URL": emulator.login_url, "ORGBOOK_SF_SANDBOX_LOGIN_URL": emulator.sandbox_login_url,
    }
    for name, value in values.items():
        setattr(settings, name, value)
        os.environ[name] = value


def logins() -> list[tuple[str, str, str]]:
    return [
        ("production org Acme Retail", PRODUCTION_USER, ORG_PASSWORD),
        (f"its sandbox {SANDBOX_NAME}", f"{PRODUCTION_USER}.{SANDBOX_NAME}", ORG_PASSWORD),
        ("another company's org Globex (to see a refusal)", OTHER_PRODUCTION_USER, ORG_PASSWORD),
    ]
