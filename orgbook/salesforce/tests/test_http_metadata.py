"""Metadata SOAP API over real HTTP against fakeforce: describe, list, read, retrieve, faults."""

import io
import logging
import zipfile

import pytest
from lxml import etree

from orgbook.salesforce.errors import (
    RequestLimitExceeded,
    RetrieveFailed,
    RetrieveTooLarge,
    SalesforceError,
    SessionExpired,
    SoapFault,
    TransientError,
)
from orgbook.salesforce.metadata_api import ListMetadataQuery, MetadataApi

from .conftest import FAST_POLL, connect

MD = "{http://soap.sforce.com/2006/04/metadata}"


def test_describe_metadata(acme):
    described = acme.metadata.describe_metadata()
    by_name = {t.xml_name: t for t in described.metadata_objects}
    apex = by_name["ApexClass"]
    assert (apex.directory_name, apex.suffix, apex.meta_file, apex.in_folder) == (
        "classes",
        "cls",
        True,
        False,
    )
    assert "CustomField" in by_name["CustomObject"].child_xml_names
    assert by_name["Report"].in_folder


def test_list_metadata_chunks_three_queries_per_call(acme):
    api = acme.metadata
    before = acme.client.calls
    found = api.list_metadata(["ApexClass", "CustomObject", "CustomField", ListMetadataQuery("Layout")])
    assert acme.client.calls - before == 2
    names = {(p.type, p.full_name) for p in found}
    assert {("ApexClass", "AccountService"), ("ApexClass", "InvoiceService")} <= names
    assert ("CustomField", "Account.Tier__c") in names
    apex = next(p for p in found if p.full_name == "AccountService")
    assert apex.file_name == "classes/AccountService.cls"
    assert apex.id.startswith("01p") and apex.last_modified_date


def test_list_metadata_of_nothing_is_empty(acme):
    assert acme.metadata.list_metadata(["Flow"]) == []


def test_read_metadata(acme):
    docs = acme.metadata.read_metadata("CustomObject", ["Account", "DoesNotExist__c"])
    assert list(docs) == ["Account"]
    root = etree.fromstring(docs["Account"])
    assert root.tag == f"{MD}CustomObject"
    assert root.find(f"{MD}fields/{MD}fullName").text == "Tier__c"


def test_retrieve_to_file_streams_the_zip_to_disk(acme, tmp_path):
    dest = tmp_path / "acme.zip"
    result = acme.metadata.retrieve_to_file(
        {"ApexClass": ["*"], "CustomObject": ["Account"], "CustomField": ["Account.Missing__c"]},
        dest,
        poll=FAST_POLL,
    )
    assert result.zip_path == dest and dest.stat().st_size == result.zip_size > 0
    assert not (tmp_path / "acme.zip.part").exists()
    with zipfile.ZipFile(dest) as archive:
        names = {n.removeprefix("unpackaged/") for n in archive.namelist()}
        assert {"package.xml", "classes/AccountService.cls", "objects/Account.object"} <= names
        body = archive.read(next(n for n in archive.namelist() if n.endswith("classes/AccountService.cls")))
        assert b"class AccountService" in body
    assert {"AccountService", "InvoiceService", "Account"} <= {p.full_name for p in result.file_properties}
    assert any("Missing__c" in m.problem for m in result.messages)


def test_slow_retrieve_is_polled_to_completion(emu, acme, tmp_path):
    emu.inject_fault(org="acme", kind="slow_retrieve", times=1, polls=3)
    result = acme.metadata.retrieve_to_file(
        {"ApexClass": ["AccountService"]}, tmp_path / "a.zip", poll=FAST_POLL
    )
    assert result.polls >= 2
    assert zipfile.is_zipfile(result.zip_path)
    stats = acme.client.stats
    assert stats.poll_wait_seconds > 0
    assert stats.wall_seconds >= stats.http_seconds + stats.poll_wait_seconds


def test_check_retrieve_status_without_and_with_the_zip(acme):
    api = acme.metadata
    async_id = api.retrieve({"ApexClass": ["AccountService"]})
    assert async_id.startswith("09S")
    status = api.check_retrieve_status(async_id, include_zip=False)
    while not status.done:
        status = api.check_retrieve_status(async_id, include_zip=False)
    assert status.status == "Succeeded" and status.zip_bytes_written == 0
    sink = io.BytesIO()
    final = api.check_retrieve_status(async_id, include_zip=True, sink=sink)
    assert final.zip_bytes_written == len(sink.getvalue()) > 0
    assert zipfile.is_zipfile(sink)


