"""Every copied recording of a real Salesforce answer, replayed through the client: what it makes of each.

The answers are served byte for byte under the client's own HTTP session (replay.py); the tests
assert the typed results and exceptions the rest of Orgbook sees.
"""

from __future__ import annotations

import inspect
import json
import zipfile
from pathlib import Path

import pytest

from orgbook.salesforce.errors import (
    OAuthError,
    RefreshTokenRevoked,
    SalesforceError,
    SessionExpired,
    SoapFault,
)
from orgbook.salesforce.oauth import TokenSet
from tests.salesforce_conformance import recordings, replay
from tests.salesforce_conformance.recordings import cassette, rest, xml

REPLAYED: set[str] = set()  # filled by the tests below; the last test checks that none was missed


def _replayed(*exchanges: recordings.Exchange) -> tuple[recordings.Exchange, ...]:
    REPLAYED.update(e.source.split("#")[0] for e in exchanges)
    return exchanges


# --- Metadata API (SOAP) ---------------------------------------------------------------------


def test_describe_metadata() -> None:
    api, _ = replay.metadata(*_replayed(xml("describe_metadata__success.xml")), version="23.0")
    described = api.describe_metadata()
    by_name = {m.xml_name: m for m in described.metadata_objects}
    assert len(by_name) == len(described.metadata_objects) == 29
    assert by_name["CustomLabels"].child_xml_names == ("CustomLabel",)
    assert by_name["StaticResource"].suffix == "resource" and by_name["StaticResource"].meta_file
    assert all("" not in m.child_xml_names for m in described.metadata_objects)  # nil is absent, not ""
    assert described.organization_namespace == "" and described.partial_save_allowed is True


def test_list_metadata_results_old_shape_without_manageable_state() -> None:
    api, _ = replay.metadata(*_replayed(xml("list_metadata__objects.xml")), version="23.0")
    listed = api.list_metadata(["CustomObject"])
    assert [(p.type, p.full_name, p.file_name) for p in listed] == [
        ("CustomObject", "ContractContactRole", "objects/ContractContactRole.object"),
        ("CustomObject", "Site", "objects/Site.object"),
    ]
    # <namespacePrefix/> (present, empty) and no manageableState: both read as "none".
    assert {(p.namespace_prefix, p.manageable_state, p.id) for p in listed} == {(None, None, "")}


def test_list_metadata_empty() -> None:
    api, _ = replay.metadata(*_replayed(xml("list_metadata__no_result.xml")))
    assert api.list_metadata(["Scontrol"]) == []


def test_retrieve_answer_pre_v31_with_state() -> None:
    api, _ = replay.metadata(*_replayed(xml("retrieve__in_progress.xml")), version="23.0")
    assert api.retrieve({"ApexClass": ["TestClass"]}) == "04sU0000000WkdIIAS"


def test_deploy_answers_with_its_async_id() -> None:
    api, _ = replay.metadata(*_replayed(xml("deploy__in_progress.xml")), version="23.0")
    assert api.deploy(b"PK\x05\x06" + b"\x00" * 18) == "04sU0000000WNWoIAO"


def test_check_deploy_status_pre_v31_success_lists_every_component_as_a_success() -> None:
    api, _ = replay.metadata(*_replayed(xml("check_deploy_status__done.xml")), version="23.0")
    status = api.check_deploy_status("04sU0000000WRCXIA4")
    assert (status.done, status.success, status.status, status.failures) == (True, True, "Succeeded", [])
    assert [(m.full_name, m.file_name) for m in status.successes] == [
        ("TestClass", "src/classes/TestClass.cls"), ("package.xml", "src/package.xml")]


def test_check_deploy_status_pre_v31_failure_names_the_problem() -> None:
    api, _ = replay.metadata(*_replayed(xml("check_deploy_status__error.xml")), version="23.0")
    status = api.check_deploy_status("04sU0000000WRBLIA4")
    assert (status.done, status.success, status.status) == (True, False, "Failed")
    assert [(m.file_name, m.problem, m.problem_type) for m in status.failures] == [
        ("classes/package.xml", "No package.xml found", "Error")]


