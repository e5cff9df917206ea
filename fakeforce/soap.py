"""Metadata API over SOAP 1.1 (docs/salesforce-protocols.md §4): describe, list, retrieve, checkRetrieveStatus,
readMetadata. Dispatch is on the first child of Body, never on SOAPAction."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING

from lxml import etree

from . import gate, ids, xmlutil
from .handler import Request, Response
from .state import RetrieveJob
from .store import Listed, Props, build_zip
from .types import CHILD_TYPES, FOLDER_TYPES, TYPES, lookup
from .xmlutil import el, esc

if TYPE_CHECKING:
    from .emulator import Emulator

_ENVELOPE = ('<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="{soap}" xmlns="{md}" '
             'xmlns:xsi="{xsi}"><soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>')


def _ok(body: str) -> Response:
    text = _ENVELOPE.format(soap=xmlutil.SOAP_NS, md=xmlutil.MD_NS, xsi=xmlutil.XSI_NS, body=body)
    return Response(200, text.encode(), "text/xml;charset=UTF-8")


FAULT_NS = "urn:fault.partner.soap.sforce.com"


def fault(code: str, message: str, prefix: str = "sf") -> Response:
    """A SOAP fault as Salesforce sends it: `sf:` codes in the fault namespace, with a `<detail>`
    repeating code and message (an UnexpectedErrorFault); `soapenv:` faults (a malformed request)
    carry faultcode and faultstring only. Both shapes occur in real answers."""
    detail = ""
    if prefix == "sf":
        bare = message.removeprefix(f"{code}: ")
        detail = (f'<detail><sf:UnexpectedErrorFault xsi:type="sf:UnexpectedErrorFault">'
                  f"<sf:exceptionCode>{esc(code)}</sf:exceptionCode><sf:exceptionMessage>{esc(bare)}"
                  "</sf:exceptionMessage></sf:UnexpectedErrorFault></detail>")
    text = (f'<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="{xmlutil.SOAP_NS}" '
            f'xmlns:sf="{FAULT_NS}" xmlns:xsi="{xmlutil.XSI_NS}"><soapenv:Body><soapenv:Fault>'
            f"<faultcode>{prefix}:{esc(code)}</faultcode><faultstring>{esc(message)}</faultstring>{detail}"
            "</soapenv:Fault></soapenv:Body></soapenv:Envelope>")
    return Response(500, text.encode(), "text/xml;charset=UTF-8")


def endpoint_version(path: str) -> float:
    """`/services/Soap/m/30.0[/orgid]` -> 30.0: Salesforce shapes an answer by the endpoint's version."""
    try:
        return float(path.split("/services/Soap/m/", 1)[1].split("/", 1)[0])
    except (IndexError, ValueError):
        return 99.0


# Before API 31.0 a RetrieveResult had no done/status/success, and listMetadata sent an empty
# <namespacePrefix/> without manageableState (the metaforce recordings, v23-v30).
V31 = 31.0


def _texts(parent: etree._Element, name: str) -> list[str]:
    return [(c.text or "").strip() for c in xmlutil.children_named(parent, name)]


def _text(parent: etree._Element, name: str, default: str = "") -> str:
    found = xmlutil.child_text(parent, name)
    return default if found is None else found.strip()


