"""`orgbook serve --demo`'s Salesforce: the emulator config in the data dir, with or without the corpus."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests

from orgbook.implementations import demo_salesforce


def test_without_the_corpus_the_demo_orgs_start_empty(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORGBOOK_DEMO_CORPUS", str(tmp_path / "missing"))
    config = json.loads(demo_salesforce.write_config(tmp_path, "http://127.0.0.1:8123").read_text())
    assert [o["metadata"] for o in config["orgs"]] == [None, None, None]
    assert config["redirect_uris"] == ["http://127.0.0.1:8123/"]


def test_the_sandbox_is_a_changed_copy_in_the_data_dir(tmp_path: Path) -> None:
    production = demo_salesforce.corpus_dir()
    assert production is not None, "the shared corpus is not beside the repository (../shared/corpus)"
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
    monkeypatch.setenv("ORGBOOK_DEMO_CORPUS", str(tmp_path / "missing"))
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