def test_check_retrieve_status_pre_v31_shape_is_a_finished_success(tmp_path: Path) -> None:
    # Before v31 the result has no done/status/success: it was only asked for once checkStatus said done.
    api, _ = replay.metadata(*_replayed(xml("retrieve__in_progress.xml"), xml("check_retrieve_status__success.xml")),
                             version="23.0")
    result = api.retrieve_to_file({"ApexClass": ["TestClass"]}, tmp_path / "r.zip")
    assert result.polls == 1 and result.id == "04sU0000000WkdIIAS"
    assert [(p.type, p.file_name) for p in result.file_properties] == [
        ("ApexClass", "classes/TestClass.cls"), ("Package", "package.xml")]
    with zipfile.ZipFile(result.zip_path) as z:
        assert z.testzip() is None
        assert sorted(z.namelist()) == ["classes/TestClass.cls", "classes/TestClass.cls-meta.xml", "package.xml"]


def test_retrieve_v48_with_single_package_false(tmp_path: Path) -> None:
    # CumulusCI's cassette: SourceMember query, retrieve, three checkStatus (Orgbook never sends
    # checkStatus: it polls checkRetrieveStatus), then the finished checkRetrieveStatus with a zip.
    query, retrieve, *_check_status, finished = _replayed(*cassette("TestRetrieveChanges.test_run_task.yaml"))
    sf, _ = replay.client(query, version="48.0")
    members = sf.tooling_query("SELECT MemberName, MemberType, RevisionCounter FROM SourceMember WHERE IsNameObsolete=false")
    assert [(m["MemberType"], m["MemberName"]) for m in members][-2:] == [("Layout", "Test__c-Test Layout"),
                                                                           ("CustomObject", "Test__c")]
    api, _ = replay.metadata(retrieve, finished, version="48.0")
    result = api.retrieve_to_file({"CustomObject": ["Test__c"]}, tmp_path / "r.zip")
    assert result.zip_size == 1088
    assert [(p.full_name, p.file_name) for p in result.file_properties] == [
        ("Test__c", "unpackaged/objects/Test__c.object"),
        ("unpackaged/package.xml", "unpackaged/package.xml"),  # singlePackage=false: the folder is in both
    ]
    assert {p.manageable_state for p in result.file_properties} == {"unmanaged"}
    assert result.file_properties[1].id == ""  # <id></id>
    with zipfile.ZipFile(result.zip_path) as z:
        assert sorted(z.namelist()) == ["unpackaged/objects/Test__c.object", "unpackaged/package.xml"]


def test_fault_with_detail_is_an_expired_session() -> None:
    api, _ = replay.metadata(*_replayed(xml("foo__invalid_session.xml")))
    with pytest.raises(SessionExpired) as caught:
        api.describe_metadata()
    assert caught.value.code == "INVALID_SESSION_ID" and caught.value.status == 500
    assert caught.value.message == "INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session"


def test_fault_with_detail_refreshes_once_then_answers() -> None:
    refreshed: list[int] = []

    def refresh() -> TokenSet:
        refreshed.append(1)
        return TokenSet("00Dx0000000BV7z!NEW", replay.INSTANCE, "https://login.salesforce.com/id/00Dx0000000BV7zEAC/005x00000012Q9PAAU",
                        "00Dx0000000BV7zEAC", "005x00000012Q9PAAU")

    session, adapter = replay.session(xml("foo__invalid_session.xml"), xml("list_metadata__no_result.xml"))
    from orgbook.salesforce.client import SalesforceClient
    from orgbook.salesforce.metadata_api import MetadataApi

    api = MetadataApi(SalesforceClient(replay.INSTANCE, "old", "62.0", refresh, session=session))
    assert api.list_metadata(["ApexClass"]) == [] and refreshed == [1]
    assert b"00Dx0000000BV7z!NEW" in (adapter.sent[1].body or b"")  # the envelope was built again


