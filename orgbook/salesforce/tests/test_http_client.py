"""REST and Tooling calls over real HTTP against fakeforce, and every fault the client maps."""

import logging

import pytest

from orgbook.salesforce.client import SalesforceClient
from orgbook.salesforce.errors import (
    ApiDisabled,
    RefreshTokenRevoked,
    RequestLimitExceeded,
    SalesforceError,
    SessionExpired,
    TransientError,
    UnknownException,
)
from orgbook.salesforce.ids import to_18

from .conftest import ACME_ID, connect


def test_versions_need_no_token_and_pick_the_newest_we_support(emu, acme):
    versions = acme.client.versions()
    assert {"version": "62.0"}.items() <= next(v for v in versions if v["version"] == "62.0").items()
    assert acme.client.latest_version(client_max="63.0") == "63.0"


def test_organization_of_production_and_sandbox(emu, acme):
    org = acme.client.organization()
    assert org.id == ACME_ID
    assert org.name == "Acme"
    assert not org.is_sandbox and not org.is_scratch
    assert org.organization_type == "Enterprise Edition"
    uat = connect(emu, "uat").client.organization()
    assert uat.is_sandbox and uat.id == emu.org("uat").org_id
    assert uat.organization_type == "Enterprise Edition"  # a sandbox reports production's edition


def test_query_and_query_all(acme):
    page = acme.client.query("SELECT Id, Name FROM Organization")
    assert page["done"] is True and page["totalSize"] == 1
    assert [to_18(r["Id"]) for r in acme.client.query_all("SELECT Id FROM Organization")] == [ACME_ID]


def test_query_all_follows_next_records_url(emulator_class):
    from .conftest import CONFIG

    config = dict(CONFIG, query_batch_size=1)
    with emulator_class.from_config(config) as small_pages:
        conn = connect(small_pages, "acme")
        # Production has a SandboxProcess row per sandbox; add one more sandbox copy via refresh.
        small_pages.refresh_sandbox("uat")
        before = conn.client.calls
        rows = conn.client.tooling_query("SELECT Id, SandboxName, Status FROM SandboxProcess")
        assert len(rows) >= 2
        assert conn.client.calls - before == len(rows)  # one page per row


def test_limits_and_the_usage_header(acme):
    limits = acme.client.limits()
    assert limits["DailyApiRequests"]["Max"] >= limits["DailyApiRequests"]["Remaining"]
    acme.client.organization()
    used, maximum = acme.client.stats.api_usage
    assert 0 < used <= maximum


def test_user_permissions_of_an_admin_and_of_a_restricted_user(emu, acme):
    admin = acme.client.user_permissions()
    assert admin.api_enabled and admin.modify_all_data and admin.author_apex
    assert admin.missing_for_sync() == []
    rita = connect(emu, "acme", username="rita@acme.com").client.user_permissions()
    assert rita.api_enabled and not rita.modify_metadata and not rita.modify_all_data
    assert rita.missing_for_sync() == ["Modify Metadata Through Metadata API Functions (or Modify All Data)"]


def test_sandbox_processes_from_production(emu, acme):
    uat_id = emu.org("uat").org_id
    rows = acme.client.sandbox_processes()
    assert any(r.sandbox_org_id == uat_id and r.sandbox_name == "uat" and not r.is_deleted for r in rows)
    only = acme.client.sandbox_processes(uat_id)
    assert only and all(r.sandbox_org_id == uat_id for r in only)


def test_tooling_only_objects_are_refused_through_the_data_query(acme):
    with pytest.raises(SalesforceError) as caught:
        acme.client.query("SELECT Id FROM SandboxProcess")
    assert caught.value.code == "INVALID_TYPE"


def test_metadata_component_dependencies_in_batches(emu):
    conn = connect(emu, "globex")
    ids = [to_18(f"01p000000000{n:03d}") for n in range(5)]
    field_id = to_18("00N000000000001")
    emu.set_dependencies(
        "globex",
        [
            {
                "MetadataComponentId": i,
                "MetadataComponentName": f"Class{n}",
                "MetadataComponentNamespace": None,
                "MetadataComponentType": "ApexClass",
                "RefMetadataComponentId": field_id,
                "RefMetadataComponentName": "Tier",
                "RefMetadataComponentNamespace": None,
                "RefMetadataComponentType": "CustomField",
            }
            for n, i in enumerate(ids)
        ],
    )
    before = conn.client.calls
    result = conn.client.metadata_component_dependencies(ids[:4], batch=2)
    assert conn.client.calls - before == 2
    assert sorted(to_18(e.component_id) for e in result.edges) == sorted(ids[:4])
    assert {e.ref_type for e in result.edges} == {"CustomField"}
    used_by = conn.client.metadata_component_dependencies([field_id], side="RefMetadataComponentId")
    assert len(used_by.edges) == 5 and not used_by.truncated_ids


# --- faults ---------------------------------------------------------------------------------


def test_expired_session_is_refreshed_once_and_the_call_retried(emu, acme):
    emu.inject_fault(org="acme", kind="expired_session", times=1)
    assert acme.client.organization().id == ACME_ID
    assert acme.refreshes == 1 and acme.client.stats.refreshes == 1


def test_expired_access_tokens_are_refreshed(emu, acme):
    emu.expire_access_tokens(org="acme")
    assert acme.client.organization().id == ACME_ID
    assert acme.refreshes == 1
    assert acme.client.access_token == acme.tokens.access_token


def test_still_expired_after_one_refresh_raises_session_expired(emu, acme):
    emu.inject_fault(org="acme", kind="expired_session", times=2)
    with pytest.raises(SessionExpired):
        acme.client.organization()
    assert acme.refreshes == 1


