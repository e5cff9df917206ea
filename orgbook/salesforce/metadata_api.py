"""Metadata API over SOAP (docs/salesforce-protocols.md §4): describe, list, read, retrieve.

Envelopes are built with lxml; answers are parsed with a hardened parser (no entity resolution,
no network). A retrieve's base64 zip is streamed from the socket through an incremental base64
decoder straight into a file, so neither the SOAP body nor the zip is ever held in memory whole.
"""

from __future__ import annotations

import base64
import binascii
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import requests
from lxml import etree

from orgbook.salesforce.client import SalesforceClient, error_for_code, timed
from orgbook.salesforce.errors import (
    RetrieveFailed,
    RetrieveTimeout,
    RetrieveTooLarge,
    SalesforceError,
    SessionExpired,
    SoapFault,
    TransientError,
    TransientSoapFault,
    UnknownException,
    UnknownSoapFault,
)

log = logging.getLogger(__name__)

SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
MD_NS = "http://soap.sforce.com/2006/04/metadata"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"

LIST_METADATA_MAX_QUERIES = 3
READ_METADATA_MAX_NAMES = 10
CLIENT_NAME = "orgbook"
_STREAM_CHUNK = 64 * 1024


def hardened_parser() -> etree.XMLParser:
    """XML from an org is untrusted: no entities, no DTD loading, no network."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_blank_text=True)


# --- Results -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MetadataObjectType:
    xml_name: str
    directory_name: str
    suffix: str | None
    in_folder: bool
    meta_file: bool
    child_xml_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class DescribeMetadataResult:
    metadata_objects: list[MetadataObjectType]
    organization_namespace: str
    partial_save_allowed: bool
    test_required: bool


@dataclass(frozen=True)
class ListMetadataQuery:
    type: str
    folder: str | None = None  # required for in-folder types (Report, Dashboard, ...)


@dataclass(frozen=True, slots=True)
class FileProperties:
    """One listed component. A sync holds one per component of the org until it is written, so it
    is kept small: slots, and the values many components share (type, people, dates, state) as one
    string each (`sys.intern`), not one per component."""


    type: str
    full_name: str
    file_name: str
    id: str = ""
    created_by_id: str = ""
    created_by_name: str = ""
    created_date: str = ""
    last_modified_by_id: str = ""
    last_modified_by_name: str = ""
    last_modified_date: str = ""
    manageable_state: str | None = None
    namespace_prefix: str | None = None

    def __post_init__(self) -> None:
        for name in _SHARED:
            value = getattr(self, name)
            if value:
                object.__setattr__(self, name, sys.intern(value))


_SHARED = ("type", "created_by_id", "created_by_name", "created_date", "last_modified_by_id", "last_modified_by_name",
           "last_modified_date", "manageable_state", "namespace_prefix")


@dataclass(frozen=True)
class RetrieveMessage:
    file_name: str
    problem: str


@dataclass
class RetrieveStatus:
    id: str
    done: bool
    status: str  # Pending | InProgress | Succeeded | Failed
    success: bool
    error_status_code: str | None = None
    error_message: str | None = None
    file_properties: list[FileProperties] = field(default_factory=list)
    messages: list[RetrieveMessage] = field(default_factory=list)
    zip_bytes_written: int = 0  # decoded zip bytes written to the sink, if one was given


@dataclass(frozen=True)
class DeployMessage:
    component_type: str
    full_name: str
    file_name: str
    problem: str | None
    problem_type: str | None  # Error | Warning
    success: bool


@dataclass
class DeployStatus:
    id: str
    done: bool
    status: str  # Pending | InProgress | Succeeded | SucceededPartial | Failed | Canceling | Canceled
    success: bool
    number_components_deployed: int = 0
    number_component_errors: int = 0
    error_message: str | None = None
    failures: list[DeployMessage] = field(default_factory=list)
    successes: list[DeployMessage] = field(default_factory=list)


@dataclass
class RetrieveResult:
    id: str
    zip_path: Path
    zip_size: int
    file_properties: list[FileProperties]
    messages: list[RetrieveMessage]
    polls: int


@dataclass(frozen=True)
class Backoff:
    """Exponential poll delays: initial, ×factor, capped at maximum; give up after timeout."""

    initial: float = 1.0
    factor: float = 2.0
    maximum: float = 30.0
    timeout: float = 30 * 60.0

    def delays(self) -> Iterator[float]:
        delay = self.initial
        while True:
            yield delay
            delay = min(self.maximum, delay * self.factor)


# --- API -----------------------------------------------------------------------------------------


class MetadataApi:
    """Metadata SOAP calls through a SalesforceClient (same token, refresh, counts and timing)."""

    def __init__(self, client: SalesforceClient, sleep: Callable[[float], None] = time.sleep) -> None:
        self.client = client
        self.stats = client.stats
        self._sleep = sleep

    @property
    def api_version(self) -> str:
        return self.client.api_version

    @timed
    def describe_metadata(self) -> DescribeMetadataResult:
        result = self._call("describeMetadata", [("asOfVersion", self.api_version)])[0]
        objects = [_metadata_object(el) for el in _children(result, "metadataObjects")]
        return DescribeMetadataResult(
            metadata_objects=objects,
            organization_namespace=_text(result, "organizationNamespace"),
            partial_save_allowed=_bool(result, "partialSaveAllowed"),
            test_required=_bool(result, "testRequired"),
        )

    @timed
    def list_metadata(self, queries: Sequence[ListMetadataQuery | str]) -> list[FileProperties]:
        """FileProperties of every component of the given types; ≤3 queries per SOAP call."""
        normalised = [q if isinstance(q, ListMetadataQuery) else ListMetadataQuery(q) for q in queries]
        found: list[FileProperties] = []
        for start in range(0, len(normalised), LIST_METADATA_MAX_QUERIES):
            chunk = normalised[start : start + LIST_METADATA_MAX_QUERIES]
            body: list[tuple[str, Any]] = [("queries", _query_fields(q)) for q in chunk]
            body.append(("asOfVersion", self.api_version))
            found.extend(_file_properties(el) for el in self._call("listMetadata", body))
        return found

    @timed
    def read_metadata(self, metadata_type: str, full_names: Sequence[str]) -> dict[str, bytes]:
        """Components as Metadata-API-format XML documents, keyed by full name; ≤10 per call.
        Names that do not exist are absent from the answer."""
        documents: dict[str, bytes] = {}
        for start in range(0, len(full_names), READ_METADATA_MAX_NAMES):
            chunk = full_names[start : start + READ_METADATA_MAX_NAMES]
            body: list[tuple[str, Any]] = [("type", metadata_type), *(("fullNames", n) for n in chunk)]
            for result in self._call("readMetadata", body):
                for record in _children(result, "records"):
                    name = _text(record, "fullName")
                    if name:
                        documents[name] = _as_document(metadata_type, record)
        return documents

    @timed
    def retrieve(
        self,
        package_types: Mapping[str, Sequence[str]],
        api_version: str | None = None,
        single_package: bool = True,
    ) -> str:
        """Start an unpackaged retrieve; returns the async process id (09S...)."""
        version = api_version or self.api_version
        types = [
            ("types", [*(("members", m) for m in members), ("name", name)])
            for name, members in package_types.items()
        ]
        request = [
            ("apiVersion", version),
            ("singlePackage", "true" if single_package else "false"),
            ("unpackaged", [*types, ("version", version)]),
        ]
        result = self._call("retrieve", [("retrieveRequest", request)], retrieve_op=True)[0]
        return _text(result, "id")

    @timed
    def deploy(self, zip_bytes: bytes, *, check_only: bool = False, test_level: str = "RunLocalTests") -> str:
        """Start a deploy of a Metadata API zip (package.xml at its top); returns the async id (0Af...).
        All or nothing: `rollbackOnError` is the only setting production accepts."""
        options = [("allowMissingFiles", "false"), ("autoUpdatePackage", "false"),
                   ("checkOnly", "true" if check_only else "false"), ("ignoreWarnings", "false"),
                   ("performRetrieve", "false"), ("purgeOnDelete", "false"), ("rollbackOnError", "true"),
                   ("singlePackage", "true"), ("testLevel", test_level)]
        body = [("ZipFile", base64.b64encode(zip_bytes).decode("ascii")), ("DeployOptions", options)]
        return _text(self._call("deploy", body)[0], "id")

    @timed
    def check_deploy_status(self, async_id: str) -> DeployStatus:
        """One poll, with the per-component details (failures first: what a release manager fixes)."""
        result = self._call("checkDeployStatus", [("asyncProcessId", async_id), ("includeDetails", "true")])[0]
        failures, successes = [], []
        for d in _children(result, "details"):
            failures += [_deploy_message(m) for m in _children(d, "componentFailures")]
            successes += [_deploy_message(m) for m in _children(d, "componentSuccesses")]
        # Before v31 the result had no done/status and listed every component under <messages>: it
        # was asked for only once checkStatus said done.
        old = not _children(result, "done")
        for m in _children(result, "messages"):
            message = _deploy_message(m)
            (successes if message.success else failures).append(message)
        success = _bool(result, "success")
        return DeployStatus(
            id=_text(result, "id"), done=old or _bool(result, "done"),
            status=("Succeeded" if success else "Failed") if old else _text(result, "status"), success=success,
            number_components_deployed=int(_text(result, "numberComponentsDeployed") or 0),
            number_component_errors=int(_text(result, "numberComponentErrors") or 0),
            error_message=_optional_text(result, "errorMessage"), failures=failures, successes=successes)

    @timed
    def check_retrieve_status(
        self, async_id: str, include_zip: bool = False, sink: IO[bytes] | None = None
    ) -> RetrieveStatus:
        """One poll. With include_zip the zip (deleted server-side once returned) is decoded into
        `sink` as it arrives; without a sink it is discarded, so pass one."""
        return self._check_status_retrying(async_id, include_zip, sink)

    @timed
    def retrieve_to_file(
        self,
        package_types: Mapping[str, Sequence[str]],
        dest_path: str | os.PathLike[str],
        poll: Backoff | None = None,
        api_version: str | None = None,
    ) -> RetrieveResult:
        """Retrieve, poll with capped exponential backoff, stream the zip to `dest_path`.

        Raises RetrieveTooLarge (split the request), RetrieveFailed, RetrieveTimeout.
        """
        poll = poll or Backoff()
        async_id = self.retrieve(package_types, api_version)
        dest = Path(dest_path)
        deadline = time.monotonic() + poll.timeout
        polls = 0
        for delay in poll.delays():
            started = time.perf_counter()
            self._sleep(delay)
            self.stats.poll_wait_seconds += time.perf_counter() - started
            polls += 1
            found = self._collect(async_id, dest, polls)
            if isinstance(found, RetrieveResult):
                return found
            if time.monotonic() + delay > deadline:
                raise RetrieveTimeout("RETRIEVE_TIMEOUT", f"retrieve {async_id} still {found} after {polls} polls")
        raise AssertionError("unreachable")  # pragma: no cover

    @timed
    def collect_retrieve(self, async_id: str, dest_path: str | os.PathLike[str], polls: int = 1) -> RetrieveResult | str:
        """One poll of a retrieve started with `retrieve`: when it is done, its zip streamed to
        `dest_path` (RetrieveTooLarge, RetrieveFailed if it failed); while Salesforce still prepares
        it, its status (Pending, InProgress). For several retrieves in flight at once."""
        return self._collect(async_id, Path(dest_path), polls)

    def wait(self, seconds: float) -> None:
        """Sleep between polls, counted as Salesforce's time (`stats.poll_wait_seconds`)."""
        started = time.perf_counter()
        self._sleep(seconds)
        self.stats.poll_wait_seconds += time.perf_counter() - started

    # -- retrieve plumbing --

    def _collect(self, async_id: str, dest: Path, polls: int) -> RetrieveResult | str:
        # includeZip=true on every poll: a finished retrieve answers with the zip at once,
        # saving a call; an unfinished one answers without it.
        partial = dest.with_name(dest.name + ".part")
        with open(partial, "wb") as sink:
            status = self._check_status_retrying(async_id, True, sink)
        if status.done:
            return self._finish(status, partial, dest, polls)
        partial.unlink(missing_ok=True)
        return status.status

    def _finish(self, status: RetrieveStatus, partial: Path, dest: Path, polls: int) -> RetrieveResult:
        if status.status != "Succeeded" or not status.success:
            partial.unlink(missing_ok=True)
            raise _retrieve_failure(status)
        os.replace(partial, dest)
        return RetrieveResult(
            id=status.id,
            zip_path=dest,
            zip_size=status.zip_bytes_written,
            file_properties=status.file_properties,
            messages=status.messages,
            polls=polls,
        )

    def _check_status_retrying(self, async_id: str, include_zip: bool, sink: IO[bytes] | None) -> RetrieveStatus:
        # A fault answers before any zip byte is written to `sink`, so trying again is safe.
        return self.client.retrying_unknown(
            "checkRetrieveStatus", lambda: self._check_status(async_id, include_zip, sink)
        )

    def _check_status(self, async_id: str, include_zip: bool, sink: IO[bytes] | None) -> RetrieveStatus:
        body = [("asyncProcessId", async_id), ("includeZip", "true" if include_zip else "false")]
        response = self._post("checkRetrieveStatus", body, stream=True)
        try:
            if response.status_code != 200:
                raise self._fault(response, retrieve_op=True)
            decoder = _Base64Sink(sink)
            parser = etree.XMLParser(
                target=_ZipDivertingTarget(decoder), resolve_entities=False, no_network=True, load_dtd=False
            )
            self._feed_streamed(response, parser)
            try:
                root = parser.close()
            except etree.XMLSyntaxError as exc:
                raise TransientError(
                    "INVALID_XML", f"checkRetrieveStatus answered malformed XML: {exc}"
                ) from None
        finally:
            response.close()
        result = _children(_body_child(root), "result")
        if not result:
            raise SoapFault("INVALID_RESPONSE", "checkRetrieveStatus answered without a result")
        return _retrieve_status(result[0], decoder.written)

    def _feed_streamed(self, response: Any, parser: Any) -> None:
        """Socket -> parser in 64 KiB pieces; only waiting on the socket counts as HTTP time."""
        chunks = response.iter_content(chunk_size=_STREAM_CHUNK)
        while True:
            try:
                with self.stats.measure_http():
                    chunk = next(chunks, None)
            except requests.RequestException as exc:
                raise TransientError(
                    "CONNECTION_ERROR", f"retrieve download broke off: {type(exc).__name__}"
                ) from None
            if chunk is None:
                return
            try:
                parser.feed(chunk)
            except etree.XMLSyntaxError as exc:
                raise TransientError(
                    "INVALID_XML", f"checkRetrieveStatus answered malformed XML: {exc}"
                ) from None

    # -- SOAP plumbing --

    def _call(self, operation: str, body: list[tuple[str, Any]], retrieve_op: bool = False) -> list[Any]:
        """Send one operation; return the `result` elements of its response."""
        return self.client.retrying_unknown(operation, lambda: self._call_once(operation, body, retrieve_op))

    def _call_once(self, operation: str, body: list[tuple[str, Any]], retrieve_op: bool) -> list[Any]:
        response = self._post(operation, body, stream=False)
        if response.status_code != 200:
            raise self._fault(response, retrieve_op)
        root = _parse(response.content)
        op_response = _body_child(root)
        return _children(op_response, "result")

    def _post(self, operation: str, body: list[tuple[str, Any]], stream: bool) -> Any:
        path = f"/services/Soap/m/{self.api_version}"

        def build(token: str) -> dict[str, Any]:
            headers = {"Content-Type": "text/xml; charset=UTF-8", "SOAPAction": '""'}
            return {"data": envelope(token, operation, body), "headers": headers}

        return self.client.send("POST", path, build, expired=_is_session_fault, stream=stream)

    def _fault(self, response: Any, retrieve_op: bool) -> SalesforceError:
        status = response.status_code
        fault = _parse_fault(response.content)
        if fault is None:
            # 502/503 pages from a load balancer, or a 500 without a SOAP body: transient.
            return TransientError(f"HTTP_{status}", "Metadata API answered without a SOAP fault", status)
        code, message = fault[0], self.client.scrub(fault[1])
        log.info("Metadata API fault %s (HTTP %s)", code, status)
        if code == "INVALID_SESSION_ID":
            return SessionExpired(code, message, status)
        if retrieve_op and code == "LIMIT_EXCEEDED":
            return RetrieveTooLarge(code, message, status)
        error = error_for_code(code, message, status)
        if type(error) is SalesforceError:
            return SoapFault(code, message, status)
        if type(error) is TransientError:
            return TransientSoapFault(code, message, status)
        if type(error) is UnknownException:
            return UnknownSoapFault(code, message, status)
        return error