def test_partner_login_fault_with_login_fault_detail() -> None:
    # Another real fault shape: sf:LoginFault in the detail. Read through the same fault parser.
    api, _ = replay.metadata(*_replayed(xml("login__failure.xml")))
    with pytest.raises(SoapFault) as caught:
        api.describe_metadata()
    assert caught.value.code == "INVALID_LOGIN"
    assert caught.value.message.startswith("INVALID_LOGIN: Invalid username, password, security token")


def test_fault_without_detail_and_with_detail_only() -> None:
    # The shape without <detail> (faultcode and faultstring only) and, for completeness, a fault
    # whose faultstring is empty: the detail's exceptionMessage fills in.
    real = xml("foo__invalid_session.xml").body
    without = real.replace(real[real.index(b"<detail>"):real.index(b"</detail>") + 9], b"")
    blank = real.replace(b"<faultstring>INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session</faultstring>",
                         b"<faultstring/>").replace(b"INVALID_SESSION_ID", b"INVALID_TYPE")
    for body, message in ((without, "INVALID_SESSION_ID: Invalid Session ID"), (blank, "Invalid Session ID")):
        api, _ = replay.metadata(recordings.Exchange("edited", 500, body))
        with pytest.raises(SalesforceError) as caught:
            api.list_metadata(["ApexClass"])
        assert caught.value.message.startswith(message)


# --- REST and Tooling ------------------------------------------------------------------------


def test_versions() -> None:
    sf, _ = replay.client(*_replayed(rest("services_data_success_response.json")))
    assert [v["version"] for v in sf.versions()] == ["20.0", "100"]
    sf, _ = replay.client(rest("services_data_success_response.json"))
    assert sf.latest_version("62.0") == "20.0"


def test_query_paging_follows_next_records_url() -> None:
    sf, adapter = replay.client(*_replayed(rest("query_paginated_first_page_response.json"),
                                           rest("query_paginated_last_page_response.json")))
    records = sf.query_all("SELECT Text_Label FROM Whizbang")
    assert [r["Text_Label"] for r in records] == ["First Page", "Last Page"]
    assert (adapter.sent[1].url or "").endswith("/services/data/v26.0/query/01gD")


def test_empty_query() -> None:
    sf, _ = replay.client(*_replayed(rest("query_empty_response.json")))
    assert sf.query_all("SELECT Id FROM Account") == []


def test_organization_with_only_an_id() -> None:
    sf, _ = replay.client(*_replayed(rest("org_query_response.json")))
    org = sf.organization()
    assert org.id == "00Dx0000000BV7zEAG" and org.name == "" and not org.is_sandbox


def test_invalid_field_error() -> None:
    sf, _ = replay.client(*_replayed(rest("query_error_response.json")))
    with pytest.raises(SalesforceError) as caught:
        sf.query_all("SELECT Nope FROM Account")
    assert (caught.value.code, caught.value.message, caught.value.status) == ("INVALID_FIELD", "error_message", 400)


def test_expired_session_without_refresher() -> None:
    sf, _ = replay.client(*_replayed(rest("expired_session_response.json")))
    with pytest.raises(SessionExpired) as caught:
        sf.query_all("SELECT Id FROM Account")
    assert caught.value.code == "INVALID_SESSION_ID" and caught.value.status == 401


def test_invalid_type_with_the_query_echoed() -> None:
    [composite] = _replayed(*cassette("TestCountSObjects.test_count_sobjects__errors.yaml"))
    sf, _ = replay.client(recordings.composite_part(composite, "refXYZZY"))
    with pytest.raises(SalesforceError) as caught:
        sf.query("select count() from XYZZY")
    assert caught.value.code == "INVALID_TYPE" and caught.value.status == 400
    assert "ERROR at Row:1:Column:21\nsObject type 'XYZZY' is not supported." in caught.value.message
    sf, _ = replay.client(recordings.composite_part(composite, "refAccount"))
    assert sf.query("select count() from Account")["totalSize"] == 17


