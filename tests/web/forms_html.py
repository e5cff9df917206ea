"""Reading forms out of a page the way assistive technology does: which ids an element points at."""

from __future__ import annotations

from html.parser import HTMLParser


class Described(HTMLParser):
    """Every id in the page, and every (tag, name, aria-describedby) of a control that names some."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.described: list[tuple[str, str, str]] = []
        self.invalid: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(str(found["id"]))
        if found.get("aria-describedby"):
            self.described.append((tag, str(found.get("name") or found.get("id")), str(found["aria-describedby"])))
        if found.get("aria-invalid") == "true":
            self.invalid.append(str(found.get("name")))


def read(html: str) -> Described:
    parser = Described()
    parser.feed(html)
    return parser


def dangling(html: str) -> list[tuple[str, str]]:
    """(control, id) for each id an aria-describedby names that is not in the page."""
    page = read(html)
    return [(name, ref) for _, name, refs in page.described for ref in refs.split() if ref not in page.ids]