def envelope(token: str, operation: str, body: list[tuple[str, Any]]) -> bytes:
    """A SOAP 1.1 envelope for `operation`; `body` is (name, text | nested list) pairs in WSDL order."""
    nsmap = {"soapenv": SOAP_NS, "met": MD_NS}
    root = etree.Element(f"{{{SOAP_NS}}}Envelope", nsmap=nsmap)
    header = etree.SubElement(root, f"{{{SOAP_NS}}}Header")
    session = etree.SubElement(header, f"{{{MD_NS}}}SessionHeader")
    etree.SubElement(session, f"{{{MD_NS}}}sessionId").text = token
    options = etree.SubElement(header, f"{{{MD_NS}}}CallOptions")
    etree.SubElement(options, f"{{{MD_NS}}}client").text = CLIENT_NAME
    soap_body = etree.SubElement(root, f"{{{SOAP_NS}}}Body")
    _append(etree.SubElement(soap_body, f"{{{MD_NS}}}{operation}"), body)
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return data


def _append(parent: Any, items: list[tuple[str, Any]]) -> None:
    for name, value in items:
        child = etree.SubElement(parent, f"{{{MD_NS}}}{name}")
        if isinstance(value, list):
            _append(child, value)
        else:
            child.text = str(value)


def _query_fields(query: ListMetadataQuery) -> list[tuple[str, Any]]:
    fields: list[tuple[str, Any]] = []
    if query.folder is not None:
        fields.append(("folder", query.folder))
    fields.append(("type", query.type))
    return fields


