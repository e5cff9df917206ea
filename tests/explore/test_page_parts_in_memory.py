"""Each web process keeps the page parts it read last in memory, within a size limit, dropping the
least recently used first: a busy server must not grow without bound, and the parts read most often
must stay."""

from __future__ import annotations

from orgbook.web.pagecache import _Recent


def test_the_least_recently_read_parts_go_first_when_the_limit_is_reached() -> None:
    recent = _Recent(limit=400)
    for name in "abcd":
        recent.put(name, name * 100)  # 100 characters each: the limit is full
    assert recent.get("a") == "a" * 100  # read again: now the most recent
    recent.put("e", "e" * 100)
    assert recent.get("b") is None  # the least recently read was dropped
    assert [recent.get(n) is not None for n in "acde"] == [True, True, True, True]


def test_a_part_over_a_quarter_of_the_limit_is_not_kept() -> None:
    recent = _Recent(limit=400)
    recent.put("small", "s" * 10)
    recent.put("huge", "h" * 101)
    assert recent.get("huge") is None
    assert recent.get("small") == "s" * 10


def test_what_is_kept_never_exceeds_the_limit() -> None:
    recent = _Recent(limit=1_000)
    for i in range(500):
        recent.put(f"k{i}", "x" * (i % 200 + 1))
    assert recent.items.currsize <= 1_000
