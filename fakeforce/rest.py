"""REST and Tooling API: versions, resources, SOQL query + paging, limits (docs/salesforce-protocols.md §2, §3).

User permissions are read the real Salesforce way: `SELECT PermissionsApiEnabled,
PermissionsModifyAllData, PermissionsModifyMetadata, PermissionsAuthorApex FROM UserPermissionAccess`
answers one row with the calling user's effective permissions.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from . import bulk, folders, gate, ids, soql
from .handler import Request, Response, json_response, rest_error
from .state import Cursor, Org, User

if TYPE_CHECKING:
    from .emulator import Emulator

_VERSION = re.compile(r"^/services/data/v(\d+\.\d+|latest)(/.*)?$")
DATA_OBJECTS = {"organization", "user", "userpermissionaccess", "folder", *folders.ITEM_OBJECTS}
TOOLING_OBJECTS = {"sandboxprocess", "sandboxinfo", "metadatacomponentdependency", "sourcemember", "user"}
PERMISSION_FIELDS = ["ApiEnabled", "ModifyAllData", "ModifyMetadata", "AuthorApex", "ViewSetup", "ViewAllData",
                     "CustomizeApplication"]


def handle(emu: Emulator, req: Request) -> Response:
    if req.path.rstrip("/") == "/services/data":
        return json_response(emu.api_versions())  # unauthenticated, no limit header
    m = _VERSION.match(req.path)
    if not m:
        return rest_error(404, "NOT_FOUND", "The requested resource does not exist")
    version = emu.settings.api_versions[-1] if m.group(1) == "latest" else m.group(1)
    if version not in emu.settings.api_versions:
        return rest_error(404, "NOT_FOUND", "The requested resource does not exist")
    rest = (m.group(2) or "/").strip("/")
    auth = req.headers.get("authorization", "")
    if not auth.lower().startswith(("bearer ", "oauth ")):
        return rest_error(401, "INVALID_AUTH_HEADER", "INVALID_HEADER_TYPE")
    api = "tooling" if rest.startswith("tooling") else "rest"
    caller = gate.check(emu, req.org_key, auth.split(" ", 1)[1].strip(), api)
    if isinstance(caller, gate.Denied):
        if caller.drop:
            return Response(drop=True)
        return rest_error(caller.status, caller.code, caller.message)
    resp = _dispatch(emu, req, caller, version, rest)
    resp.headers["Sforce-Limit-Info"] = f"api-usage={caller.org.api_used}/{caller.org.api_max}"
    return resp


def _dispatch(emu: Emulator, req: Request, caller: gate.Caller, version: str, rest: str) -> Response:
    base = f"/services/data/v{version}"
    if rest == "":
        names = ["tooling", "metadata", "eclair", "folders", "prechatForms", "contact-tracing", "jsonxform",
                 "chatter", "tabs", "appMenu", "quickActions", "queryAll", "commerce", "wave", "iot", "analytics",
                 "search", "identity", "composite", "parameterizedSearch", "fingerprint", "theme", "nouns",
                 "event", "serviceTemplates", "recent", "connect", "licensing", "limits", "process", "dedupe",
                 "async-queries", "query", "match", "emailConnect", "compactLayouts", "knowledgeManagement",
                 "sobjects", "actions", "support"]
        return json_response({n: f"{base}/{n}" for n in names})
    if rest == "limits":
        return json_response(_limits(caller.org))
    if rest == "tooling/jobs/query" or rest.startswith("tooling/jobs/query/"):
        def rows_for(entity: str) -> tuple[str, list[str], list[dict[str, Any]]]:
            if entity not in TOOLING_OBJECTS:
                raise KeyError(entity)
            return _rows(emu, caller, entity)

        return bulk.handle(emu, req, caller, version, rest[len("tooling/jobs/query") :], rows_for)
    m = re.fullmatch(r"sobjects/(\w+)/(\w{15}|\w{18})", rest)
    if m and req.method == "GET":
        return _record(emu, req, caller, version, m.group(1), m.group(2))
    for prefix, tooling in (("tooling/query", True), ("query", False), ("queryAll", False)):
        if rest == prefix:
            return _query(emu, req, caller, version, tooling)
        if rest.startswith(prefix + "/"):
            return _more(emu, caller, version, tooling, rest[len(prefix) + 1 :])
    return rest_error(404, "NOT_FOUND", "The requested resource does not exist")


def _limits(org: Org) -> dict[str, dict[str, int]]:
    return {
        "DailyApiRequests": {"Max": org.api_max, "Remaining": max(org.api_max - org.api_used, 0)},
        "DailyAsyncApexExecutions": {"Max": 250000, "Remaining": 250000},
        "DailyBulkV2QueryJobs": {"Max": 10000, "Remaining": 10000},
        "DailyBulkV2QueryFileStorageMB": {"Max": 976562, "Remaining": 976562},
        "DataStorageMB": {"Max": 1024, "Remaining": 1020},
        "FileStorageMB": {"Max": 1024, "Remaining": 1024},
        "SingleEmail": {"Max": 5000, "Remaining": 5000},
    }


# ----------------------------------------------------------------------------- query


def _batch_size(emu: Emulator, req: Request) -> int:
    options = req.headers.get("sforce-query-options", "")
    m = re.search(r"batchSize\s*=\s*(\d+)", options)
    if m:
        return min(max(int(m.group(1)), 200), 2000)
    return emu.settings.query_batch_size


def _query(emu: Emulator, req: Request, caller: gate.Caller, version: str, tooling: bool) -> Response:
    text = req.query.get("q")
    if not text:
        return rest_error(400, "MALFORMED_QUERY", "A query string has to be specified")
    try:
        q = soql.parse(text)
        entity = q.sobject.lower()
        allowed = TOOLING_OBJECTS if tooling else DATA_OBJECTS
        if entity not in allowed or entity in caller.user.hidden_objects:
            raise soql.SoqlError("INVALID_TYPE", _echo(text, q.sobject) + f"sObject type '{q.sobject}' is not supported. "
                                 "If you are attempting to use a custom object, be sure to append the '__c' after the "
                                 "entity name. Please reference your WSDL or the describe call for the appropriate names.")
        canonical, fields, rows = _rows(emu, caller, entity)
        result = soql.execute(q, rows, fields)
    except soql.SoqlError as exc:
        return rest_error(400, exc.code, exc.message)
    if q.count:
        return json_response({"totalSize": len(result), "done": True, "records": []})
    if entity == "metadatacomponentdependency":
        # The Dependency API silently truncates and has no queryMore (§3.2).
        result = result[: emu.settings.dependency_row_limit]
    records = [_with_attributes(r, canonical, version, tooling) for r in result]
    return _page(emu, caller, version, tooling, canonical, records, 0, batch=_batch_size(emu, req),
                 no_more=entity == "metadatacomponentdependency")


def _echo(text: str, sobject: str) -> str:
    """How Salesforce prefixes a message about a place in the query: the line, a caret under the
    place, `ERROR at Row:R:Column:C` (a real INVALID_TYPE, CumulusCI's recording), then the reason."""
    found = re.search(rf"\bfrom\s+({re.escape(sobject)})\b", text, re.IGNORECASE)
    if found is None:
        return ""
    start = found.start(1)
    row = text.count("\n", 0, start) + 1
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", start)
    line = text[line_start:] if line_end < 0 else text[line_start:line_end]
    column = start - line_start + 1
    return f"\n{line}\n{' ' * (column - 1)}^\nERROR at Row:{row}:Column:{column}\n"


def _with_attributes(row: dict[str, Any], entity: str, version: str, tooling: bool) -> dict[str, Any]:
    api = "tooling/sobjects" if tooling else "sobjects"
    rid = row.get("Id") or "000000000000000AAA"
    out: dict[str, Any] = {"attributes": {"type": entity, "url": f"/services/data/v{version}/{api}/{entity}/{rid}"}}
    for name, value in row.items():
        if "." not in name:
            out[name] = value
            continue
        # A relationship field (CreatedBy.Name) answers as a nested record, as on Salesforce.
        rel, leaf = name.split(".", 1)
        ref_id = row.get(f"{rel}Id") or ""
        nested = out.setdefault(rel, {"attributes": {"type": "User", "url": f"/services/data/v{version}/{api}/User/{ref_id}"}})
        nested[leaf] = value
    return out


def _page(emu: Emulator, caller: gate.Caller, version: str, tooling: bool, entity: str,
          records: list[dict[str, Any]], offset: int, batch: int, no_more: bool = False,
          locator: str | None = None) -> Response:
    chunk = records if no_more else records[offset : offset + batch]
    done = no_more or offset + batch >= len(records)
    body: dict[str, Any] = {}
    if tooling:
        # A Tooling answer without rows names no entity (a real empty answer: entityTypeName null).
        body.update({"size": len(chunk), "totalSize": len(records), "done": done, "queryLocator": None,
                     "entityTypeName": entity if records else None})
    else:
        body.update({"totalSize": len(records), "done": done})
    if not done:
        if locator is None:
            locator = ids.random_id("01g")
            with emu.lock:
                emu.cursors[locator] = Cursor(records, caller.org.key, entity, batch)
                while len(emu.cursors) > 1000:
                    emu.cursors.pop(next(iter(emu.cursors)))
        path = "tooling/query" if tooling else "query"
        body["nextRecordsUrl"] = f"/services/data/v{version}/{path}/{locator}-{offset + batch}"
    body["records"] = chunk
    return json_response(body)


def _more(emu: Emulator, caller: gate.Caller, version: str, tooling: bool, tail: str) -> Response:
    m = re.fullmatch(r"(01g[0-9A-Za-z]{15}|01g[0-9A-Za-z]{12})-(\d+)", tail)
    cursor = emu.cursors.get(m.group(1)) if m else None
    if m is None or cursor is None or cursor.org_key != caller.org.key:
        return rest_error(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
    # The first page's batch size sticks to the cursor, as on Salesforce.
    return _page(emu, caller, version, tooling, cursor.entity, cursor.rows, int(m.group(2)), cursor.batch,
                 locator=m.group(1))


def _record(emu: Emulator, req: Request, caller: gate.Caller, version: str, sobject: str, rid: str) -> Response:
    """`GET sobjects/{Type}/{Id}[?fields=a,b]`: one record (the Salesforce CLI reads its User this way)."""
    entity = sobject.lower()
    if entity not in DATA_OBJECTS or entity in caller.user.hidden_objects:
        return rest_error(404, "NOT_FOUND", "The requested resource does not exist")
    canonical, fields, rows = _rows(emu, caller, entity)
    row = next((r for r in rows if r.get("Id") and ids.same_id(str(r["Id"]), rid)), None)
    if row is None:
        return rest_error(404, "NOT_FOUND", "Provided external ID field does not exist or is not accessible: " + rid)
    wanted = [f.strip() for f in req.query.get("fields", "").split(",") if f.strip()] or fields
    known = {f.lower(): f for f in fields}
    unknown = [f for f in wanted if f.lower() not in known]
    if unknown:
        return rest_error(400, "INVALID_FIELD", f"No such column '{unknown[0]}' on sobject of type {canonical}")
    return json_response(_with_attributes({known[f.lower()]: row.get(known[f.lower()]) for f in wanted},
                                          canonical, version, False))


# ----------------------------------------------------------------------------- rows per object


def _rows(emu: Emulator, caller: gate.Caller, entity: str) -> tuple[str, list[str], list[dict[str, Any]]]:
    org = caller.org
    if entity == "organization":
        return "Organization", *_organization(emu, org)
    if entity == "user":
        rows = [_user_row(org, u) for u in org.users]
        return "User", list(rows[0]) if rows else ["Id"], rows
    if entity == "folder":
        return "Folder", folders.FOLDER_FIELDS, folders.folder_rows(org)
    if entity in folders.ITEM_OBJECTS:
        return folders.ITEM_OBJECTS[entity][0], folders.ITEM_FIELDS[entity], folders.item_rows(org, entity)
    if entity == "userpermissionaccess":
        row: dict[str, Any] = {"Id": "000000000000000AAA"}
        row.update({f"Permissions{p}": bool(caller.user.permissions.get(p, False)) for p in PERMISSION_FIELDS})
        return "UserPermissionAccess", list(row), [row]
    if entity == "sandboxprocess":
        fields = ["Id", "Status", "SandboxName", "SandboxInfoId", "LicenseType", "CreatedDate", "CopyProgress",
                  "SandboxOrganization", "SourceId", "Description", "EndDate", "ActivatedDate"]
        return "SandboxProcess", fields, list(org.sandbox_rows)
    if entity == "sandboxinfo":
        fields = ["Id", "SandboxName", "LicenseType", "Description", "HistoryDays", "CopyChatter", "AutoActivate",
                  "ApexClassId", "SourceId", "CreatedDate"]
        return "SandboxInfo", fields, list(org.sandbox_infos)
    if entity == "sourcemember":
        fields = ["Id", "MemberIdOrName", "MemberType", "MemberName", "IsNameObsolete", "RevisionCounter",
                  "IsNewMember", "ChangedBy", "LastModifiedDate"]
        if not org.source_tracking:
            return "SourceMember", fields, []
        return "SourceMember", fields, list(org.source_members)
    fields = ["Id", "MetadataComponentId", "MetadataComponentName", "MetadataComponentNamespace",
              "MetadataComponentType", "RefMetadataComponentId", "RefMetadataComponentName",
              "RefMetadataComponentNamespace", "RefMetadataComponentType"]
    return "MetadataComponentDependency", fields, [_dependency(org, d) for d in org.dependencies]


def _organization(emu: Emulator, org: Org) -> tuple[list[str], list[dict[str, Any]]]:
    row = {
        "Id": org.org_id, "Name": org.name, "IsSandbox": org.is_sandbox, "OrganizationType": org.edition,
        "InstanceName": org.instance_name, "NamespacePrefix": org.namespace,
        "TrialExpirationDate": org.trial_expiration, "Division": None, "PrimaryContact": None,
        "LanguageLocaleKey": "en_US", "TimeZoneSidKey": "America/Los_Angeles", "DefaultLocaleSidKey": "en_US",
        "Country": "US", "CreatedDate": org.created_date, "IsReadOnly": False,
    }
    return list(row), [row]


def _user_row(org: Org, u: User) -> dict[str, Any]:
    return {
        "Id": u.id, "Username": u.username, "Name": u.name, "FirstName": u.first_name or None,
        "LastName": u.last_name, "Email": u.email, "IsActive": u.active, "UserType": "Standard",
        "ProfileId": None, "LanguageLocaleKey": "en_US", "TimeZoneSidKey": "America/Los_Angeles",
    }


def _dev_name(type_name: str, full_name: str) -> str:
    """Dependency rows carry developer names: no object prefix, no __c (§3.2)."""
    name = full_name.split(".", 1)[1] if "." in full_name and type_name != "CustomObject" else full_name
    return re.sub(r"__(c|mdt|e|r)$", "", name)


def _dependency(org: Org, d: dict[str, Any]) -> dict[str, Any]:
    if "from" not in d:
        return {"Id": d.get("Id", "000000000000000AAA"), **d}
    row: dict[str, Any] = {"Id": "000000000000000AAA"}
    for side, prefix in (("from", "MetadataComponent"), ("to", "RefMetadataComponent")):
        type_name, full_name = d[side].split(":", 1)
        props = org.store.props_of(type_name, full_name)
        row.update({f"{prefix}Id": props.id or full_name, f"{prefix}Name": _dev_name(type_name, full_name),
                    f"{prefix}Namespace": None, f"{prefix}Type": type_name})
    return row