def handle(emu: Emulator, req: Request) -> Response:
    if req.method != "POST":
        return fault("Client", "Only POST is supported", prefix="soapenv")
    try:
        root = xmlutil.parse(req.body)
    except etree.XMLSyntaxError as exc:
        return fault("Client", f"Premature end of file or malformed XML: {exc}", prefix="soapenv")
    header = next((c for c in root if xmlutil.local(c) == "Header"), None)
    body = next((c for c in root if xmlutil.local(c) == "Body"), None)
    op = next((c for c in body if isinstance(c.tag, str)), None) if body is not None else None
    if op is None:
        return fault("Client", "No operation in SOAP Body", prefix="soapenv")
    session = None
    if header is not None:
        session = next((e.text for e in header.iter() if isinstance(e.tag, str) and xmlutil.local(e) == "sessionId"), None)
    caller = gate.check(emu, req.org_key, (session or "").strip(), "soap")
    if isinstance(caller, gate.Denied):
        if caller.drop:
            return Response(drop=True)
        if caller.code == "INVALID_SESSION_ID":
            return fault(caller.code, "INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session")
        return fault(caller.code, f"{caller.code}: {caller.message}")
    name = xmlutil.local(op)
    injected = emu.take_fault(caller.org.key, {"soap_fault"}, applies=lambda f: _fault_applies(f.opts, name, op))
    if injected is not None:
        code = str(injected.opts.get("code", "UNKNOWN_EXCEPTION"))
        return fault(code, str(injected.opts.get("message", f"{code}: injected by fakeforce")))
    handlers = {"describeMetadata": _describe, "listMetadata": _list, "retrieve": _retrieve,
                "checkRetrieveStatus": _check_retrieve, "readMetadata": _read, "checkStatus": _check_status,
                "deploy": _deploy, "checkDeployStatus": _check_deploy}
    if name not in handlers:
        return fault("Client", f"No operation available for request {{{xmlutil.MD_NS}}}{name}", prefix="soapenv")
    return handlers[name](emu, caller, op, endpoint_version(req.path))


def _fault_applies(opts: dict[str, object], name: str, op: etree._Element) -> bool:
    """An injected SOAP fault may be limited to one operation, one metadata type and one component
    name, the way real UNKNOWN_EXCEPTIONs stick to one request (readMetadata of one layout)."""
    if opts.get("operation") not in (None, name):
        return False
    texts: dict[str, set[str]] = {}
    for e in op.iter():
        if isinstance(e.tag, str):
            texts.setdefault(xmlutil.local(e), set()).add((e.text or "").strip())
    types = texts.get("type", set()) | texts.get("name", set())  # listMetadata/readMetadata; retrieve's <types>
    if opts.get("type") is not None and opts["type"] not in types:
        return False
    names = texts.get("fullNames", set()) | texts.get("members", set())
    return opts.get("name") is None or opts["name"] in names


# ----------------------------------------------------------------------------- describe / list


def _describe(emu: Emulator, caller: gate.Caller, op: etree._Element, version: float) -> Response:
    parts = []
    for t in TYPES:
        if t.name.lower() in FOLDER_TYPES:
            continue
        children = "".join(el("childXmlNames", c.name) for c in t.children)
        suffix = el("suffix", t.suffix) if t.suffix else ""
        parts.append(f"<metadataObjects>{children}{el('directoryName', t.directory)}{el('inFolder', t.in_folder)}"
                     f"{el('metaFile', t.meta_file)}{suffix}{el('xmlName', t.name)}</metadataObjects>")
    ns = caller.org.namespace or ""
    result = (f"{''.join(parts)}<organizationNamespace>{esc(ns)}</organizationNamespace>"
              f"{el('partialSaveAllowed', True)}{el('testRequired', not caller.org.is_sandbox)}")
    return _ok(f"<describeMetadataResponse><result>{result}</result></describeMetadataResponse>")


def file_properties(item: Listed, namespace: str | None, tag: str = "result", old_listing: bool = False) -> str:
    p = item.props
    if old_listing:  # listMetadata before v31: the prefix always, empty when none; no manageableState
        ns = f"<namespacePrefix>{esc(namespace)}</namespacePrefix>" if namespace else "<namespacePrefix/>"
        state = ""
    else:
        ns = el("namespacePrefix", namespace) if namespace else ""
        state = el("manageableState", "unmanaged")
    return (f"<{tag}>{el('createdById', p.created_by_id)}{el('createdByName', p.created_by_name)}"
            f"{el('createdDate', p.created_date)}{el('fileName', item.file_name)}{el('fullName', item.full_name)}"
            f"{el('id', p.id)}{el('lastModifiedById', p.last_modified_by_id)}"
            f"{el('lastModifiedByName', p.last_modified_by_name)}{el('lastModifiedDate', p.last_modified_date)}"
            f"{state}{ns}{el('type', item.type)}</{tag}>")


