"""Gathering the facts the wrong-org guard needs, from a freshly authorised token.

This is the impure half of the guard (`guard.py` is the pure half): a few API calls, each
failure mapped to what the guard understands. The caller revokes the tokens on a Refusal.
"""

from __future__ import annotations

from orgbook.salesforce.client import SalesforceClient, SandboxProcess
from orgbook.salesforce.errors import ApiDisabled, InsufficientAccess, SalesforceError
from orgbook.salesforce.guard import OrgFacts
from orgbook.salesforce.oauth import OAuthClient, TokenSet

# Answers meaning "production will not show this user SandboxProcess": the object is hidden from the
# user or the edition (real orgs answer INVALID_TYPE, "sObject type 'SandboxProcess' is not
# supported", as for any object the user cannot see), or a field of the query is.
SANDBOX_PROCESS_UNREADABLE = frozenset({"INVALID_TYPE", "INVALID_FIELD"})


def collect_org_facts(
    oauth: OAuthClient,
    tokens: TokenSet,
    client: SalesforceClient,
    production: SalesforceClient | None = None,
) -> OrgFacts:
    """Identity, Organization and permissions of the new org; for a sandbox, pass a client on
    the implementation's production org to read its SandboxProcess rows.

    Costs 3 calls (4 with `production`). TransientError / RequestLimitExceeded propagate: the
    connect attempt cannot be judged and should be retried."""
    identity = oauth.identity(tokens)
    if identity.org_id != tokens.org_id:
        raise SalesforceError("IDENTITY_MISMATCH", "the identity URL names another org than the token")
    try:
        organization = client.organization()
        permissions = client.user_permissions()
    except ApiDisabled:
        return OrgFacts(
            org_id=tokens.org_id, username=identity.username, my_domain=identity.my_domain, api_disabled=True
        )
    return OrgFacts(
        org_id=tokens.org_id,
        username=identity.username,
        my_domain=identity.my_domain,
        organization=organization,
        permissions=permissions,
        production_sandboxes=_production_sandboxes(production, tokens.org_id),
    )


def _production_sandboxes(
    production: SalesforceClient | None, sandbox_org_id: str
) -> list[SandboxProcess] | None:
    if production is None:
        return None
    try:
        return production.sandbox_processes(sandbox_org_id)
    except (InsufficientAccess, ApiDisabled):
        # Production's user cannot read Tooling SandboxProcess: fall back to the My Domain proof.
        return None
    except SalesforceError as exc:
        if exc.code in SANDBOX_PROCESS_UNREADABLE:
            return None  # the same: a refusal to answer, not a failure worth refusing the connect
        raise