# --- Response parsing ----------------------------------------------------------------------------


def _parse(data: bytes) -> Any:
    try:
        return etree.fromstring(data, parser=hardened_parser())
    except etree.XMLSyntaxError as exc:
        raise TransientError("INVALID_XML", f"Metadata API answered malformed XML: {exc}") from None


def _body_child(root: Any) -> Any:
    body = root.find(f"{{{SOAP_NS}}}Body")
    if body is None or len(body) == 0:
        raise SoapFault("INVALID_RESPONSE", "SOAP answer without a Body")
    return body[0]


def _parse_fault(data: bytes) -> tuple[str, str] | None:
    try:
        root = etree.fromstring(data, parser=hardened_parser())
    except etree.XMLSyntaxError:
        return None
    fault = root.find(f".//{{{SOAP_NS}}}Fault")
    if fault is None:
        return None
    raw_code = (fault.findtext("faultcode") or "").strip()
    message = (fault.findtext("faultstring") or "").strip()
    # "sf:INVALID_SESSION_ID" -> "INVALID_SESSION_ID"; "soapenv:Client" -> "Client"
    code = raw_code.rsplit(":", 1)[-1]
    # Some real faults also carry <detail><sf:UnexpectedErrorFault> (namespace
    # urn:fault.partner.soap.sforce.com) with exceptionCode/exceptionMessage, others only the two
    # texts above: the detail only fills in what faultcode/faultstring left empty.
    detail_code, detail_message = _fault_detail(fault)
    return code or detail_code or "UNKNOWN", message or detail_message


