"""The connect-flow guard fed with facts fetched over HTTP from fakeforce."""

from orgbook.salesforce.connect import collect_org_facts
from orgbook.salesforce.guard import OK, ConnectRequest, Refusal, check_connect

from .conftest import ACME_ID, GLOBEX_ID, connect


def facts_for(emu, key, username=None, production=None):
    conn = connect(emu, key, username=username)
    prod_client = connect(emu, production).client if production else None
    return collect_org_facts(conn.oauth, conn.tokens, conn.client, prod_client)


def sandbox_of(production_id, production_key, connected=None):
    return ConnectRequest(
        kind="sandbox",
        implementation_name="Acme",
        production_org_id=production_id,
        production_my_domain=f"https://{production_key}.my.salesforce.com",
        connected_orgs=connected or {production_id: "Acme"},
    )


def test_sandbox_of_the_implementations_production_is_accepted(emu):
    facts = facts_for(emu, "uat", production="acme")
    assert facts.organization.is_sandbox
    assert any(r.sandbox_org_id == facts.org_id for r in facts.production_sandboxes)
    assert check_connect(sandbox_of(ACME_ID, "acme"), facts) is OK


def test_sandbox_of_another_production_is_refused(emu):
    facts = facts_for(emu, "uat", production="globex")
    verdict = check_connect(sandbox_of(GLOBEX_ID, "globex", {GLOBEX_ID: "Globex"}), facts)
    assert isinstance(verdict, Refusal) and verdict.code == "sandbox_of_other_production"
    assert '"acme"' in verdict.message


def test_production_when_sandbox_asked(emu):
    verdict = check_connect(sandbox_of(ACME_ID, "acme"), facts_for(emu, "globex"))
    assert verdict.code == "wrong_kind_expected_sandbox"


def test_already_connected_production(emu):
    request = ConnectRequest(kind="production", implementation_name="New", connected_orgs={ACME_ID: "Acme"})
    verdict = check_connect(request, facts_for(emu, "acme"))
    assert verdict.code == "org_already_connected" and '"Acme"' in verdict.message


def test_edition_without_api(emu):
    facts = facts_for(emu, "tiny")
    assert facts.api_disabled
    verdict = check_connect(ConnectRequest(kind="production", implementation_name="Tiny"), facts)
    assert verdict.code == "edition_without_api"


def test_user_without_metadata_permissions(emu):
    facts = facts_for(emu, "acme", username="rita@acme.com")
    verdict = check_connect(ConnectRequest(kind="production", implementation_name="Acme"), facts)
    assert verdict.code == "missing_permissions" and "rita@acme.com" in verdict.message