def test_tooling_queries_of_a_test_run() -> None:
    # CumulusCI's Apex test run: every Tooling query answer (an empty one has entityTypeName null).
    exchanges = _replayed(*cassette("ManualEditTestApexIntegrationTests.test_run_tests__integration_test.yaml"))
    queries = [e for e in exchanges if "/tooling/query/" in e.uri]
    assert len(queries) == 20
    for exchange in queries:
        sf, _ = replay.client(exchange)
        records = sf.tooling_query("SELECT Id FROM ApexClass")
        assert len(records) == json.loads(exchange.body)["totalSize"]
    # The rest are calls Orgbook does not make: runTestsAsynchronous (it runs no tests) and
    # GET sobjects/Organization/{id} (it reads Organization with SOQL): their shapes are compared
    # with the emulator's in test_emulator_shapes.py.
    assert {e.uri.split("/vxx.0/")[1].split("/")[0] for e in exchanges if e not in queries} == {"tooling", "sobjects"}


def test_organization_record_of_a_scratch_org() -> None:
    [exchange] = _replayed(*cassette("GET_sobjects_Organization.yaml"))
    record = json.loads(exchange.body)
    # The same row the client's Organization query reads: replayed as that query's one record.
    page = {"totalSize": 1, "done": True, "records": [record]}
    sf, _ = replay.client(recordings.Exchange(exchange.source, 200, json.dumps(page).encode()))
    org = sf.organization()
    assert (org.is_sandbox, org.is_scratch, org.organization_type, org.instance_name) == (
        True, True, "Developer Edition", "CS420")


# --- OAuth -----------------------------------------------------------------------------------


def test_token_answer_without_scope_or_refresh_token() -> None:
    oauth, _ = replay.oauth(*_replayed(rest("auth_success_response.json")))
    tokens = oauth.exchange_code("code", "verifier")
    assert (tokens.org_id, tokens.user_id) == ("00Dx0000000BV7zEAG", "005x00000012Q9PAAU")
    assert tokens.scope == "" and tokens.refresh_token is None and tokens.token_type == "Bearer"
    assert tokens.instance_url == "https://na1.salesforce.com" and tokens.issued_at == 1278448832702


def test_refresh_answer_from_the_documentation_is_refused_as_garbled() -> None:
    # restforce's refresh answer names the identity URL ".../id/foo/bar", a placeholder no org
    # sends: the client refuses it instead of storing ids it cannot check.
    oauth, _ = replay.oauth(*_replayed(rest("refresh_success_response.json")))
    with pytest.raises(OAuthError) as caught:
        oauth.refresh("refresh-token")
    assert caught.value.code == "invalid_token_response"


def test_invalid_grant_on_refresh_means_reconnect() -> None:
    oauth, _ = replay.oauth(*_replayed(rest("refresh_error_response.json")))
    with pytest.raises(RefreshTokenRevoked) as caught:
        oauth.refresh("refresh-token")
    assert caught.value.description == "expired access/refresh token"


def test_invalid_grant_on_a_code_is_an_oauth_error_not_a_revoked_login() -> None:
    oauth, _ = replay.oauth(*_replayed(rest("auth_error_response.json")))
    with pytest.raises(OAuthError) as caught:
        oauth.exchange_code("code", "verifier")
    assert not isinstance(caught.value, RefreshTokenRevoked)
    assert (caught.value.code, caught.value.description) == ("invalid_grant", "authentication failure - Invalid Password")


def test_zzz_every_copied_recording_is_replayed_or_named_as_not_spoken(tmp_path: Path) -> None:
    # Every replay test above is run again here, in this process: with one test process per core
    # the others may have run in another process, whose REPLAYED this one never sees.
    for name, test in sorted(globals().items()):
        if name.startswith("test_") and not name.startswith("test_zzz"):
            folder = tmp_path / name
            folder.mkdir()
            test(**({"tmp_path": folder} if "tmp_path" in inspect.signature(test).parameters else {}))
    every = set(recordings.all_files())
    assert every - REPLAYED - set(recordings.NOT_SPOKEN) == set()
    assert REPLAYED.isdisjoint(recordings.NOT_SPOKEN) and len(every) == 33
    assert len(REPLAYED) == 25
