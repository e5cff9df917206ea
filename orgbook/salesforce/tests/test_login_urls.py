"""A My Domain typed by an admin is checked before any secret is sent to it."""

from __future__ import annotations

import pytest

from orgbook.salesforce.oauth import normalise_base_url


@pytest.mark.parametrize("typed", ["not a url", "acme corp", "https://acme.my.salesforce.com@evil.example",
                                   "https://ac me.my.salesforce.com", "javascript:alert(1)"])
def test_a_malformed_my_domain_is_refused(typed: str) -> None:
    with pytest.raises(ValueError):
        normalise_base_url(typed)


@pytest.mark.parametrize("typed,expected", [("acme", "https://acme.my.salesforce.com"),
                                            ("https://acme--uat.sandbox.my.salesforce.com/",
                                             "https://acme--uat.sandbox.my.salesforce.com"),
                                            ("http://127.0.0.1:8123", "http://127.0.0.1:8123")])
def test_a_good_my_domain_is_normalised(typed: str, expected: str) -> None:
    assert normalise_base_url(typed) == expected
