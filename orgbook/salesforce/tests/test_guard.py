"""The wrong-org guard of the connect flow: one test per refusal, and the cases that pass."""

from dataclasses import replace

from orgbook.salesforce.client import Organization, SandboxProcess, UserPermissions
from orgbook.salesforce.guard import OK, ConnectRequest, OrgFacts, Refusal, check_connect, my_domain_name

PROD_ID = "00D5g000004XyZaEAK"
UAT_ID = "00D7x000000UatAEAS"
OTHER_ID = "00D9z000000OthrEAA"

ALL_PERMS = UserPermissions(
    api_enabled=True,
    modify_metadata=True,
    modify_all_data=True,
    author_apex=True,
    view_setup=True,
    view_all_data=True,
)


def org(org_id=PROD_ID, sandbox=False, edition="Enterprise Edition", name="Acme"):
    return Organization(
        id=org_id,
        name=name,
        is_sandbox=sandbox,
        organization_type=edition,
        instance_name="USA512",
        trial_expiration_date=None,
    )


def production_facts(**overrides):
    facts = OrgFacts(
        org_id=PROD_ID,
        username="ann@acme.com",
        my_domain="https://acme.my.salesforce.com",
        organization=org(),
        permissions=ALL_PERMS,
    )
    return replace(facts, **overrides)


def sandbox_facts(**overrides):
    facts = OrgFacts(
        org_id=UAT_ID,
        username="ann@acme.com.uat",
        my_domain="https://acme--uat.sandbox.my.salesforce.com",
        organization=org(UAT_ID, sandbox=True),
        permissions=ALL_PERMS,
        production_sandboxes=[SandboxProcess("0GR1", "uat", UAT_ID, "Completed")],
    )
    return replace(facts, **overrides)


def sandbox_request(**overrides):
    request = ConnectRequest(
        kind="sandbox",
        implementation_name="Acme",
        production_org_id=PROD_ID,
        production_my_domain="https://acme.my.salesforce.com",
        connected_orgs={PROD_ID: "Acme"},
    )
    return replace(request, **overrides)


def refused(verdict, code):
    assert isinstance(verdict, Refusal), verdict
    assert verdict.code == code, verdict
    assert not verdict.ok
    assert "Nothing was connected" in verdict.message
    return verdict.message


def test_first_production_of_a_new_implementation_is_accepted():
    verdict = check_connect(ConnectRequest(kind="production", implementation_name="Acme"), production_facts())
    assert verdict is OK and verdict.ok


def test_sandbox_proven_by_sandbox_process_and_my_domain_is_accepted():
    assert check_connect(sandbox_request(), sandbox_facts()) is OK


def test_sandbox_proven_by_sandbox_process_alone_is_accepted():
    facts = sandbox_facts(my_domain="http://127.0.0.1:8123")
    assert check_connect(sandbox_request(), facts) is OK


def test_sandbox_process_rows_with_15_char_ids_match():
    facts = sandbox_facts(production_sandboxes=[SandboxProcess("0GR1", "uat", UAT_ID[:15], "Completed")])
    assert check_connect(sandbox_request(), replace(facts, my_domain="")) is OK


def test_sandbox_proven_by_my_domain_alone_is_accepted():
    assert check_connect(sandbox_request(), sandbox_facts(production_sandboxes=None)) is OK


def test_sandbox_before_any_production_is_accepted():
    request = ConnectRequest(kind="sandbox", implementation_name="Acme")
    assert check_connect(request, sandbox_facts(production_sandboxes=None)) is OK


def test_production_org_when_sandbox_was_asked():
    request = sandbox_request(connected_orgs={})
    message = refused(check_connect(request, production_facts()), "wrong_kind_expected_sandbox")
    assert "production org" in message and "test.salesforce.com" in message


def test_sandbox_when_production_was_asked():
    request = ConnectRequest(kind="production", implementation_name="Acme")
    message = refused(check_connect(request, sandbox_facts()), "wrong_kind_expected_production")
    assert "is a sandbox" in message and "login.salesforce.com" in message


def test_org_already_connected_names_the_implementation():
    request = ConnectRequest(
        kind="production", implementation_name="New one", connected_orgs={PROD_ID[:15]: "Acme Corp EU"}
    )
    message = refused(check_connect(request, production_facts()), "org_already_connected")
    assert '"Acme Corp EU"' in message and PROD_ID in message