def _fault_detail(fault: Any) -> tuple[str, str]:
    detail = next((c for c in fault if _local(c) == "detail"), None)
    if detail is None:
        return "", ""
    found = {_local(el): _value(el) or "" for el in detail.iter() if isinstance(el.tag, str)}
    return found.get("exceptionCode", ""), found.get("exceptionMessage", "")


def _is_session_fault(response: Any) -> bool:
    if response.status_code != 500:
        return False
    fault = _parse_fault(response.content)
    return fault is not None and fault[0] == "INVALID_SESSION_ID"


def _local(el: Any) -> str:
    tag = el.tag  # "{namespace}name" or "name"; a comment's or PI's tag is a function
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _children(el: Any, name: str) -> list[Any]:
    return [c for c in el if _local(c) == name]


def _text(el: Any, name: str) -> str:
    for c in el:
        if _local(c) == name:
            return (c.text or "").strip()
    return ""


def _optional_text(el: Any, name: str) -> str | None:
    for c in el:
        if _local(c) == name:
            return _value(c)
    return None


def _value(el: Any) -> str | None:
    """An element's text; None when it is `xsi:nil="true"` or empty (absent, not "")."""
    if el.get(f"{{{XSI_NS}}}nil") in ("true", "1"):
        return None
    return (el.text or "").strip() or None


