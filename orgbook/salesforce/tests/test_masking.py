from orgbook.salesforce.client import SalesforceClient
from orgbook.salesforce.masking import mask, scrub
from orgbook.salesforce.oauth import OAuthClient


def test_scrub_removes_known_secrets_and_anything_shaped_like_an_access_token():
    text = "bad token 00D5g000004XyZa!AQ0AQabcdefghijk and refresh 5Aep861xyzxyzxyz"
    cleaned = scrub(text, ["5Aep861xyzxyzxyz"])
    assert "AQ0AQabcdefghijk" not in cleaned
    assert "5Aep861xyzxyzxyz" not in cleaned


def test_mask_says_only_the_length():
    assert mask("abcdefghij") == "<token …10 chars>"
    assert mask(None) == "<none>"


def test_client_reprs_hide_the_tokens():
    client = SalesforceClient("https://acme.my.salesforce.com", "00D5g000004XyZa!AQ0AQsecretsecret")
    assert "secretsecret" not in repr(client)
    oauth = OAuthClient("key", "consumer-secret-value", "https://x/cb")
    assert "consumer-secret-value" not in repr(oauth)
