"""OAuth over real HTTP against fakeforce: code flow with PKCE, identity, refresh, revoke, errors."""

import logging

import pytest

from orgbook.salesforce.errors import OAuthError, RefreshTokenRevoked
from orgbook.salesforce.oauth import Pkce, verify_signature

from .conftest import ACME_ID, CLIENT_SECRET, authorize, login, oauth_for


def test_code_flow_returns_tokens_for_the_org_and_user_that_logged_in(emu):
    oauth, tokens = login(emu, "acme")
    acme = emu.org("acme")
    assert tokens.org_id == acme.org_id == ACME_ID
    assert len(tokens.user_id) == 18 and tokens.user_id.startswith("005")
    assert tokens.instance_url == acme.instance_url
    assert tokens.refresh_token
    assert verify_signature(tokens, CLIENT_SECRET)


def test_identity_and_userinfo_name_the_user_org_and_my_domain(emu):
    oauth, tokens = login(emu, "acme")
    for identity in (oauth.identity(tokens), oauth.userinfo(tokens)):
        assert identity.org_id == ACME_ID
        assert identity.user_id == tokens.user_id
        assert identity.username == "ann@acme.com"
        assert identity.my_domain == emu.org("acme").my_domain


def test_sandbox_login_goes_through_the_sandbox_login_host(emu):
    oauth, tokens = login(emu, "uat")
    assert oauth.login_url == emu.sandbox_login_url
    assert tokens.org_id == emu.org("uat").org_id != ACME_ID
    identity = oauth.identity(tokens)
    assert identity.username == "ann@acme.com.uat"
    assert ".sandbox.my.salesforce.com" in identity.my_domain


def test_refresh_gives_a_new_access_token_and_keeps_the_refresh_token(emu):
    oauth, tokens = login(emu, "acme")
    refreshed = oauth.refresh(tokens.refresh_token)
    assert refreshed.access_token != tokens.access_token
    assert refreshed.refresh_token == tokens.refresh_token
    assert refreshed.org_id == tokens.org_id
    assert oauth.identity(refreshed).org_id == ACME_ID


def test_revoked_refresh_token_raises_refresh_token_revoked(emu):
    oauth, tokens = login(emu, "acme")
    oauth.revoke(tokens.refresh_token)
    with pytest.raises(RefreshTokenRevoked) as caught:
        oauth.refresh(tokens.refresh_token)
    assert caught.value.code == "invalid_grant"


def test_refresh_tokens_revoked_in_the_org_raise_refresh_token_revoked(emu):
    oauth, tokens = login(emu, "globex")
    emu.revoke_refresh_tokens(org="globex")
    with pytest.raises(RefreshTokenRevoked):
        oauth.refresh(tokens.refresh_token)


def test_revoked_refresh_fault(emu):
    oauth, tokens = login(emu, "acme")
    emu.inject_fault(org="acme", kind="revoked_refresh", times=1)
    with pytest.raises(RefreshTokenRevoked):
        oauth.refresh(tokens.refresh_token)


def test_pkce_verifier_mismatch_is_an_oauth_error(emu):
    oauth = oauth_for(emu, "acme")
    code = authorize(emu, oauth, "ann@acme.com", Pkce.generate())
    with pytest.raises(OAuthError) as caught:
        oauth.exchange_code(code, Pkce.generate().verifier)
    assert caught.value.code == "invalid_request"
    assert not isinstance(caught.value, RefreshTokenRevoked)


def test_a_code_is_single_use(emu):
    oauth = oauth_for(emu, "acme")
    pkce = Pkce.generate()
    code = authorize(emu, oauth, "ann@acme.com", pkce)
    oauth.exchange_code(code, pkce.verifier)
    with pytest.raises(OAuthError) as caught:
        oauth.exchange_code(code, pkce.verifier)
    assert caught.value.code == "invalid_grant"


def test_wrong_client_secret(emu):
    oauth = oauth_for(emu, "acme", secret="not-the-secret")
    pkce = Pkce.generate()
    code = authorize(emu, oauth, "ann@acme.com", pkce)
    with pytest.raises(OAuthError) as caught:
        oauth.exchange_code(code, pkce.verifier)
    assert caught.value.code == "invalid_client"


def test_identity_with_a_revoked_token_is_an_oauth_error(emu):
    oauth, tokens = login(emu, "acme")
    oauth.revoke(tokens.access_token)
    with pytest.raises(OAuthError) as caught:
        oauth.identity(tokens)
    assert caught.value.status == 403


def test_tokens_never_reach_logs_or_exception_text(emu, caplog):
    caplog.set_level(logging.DEBUG)
    oauth, tokens = login(emu, "acme")
    secrets = [tokens.access_token, tokens.refresh_token, CLIENT_SECRET]
    texts = [repr(tokens), str(tokens), repr(oauth)]
    oauth.identity(tokens)
    oauth.revoke(tokens.refresh_token)
    for call in (lambda: oauth.refresh(tokens.refresh_token), lambda: oauth.identity(tokens)):
        with pytest.raises(OAuthError) as caught:
            call()
        texts += [str(caught.value), repr(caught.value), caught.value.message]
    texts += [record.getMessage() for record in caplog.records]
    for text in texts:
        for secret in secrets:
            assert secret not in text


def test_a_rotated_refresh_token_replaces_the_old_one(emu):
    oauth, tokens = login(emu, "acme")
    emu.settings.rotate_refresh_tokens = True
    try:
        refreshed = oauth.refresh(tokens.refresh_token)
    finally:
        emu.settings.rotate_refresh_tokens = False
    assert refreshed.refresh_token and refreshed.refresh_token != tokens.refresh_token
    assert oauth.refresh(refreshed.refresh_token).org_id == ACME_ID
