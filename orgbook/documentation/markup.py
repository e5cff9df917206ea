"""Markdown notes rendered to HTML and sanitised: no script, no styles, only http(s)/mailto links."""

from __future__ import annotations

from functools import lru_cache

import markdown
import nh3

ALLOWED_TAGS = {
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td", "del",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
# file:, javascript:, data: and every other scheme are dropped with the attribute.
URL_SCHEMES = {"http", "https", "mailto"}


CACHED_NOTE_MAX = 8_000  # characters: 128 notes this long and their HTML are a few MB per process


def render_note(text: str) -> str:
    text = text or ""
    return _cached(text) if len(text) <= CACHED_NOTE_MAX else _render(text)


# A pure function of the note's text, and every view of a documented component renders it (building
# the Markdown parser alone cost about 1 ms of CPU): the last notes rendered are kept. Keyed by the text
# itself, so an edited note is rendered anew and nothing stale can show.
@lru_cache(maxsize=128)
def _cached(text: str) -> str:
    return _render(text)


def _render(text: str) -> str:
    html = markdown.markdown(text, extensions=["fenced_code", "tables", "sane_lists"], output_format="html")
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel="noopener noreferrer nofollow", strip_comments=True)