def _bool(el: Any, name: str) -> bool:
    return _text(el, name).lower() == "true"


def _deploy_message(el: Any) -> DeployMessage:
    return DeployMessage(component_type=_text(el, "componentType"), full_name=_text(el, "fullName"),
                         file_name=_text(el, "fileName"), problem=_optional_text(el, "problem"),
                         problem_type=_optional_text(el, "problemType"), success=_bool(el, "success"))


def _metadata_object(el: Any) -> MetadataObjectType:
    return MetadataObjectType(
        xml_name=_text(el, "xmlName"),
        directory_name=_text(el, "directoryName"),
        suffix=_optional_text(el, "suffix"),
        in_folder=_bool(el, "inFolder"),
        meta_file=_bool(el, "metaFile"),
        # Real answers carry `<childXmlNames xsi:nil="true"/>` (under Workflow): no child, not "".
        child_xml_names=tuple(name for c in _children(el, "childXmlNames") if (name := _value(c))),
    )


def _fields(el: Any) -> dict[str, Any]:
    """An element's children by local name, the first of each (the one `_text` finds), in one
    pass: a listing has an element of twelve fields per component, and looking each field up
    among the children made 78 tag comparisons per component (10 s of a 100k org's listing)."""
    found: dict[str, Any] = {}
    for c in el:
        name = _local(c)
        if name and name not in found:
            found[name] = c
    return found


