"""Markdown is rendered and sanitised; links are http(s) only; tags, owner and the reviewed state."""

from __future__ import annotations

from typing import Any

import pytest

from orgbook.documentation import services
from orgbook.documentation.markup import render_note
from orgbook.documentation.models import Documentation
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


def test_the_note_a_page_reads_carries_its_people_as_stored(people: dict[str, Any], retail: Any,
                                                             retail_models: dict[str, Any],
                                                             django_assert_num_queries: Any) -> None:
    services.save_documentation(people["eddie"], retail, *PRICE,
                                DocumentationEdit(note="n", owner="vera@example.com", reviewed=True))
    stored = Documentation.objects.get(implementation=retail, name_key=PRICE[1].lower())
    with django_assert_num_queries(1):  # the note with its owner, reviewer and last editor
        found = services.find(retail, *PRICE)
        assert found is not None
        assert (found.owner, found.reviewed_by, found.updated_by) == (people["vera"], people["eddie"], people["eddie"])
        assert found.owner.email == "vera@example.com" and found.updated_by.email == people["eddie"].email
    assert {f.attname: getattr(found, f.attname) for f in stored._meta.concrete_fields} == {
        f.attname: getattr(stored, f.attname) for f in stored._meta.concrete_fields}
    assert found.updated_at == stored.updated_at and isinstance(found.tags, list)


def test_a_note_without_an_owner_or_review_reads_them_as_none(people: dict[str, Any], retail: Any,
                                                               retail_models: dict[str, Any],
                                                               django_assert_num_queries: Any) -> None:
    services.save_documentation(people["eddie"], retail, *PRICE, DocumentationEdit(note="n"))
    with django_assert_num_queries(1):
        found = services.find(retail, *PRICE)
        assert found is not None and found.owner is None and found.reviewed_by is None
        assert found.updated_by == people["eddie"]


def test_a_rendered_note_is_the_same_from_the_cache_and_follows_an_edit() -> None:
    first = render_note("**bold** [x](https://example.com)")
    assert render_note("**bold** [x](https://example.com)") == first and "<strong>bold</strong>" in first
    assert "<em>bold</em>" in render_note("*bold* [x](https://example.com)")
    long = "word " * 2_000 + "**end**"  # over the cached size: rendered each time, the same way
    assert render_note(long).endswith("<strong>end</strong></p>")
