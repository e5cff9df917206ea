"""The three client defects issue 19 (item 12) found by replaying real answers, each on its recording."""

from __future__ import annotations

from typing import Any

import pytest

from orgbook.salesforce import guard
from orgbook.salesforce.connect import collect_org_facts
from orgbook.salesforce.errors import SoapFault, TransientError, UnknownException
from tests.salesforce_conformance import recordings, replay
from tests.salesforce_conformance.conftest import client, login

INVALID_TYPE = recordings.composite_part(
    recordings.cassette("TestCountSObjects.test_count_sobjects__errors.yaml")[0], "refXYZZY"
)


def test_invalid_type_for_sandbox_process_falls_back_to_the_my_domain_check(emu: Any) -> None:
    # Production answers the SandboxProcess query with a real INVALID_TYPE body (HTTP 400): the
    # connect is judged on the sandbox's My Domain instead of refused "try again in a few minutes".
    oauth, tokens = login(emu, "uat")
    sandbox = client(emu, "uat")
    production, sent = replay.client(INVALID_TYPE)
    facts = collect_org_facts(oauth, tokens, sandbox, production)
    assert "SandboxProcess" in (sent.sent[0].url or "")
    assert facts.production_sandboxes is None
    request = guard.ConnectRequest(kind="sandbox", implementation_name="Acme", production_org_id=emu.org("acme").org_id,
                                   production_my_domain=emu.org("acme").my_domain)
    assert guard.check_connect(request, facts) == guard.OK


def _metaforce_fault_as(code: str) -> recordings.Exchange:
    """metaforce's real fault (with <detail>), its code swapped for UNKNOWN_EXCEPTION: no public
    recording of that fault exists; the shape is the real one."""
    real = recordings.xml("foo__invalid_session.xml")
    return recordings.Exchange(real.source, 500, real.body.replace(b"INVALID_SESSION_ID", code.encode()))


def test_unknown_exception_is_tried_three_times_then_reported_not_retried_for_half_an_hour() -> None:
    fault = _metaforce_fault_as("UNKNOWN_EXCEPTION")
    api, adapter = replay.metadata(fault, fault, fault)
    waits: list[float] = []
    api.client._sleep = waits.append
    with pytest.raises(UnknownException) as caught:
        api.read_metadata("Layout", ["Account-Account Layout"])
    assert len(adapter.sent) == 3 and waits == [2.0, 10.0]  # about 12 s, not five task retries over 31 minutes
    assert isinstance(caught.value, SoapFault) and not isinstance(caught.value, TransientError)
    assert caught.value.code == "UNKNOWN_EXCEPTION"


def test_unknown_exception_that_clears_on_the_second_try_is_not_reported() -> None:
    api, adapter = replay.metadata(_metaforce_fault_as("UNKNOWN_EXCEPTION"), recordings.xml("list_metadata__objects.xml"))
    assert [p.full_name for p in api.list_metadata(["CustomObject"])] == ["ContractContactRole", "Site"]
    assert len(adapter.sent) == 2


def test_nil_child_xml_names_are_absent_not_empty() -> None:
    api, _ = replay.metadata(recordings.xml("describe_metadata__success.xml"), version="23.0")
    workflow = next(m for m in api.describe_metadata().metadata_objects if m.xml_name == "Workflow")
    # The recording: five named children, then <childXmlNames xsi:nil="true"/>.
    assert workflow.child_xml_names == ("WorkflowAlert", "WorkflowTask", "WorkflowOutboundMessage",
                                        "WorkflowFieldUpdate", "WorkflowRule")
