"""Markdown is rendered and sanitised; links are http(s) only; tags, owner and the reviewed state."""

from __future__ import annotations

from typing import Any

import pytest

from orgbook.documentation import services
from orgbook.documentation.markup import render_note
from orgbook.documentation.services import DocumentationEdit
from orgbook.errors import Invalid

from .conftest import PRICE


def test_script_and_local_or_javascript_links_are_removed() -> None:
    html = render_note("<script>alert(1)</script> [a](javascript:alert(1)) [b](file:///etc/passwd) "
                       "[c](https://example.com) <img src=x onerror=alert(1)>")
    assert "<script" not in html and "javascript:" not in html and "file:" not in html
    assert "onerror" not in html and 'href="https://example.com"' in html


@pytest.mark.parametrize("url", ["javascript:alert(1)", "file:///etc/passwd", "ftp://x.org/f", "example.com"])
def test_a_link_that_is_not_http_or_https_is_refused(people: dict[str, Any], retail: Any,
                                                     retail_models: dict[str, Any], url: str) -> None:
    with pytest.raises(Invalid):
        services.save_documentation(people["eddie"], retail, *PRICE,
                                    DocumentationEdit(links=[{"url": url, "title": "t"}]))


def test_links_tags_owner_and_review(people: dict[str, Any], retail: Any, retail_models: dict[str, Any]) -> None:
    doc = services.save_documentation(
        people["eddie"], retail, *PRICE,
        DocumentationEdit(note="n", links=[{"url": "https://help.example.com/price", "title": "Pricing"}],
                          tags=["Finance", "finance", "GDPR"], owner="VERA@example.com", reviewed=True))
    assert doc.tags == ["Finance", "GDPR"] and doc.owner == people["vera"]
    assert doc.reviewed_by == people["eddie"] and doc.reviewed_at is not None
    doc = services.save_documentation(people["alice"], retail, *PRICE, DocumentationEdit(note="changed", base_revision=1))
    assert not doc.is_reviewed()  # a changed text needs a new review


def test_an_owner_from_another_space_is_refused(people: dict[str, Any], retail: Any,
                                               retail_models: dict[str, Any]) -> None:
    with pytest.raises(Invalid):
        services.save_documentation(people["eddie"], retail, *PRICE, DocumentationEdit(owner="mallory@example.com"))
