"""Metadata API `deploy` and `checkDeployStatus` (docs/salesforce-protocols.md §4.8).

The checks Salesforce makes of a deploy zip before it touches the org: a `package.xml` at the top
(or under one folder), every type it or `destructiveChanges*.xml` names is a known metadata type,
and every member `package.xml` names is present in the zip (a child, such as a CustomField, inside
its parent's file). Any failure fails the whole deploy and changes nothing (`rollbackOnError`, the
only behaviour production allows). A destructive member the org does not have is a warning, as on
Salesforce. A successful deploy writes every named component into the org's store.
"""

from __future__ import annotations

import base64
import binascii
import io
import zipfile
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from lxml import etree

from . import gate, ids, xmlutil
from .handler import Response
from .store import Component, group, key
from .types import CHILD_TYPES, FOLDER_TYPES, lookup
from .xmlutil import el

if TYPE_CHECKING:
    from .emulator import Emulator

DESTRUCTIVE = ("destructiveChanges.xml", "destructiveChangesPre.xml", "destructiveChangesPost.xml")


@dataclass
class Message:
    type: str
    full_name: str
    file_name: str
    problem: str = ""
    problem_type: str = ""  # Error or Warning; '' for a success
    created: bool = False
    deleted: bool = False


@dataclass
class DeployJob:
    id: str
    org_key: str
    org_id: str
    polls_left: int
    check_only: bool
    failures: list[Message] = field(default_factory=list)
    successes: list[Message] = field(default_factory=list)
    error: tuple[str, str] | None = None
    total: int = 0
    created: str = ""


def _members(data: bytes) -> list[tuple[str, list[str]]]:
    root = xmlutil.parse(data)
    return [(xmlutil.child_text(t, "name") or "", [m.text or "" for m in xmlutil.children_named(t, "members")])
            for t in xmlutil.children_named(root, "types")]


def _known(type_name: str) -> bool:
    low = type_name.lower()
    return lookup(type_name) is not None or low in CHILD_TYPES or low in FOLDER_TYPES


def _unzip(raw: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(raw)) as zf:
        files = {i.filename: zf.read(i) for i in zf.infolist() if not i.is_dir()}
    # package.xml at the top, or under exactly one folder (unpackaged/ from a retrieve).
    tops = {p.split("/", 1)[0] for p in files if "/" in p}
    if "package.xml" not in files and len(tops) == 1:
        prefix = f"{next(iter(tops))}/"
        files = {p[len(prefix):]: d for p, d in files.items() if p.startswith(prefix)}
    return files


def _child_in(comps: dict[tuple[str, str], Component], type_name: str, member: str) -> bool:
    parent_type, child = CHILD_TYPES[type_name.lower()]
    pname, short = member.split(".", 1) if child.prefixed and "." in member else (parent_type.name, member)
    parent = comps.get(key(parent_type.name, pname))
    if parent is None:
        return False
    for data in parent.files.values():
        try:
            root = xmlutil.parse(data)
        except etree.XMLSyntaxError:
            continue
        if any((xmlutil.child_text(c, "fullName") or "").lower() == short.lower()
               for c in xmlutil.children_named(root, child.tag)):
            return True
    return False


def _check(files: dict[str, bytes], comps: dict[tuple[str, str], Component]) -> list[Message]:
    if "package.xml" not in files:
        return [Message("", "package.xml", "package.xml", "No package.xml found", "Error")]
    failures: list[Message] = []
    for manifest in ("package.xml", *DESTRUCTIVE):
        if manifest not in files:
            continue
        try:
            named = _members(files[manifest])
        except etree.XMLSyntaxError as exc:
            failures.append(Message("", manifest, manifest, f"Error parsing file: {exc}", "Error"))
            continue
        for type_name, members in named:
            if not _known(type_name):
                failures.append(Message("", manifest, manifest,
                                        f"Unknown type name '{type_name}' specified in {manifest}", "Error"))
                continue
            if manifest != "package.xml":
                continue
            for member in members:
                if member == "*":
                    continue
                present = (_child_in(comps, type_name, member) if type_name.lower() in CHILD_TYPES
                           else key(type_name, member) in comps)
                if not present:
                    failures.append(Message(type_name, member, "package.xml",
                                            f"An object '{member}' of type {type_name} was named in package.xml, "
                                            "but was not found in zipped directory", "Error"))
    return failures


def _child_xml(comps: dict[tuple[str, str], Component], type_name: str, member: str) -> bytes:
    parent_type, child = CHILD_TYPES[type_name.lower()]
    pname, short = member.split(".", 1) if child.prefixed and "." in member else (parent_type.name, member)
    parent = comps[key(parent_type.name, pname)]
    for data in parent.files.values():
        root = xmlutil.parse(data)
        for c in xmlutil.children_named(root, child.tag):
            if (xmlutil.child_text(c, "fullName") or "").lower() == short.lower():
                return etree.tostring(c)
    raise KeyError(member)