def _field_text(fields: dict[str, Any], name: str) -> str:
    c = fields.get(name)
    return (c.text or "").strip() if c is not None else ""


def _field_value(fields: dict[str, Any], name: str) -> str | None:
    c = fields.get(name)
    return _value(c) if c is not None else None


def _file_properties(el: Any) -> FileProperties:
    f = _fields(el)
    return FileProperties(
        type=_field_text(f, "type"),
        full_name=_field_text(f, "fullName"),
        file_name=_field_text(f, "fileName"),
        id=_field_text(f, "id"),
        created_by_id=_field_text(f, "createdById"),
        created_by_name=_field_text(f, "createdByName"),
        created_date=_field_text(f, "createdDate"),
        last_modified_by_id=_field_text(f, "lastModifiedById"),
        last_modified_by_name=_field_text(f, "lastModifiedByName"),
        last_modified_date=_field_text(f, "lastModifiedDate"),
        manageable_state=_field_value(f, "manageableState"),
        namespace_prefix=_field_value(f, "namespacePrefix"),
    )


def _retrieve_status(result: Any, zip_bytes: int) -> RetrieveStatus:
    # Before API 31.0 a RetrieveResult had no done/status/success (checkStatus said when it was
    # done, and checkRetrieveStatus was only called then): such an answer is a finished success.
    pre_v31 = not _children(result, "done") and not _children(result, "status")
    return RetrieveStatus(
        id=_text(result, "id"),
        done=pre_v31 or _bool(result, "done"),
        status="Succeeded" if pre_v31 else _text(result, "status"),
        success=pre_v31 or _bool(result, "success"),
        error_status_code=_optional_text(result, "errorStatusCode"),
        error_message=_optional_text(result, "errorMessage"),
        file_properties=[_file_properties(el) for el in _children(result, "fileProperties")],
        messages=[
            RetrieveMessage(file_name=_text(m, "fileName"), problem=_text(m, "problem"))
            for m in _children(result, "messages")
        ],
        zip_bytes_written=zip_bytes,
    )