def _list(emu: Emulator, caller: gate.Caller, op: etree._Element, version: float) -> Response:
    queries = xmlutil.children_named(op, "queries")
    if len(queries) > 3:
        # Documented limit; the exact fault code is not (docs/salesforce-protocols.md §8).
        return fault("LIMIT_EXCEEDED", "LIMIT_EXCEEDED: Too many queries in listMetadata, limit is: 3")
    results: list[str] = []
    for q in queries:
        type_name, folder = _text(q, "type"), _text(q, "folder") or None
        folder_type = FOLDER_TYPES.get(type_name.lower())
        try:
            if folder_type is not None:
                listed = caller.org.store.listing(folder_type.folder_type or type_name)
            else:
                listed = caller.org.store.listing(type_name, folder)
        except KeyError:
            listed = []  # types this emulator does not know list as empty, not as a fault
        results.extend(file_properties(i, caller.org.namespace, old_listing=version < V31) for i in listed)
    if not results:
        return _ok("<listMetadataResponse/>")
    return _ok(f"<listMetadataResponse>{''.join(results)}</listMetadataResponse>")


# ----------------------------------------------------------------------------- retrieve


def _package_xml(requested: list[tuple[str, list[str]]], version: str) -> bytes:
    types = "".join("<types>" + "".join(f"<members>{esc(m)}</members>" for m in members) + f"<name>{esc(n)}</name></types>"
                    for n, members in requested)
    root = xmlutil.parse(f'<Package xmlns="{xmlutil.MD_NS}">{types}<version>{esc(version)}</version></Package>'.encode())
    return xmlutil.to_bytes(root)


def _retrieve(emu: Emulator, caller: gate.Caller, op: etree._Element, version: float) -> Response:
    # The WSDL names the parameter retrieveRequest; jsforce (inside the Salesforce CLI) sends it as
    # <request>, which Salesforce accepts: the single parameter is taken whatever its name.
    request = next((c for c in op if xmlutil.local(c) == "retrieveRequest"), None)
    if request is None:
        request = next((c for c in op if isinstance(c.tag, str)), None)
    if request is None:
        return fault("Client", "retrieveRequest is required", prefix="soapenv")
    # The package's own apiVersion (the manifest written into the zip), not the endpoint's version.
    package_version = _text(request, "apiVersion", emu.settings.api_versions[-1])
    single = _text(request, "singlePackage").lower() == "true"
    requested: list[tuple[str, list[str]]] = []
    unpackaged = next((c for c in request if xmlutil.local(c) == "unpackaged"), None)
    if unpackaged is not None:
        requested = [(_text(t, "name"), _texts(t, "members")) for t in xmlutil.children_named(unpackaged, "types")]
    org = caller.org
    specific = _texts(request, "specificFiles")
    if specific:
        for comp in org.store.files_for_paths(specific):
            requested.append((comp.type, [comp.full_name]))
    if _preparing(emu, org.key) >= (emu.settings.concurrent_retrieves or org.concurrent_request_limit):
        # Retrieves still being prepared count as long-running requests (an assumption: Salesforce
        # documents the limit and its answer for requests, docs/salesforce-limits.md).
        return fault("REQUEST_LIMIT_EXCEEDED", "REQUEST_LIMIT_EXCEEDED: ConcurrentRequests (Concurrent API Requests) "
                     "Limit exceeded.")
    job = RetrieveJob(ids.random_id("09S"), org.key, org.org_id, emu.settings.retrieve_polls, {}, [], [])
    slow = emu.take_fault(org.key, {"slow_retrieve"})
    if slow is not None:
        job.polls_left = int(slow.opts.get("polls", 3))
    packages = _texts(request, "packageNames")
    failed = emu.take_fault(org.key, {"failed_retrieve"})
    if packages:
        job.error = ("INVALID_CROSS_REFERENCE_KEY", f"INVALID_CROSS_REFERENCE_KEY: No package named '{packages[0]}' found")
    elif emu.take_fault(org.key, {"retrieve_limit"}):
        job.error = ("LIMIT_EXCEEDED", f"LIMIT_EXCEEDED: Too many files in retrieve call, limit is: {emu.settings.max_retrieve_files}")
    elif failed is not None:
        code = str(failed.opts.get("code", "UNKNOWN_EXCEPTION"))
        job.error = (code, str(failed.opts.get("message", f"{code}: An unexpected error occurred.")))
    else:
        _fill(emu, caller, job, requested, package_version, single)
    with emu.lock:
        _schedule(emu, job)
        emu.jobs[job.id] = job
    return _ok(f"<retrieveResponse><result>{el('done', False)}{el('id', job.id)}{el('state', 'Queued')}</result>"
               "</retrieveResponse>")