def test_failed_retrieve(emu, acme, tmp_path):
    emu.inject_fault(org="acme", kind="failed_retrieve", times=1)
    with pytest.raises(RetrieveFailed) as caught:
        acme.metadata.retrieve_to_file({"ApexClass": ["*"]}, tmp_path / "a.zip", poll=FAST_POLL)
    assert not isinstance(caught.value, RetrieveTooLarge)
    assert not (tmp_path / "a.zip").exists() and not (tmp_path / "a.zip.part").exists()


def test_retrieve_over_the_file_limit_asks_the_caller_to_split(emu, acme, tmp_path):
    emu.inject_fault(org="acme", kind="retrieve_limit", times=1)
    with pytest.raises(RetrieveTooLarge) as caught:
        acme.metadata.retrieve_to_file({"ApexClass": ["*"]}, tmp_path / "a.zip", poll=FAST_POLL)
    assert caught.value.code == "LIMIT_EXCEEDED"


def test_soap_fault(emu, acme):
    emu.inject_fault(
        org="acme", kind="soap_fault", times=1, code="INVALID_TYPE", message="INVALID_TYPE: no such type"
    )
    with pytest.raises(SoapFault) as caught:
        acme.metadata.list_metadata(["ApexClass"])
    assert (caught.value.code, caught.value.message) == ("INVALID_TYPE", "INVALID_TYPE: no such type")
    assert not isinstance(caught.value, TransientError)


def test_unknown_exception_soap_fault_is_tried_again_then_reported_not_transient(emu, acme):
    acme.client.unknown_exception_waits = (0.0, 0.0)
    emu.inject_fault(org="acme", kind="soap_fault", times=3)
    with pytest.raises(SoapFault) as caught:
        acme.metadata.describe_metadata()
    assert caught.value.code == "UNKNOWN_EXCEPTION"
    assert not isinstance(caught.value, TransientError)  # no half-hour of task retries
    emu.inject_fault(org="acme", kind="soap_fault", times=1)
    assert acme.metadata.describe_metadata().metadata_objects  # a glitch clears on the next try


def test_expired_session_in_soap_is_refreshed_once(emu, acme):
    emu.expire_access_tokens(org="acme")
    assert acme.metadata.list_metadata(["ApexClass"])
    assert acme.refreshes == 1


def test_expired_soap_session_twice_raises_session_expired(emu, acme):
    emu.inject_fault(org="acme", kind="expired_session", times=2)
    with pytest.raises(SessionExpired):
        acme.metadata.describe_metadata()


def test_request_limit_in_soap(emu, acme):
    emu.inject_fault(org="acme", kind="request_limit", times=1)
    with pytest.raises(RequestLimitExceeded):
        acme.metadata.describe_metadata()


def test_metadata_calls_share_the_clients_counts(emu):
    conn = connect(emu, "acme")
    api = MetadataApi(conn.client)
    api.describe_metadata()
    conn.client.organization()
    assert conn.client.calls == 2
    assert api.stats is conn.client.stats


def test_tokens_never_reach_logs_or_exception_text(emu, caplog, tmp_path):
    caplog.set_level(logging.DEBUG)
    conn = connect(emu, "acme")
    conn.client.unknown_exception_waits = (0.0, 0.0)
    errors = []
    for kind in ("soap_fault", "failed_retrieve", "retrieve_limit", "request_limit"):
        emu.inject_fault(org="acme", kind=kind, times=3 if kind == "soap_fault" else 1)
        with pytest.raises(SalesforceError) as caught:
            conn.metadata.retrieve_to_file({"ApexClass": ["*"]}, tmp_path / "x.zip", poll=FAST_POLL)
        errors.append(caught.value)
    emu.inject_fault(org="acme", kind="expired_session", times=2)
    with pytest.raises(SessionExpired) as caught:
        conn.metadata.describe_metadata()
    errors.append(caught.value)
    secrets = {conn.tokens.access_token, conn.tokens.refresh_token}
    texts = [str(e) for e in errors] + [r.getMessage() for r in caplog.records]
    for text in texts:
        for secret in secrets:
            assert secret not in text