def _retrieve_failure(status: RetrieveStatus) -> RetrieveFailed:
    code = status.error_status_code or "RETRIEVE_FAILED"
    message = status.error_message or f"retrieve {status.id} ended {status.status}"
    # The limit is reported as a Failed status with LIMIT_EXCEEDED (docs/salesforce-protocols.md §4.4).
    if code == "LIMIT_EXCEEDED" or "too many files" in message.lower():
        return RetrieveTooLarge("LIMIT_EXCEEDED", message)
    return RetrieveFailed(code, message)


def _as_document(metadata_type: str, record: Any) -> bytes:
    """A readMetadata `records` element as the file retrieve would give: root = type name."""
    root = etree.Element(f"{{{MD_NS}}}{metadata_type}", nsmap={None: MD_NS})
    for child in record:
        if isinstance(child.tag, str):
            root.append(_requalify(child))
    etree.indent(root, space="    ")
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8")
    return data


def _requalify(el: Any) -> Any:
    copy = etree.Element(f"{{{MD_NS}}}{_local(el)}", nsmap={None: MD_NS})
    copy.text = el.text
    for child in el:
        if isinstance(child.tag, str):
            copy.append(_requalify(child))
    return copy


# --- Streaming the zip ---------------------------------------------------------------------------


class _Base64Sink:
    """Incremental base64 decoding into a binary file; holds at most one chunk of text."""

    def __init__(self, sink: IO[bytes] | None) -> None:
        self._sink = sink
        self._pending = b""
        self.written = 0

    def feed(self, text: str) -> None:
        self._pending += "".join(text.split()).encode("ascii")
        if len(self._pending) >= _STREAM_CHUNK:
            self._flush(len(self._pending) // 4 * 4)

    def close(self) -> None:
        self._flush(len(self._pending))

    def _flush(self, upto: int) -> None:
        piece, self._pending = self._pending[:upto], self._pending[upto:]
        if not piece:
            return
        try:
            decoded = base64.b64decode(piece, validate=True)
        except binascii.Error:
            raise TransientError("INVALID_ZIP", "retrieve zip is not valid base64") from None
        if self._sink is not None:
            self._sink.write(decoded)
        self.written += len(decoded)


class _ZipDivertingTarget:
    """lxml parser target: builds a tree for everything except `zipFile`, whose text goes to a
    base64 decoder instead of into memory."""

    def __init__(self, decoder: _Base64Sink) -> None:
        self._builder = etree.TreeBuilder()
        self._decoder = decoder
        self._in_zip = False

    def start(self, tag: str, attrib: dict[str, str], nsmap: Any = None) -> None:
        self._in_zip = tag == f"{{{MD_NS}}}zipFile"
        self._builder.start(tag, attrib)

    def end(self, tag: str) -> None:
        if self._in_zip:
            self._decoder.close()
            self._in_zip = False
        self._builder.end(tag)

    def data(self, text: str) -> None:
        if self._in_zip:
            self._decoder.feed(text)
        else:
            self._builder.data(text)

    def close(self) -> Any:
        return self._builder.close()