def _preparing(emu: Emulator, org_key: str) -> int:
    """Retrieves of the org the latency model still has Pending or InProgress."""
    now = emu.monotonic()
    with emu.lock:
        return sum(1 for j in emu.jobs.values() if j.org_key == org_key and j.ready_at > now)


def _schedule(emu: Emulator, job: RetrieveJob) -> None:
    """When the job starts and is ready (Settings.retrieve_seconds): at most `active_retrieves` of
    an org are prepared at once, the others wait in the order they came, as Salesforce queues them.
    Each job's times are fixed when it comes, so no clock runs in the background."""
    s = emu.settings
    now = job.submitted_at = emu.monotonic()
    cost = s.retrieve_seconds + s.retrieve_seconds_per_file * len(job.files)
    if cost <= 0:
        job.start_at = job.ready_at = now
        return
    ahead = [j for j in emu.jobs.values() if j.org_key == job.org_key and j.ready_at > now]
    start = max([now, *(j.start_at for j in ahead)])  # first come, first started
    ends = sorted(j.ready_at for j in ahead)
    if len(ends) >= s.active_retrieves:  # a slot frees when all but active_retrieves - 1 are ready
        start = max(start, ends[len(ends) - s.active_retrieves])
    job.start_at, job.ready_at = start, start + cost


def _fill(emu: Emulator, caller: gate.Caller, job: RetrieveJob, requested: list[tuple[str, list[str]]],
          version: str, single: bool) -> None:
    files, listed, problems = caller.org.store.select(requested)
    if len(files) + 1 > emu.settings.max_retrieve_files:
        limit = emu.settings.max_retrieve_files
        job.error = ("LIMIT_EXCEEDED", f"LIMIT_EXCEEDED: Too many files in retrieve call, limit is: {limit}")
        return
    prefix = "" if single else "unpackaged/"
    job.files = {prefix + p: data for p, data in files.items()}
    job.files[prefix + "package.xml"] = _package_xml(requested, version)
    now = emu.now_sf().replace("+0000", "Z")
    user = caller.user
    package_props = Props("", user.id, user.name, now, user.id, user.name, now)
    job.listed = [Listed(i.type, i.full_name, prefix + i.file_name, i.props) for i in listed]
    # With singlePackage=false both names carry the folder: fullName unpackaged/package.xml (v48 recording).
    job.listed.append(Listed("Package", prefix + "package.xml", prefix + "package.xml", package_props))
    job.messages = [(prefix + "package.xml", p) for p in problems]


def _job(emu: Emulator, caller: gate.Caller, op: etree._Element, field: str) -> RetrieveJob | None:
    job = emu.jobs.get(_text(op, field))
    if job is None or job.org_key != caller.org.key or job.org_id != caller.org.org_id:
        return None
    return job


