"""Links on a note are http(s) addresses with a host, kept exactly as written; tags are short words.
The checks are pydantic's (issue #16: a kept library rather than hand-written parsing)."""

from __future__ import annotations

import pytest

from orgbook.documentation.services import clean_links, clean_tags
from orgbook.errors import Invalid


@pytest.mark.parametrize("url", ["https://wiki.example.com/Pricing", "http://intranet:8080/a?b=c#d",
                                 "https://example.com"])
def test_an_http_link_is_kept_exactly_as_written(url: str) -> None:
    assert clean_links([{"url": f"  {url} ", "title": ""}]) == [{"url": url, "title": url}]


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.com/x", "https://", "example.com/page",
                                 "https://" + "a" * 2000 + ".com", "http://exa mple.com/"])
def test_a_link_that_is_not_an_http_address_with_a_host_is_refused(url: str) -> None:
    with pytest.raises(Invalid, match="Link 2: the URL must start with http:// or https://"):
        clean_links([{"url": "https://ok.example.com"}, {"url": url}])


def test_tags_are_trimmed_and_deduplicated_ignoring_case() -> None:
    assert clean_tags([" Billing ", "billing", "", "GDPR", "v2.1/eu+uk"]) == ["Billing", "GDPR", "v2.1/eu+uk"]


@pytest.mark.parametrize("tag", ["<b>", "-leading", "x" * 41, "a;b"])
def test_a_tag_outside_the_rule_is_refused_with_the_rule(tag: str) -> None:
    with pytest.raises(Invalid, match="letters, digits, spaces or"):
        clean_tags([tag])