def test_expired_session_without_a_refresher(emu):
    conn = connect(emu, "acme", refresh=False)
    emu.expire_access_tokens(org="acme")
    with pytest.raises(SessionExpired):
        conn.client.organization()


def test_expired_session_with_a_revoked_refresh_token(emu, acme):
    emu.expire_access_tokens(org="acme")  # the session has expired, so the client must refresh...
    emu.revoke_refresh_tokens(org="acme")  # ...and Salesforce no longer takes the refresh token
    with pytest.raises(RefreshTokenRevoked):
        acme.client.organization()


def test_request_limit_exceeded(emu, acme):
    emu.inject_fault(org="acme", kind="request_limit", times=1)
    with pytest.raises(RequestLimitExceeded) as caught:
        acme.client.limits()
    assert caught.value.code == "REQUEST_LIMIT_EXCEEDED" and caught.value.status == 403


def test_server_error_is_transient(emu, acme):
    emu.inject_fault(org="acme", kind="server_error", times=1, code="SERVER_UNAVAILABLE", status=503)
    with pytest.raises(TransientError):
        acme.client.organization()
    assert acme.client.organization().id == ACME_ID  # the next try works


def test_unknown_exception_is_tried_again_twice_then_reported(emu, acme):
    acme.client.unknown_exception_waits = (0.0, 0.0)
    emu.inject_fault(org="acme", kind="server_error", times=2)  # UNKNOWN_EXCEPTION, HTTP 500
    assert acme.client.organization().id == ACME_ID  # the third try works
    emu.inject_fault(org="acme", kind="server_error", times=3)
    with pytest.raises(UnknownException) as caught:
        acme.client.organization()
    assert caught.value.status == 500 and not isinstance(caught.value, TransientError)


def test_timeout_is_transient(emu):
    conn = connect(emu, "acme")
    conn.client.timeout = (2.0, 0.5)
    emu.inject_fault(org="acme", kind="timeout", times=1)
    with pytest.raises(TransientError):
        conn.client.organization()


def test_connection_refused_is_transient():
    client = SalesforceClient("http://127.0.0.1:9", "00D000000000001!tok")
    with pytest.raises(TransientError) as caught:
        client.versions()
    assert caught.value.code == "CONNECTION_ERROR"


def test_edition_without_api(emu):
    conn = connect(emu, "tiny")
    with pytest.raises(ApiDisabled) as caught:
        conn.client.organization()
    assert caught.value.code == "API_DISABLED_FOR_ORG"


def test_calls_and_timing_are_counted(emu, acme):
    before = emu.api_calls(org="acme")
    acme.client.organization()
    acme.client.limits()
    stats = acme.client.stats
    assert acme.client.calls == 2
    assert emu.api_calls(org="acme") - before >= 2
    assert stats.wall_seconds >= stats.http_seconds > 0
    assert stats.own_seconds >= 0


def test_tokens_never_reach_logs_or_exception_text(emu, caplog):
    caplog.set_level(logging.DEBUG)
    conn = connect(emu, "acme")
    first = conn.tokens
    errors = []
    emu.inject_fault(org="acme", kind="expired_session", times=1)
    conn.client.organization()
    for kind, call in (
        ("request_limit", conn.client.limits),
        ("server_error", conn.client.organization),
        ("expired_session", conn.client.organization),
    ):
        emu.inject_fault(org="acme", kind=kind, times=3)
        with pytest.raises(SalesforceError) as caught:
            call()
        errors.append(caught.value)
        emu.clear_faults()
    emu.revoke_refresh_tokens(org="acme")
    emu.expire_access_tokens(org="acme")
    with pytest.raises(RefreshTokenRevoked) as caught:
        conn.client.organization()
    errors.append(caught.value)
    secrets = {first.access_token, first.refresh_token, conn.tokens.access_token}
    texts = [str(e) for e in errors] + [repr(e) for e in errors] + [repr(conn.client), repr(conn.tokens)]
    texts += [r.getMessage() for r in caplog.records]
    assert len(texts) > 10
    for text in texts:
        for secret in secrets:
            assert secret not in text


def test_dependency_batches_that_hit_the_row_cap_are_split(emu):
    conn = connect(emu, "globex")
    conn.client.dependency_row_cap = 3
    ids = [to_18(f"01p000000000{n:03d}") for n in range(5)]
    refs = [to_18(f"00N000000000{n:03d}") for n in range(4)]
    edges_per_id = {ids[0]: 2, ids[1]: 2, ids[2]: 2, ids[3]: 1, ids[4]: 4}
    rows = [
        {
            "MetadataComponentId": i,
            "MetadataComponentName": f"Class{n}",
            "MetadataComponentNamespace": None,
            "MetadataComponentType": "ApexClass",
            "RefMetadataComponentId": refs[k],
            "RefMetadataComponentName": f"Field{k}",
            "RefMetadataComponentNamespace": None,
            "RefMetadataComponentType": "CustomField",
        }
        for n, i in enumerate(ids)
        for k in range(edges_per_id[i])
    ]
    emu.set_dependencies("globex", rows)
    saved = emu.settings.dependency_row_limit
    emu.settings.dependency_row_limit = 3  # what Salesforce does at 2,000, at a testable size
    try:
        result = conn.client.metadata_component_dependencies(ids, batch=4)
    finally:
        emu.settings.dependency_row_limit = saved
    per_id = {i: sum(1 for e in result.edges if to_18(e.component_id) == i) for i in ids}
    assert per_id == {ids[0]: 2, ids[1]: 2, ids[2]: 2, ids[3]: 1, ids[4]: 3}
    assert result.truncated_ids == [ids[4]]