def _apply(emu: Emulator, caller: gate.Caller, job: DeployJob, files: dict[str, bytes],
           comps: dict[tuple[str, str], Component]) -> None:
    org = caller.org
    when = emu.now_sf().replace("+0000", "Z")
    for manifest in DESTRUCTIVE:
        for type_name, members in _members(files[manifest]) if manifest in files else []:
            for member in members:
                if not org.store.exists(type_name, member):
                    job.successes.append(Message(type_name, member, manifest,
                                                 f"No {type_name} named: {member} found", "Warning"))
                    continue
                org.store.remove(type_name, member)
                job.successes.append(Message(type_name, member, manifest, deleted=True))
    for type_name, members in _members(files["package.xml"]):
        for member in members:
            if member == "*":
                continue
            existed = org.store.exists(type_name, member)
            if type_name.lower() in CHILD_TYPES:
                org.store.put(type_name, member, _child_xml(comps, type_name, member))
                file_name = next(iter(comps[key(CHILD_TYPES[type_name.lower()][0].name,
                                                member.split(".", 1)[0])].files))
            else:
                comp = comps[key(type_name, member)]
                org.store.components[key(comp.type, comp.full_name)] = Component(comp.type, comp.full_name,
                                                                                 dict(comp.files))
                file_name = next(iter(comp.files))
            org.store.touch(type_name, member, caller.user.id, caller.user.name, when, created=not existed)
            job.successes.append(Message(type_name, member, file_name, created=not existed))


def deploy(emu: Emulator, caller: gate.Caller, op: etree._Element) -> Response:
    from .soap import _ok, _text, fault

    zip_b64 = _text(op, "ZipFile")
    options = next((c for c in op if xmlutil.local(c) == "DeployOptions"), None)
    check_only = options is not None and _text(options, "checkOnly").lower() == "true"
    try:
        files = _unzip(base64.b64decode(zip_b64, validate=True))
    except (binascii.Error, zipfile.BadZipFile, ValueError):
        return fault("INVALID_ZIP", "INVALID_ZIP: The zip file is not valid")
    job = DeployJob(ids.random_id("0Af"), caller.org.key, caller.org.org_id, emu.settings.retrieve_polls, check_only,
                    created=emu.now_sf().replace("+0000", "Z"))
    comps = {key(c.type, c.full_name): c for c in group(
        {p: d for p, d in files.items() if p != "package.xml" and p not in DESTRUCTIVE})}
    job.failures = _check(files, comps)
    job.total = sum(len(m) for n in ("package.xml", *DESTRUCTIVE) if n in files and not job.failures
                    for _, m in _members(files[n]))
    if not job.failures and not check_only:
        with emu.lock:
            _apply(emu, caller, job, files, comps)
    with emu.lock:
        emu.deploy_jobs[job.id] = job
    return _ok(f"<deployResponse><result>{el('done', False)}{el('id', job.id)}{el('state', 'Queued')}</result>"
               "</deployResponse>")


def _message(m: Message, when: str) -> str:
    return (f"{el('changed', not m.problem and not m.created and not m.deleted)}{el('componentType', m.type)}"
            f"{el('created', m.created)}{el('createdDate', when)}{el('deleted', m.deleted)}"
            f"{el('fileName', m.file_name)}{el('fullName', m.full_name)}"
            + (f"{el('problem', m.problem)}{el('problemType', m.problem_type)}" if m.problem else "")
            + el("success", m.problem_type != "Error"))


def check_deploy_status(emu: Emulator, caller: gate.Caller, op: etree._Element) -> Response:
    from .soap import _ok, _text, fault

    job = emu.deploy_jobs.get(_text(op, "asyncProcessId"))
    if job is None or job.org_key != caller.org.key or job.org_id != caller.org.org_id:
        return fault("INVALID_ID_FIELD", "INVALID_ID_FIELD: invalid deploy request id")
    details = _text(op, "includeDetails", "false").lower() == "true"
    with emu.lock:
        done = job.polls_left == 0
        if not done:
            job.polls_left -= 1
    failed = bool(job.failures)
    status = ("Failed" if failed else "Succeeded") if done else "InProgress"
    detail = ""
    if details and done:
        detail = ("<details>" + "".join(f"<componentFailures>{_message(m, job.created)}</componentFailures>"
                                        for m in job.failures)
                  + "".join(f"<componentSuccesses>{_message(m, job.created)}</componentSuccesses>"
                            for m in job.successes) + "</details>")
    errors = len(job.failures) if done else 0
    deployed = 0 if failed or not done else len([m for m in job.successes if m.problem_type != "Warning"])
    result = (f"{el('checkOnly', job.check_only)}" + (el("completedDate", job.created) if done else "")
              + f"{el('createdBy', caller.user.id)}{el('createdByName', caller.user.name)}"
              f"{el('createdDate', job.created)}{detail}{el('done', done)}"
              + (el("errorMessage", job.failures[0].problem) if done and failed else "")
              + f"{el('id', job.id)}{el('ignoreWarnings', False)}{el('lastModifiedDate', job.created)}"
              f"{el('numberComponentErrors', errors)}{el('numberComponentsDeployed', deployed)}"
              f"{el('numberComponentsTotal', job.total)}{el('numberTestErrors', 0)}{el('numberTestsCompleted', 0)}"
              f"{el('numberTestsTotal', 0)}{el('rollbackOnError', True)}{el('runTestsEnabled', False)}"
              f"{el('startDate', job.created)}{el('status', status)}{el('success', done and not failed)}")
    return _ok(f"<checkDeployStatusResponse><result>{result}</result></checkDeployStatusResponse>")
