import base64
import hashlib
import hmac
from urllib.parse import parse_qs, urlsplit

import pytest

from orgbook.salesforce.errors import OAuthError
from orgbook.salesforce.oauth import (
    OAuthClient,
    Pkce,
    TokenSet,
    login_url_for,
    normalise_base_url,
    parse_id_url,
    pkce_challenge,
    verify_signature,
)


def test_pkce_challenge_is_unpadded_base64url_sha256_of_the_verifier():
    # RFC 7636 appendix B test vector.
    verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    assert pkce_challenge(verifier) == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def test_generated_verifier_is_43_to_128_url_safe_chars_and_matches_its_challenge():
    pkce = Pkce.generate()
    assert 43 <= len(pkce.verifier) <= 128
    assert set(pkce.verifier) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    digest = hashlib.sha256(pkce.verifier.encode()).digest()
    assert pkce.challenge == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert pkce.verifier not in repr(pkce)
    assert Pkce.generate().verifier != pkce.verifier


@pytest.mark.parametrize(
    ("kind", "my_domain", "expected"),
    [
        ("production", None, "https://login.salesforce.com"),
        ("sandbox", None, "https://test.salesforce.com"),
        ("production", "acme", "https://acme.my.salesforce.com"),
        ("sandbox", "acme--uat.sandbox.my.salesforce.com", "https://acme--uat.sandbox.my.salesforce.com"),
        ("production", "https://acme.my.salesforce.com/", "https://acme.my.salesforce.com"),
        ("production", "http://127.0.0.1:8123", "http://127.0.0.1:8123"),
    ],
)
def test_login_url_for_kind_and_my_domain(kind, my_domain, expected):
    assert login_url_for(kind, my_domain) == expected


def test_normalise_rejects_other_schemes():
    with pytest.raises(ValueError):
        normalise_base_url("ftp://acme.my.salesforce.com")


def test_authorize_url_carries_pkce_state_prompt_and_scopes():
    client = OAuthClient(
        "key", "secret", "https://orgbook.example/cb", login_url="https://test.salesforce.com"
    )
    pkce = Pkce.generate()
    url = client.authorize_url(state="st4te", pkce=pkce, login_hint="ann@acme.com.uat")
    parts = urlsplit(url)
    assert (
        f"{parts.scheme}://{parts.netloc}{parts.path}"
        == "https://test.salesforce.com/services/oauth2/authorize"
    )
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert query == {
        "response_type": "code",
        "client_id": "key",
        "redirect_uri": "https://orgbook.example/cb",
        "scope": "api refresh_token id",
        "state": "st4te",
        "code_challenge": pkce.challenge,
        "code_challenge_method": "S256",
        "prompt": "login",
        "login_hint": "ann@acme.com.uat",
    }
    assert pkce.verifier not in url


def test_parse_id_url_normalises_to_18_chars():
    org, user = parse_id_url("https://login.salesforce.com/id/00D5g000004XyZa/0055g00000AbCdE")
    assert (org, user) == ("00D5g000004XyZaEAK", "0055g00000AbCdEAAV")


def test_signature_verification():
    token = TokenSet(
        access_token="00D5g000004XyZa!secret-access",
        instance_url="https://acme.my.salesforce.com",
        id_url="https://login.salesforce.com/id/00D5g000004XyZaEAK/0055g00000AbCdEAAV",
        org_id="00D5g000004XyZaEAK",
        user_id="0055g00000AbCdEAAV",
        issued_at=1711734351000,
        signature=base64.b64encode(
            hmac.new(
                b"s3cret",
                b"https://login.salesforce.com/id/00D5g000004XyZaEAK/0055g00000AbCdEAAV1711734351000",
                hashlib.sha256,
            ).digest()
        ).decode(),
    )
    assert verify_signature(token, "s3cret")
    assert not verify_signature(token, "other")


def test_token_set_repr_masks_tokens():
    token = TokenSet(
        access_token="00D5g000004XyZa!AQ0AQsecretsecret",
        refresh_token="5Aep861refreshsecret",
        instance_url="https://acme.my.salesforce.com",
        id_url="https://login.salesforce.com/id/00D5g000004XyZaEAK/0055g00000AbCdEAAV",
        org_id="00D5g000004XyZaEAK",
        user_id="0055g00000AbCdEAAV",
    )
    for text in (repr(token), str(token), f"{token}", repr([token])):
        assert "AQ0AQsecretsecret" not in text
        assert "refreshsecret" not in text
        assert "00D5g000004XyZaEAK" in text


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example",
        "evil.example.com",
        "http://acme.my.salesforce.com",  # Salesforce only over HTTPS
        "https://salesforce.com.evil.example",
        "https://acmesalesforce.com",
    ],
)
def test_secrets_are_only_sent_to_salesforce_hosts(url):
    with pytest.raises(ValueError):
        normalise_base_url(url)
    with pytest.raises(ValueError):
        OAuthClient("key", "secret", "https://orgbook.example/cb", login_url=url)


def test_trusted_hosts():
    assert (
        normalise_base_url("acme--uat.sandbox.my.salesforce.com")
        == "https://acme--uat.sandbox.my.salesforce.com"
    )
    assert normalise_base_url("https://acme.lightning.force.com/x") == "https://acme.lightning.force.com"
    assert normalise_base_url("http://localhost:8000") == "http://localhost:8000"
    assert normalise_base_url("http://fakeforce:8080", extra_hosts=("fakeforce",)) == "http://fakeforce:8080"


class _StubResponse:
    status_code = 200

    def __init__(self, body):
        self._body = body

    def json(self):
        return self._body


class _StubSession:
    def __init__(self, body):
        self.body = body

    def post(self, url, **kwargs):
        return _StubResponse(self.body)


def test_a_token_response_pointing_at_another_host_is_refused():
    body = {
        "access_token": "00D5g000004XyZa!AQ0AQsecretsecret",
        "instance_url": "https://evil.example",
        "id": "https://login.salesforce.com/id/00D5g000004XyZaEAK/0055g00000AbCdEAAV",
        "issued_at": "1711734351000",
    }
    oauth = OAuthClient("key", "secret", "https://orgbook.example/cb", session=_StubSession(body))
    with pytest.raises(OAuthError) as caught:
        oauth.exchange_code("code", "verifier")
    assert caught.value.code == "untrusted_host"
    assert "secretsecret" not in str(caught.value)
