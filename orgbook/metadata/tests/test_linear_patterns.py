"""The four scanners the fuzzer found quadratic (issue 19, item 13) take linear time, and give
what the patterns they replaced gave.

Each timing test feeds 100,000 lines of the adversarial input the fuzzer found; the old pattern
took from seconds to minutes on a tenth of it. The bound (1 s of this process's CPU time, not wall
time, so a busy machine does not fail it) is generous and far below what a quadratic scan needs. The old patterns are kept here, as the
reference the new scanners are compared with on small inputs.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator

from hypothesis import given, settings
from hypothesis import strategies as st

from orgbook.metadata import apex, markup

LINES = 100_000
BOUND_S = 1.0


def seconds(work: Callable[[], object]) -> float:
    """CPU seconds `work` takes: a scan's cost, whatever else the machine is running."""
    start = time.process_time()
    work()
    return time.process_time() - start


# --- what the scanners replaced ------------------------------------------------------------

OLD_TRIGGER = re.compile(r"^\s*trigger\s+(\w+)\s+on\s+(\w+)\s*\(([^)]*)\)", re.I | re.M)
OLD_TAG = re.compile(r"<\s*([A-Za-z][\w-]*):([A-Za-z_][\w-]*)\b((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>", re.S)


def old_trigger_header(source: str) -> tuple[str, list[str]] | None:
    match = OLD_TRIGGER.search(apex.strip_comments(source))
    if not match:
        return None
    return match.group(2), [" ".join(e.split()).lower() for e in match.group(3).split(",") if e.strip()]


def old_tags(text: str) -> list[tuple[str, str, dict[str, str]]]:
    return [(m.group(1).lower(), m.group(2),
             {a.group(1).lower(): (a.group(2) if a.group(2) is not None else a.group(3))
              for a in markup._ATTR.finditer(m.group(3))})
            for m in OLD_TAG.finditer(text)]


def old_js_imports(source: str) -> Iterator[str]:
    tokens = [(m.lastgroup, m.group()) for m in markup._JS_TOKEN.finditer(markup.strip_js_comments(source))]
    for i, (kind, text) in enumerate(tokens):
        if kind != "w" or text != "import" or (i and tokens[i - 1][1] == "."):
            continue
        j = i + 1
        if j < len(tokens) and tokens[j][1] == "(":
            j += 1
        else:
            while j < len(tokens) and tokens[j][0] != "s" and tokens[j][1] not in (";", "from"):
                j += 1
            j += j < len(tokens) and tokens[j][1] == "from"
        if j < len(tokens) and tokens[j][0] == "s" and tokens[j][1][0] != "`":
            yield tokens[j][1][1:-1]


# --- linear time on the fuzzer's inputs, 100,000 lines each ----------------------------------


def test_trigger_header_of_a_class_with_100k_commented_out_lines() -> None:
    source = "// old code\n" * LINES + "public class NotATrigger { }"
    assert seconds(lambda: apex.trigger_header(source)) < BOUND_S
    assert apex.trigger_header(source) is None
    assert apex.trigger_header(source + "\ntrigger T on Account (before insert) { }") == ("Account", ["before insert"])


def test_trigger_header_on_100k_unclosed_headers() -> None:
    source = "trigger T on Account (\n" * LINES
    assert seconds(lambda: apex.trigger_header(source)) < BOUND_S
    assert apex.trigger_header(source) is None


def test_tags_on_100k_unclosed_namespaced_tags() -> None:
    for line in ("<ns:tag\n", "<ns:tag a=\"x\n", "<c:x '\n"):
        text = line * LINES
        assert seconds(lambda text=text: list(markup._tags(text))) < BOUND_S, line


def test_merge_fields_on_100k_unclosed_merge_fields() -> None:
    text = "{!Account.Name\n" * LINES
    assert seconds(lambda: list(markup._merges(text))) < BOUND_S
    assert [m.group(1) for m in markup._merges(text + "}")] == [text[2:]]  # the first one runs to the `}`


def test_js_imports_on_100k_imports() -> None:
    source = "import\n" * LINES
    assert seconds(lambda: list(markup.js_imports(source))) < BOUND_S
    assert list(markup.js_imports(source + "'c/x';")) == ["c/x"] * LINES  # each reaches the one string


# --- the same answers as the old patterns -------------------------------------------------

MARKUP_PIECES = ["<", ">", "'", '"', "<apex:page", "<c:x", " controller=", "a=", '"Ctl"', "'v'", "<!--", "-->",
                 "{!", "}", "Account.Name", " ", "\n", ":", "-", "ns", "<aura:component extends=\"c:base\">"]
APEX_PIECES = ["trigger", " ", "\n", "T", "on", "Account", "(", ")", ",", "before insert", "//", "/*", "*/", "'",
               "\t", "x"]
JS_PIECES = ["import", " ", "\n", "from", "'c/x'", '"@salesforce/apex/A.b"', "`t`", ";", "(", ")", ".", "{", "}",
             "x", "//", "/*", "*/"]


def texts(pieces: list[str]) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(pieces), max_size=40).map("".join)


@settings(derandomize=True, max_examples=400, deadline=None)
@given(texts(APEX_PIECES))
def test_trigger_header_gives_what_the_old_pattern_gave(source: str) -> None:
    assert apex.trigger_header(source) == old_trigger_header(source)


@settings(derandomize=True, max_examples=400, deadline=None)
@given(texts(MARKUP_PIECES))
def test_tags_and_merge_fields_give_what_the_old_patterns_gave(text: str) -> None:
    assert list(markup._tags(text)) == old_tags(text)
    assert [m.span(1) for m in markup._merges(text)] == [m.span(1) for m in markup._MERGE.finditer(text)]


@settings(derandomize=True, max_examples=400, deadline=None)
@given(texts(JS_PIECES))
def test_js_imports_give_what_the_old_scan_gave(source: str) -> None:
    assert list(markup.js_imports(source)) == list(old_js_imports(source))
