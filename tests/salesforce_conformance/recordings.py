"""The recorded answers of real Salesforce orgs (tests/data/salesforce-recordings, see its NOTICE).

The one place that names those files. Each recording is returned as the bytes Salesforce sent and
the HTTP status it came with; VCR cassettes (CumulusCI) also give the request that was sent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1] / "data" / "salesforce-recordings"

# restforce keeps bodies without their status; these are the statuses Salesforce answers them with
# (docs/salesforce-protocols.md §1.2, §2.4). Every other restforce file is a 200.
RESTFORCE_STATUS = {
    "auth_error_response.json": 400,
    "refresh_error_response.json": 400,
    "expired_session_response.json": 401,
    "query_error_response.json": 400,
}

# Answers of calls Orgbook never makes (it reads metadata, and deploys only in tests of its manifests): replayed
# through nothing, and listed so that every copied file is accounted for.
NOT_SPOKEN = {
    "metaforce/create__in_progress.xml": "create (pre-v31 CRUD): Orgbook never writes metadata",
    "metaforce/delete__in_progress.xml": "delete (pre-v31 CRUD): Orgbook never writes metadata",
    "metaforce/update__in_progress.xml": "update (pre-v31 CRUD): Orgbook never writes metadata",
    "metaforce/login__success.xml": "partner API login: Orgbook signs in with OAuth",
    "metaforce/send_email__success.xml": "partner API sendEmail",
    "metaforce/describe_layout__success.xml": "partner API describeLayout",
    "metaforce/check_status__done.xml": "checkStatus (pre-v31 polling): Orgbook polls checkRetrieveStatus",
    "metaforce/check_status__not_done.xml": "checkStatus (pre-v31 polling): Orgbook polls checkRetrieveStatus",
}


@dataclass(frozen=True)
class Exchange:
    """One request as recorded (cassettes only) and the answer Salesforce gave."""

    source: str  # "<folder>/<file>" or "<folder>/<file>#<n>" for the n-th exchange of a cassette
    status: int
    body: bytes
    method: str = ""
    uri: str = ""
    request_body: bytes = b""


def xml(name: str) -> Exchange:
    """A metaforce SOAP answer: a fault is an HTTP 500, as Salesforce sends it (§4.7)."""
    body = (ROOT / "metaforce" / name).read_bytes()
    return Exchange(f"metaforce/{name}", 500 if b":Fault>" in body else 200, body)


def rest(name: str) -> Exchange:
    body = (ROOT / "restforce" / name).read_bytes()
    return Exchange(f"restforce/{name}", RESTFORCE_STATUS.get(name, 200), body)


def rest_json(name: str) -> Any:
    return json.loads(rest(name).body)


def cassette(name: str) -> list[Exchange]:
    """The exchanges of a CumulusCI VCR cassette, in order (a single-exchange file has no list)."""
    data = yaml.safe_load((ROOT / "cumulusci" / name).read_text())
    interactions = data.get("interactions") or [data]
    return [_exchange(f"cumulusci/{name}#{n}", item) for n, item in enumerate(interactions)]


def _exchange(source: str, item: dict[str, Any]) -> Exchange:
    request, response = item["request"], item["response"]
    body = response["body"]["string"]
    sent = request.get("body") or ""
    return Exchange(
        source,
        int(response["status"]["code"]),
        body.encode() if isinstance(body, str) else bytes(body),
        request["method"],
        request["uri"],
        sent.encode() if isinstance(sent, str) else bytes(sent),
    )


def composite_part(exchange: Exchange, reference_id: str) -> Exchange:
    """One sub-answer of a composite request, as Salesforce answers the same request alone."""
    for part in json.loads(exchange.body)["compositeResponse"]:
        if part["referenceId"] == reference_id:
            return Exchange(f"{exchange.source}/{reference_id}", part["httpStatusCode"], json.dumps(part["body"]).encode())
    raise KeyError(reference_id)


def all_files() -> list[str]:
    """Every copied recording, as "<folder>/<file>" (licences, NOTICE and the WSDL aside)."""
    skip = {"LICENSE", "LICENSE.txt", "NOTICE", "metadata.wsdl"}
    return sorted(str(p.relative_to(ROOT)) for p in ROOT.rglob("*") if p.is_file() and p.name not in skip)


WSDL = ROOT / "simple-salesforce" / "metadata.wsdl"
