"""`orgbook serve --demo`'s Salesforce: the emulator config in the data dir, with the packaged demo org or none."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from orgbook.env import SettingError
from orgbook.implementations import demo_salesforce
from tests.corpus import DREAMHOUSE


def test_an_empty_demo_corpus_setting_starts_the_orgs_empty(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORGBOOK_DEMO_CORPUS", "")
    config = json.loads(demo_salesforce.write_config(tmp_path, "http://127.0.0.1:8123").read_text())
    assert [o["metadata"] for o in config["orgs"]] == [None, None, None]
    assert config["redirect_uris"] == ["http://127.0.0.1:8123/"]


def test_the_sandbox_is_a_changed_copy_in_the_data_dir(tmp_path: Path) -> None:
    production = demo_salesforce.corpus_dir()
    assert production == demo_salesforce.DEMO_ORG == DREAMHOUSE  # the package's copy, by default
    config = json.loads(demo_salesforce.write_config(tmp_path, "http://127.0.0.1:8123").read_text())
    sandbox = Path(config["orgs"][1]["metadata"])
    assert config["orgs"][0]["metadata"] == str(production)
    assert sandbox.is_relative_to(tmp_path)
    fields = sandbox / "force-app/main/default/objects/Property__c/fields"
    assert (fields / "Open_House_Date__c.field-meta.xml").is_file()
    assert "List Price" in (fields / "Price__c.field-meta.xml").read_text()
    assert "Asking Price" in (production / "force-app/main/default/objects/Property__c/fields/Price__c.field-meta.xml").read_text()


def test_the_emulator_runs_as_a_subprocess_and_orgbook_points_at_it(tmp_path: Path, settings: Any,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORGBOOK_DEMO_CORPUS", "")
    for name in ("ORGBOOK_SF_CLIENT_ID", "ORGBOOK_SF_CLIENT_SECRET", "ORGBOOK_SF_LOGIN_URL", "ORGBOOK_SF_SANDBOX_LOGIN_URL"):
        monkeypatch.setenv(name, "")  # use() sets them for the worker; monkeypatch restores them afterwards
    emulator = demo_salesforce.start(demo_salesforce.write_config(tmp_path, "http://127.0.0.1:8123"))
    try:
        demo_salesforce.use(emulator)
        assert settings.ORGBOOK_SF_CLIENT_ID == demo_salesforce.CLIENT_ID
        assert settings.ORGBOOK_SF_LOGIN_URL == emulator.login_url
        info = requests.get(f"{emulator.login_url}/__fakeforce/info", timeout=5).json()
        assert info.get("result", info)["orgs"]["uat"]["username"] == f"{demo_salesforce.PRODUCTION_USER}.uat"
    finally:
        emulator.stop()
    assert emulator.process.returncode is not None


def test_a_demo_corpus_setting_naming_no_folder_stops_with_the_variable(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORGBOOK_DEMO_CORPUS", str(tmp_path / "typo"))
    with pytest.raises(SettingError, match="ORGBOOK_DEMO_CORPUS must be a folder"):
        demo_salesforce.write_config(tmp_path, "http://127.0.0.1:8123")
    assert not (tmp_path / "fakeforce" / "fakeforce.json").exists()


@pytest.mark.django_db(transaction=True)
def test_the_demo_orgs_connect_and_sync_dreamhouse_and_its_changed_sandbox(
        tmp_path: Path, settings: Any, monkeypatch: pytest.MonkeyPatch, people: dict[str, Any]) -> None:
    """What a newcomer sees after Connect Org in `./run demo`, from the package's data alone."""
    from orgbook.implementations import connect, lifecycle
    from orgbook.runs.syncs import sync_connection

    monkeypatch.delenv("ORGBOOK_DEMO_CORPUS", raising=False)
    for name in ("ORGBOOK_SF_CLIENT_ID", "ORGBOOK_SF_CLIENT_SECRET", "ORGBOOK_SF_LOGIN_URL", "ORGBOOK_SF_SANDBOX_LOGIN_URL"):
        monkeypatch.setenv(name, "")  # use() sets them for the worker; monkeypatch restores them afterwards
    settings.ORGBOOK_SF_POLL_MS, settings.BASE_URL = 20, "http://127.0.0.1:8123"  # as `serve --demo` sets it
    emulator = demo_salesforce.start(demo_salesforce.write_config(tmp_path, settings.BASE_URL))
    try:
        demo_salesforce.use(emulator)
        retail = lifecycle.create_implementation(people["acme"], people["alice"], "Acme Retail")

        def connected(kind: str, username: str) -> Any:
            requests.post(f"{emulator.login_url}/__fakeforce/set_auto_approve", json={"username": username},
                          timeout=10).raise_for_status()
            answer = requests.get(connect.begin(people["alice"], retail, kind), allow_redirects=False, timeout=10)
            assert answer.status_code in (302, 303), answer.text[:300]
            query = parse_qs(urlsplit(answer.headers["Location"]).query)
            conn = connect.complete(people["alice"], query["state"][0], query["code"][0])
            sync_connection(conn, "first")
            return conn.org_model

        production = connected("production", demo_salesforce.PRODUCTION_USER)
        sandbox = connected("sandbox", f"{demo_salesforce.PRODUCTION_USER}.{demo_salesforce.SANDBOX_NAME}")
    finally:
        emulator.stop()

    def price_label(model: Any) -> str:
        return str(model.components.get(type="CustomField", full_name="Property__c.Price__c").label)

    fields = {m.pk: set(m.components.filter(type="CustomField").values_list("full_name", flat=True))
              for m in (production, sandbox)}
    assert len(fields[production.pk]) == 32  # dreamhouse-lwc: 7 fields on Broker__c, 25 on Property__c
    assert fields[sandbox.pk] - fields[production.pk] == {"Property__c.Open_House_Date__c"}
    assert (price_label(production), price_label(sandbox)) == ("Asking Price", "List Price")
    assert production.components.filter(type="Flow", full_name="Create_property").exists()
