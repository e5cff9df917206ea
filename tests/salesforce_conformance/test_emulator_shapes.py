"""fakeforce's answer to each recorded request, compared with the real answer shape by shape.

Each test sends the recorded request (CumulusCI's cassettes keep it) or the request the client
builds for the same call (metaforce and restforce keep only answers) to the emulator, at the API
version of the recording, and compares element paths, nil-ness, xsi:type, fault namespaces, JSON
keys and types (shapes.py). Values are not compared, except a few texts clients read (an error's
message and code). Where real Salesforce has several legitimate shapes, LEGITIMATE names the ones
the emulator does not produce, and why.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import requests

from orgbook.salesforce.metadata_api import envelope
from tests.salesforce_conformance import recordings
from tests.salesforce_conformance.conftest import client, login, oauth_for
from tests.salesforce_conformance.recordings import cassette, rest, xml
from tests.salesforce_conformance.shapes import differences, json_shape, xml_shape

BODY = "/soapenv:Envelope/soapenv:Body"
NONE: dict[str, set[str]] = {"only real": set(), "only emulator": set()}


@pytest.fixture(scope="module")
def acme(emu: Any) -> Any:
    return client(emu, "acme")


def _soap(acme: Any, version: str, body: bytes) -> requests.Response:
    return requests.post(f"{acme.instance_url}/services/Soap/m/{version}", data=body, timeout=30,
                         headers={"Content-Type": "text/xml; charset=UTF-8", "SOAPAction": '""'})


def _call(acme: Any, version: str, operation: str, items: list[tuple[str, Any]]) -> requests.Response:
    return _soap(acme, version, envelope(acme.access_token, operation, items))


def _recorded_request(acme: Any, exchange: recordings.Exchange, async_id: str | None = None) -> bytes:
    body = exchange.request_body.replace(b"**Elided**", acme.access_token.encode())
    return re.sub(rb"09S\w{15}", async_id.encode(), body) if async_id else body


def _rest(acme: Any, path: str, token: str | None = None, **params: str) -> requests.Response:
    headers = {"Authorization": f"Bearer {token or acme.access_token}", "Accept": "application/json"}
    return requests.get(f"{acme.instance_url}{path}", params=params or None, headers=headers, timeout=30)


# --- Metadata API ----------------------------------------------------------------------------


def test_describe_metadata(acme: Any) -> None:
    real = xml("describe_metadata__success.xml")
    emulated = _call(acme, "30.0", "describeMetadata", [("asOfVersion", "30.0")])
    # LEGITIMATE: Workflow's trailing <childXmlNames xsi:nil="true"/> in the v23 answer; the
    # emulator's types list only named children, which real answers also do for every other type.
    legitimate = {f"{BODY}/md:describeMetadataResponse/md:result/md:metadataObjects/md:childXmlNames nil"}
    assert differences(xml_shape(real.body), xml_shape(emulated.content)) == {"only real": legitimate,
                                                                                "only emulator": set()}


def test_list_metadata_results_before_v31(acme: Any) -> None:
    real = xml("list_metadata__objects.xml")
    emulated = _call(acme, "30.0", "listMetadata", [("queries", [("type", "CustomObject")]), ("asOfVersion", "30.0")])
    assert differences(xml_shape(real.body), xml_shape(emulated.content)) == NONE


def test_list_metadata_results_from_v31_keep_manageable_state(acme: Any) -> None:
    emulated = _call(acme, "48.0", "listMetadata", [("queries", [("type", "CustomObject")]), ("asOfVersion", "48.0")])
    shape = xml_shape(emulated.content)
    result = f"{BODY}/md:listMetadataResponse/md:result"
    assert f"{result}/md:manageableState" in shape and f"{result}/md:namespacePrefix" not in shape


def test_list_metadata_empty(acme: Any) -> None:
    real = xml("list_metadata__no_result.xml")
    emulated = _call(acme, "30.0", "listMetadata", [("queries", [("type", "Scontrol")]), ("asOfVersion", "30.0")])
    assert differences(xml_shape(real.body), xml_shape(emulated.content)) == NONE


def test_retrieve_check_status_and_check_retrieve_status_at_v48(acme: Any) -> None:
    # CumulusCI's own requests, sent as recorded (singlePackage absent: false).
    _, retrieve, check, _, done, finished = cassette("TestRetrieveChanges.test_run_task.yaml")
    started = _soap(acme, "48.0", _recorded_request(acme, retrieve))
    assert differences(xml_shape(retrieve.body), xml_shape(started.content)) == NONE
    async_id = re.search(rb"<id>(\w+)</id>", started.content).group(1).decode()  # type: ignore[union-attr]
    for recorded, state in ((check, b"InProgress"), (done, b"Completed")):
        polled = _soap(acme, "48.0", _recorded_request(acme, recorded, async_id))
        assert differences(xml_shape(recorded.body), xml_shape(polled.content)) == NONE
        assert b"<state>" + state in polled.content
    answer = _soap(acme, "48.0", _recorded_request(acme, finished, async_id))
    assert differences(xml_shape(finished.body), xml_shape(answer.content)) == NONE
    names = re.findall(rb"<fileName>([^<]+)</fileName><fullName>([^<]+)</fullName>", answer.content)
    assert (b"unpackaged/package.xml", b"unpackaged/package.xml") in names


def test_check_retrieve_status_before_v31(acme: Any) -> None:
    real = xml("check_retrieve_status__success.xml")
    started = _call(acme, "30.0", "retrieve", [("retrieveRequest", [
        ("apiVersion", "30.0"), ("singlePackage", "true"),
        ("unpackaged", [("types", [("members", "TestClass"), ("name", "ApexClass")]), ("version", "30.0")])])])
    async_id = re.search(rb"<id>(\w+)</id>", started.content).group(1).decode()  # type: ignore[union-attr]
    # As clients of that time did: checkStatus until done, then checkRetrieveStatus once.
    states = [_call(acme, "30.0", "checkStatus", [("asyncProcessId", async_id)]).content for _ in range(2)]
    assert [b"<done>true</done>" in state for state in states] == [False, True]
    assert differences(xml_shape(xml("check_status__done.xml").body), xml_shape(states[1])) == {
        # LEGITIMATE: the deploy counters of a deploy's checkStatus; a retrieve's AsyncResult has none.
        "only real": {f"{BODY}/md:checkStatusResponse/md:result/md:{name}" for name in (
            "numberComponentErrors", "numberComponentsDeployed", "numberComponentsTotal", "numberTestErrors",
            "numberTestsCompleted", "numberTestsTotal", "stateDetailLastModifiedDate")},
        "only emulator": set()}
    emulated = _call(acme, "30.0", "checkRetrieveStatus", [("asyncProcessId", async_id), ("includeZip", "true")])
    assert differences(xml_shape(real.body), xml_shape(emulated.content)) == NONE


def test_retrieve_answer_before_v31(acme: Any) -> None:
    real = xml("retrieve__in_progress.xml")
    emulated = _call(acme, "30.0", "retrieve", [("retrieveRequest", [
        ("apiVersion", "30.0"), ("singlePackage", "true"),
        ("unpackaged", [("types", [("members", "TestClass"), ("name", "ApexClass")]), ("version", "30.0")])])])
    assert differences(xml_shape(real.body), xml_shape(emulated.content)) == NONE


def test_invalid_session_fault_with_detail(acme: Any) -> None:
    real = xml("foo__invalid_session.xml")
    emulated = _soap(acme, "62.0", envelope("00D5g000004Acme!expired", "describeMetadata", [("asOfVersion", "62.0")]))
    assert emulated.status_code == real.status == 500
    assert differences(xml_shape(real.body), xml_shape(emulated.content)) == NONE
    for text in (b"<faultstring>INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session",
                 b"<sf:exceptionMessage>Invalid Session ID found in SessionHeader: Illegal Session"):
        assert text in real.body and text in emulated.content


def test_read_metadata_of_a_missing_name(acme: Any) -> None:
    # No recording holds it; the reference folder's check measured it on a real org:
    # <result><records xsi:nil="true"/></result>, where the emulator answered an empty <result/>.
    emulated = _call(acme, "62.0", "readMetadata", [("type", "ApexClass"), ("fullNames", "NoSuchClass")])
    assert xml_shape(emulated.content) == {"/soapenv:Envelope", "/soapenv:Envelope/soapenv:Body",
                                           f"{BODY}/md:readMetadataResponse", f"{BODY}/md:readMetadataResponse/md:result",
                                           f"{BODY}/md:readMetadataResponse/md:result/md:records nil"}


# --- REST and Tooling ------------------------------------------------------------------------


def test_versions(acme: Any) -> None:
    real = rest("services_data_success_response.json")
    emulated = requests.get(f"{acme.instance_url}/services/data/", timeout=30)
    assert differences(json_shape(real.body), json_shape(emulated.content)) == NONE


RECORD_FIELDS = ("$.records[]",)


def test_query_paging_first_and_last_page(emu: Any, acme: Any) -> None:
    emu.settings.query_batch_size = 1  # two users, one a page, as the recording's two pages
    try:
        first = _rest(acme, "/services/data/v26.0/query", q="SELECT Id FROM User")
        last = _rest(acme, first.json()["nextRecordsUrl"])
    finally:
        emu.settings.query_batch_size = 2000
    for real, emulated in ((rest("query_paginated_first_page_response.json"), first),
                           (rest("query_paginated_last_page_response.json"), last)):
        real_shape = json_shape(real.body, RECORD_FIELDS) | {"$.records[].attributes: object"}
        emulated_shape = json_shape(emulated.content, RECORD_FIELDS) | {"$.records[].attributes: object"}
        assert differences(real_shape, emulated_shape) == NONE
        assert {"type", "url"} == set(emulated.json()["records"][0]["attributes"])


def test_empty_query(acme: Any) -> None:
    real = rest("query_empty_response.json")
    emulated = _rest(acme, "/services/data/v20.0/query", q="SELECT Id FROM User WHERE Username = 'nobody@acme.com'")
    assert differences(json_shape(real.body), json_shape(emulated.content)) == NONE


def test_organization_query(acme: Any) -> None:
    real = rest("org_query_response.json")
    emulated = _rest(acme, "/services/data/v20.0/query", q="SELECT Id FROM Organization")
    assert differences(json_shape(real.body), json_shape(emulated.content)) == NONE


def test_invalid_field(acme: Any) -> None:
    real = rest("query_error_response.json")
    emulated = _rest(acme, "/services/data/v20.0/query", q="SELECT Nope FROM Organization")
    assert emulated.status_code == real.status
    assert differences(json_shape(real.body), json_shape(emulated.content)) == NONE
    assert emulated.json()[0]["errorCode"] == "INVALID_FIELD"


def test_invalid_type_echoes_the_query(acme: Any) -> None:
    real = recordings.composite_part(cassette("TestCountSObjects.test_count_sobjects__errors.yaml")[0], "refXYZZY")
    emulated = _rest(acme, "/services/data/v48.0/query/", q="select count() from XYZZY")
    assert emulated.status_code == real.status == 400
    assert emulated.json() == json.loads(real.body)  # the same request, the same words


def test_expired_session(acme: Any) -> None:
    real = rest("expired_session_response.json")
    emulated = _rest(acme, "/services/data/v20.0/query", token="00D5g000004Acme!expired", q="SELECT Id FROM User")
    assert emulated.status_code == real.status == 401
    assert emulated.json() == json.loads(real.body)


def test_tooling_query_with_rows(acme: Any) -> None:
    real = cassette("TestRetrieveChanges.test_run_task.yaml")[0]
    emulated = _rest(acme, "/services/data/v48.0/tooling/query/", q="SELECT Id, SandboxName FROM SandboxProcess")
    assert differences(json_shape(real.body, RECORD_FIELDS), json_shape(emulated.content, RECORD_FIELDS)) == NONE


def test_tooling_query_without_rows(acme: Any) -> None:
    exchanges = cassette("ManualEditTestApexIntegrationTests.test_run_tests__integration_test.yaml")
    real = next(e for e in exchanges if b'"size" : 0' in e.body)
    emulated = _rest(acme, "/services/data/v48.0/tooling/query/", q="SELECT Id FROM SourceMember")
    assert differences(json_shape(real.body), json_shape(emulated.content)) == NONE  # entityTypeName: null


def test_organization_record(emu: Any, acme: Any) -> None:
    [real] = cassette("GET_sobjects_Organization.yaml")
    emulated = _rest(acme, f"/services/data/v48.0/sobjects/Organization/{emu.org('acme').org_id}")
    real_types = {k: v for k, v in json.loads(real.body).items()}
    for key, value in emulated.json().items():
        assert key in real_types, key  # every field the emulator sends is a real one
        if value is not None and real_types[key] is not None:
            assert type(value) is type(real_types[key]), key


# --- OAuth -----------------------------------------------------------------------------------

# LEGITIMATE: restforce's token answers are from 2010-2011; today's answers also carry token_type
# and scope (Salesforce's documentation of the web-server flow), as the emulator's do.
TODAYS_TOKEN_KEYS = {"$.token_type: string", "$.scope: string"}


def _captured_token_answers(oauth: Any) -> list[requests.Response]:
    answers: list[requests.Response] = []
    oauth.session.hooks["response"].append(lambda r, *a, **k: answers.append(r))
    return answers


def test_token_answer_without_refresh_token(emu: Any) -> None:
    real = rest("auth_success_response.json")
    oauth = oauth_for(emu, "acme")
    answers = _captured_token_answers(oauth)
    _, tokens = login(emu, "acme", scope="api id", oauth=oauth)  # no refresh_token scope: none given
    assert tokens.refresh_token is None
    assert differences(json_shape(real.body), json_shape(answers[-1].content)) == {"only real": set(),
                                                                                  "only emulator": TODAYS_TOKEN_KEYS}


def test_refresh_answer(emu: Any) -> None:
    real = rest("refresh_success_response.json")
    oauth, tokens = login(emu, "acme")
    answers = _captured_token_answers(oauth)
    assert tokens.refresh_token
    oauth.refresh(tokens.refresh_token)
    assert differences(json_shape(real.body), json_shape(answers[-1].content)) == {"only real": set(),
                                                                                  "only emulator": TODAYS_TOKEN_KEYS}


def test_invalid_grant_on_refresh(emu: Any) -> None:
    real = rest("refresh_error_response.json")
    oauth = oauth_for(emu, "acme")
    answer = requests.post(f"{oauth.login_url}/services/oauth2/token", timeout=30,
                           data={"grant_type": "refresh_token", "refresh_token": "5Aep861.nope", "client_id": oauth.client_id})
    assert answer.status_code == real.status and answer.json() == json.loads(real.body)


def test_invalid_grant_on_a_code(emu: Any) -> None:
    real = rest("auth_error_response.json")  # a password grant's; Orgbook sends codes: same keys
    oauth = oauth_for(emu, "acme")
    answer = requests.post(f"{oauth.login_url}/services/oauth2/token", timeout=30,
                           data={"grant_type": "authorization_code", "code": "nope", "client_id": oauth.client_id,
                                 "client_secret": "s3cret-conformance", "redirect_uri": "http://orgbook.test/cb"})
    assert answer.status_code == real.status
    assert differences(json_shape(real.body), json_shape(answer.content)) == NONE
    assert answer.json()["error"] == "invalid_grant"