def test_sandbox_already_connected_elsewhere():
    request = sandbox_request(connected_orgs={PROD_ID: "Acme", UAT_ID: "Acme"})
    message = refused(check_connect(request, sandbox_facts()), "org_already_connected")
    assert '"Acme"' in message


def test_second_production_for_an_implementation():
    request = ConnectRequest(
        kind="production",
        implementation_name="Acme",
        production_org_id=PROD_ID,
        connected_orgs={PROD_ID: "Acme"},
    )
    facts = production_facts(org_id=OTHER_ID, organization=org(OTHER_ID, name="Globex"))
    message = refused(check_connect(request, facts), "second_production")
    assert '"Acme" already has a production org' in message and "new implementation" in message


def test_sandbox_of_another_production_by_sandbox_process():
    facts = sandbox_facts(
        my_domain="", production_sandboxes=[SandboxProcess("0GR1", "dev", OTHER_ID, "Completed")]
    )
    message = refused(check_connect(sandbox_request(), facts), "sandbox_of_other_production")
    assert "lists no sandbox with this org id" in message


def test_sandbox_of_another_production_by_my_domain():
    facts = sandbox_facts(my_domain="https://globex--uat.sandbox.my.salesforce.com", production_sandboxes=[])
    message = refused(check_connect(sandbox_request(), facts), "sandbox_of_other_production")
    assert '"globex"' in message


def test_deleted_sandbox_process_rows_do_not_prove_anything():
    facts = sandbox_facts(
        my_domain="", production_sandboxes=[SandboxProcess("0GR1", "uat", UAT_ID, "Deleted")]
    )
    refused(check_connect(sandbox_request(), facts), "sandbox_of_other_production")


def test_unprovable_sandbox_is_refused():
    facts = sandbox_facts(my_domain="", production_sandboxes=None)
    refused(check_connect(sandbox_request(), facts), "sandbox_of_other_production")


def test_edition_without_api():
    for edition in ("Group Edition", "Essentials Edition", "Team Edition"):
        facts = production_facts(organization=org(edition=edition))
        message = refused(
            check_connect(ConnectRequest(kind="production", implementation_name="A"), facts),
            "edition_without_api",
        )
        assert edition in message


def test_professional_edition_without_the_api_add_on():
    facts = production_facts(organization=None, permissions=None, api_disabled=True)
    refused(
        check_connect(ConnectRequest(kind="production", implementation_name="A"), facts),
        "edition_without_api",
    )


def test_professional_edition_with_api_is_accepted():
    facts = production_facts(organization=org(edition="Professional Edition"))
    assert check_connect(ConnectRequest(kind="production", implementation_name="A"), facts) is OK


def test_missing_permissions_are_listed():
    perms = replace(ALL_PERMS, api_enabled=False, modify_metadata=False, modify_all_data=False)
    facts = production_facts(permissions=perms)
    message = refused(
        check_connect(ConnectRequest(kind="production", implementation_name="A"), facts),
        "missing_permissions",
    )
    assert "API Enabled" in message and "Modify Metadata" in message and "ann@acme.com" in message


def test_modify_metadata_alone_is_enough():
    perms = replace(ALL_PERMS, modify_all_data=False, author_apex=False)
    facts = production_facts(permissions=perms)
    assert check_connect(ConnectRequest(kind="production", implementation_name="A"), facts) is OK
    assert any("Author Apex" in w for w in perms.warnings_for_sync())


def test_reconnect_must_come_back_as_the_same_org():
    request = ConnectRequest(
        kind="production",
        implementation_name="Acme",
        production_org_id=PROD_ID,
        connected_orgs={PROD_ID: "Acme"},
        reconnect_org_id=PROD_ID,
    )
    assert check_connect(request, production_facts()) is OK
    facts = production_facts(org_id=OTHER_ID, organization=org(OTHER_ID))
    verdict = check_connect(request, facts)
    assert isinstance(verdict, Refusal) and verdict.code == "reconnect_wrong_org"


def test_my_domain_name():
    assert my_domain_name("https://acme.my.salesforce.com") == "acme"
    assert my_domain_name("acme--uat.sandbox.my.salesforce.com") == "acme"
    assert my_domain_name("Acme") == "acme"
    assert my_domain_name("http://127.0.0.1:8000") is None
    assert my_domain_name(None) is None
