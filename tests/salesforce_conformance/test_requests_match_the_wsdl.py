"""Every SOAP request the client builds validates against the Metadata API WSDL (v63).

The WSDL's embedded <xsd:schema> is compiled by lxml as it stands (0.4 s); each request's header
elements and operation element are validated against it: element names, order, namespaces and
types. The answers served while capturing the requests are real recordings (replay.py); which one
does not matter here, only what the client sent.
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path

import pytest
from lxml import etree

from orgbook.salesforce.metadata_api import SOAP_NS, ListMetadataQuery
from tests.salesforce_conformance import recordings, replay
from tests.salesforce_conformance.recordings import xml

XSD = "http://www.w3.org/2001/XMLSchema"


@functools.cache
def schema() -> etree.XMLSchema:
    wsdl = etree.parse(str(recordings.WSDL), etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True))
    embedded = wsdl.find(f".//{{{XSD}}}schema")
    assert embedded is not None
    # The schema's QName values (tns:ID) use prefixes the WSDL root declares: carry them over.
    nsmap = {k: v for k, v in {**wsdl.getroot().nsmap, **embedded.nsmap}.items() if k}
    root = etree.Element(f"{{{XSD}}}schema", nsmap=nsmap, attrib=dict(embedded.attrib))
    root.extend(copy.deepcopy(child) for child in embedded)
    return etree.XMLSchema(root)


def _sent(tmp_path: Path) -> dict[str, bytes]:
    """The envelopes of one of each call the client makes, with every optional part in use."""
    no_result = xml("list_metadata__no_result.xml")
    api, adapter = replay.metadata(
        xml("describe_metadata__success.xml"), no_result, no_result, xml("retrieve__in_progress.xml"),
        xml("retrieve__in_progress.xml"), xml("check_retrieve_status__success.xml"))
    api.describe_metadata()
    api.list_metadata([ListMetadataQuery("Report", "Sales"), ListMetadataQuery("ApexClass"),
                       ListMetadataQuery("CustomObject")])
    api.read_metadata("Profile", ["Admin", "Custom: Sales Profile"])
    api.retrieve({"ApexClass": ["TestClass", "Other"], "CustomObject": ["Test__c"]}, single_package=False)
    api.retrieve_to_file({"ApexClass": ["*"]}, tmp_path / "r.zip")
    operations = ["describeMetadata", "listMetadata", "readMetadata", "retrieve", "retrieve", "checkRetrieveStatus"]
    return {f"{n}:{op}": request.body for n, (op, request) in enumerate(zip(operations, adapter.sent, strict=True))
            if isinstance(request.body, bytes)}


def test_every_request_validates(tmp_path: Path) -> None:
    sent = _sent(tmp_path)
    assert len(sent) == 6
    for name, body in sent.items():
        envelope = etree.fromstring(body)
        header, soap_body = envelope.find(f"{{{SOAP_NS}}}Header"), envelope.find(f"{{{SOAP_NS}}}Body")
        assert header is not None and soap_body is not None
        for element in [*header, *soap_body]:
            assert schema().validate(element), f"{name}: {schema().error_log}"


def test_the_schema_refuses_a_request_in_the_wrong_order() -> None:
    # The check has teeth: asOfVersion before queries is refused, as Salesforce's schema says.
    wrong = etree.fromstring(
        b'<listMetadata xmlns="http://soap.sforce.com/2006/04/metadata"><asOfVersion>62.0</asOfVersion>'
        b"<queries><type>ApexClass</type></queries></listMetadata>")
    assert not schema().validate(wrong)
    assert "queries': This element is not expected" in str(schema().error_log)


@pytest.mark.parametrize("operation", ["describeMetadata", "listMetadata", "readMetadata", "retrieve",
                                       "checkRetrieveStatus"])
def test_the_wsdl_defines_each_operation_the_client_calls(operation: str) -> None:
    element = etree.Element(f"{{http://soap.sforce.com/2006/04/metadata}}{operation}")
    schema().validate(element)
    assert "No matching global declaration" not in str(schema().error_log)
