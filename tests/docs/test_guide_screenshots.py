"""The user guide's screenshots stay true: every image a page of docs/user/ shows is there, and every image
in docs/user/images/ is taken by a browser test (`shoot(page, "<name>")`, run by docs/user/screenshots.sh),
so none is made or kept by hand and goes stale while the page it shows changes."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "user"
IMAGES = GUIDE / "images"
BROWSER_TESTS = ROOT / "tests" / "browser"
IMAGE_LINK = re.compile(r"!\[[^\]]*\]\((images/[^)\s]+)\)")
SHOT = re.compile(r"""\bshoot\(\s*\w+\s*,\s*["']([\w.-]+)["']\s*\)""")


def referenced() -> dict[str, list[str]]:
    """Each image path the guide links, with the pages that link it."""
    found: dict[str, list[str]] = {}
    for page in sorted(GUIDE.glob("*.md")):
        for target in IMAGE_LINK.findall(page.read_text()):
            found.setdefault(target, []).append(page.name)
    return found


def shot_by_tests() -> set[str]:
    return {f"{name}.png" for test in BROWSER_TESTS.glob("test_*.py") for name in SHOT.findall(test.read_text())}


def test_every_image_the_guide_shows_is_there() -> None:
    links = referenced()
    assert len(links) >= 10, "the guide shows the main pages: Space, connect, first sync, model, object, ..."
    missing = [f"{target} (in {', '.join(pages)})" for target, pages in links.items() if not (GUIDE / target).is_file()]
    assert not missing, "images the guide links but docs/user/images lacks (run docs/user/screenshots.sh):\n" + \
        "\n".join(missing)


def test_every_image_is_taken_by_a_browser_test_and_shown_by_the_guide() -> None:
    images = {path.name for path in IMAGES.glob("*") if path.is_file()}
    by_hand = sorted(images - shot_by_tests())
    assert not by_hand, f"images no browser test takes (shoot(page, name) in tests/browser/): {by_hand}"
    shown = {Path(target).name for target in referenced()}
    unused = sorted(images - shown)
    assert not unused, f"images no page of docs/user/ shows: {unused}"


def test_screenshots_sh_runs_every_test_that_takes_one() -> None:
    script = (GUIDE / "screenshots.sh").read_text()
    takers = sorted(test.name for test in BROWSER_TESTS.glob("test_*.py") if SHOT.search(test.read_text()))
    missing = [name for name in takers if f"tests/browser/{name}" not in script]
    assert not missing, f"docs/user/screenshots.sh does not run {missing}, so their images would go stale"
