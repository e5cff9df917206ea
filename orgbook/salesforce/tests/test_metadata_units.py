"""Metadata API pieces that need no server: envelopes, hardened parsing, streamed base64."""

import base64
import io
import os

import pytest
from lxml import etree

from orgbook.salesforce.errors import RetrieveTimeout, TransientError
from orgbook.salesforce.metadata_api import (
    MD_NS,
    SOAP_NS,
    Backoff,
    _Base64Sink,
    _parse,
    _parse_fault,
    envelope,
)

from .conftest import connect


def test_envelope_carries_the_session_and_the_operation_in_wsdl_order():
    data = envelope(
        "00D000000000001!tok",
        "listMetadata",
        [("queries", [("folder", "F"), ("type", "Report")]), ("asOfVersion", "62.0")],
    )
    root = etree.fromstring(data)
    assert (
        root.findtext(f"{{{SOAP_NS}}}Header/{{{MD_NS}}}SessionHeader/{{{MD_NS}}}sessionId")
        == "00D000000000001!tok"
    )
    op = root.find(f"{{{SOAP_NS}}}Body/{{{MD_NS}}}listMetadata")
    assert [etree.QName(c).localname for c in op] == ["queries", "asOfVersion"]
    assert [etree.QName(c).localname for c in op[0]] == ["folder", "type"]


def test_values_are_escaped_not_injected():
    data = envelope("tok", "readMetadata", [("type", "CustomObject"), ("fullNames", "A</fullNames><x>")])
    op = etree.fromstring(data).find(f"{{{SOAP_NS}}}Body/{{{MD_NS}}}readMetadata")
    assert op[1].text == "A</fullNames><x>" and len(op) == 2


def test_parser_does_not_expand_entities_or_read_files():
    evil = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY a "aaaaaaaaaa">]>
<r>&xxe;&a;</r>"""
    serialized = etree.tostring(_parse(evil))
    assert b"root:" not in serialized and b"aaaaaaaaaa" not in serialized
    assert b"&xxe;" in serialized  # left as an unexpanded reference


def test_malformed_xml_is_transient():
    with pytest.raises(TransientError):
        _parse(b"<not-xml")


def test_fault_code_prefix_is_stripped():
    body = f"""<soapenv:Envelope xmlns:soapenv="{SOAP_NS}" xmlns:sf="{MD_NS}"><soapenv:Body><soapenv:Fault>
    <faultcode>sf:INVALID_SESSION_ID</faultcode><faultstring>INVALID_SESSION_ID: Illegal Session</faultstring>
    </soapenv:Fault></soapenv:Body></soapenv:Envelope>""".encode()
    assert _parse_fault(body) == ("INVALID_SESSION_ID", "INVALID_SESSION_ID: Illegal Session")
    assert _parse_fault(b"<html>bad gateway</html>") is None


@pytest.mark.parametrize("piece", [1, 3, 7, 4096, 70000])
def test_base64_is_decoded_incrementally_whatever_the_chunking(piece):
    raw = os.urandom(150_001)
    text = base64.encodebytes(raw).decode()  # with newlines, as some servers wrap it
    out = io.BytesIO()
    sink = _Base64Sink(out)
    for start in range(0, len(text), piece):
        sink.feed(text[start : start + piece])
    sink.close()
    assert out.getvalue() == raw and sink.written == len(raw)


def test_bad_base64_is_transient():
    sink = _Base64Sink(io.BytesIO())
    with pytest.raises(TransientError):
        sink.feed("!!!!")
        sink.close()


def test_backoff_doubles_and_caps():
    delays = Backoff(initial=1, factor=2, maximum=30).delays()
    assert [next(delays) for _ in range(7)] == [1, 2, 4, 8, 16, 30, 30]


def test_retrieve_gives_up_after_the_poll_deadline(emu, tmp_path):
    conn = connect(emu, "acme")
    emu.inject_fault(org="acme", kind="slow_retrieve", times=1, polls=50)
    with pytest.raises(RetrieveTimeout):
        conn.metadata.retrieve_to_file(
            {"ApexClass": ["*"]}, tmp_path / "a.zip", poll=Backoff(0.01, 2, 0.02, timeout=0.05)
        )
    assert not list(tmp_path.iterdir())
