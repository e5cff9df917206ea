"""Injected faults, one-shot or counted, per org or global."""

from __future__ import annotations

import time

import pytest
import requests

from fakeforce import Emulator
from fakeforce.tests import flow
from fakeforce.tests.test_soap_retrieve import check, finish, retrieve_body, start

NS = flow.NS
LIMITS = "/services/data/v62.0/limits"


def test_expired_session_once_then_refresh_works(emu: Emulator) -> None:
    tok = flow.get_tokens(emu)
    emu.inject_fault(org="acme", kind="expired_session")
    first = flow.rest(tok, LIMITS)
    assert first.status_code == 401 and first.json()[0]["errorCode"] == "INVALID_SESSION_ID"
    assert flow.rest(tok, LIMITS).status_code == 401  # that token is dead now
    fresh = requests.post(f"{emu.login_url}/services/oauth2/token", data={
        "grant_type": "refresh_token", "refresh_token": tok["refresh_token"], "client_id": flow.CLIENT_ID,
        "client_secret": flow.CLIENT_SECRET}).json()
    assert flow.rest(dict(tok, **fresh), LIMITS).status_code == 200


def test_expire_access_tokens_control(emu: Emulator) -> None:
    tok = flow.get_tokens(emu)
    emu.expire_access_tokens(org="acme")
    assert flow.rest(tok, LIMITS).status_code == 401
    soap = flow.soap(tok, "<met:describeMetadata/>")
    assert soap.status_code == 500 and "sf:INVALID_SESSION_ID" in soap.text


def test_request_limit_counted(emu: Emulator) -> None:
    tok = flow.get_tokens(emu)
    emu.inject_fault(org="acme", kind="request_limit", times=2)
    codes = [flow.rest(tok, LIMITS).status_code for _ in range(3)]
    assert codes == [403, 403, 200]


def test_server_error_global_hits_any_org(emu: Emulator) -> None:
    tok = flow.get_tokens(emu, "admin@acme.com.uat", base=emu.sandbox_login_url)
    emu.inject_fault(kind="server_error")
    resp = flow.rest(tok, LIMITS)
    assert resp.status_code == 500 and resp.json()[0]["errorCode"] == "UNKNOWN_EXCEPTION"
    assert flow.rest(tok, LIMITS).status_code == 200


def test_fault_for_other_org_does_not_fire(emu: Emulator) -> None:
    tok = flow.get_tokens(emu)
    emu.inject_fault(org="uat", kind="server_error")
    assert flow.rest(tok, LIMITS).status_code == 200


def test_soap_fault_with_code_and_operation_filter(emu: Emulator) -> None:
    tok = flow.get_tokens(emu)
    emu.inject_fault(org="acme", kind="soap_fault", code="INSUFFICIENT_ACCESS", message="INSUFFICIENT_ACCESS: nope")
    resp = flow.soap(tok, "<met:describeMetadata/>")
    assert resp.status_code == 500
    fault = flow.xml(resp).find(".//s:Fault", NS)
    assert fault.findtext("faultcode") == "sf:INSUFFICIENT_ACCESS" and fault.findtext("faultstring") == "INSUFFICIENT_ACCESS: nope"
    assert flow.soap(tok, "<met:describeMetadata/>").status_code == 200


def test_slow_retrieve_polls(emu: Emulator) -> None:
    tok = flow.get_tokens(emu)
    emu.inject_fault(org="acme", kind="slow_retrieve", polls=4)
    job = start(tok, retrieve_body([("ApexClass", ["*"])]))
    states = [check(tok, job, include_zip=False).findtext("m:status", namespaces=NS) for _ in range(5)]
    assert states == ["InProgress"] * 4 + ["Succeeded"]


@pytest.mark.parametrize(("kind", "code"), [("retrieve_limit", "LIMIT_EXCEEDED"), ("failed_retrieve", "UNKNOWN_EXCEPTION")])
def test_failed_retrieves(emu: Emulator, kind: str, code: str) -> None:
    tok = flow.get_tokens(emu)
    emu.inject_fault(org="acme", kind=kind)
    result = finish(tok, start(tok, retrieve_body([("ApexClass", ["*"])])))
    assert result.findtext("m:status", namespaces=NS) == "Failed"
    assert result.findtext("m:errorStatusCode", namespaces=NS) == code
    again = finish(tok, start(tok, retrieve_body([("ApexClass", ["*"])])))
    assert again.findtext("m:status", namespaces=NS) == "Succeeded"


def test_revoked_refresh_fault(emu: Emulator) -> None:
    tok = flow.get_tokens(emu)
    emu.inject_fault(org="acme", kind="revoked_refresh")
    data = {"grant_type": "refresh_token", "refresh_token": tok["refresh_token"], "client_id": flow.CLIENT_ID}
    resp = requests.post(f"{emu.login_url}/services/oauth2/token", data=data)
    assert resp.json() == {"error": "invalid_grant", "error_description": "expired access/refresh token"}
    assert requests.post(f"{emu.login_url}/services/oauth2/token", data=data).status_code == 400


def test_timeout_drops_the_connection(emu: Emulator) -> None:
    tok = flow.get_tokens(emu)
    emu.inject_fault(org="acme", kind="timeout", seconds=0.3)
    began = time.monotonic()
    with pytest.raises(requests.exceptions.ConnectionError):
        flow.rest(tok, LIMITS)
    assert time.monotonic() - began >= 0.3
    assert flow.rest(tok, LIMITS).status_code == 200


def test_unknown_fault_kind_is_rejected(emu: Emulator) -> None:
    with pytest.raises(ValueError):
        emu.inject_fault(org="acme", kind="meteor")