def _check_retrieve(emu: Emulator, caller: gate.Caller, op: etree._Element, version: float) -> Response:
    job = _job(emu, caller, op, "asyncProcessId")
    if job is None:
        return fault("INVALID_ID_FIELD", "INVALID_ID_FIELD: invalid retrieve request id")
    include_zip = _text(op, "includeZip", "true").lower() != "false"
    with emu.lock:
        now = emu.monotonic()
        if now < job.ready_at:
            status = "Pending" if now < job.start_at else "InProgress"
            result = f"{el('done', False)}{el('id', job.id)}{el('status', status)}{el('success', False)}{el('zipFile', None)}"
            return _ok(f"<checkRetrieveStatusResponse><result>{result}</result></checkRetrieveStatusResponse>")
        if job.polls_left > 0:
            job.polls_left -= 1
            result = f"{el('done', False)}{el('id', job.id)}{el('status', 'InProgress')}{el('success', False)}{el('zipFile', None)}"
            return _ok(f"<checkRetrieveStatusResponse><result>{result}</result></checkRetrieveStatusResponse>")
        if job.error is not None:
            result = (f"{el('done', True)}{el('errorMessage', job.error[1])}{el('errorStatusCode', job.error[0])}"
                      f"{el('id', job.id)}{el('status', 'Failed')}{el('success', False)}{el('zipFile', None)}")
            return _ok(f"<checkRetrieveStatusResponse><result>{result}</result></checkRetrieveStatusResponse>")
        if include_zip and job.zip_consumed:
            # includeZip=true deletes the zip server-side; asking again fails (§4.4).
            return fault("INVALID_ID_FIELD", "INVALID_ID_FIELD: Retrieve result has been deleted.")
        zip_b64 = None
        if include_zip:
            zip_b64 = base64.b64encode(build_zip(job.files)).decode()
            job.zip_consumed = True
    props = "".join(file_properties(i, caller.org.namespace, "fileProperties") for i in job.listed)
    messages = "".join(f"<messages>{el('fileName', f)}{el('problem', p)}</messages>" for f, p in job.messages)
    if version < V31:
        zipped = el("zipFile", zip_b64) if zip_b64 is not None else ""
        result = f"{props}{el('id', job.id)}{messages}{zipped}"
    else:
        result = (f"{el('done', True)}{props}{el('id', job.id)}{messages}{el('status', 'Succeeded')}"
                  f"{el('success', True)}{el('zipFile', zip_b64)}")
    return _ok(f"<checkRetrieveStatusResponse><result>{result}</result></checkRetrieveStatusResponse>")


def _check_status(emu: Emulator, caller: gate.Caller, op: etree._Element, version: float) -> Response:
    """Pre-31.0 polling call: AsyncResult only, without consuming polls or the zip."""
    results = []
    for async_id in _texts(op, "asyncProcessId"):
        job = emu.jobs.get(async_id)
        if job is None or job.org_key != caller.org.key:
            return fault("INVALID_ID_FIELD", "INVALID_ID_FIELD: invalid id")
        with emu.lock:
            preparing = emu.monotonic() < job.ready_at
            done = job.polls_left == 0 and not preparing
            if not done and not preparing:
                job.polls_left -= 1  # pre-v31 clients poll here, then call checkRetrieveStatus once
        state = ("Error" if job.error else "Completed") if done else "InProgress"
        results.append(f"<result>{el('done', done)}{el('id', job.id)}{el('state', state)}</result>")
    return _ok(f"<checkStatusResponse>{''.join(results)}</checkStatusResponse>")


# ----------------------------------------------------------------------------- deploy (fakeforce/deploy.py)


def _deploy(emu: Emulator, caller: gate.Caller, op: etree._Element, version: float) -> Response:
    from .deploy import deploy

    return deploy(emu, caller, op)


def _check_deploy(emu: Emulator, caller: gate.Caller, op: etree._Element, version: float) -> Response:
    from .deploy import check_deploy_status

    return check_deploy_status(emu, caller, op)


# ----------------------------------------------------------------------------- readMetadata


def _read(emu: Emulator, caller: gate.Caller, op: etree._Element, version: float) -> Response:
    type_name = _text(op, "type")
    canonical = lookup(type_name)
    child = CHILD_TYPES.get(type_name.lower())
    if canonical is None and child is None:
        return fault("INVALID_TYPE", f"INVALID_TYPE: Unknown type name '{type_name}' specified in readMetadata")
    type_out = child[1].name if child else canonical.name  # type: ignore[union-attr]
    records = []
    for full_name in _texts(op, "fullNames")[:10]:
        found = caller.org.store.read_xml(type_out, full_name)
        if found is None:
            records.append('<records xsi:nil="true"/>')  # as a real org answers a missing name
            continue
        records.append(_record(found, type_out, full_name))
    return _ok(f"<readMetadataResponse><result>{''.join(records)}</result></readMetadataResponse>")


def _record(found: etree._Element, type_name: str, full_name: str) -> str:
    inner = "".join(etree.tostring(c, encoding="unicode") for c in found
                    if isinstance(c.tag, str) and xmlutil.local(c) != "fullName")
    inner = inner.replace(f' xmlns="{xmlutil.MD_NS}"', "")
    return f'<records xsi:type="{esc(type_name)}">{el("fullName", full_name)}{inner}</records>'
