"""Search a model by label or API name, the way admins type: `price` finds `Price__c` and "Asking Price".

Names and labels are compared normalised: lower case, without `__c`-style suffixes, underscores,
spaces and punctuation (`Property__c.Asking_Price__c` -> `property.askingprice`). Ranking:
exact API name or label, then prefixes, then word starts, then substrings; ties go to the types
admins look for most, then shorter names. A query that finds fewer than a handful of matches also
gets names that are one typo away (difflib's ratio of at least 0.75 against a name or a label
word: `prcie` finds Price__c, `brokr` finds Broker__c), ranked below every real match.

Speed on a 100,000-component model: the model's names are read once into an in-process index
(kept per model version, a few models at a time) and searched there: exact names by dictionary,
prefixes by bisection over sorted names, substrings with str.find over one joined string. The
database sees one small query per search (has the model changed?), whichever database it is.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from orgbook.orgmodels.explore import ModelCache
from orgbook.orgmodels.models import Component, ComponentStatus, OrgModel

_SUFFIX = re.compile(r"__(c|r|mdt|e|x|b|kav|share|history|feed|latitude__s|longitude__s|s)\b")
_NOT_ALNUM = re.compile(r"[^0-9a-z.]+")
_WORDS = re.compile(r"[\s_.\-/]+|(?<=[a-z])(?=[A-Z])")
MIN_SIMILARITY = 0.75
FEW = 5  # fewer real matches than this: also look for typos
# Ties go to the types admins look for most.
TYPE_WEIGHT = {"CustomObject": 6, "CustomField": 5, "Flow": 4, "ApexClass": 3, "ValidationRule": 3, "Layout": 2,
               "PermissionSet": 2, "Profile": 1}


def normalize(text: str) -> str:
    """`Property__c.Asking_Price__c` -> `property.askingprice`; "Asking Price" -> `askingprice`."""
    return _NOT_ALNUM.sub("", _SUFFIX.sub("", text.lower()))


@dataclass(frozen=True)
class Hit:
    type: str
    full_name: str
    label: str
    parent: str
    namespace: str
    score: float
    matched: str  # "name", "label" or "similar"


@dataclass
class _Index:
    rows: list[tuple[str, str, str, str, str]] = field(default_factory=list)  # type, name, label, parent, ns
    short: list[str] = field(default_factory=list)
    full: list[str] = field(default_factory=list)
    label: list[str] = field(default_factory=list)
    words: list[tuple[str, ...]] = field(default_factory=list)
    exact: dict[str, list[int]] = field(default_factory=lambda: defaultdict(list))
    sorted_keys: list[tuple[str, int]] = field(default_factory=list)  # (short name / label / word, row)
    blob: str = ""
    starts: list[int] = field(default_factory=list)
    vocabulary: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # first letter -> words

    @classmethod
    def build(cls, model: OrgModel) -> _Index:
        ix = cls()
        rows = (Component.objects.filter(model=model).exclude(status=ComponentStatus.DELETED)
                .values_list("type", "full_name", "label", "parent_key", "namespace").order_by())
        pieces, offset = [], 0
        for i, row in enumerate(rows.iterator(chunk_size=5000)):
            ix.rows.append(row)
            name, label = row[1], row[2]
            short, full, lab = normalize(name.rpartition(".")[2]), normalize(name), normalize(label)
            words = tuple({normalize(w) for w in _WORDS.split(label + " " + name.rpartition(".")[2])} - {""})
            ix.short.append(short)
            ix.full.append(full)
            ix.label.append(lab)
            ix.words.append(words)
            for key in {short, full, lab} - {""}:
                ix.exact[key].append(i)
            for key in {short, lab, *words} - {""}:
                ix.sorted_keys.append((key, i))
            for w in words:
                if len(w) > 2:
                    ix.vocabulary[w[0]].add(w)
            text = f"{full}|{lab}\n"
            pieces.append(text)
            ix.starts.append(offset)
            offset += len(text)
        ix.sorted_keys.sort()
        ix.blob = "".join(pieces)
        return ix

    def row_at(self, offset: int) -> int:
        return bisect_right(self.starts, offset) - 1

    def substring_rows(self, needle: str, cap: int) -> list[int]:
        out: list[int] = []
        pos = self.blob.find(needle)
        while pos != -1 and len(out) < cap:
            row = self.row_at(pos)
            if not out or out[-1] != row:
                out.append(row)
            pos = self.blob.find(needle, self.starts[row + 1] if row + 1 < len(self.starts) else len(self.blob))
        return out

    def prefix_rows(self, needle: str, cap: int) -> list[int]:
        lo = bisect_left(self.sorted_keys, (needle, -1))
        hi = bisect_left(self.sorted_keys, (needle + "\uffff", -1))
        return [i for _, i in self.sorted_keys[lo:min(hi, lo + cap)]]


_indexes: ModelCache[_Index] = ModelCache(4)


def _index(model: OrgModel) -> _Index:
    return _indexes.get(model, _Index.build)


def _score(ix: _Index, i: int, query: str, needle: str) -> tuple[float, str]:
    """Exact short name > exact label > prefix > word start > substring; 0 when nothing matches."""
    short, full, label = ix.short[i], ix.full[i], ix.label[i]
    if short == query or full == query:
        return 100, "name"
    if label == query:
        return 95, "label"
    if short.startswith(query):
        return 80 - min(len(short) - len(query), 15), "name"
    if "." in query and full.startswith(query):
        return 78 - min(len(full) - len(query), 15), "name"
    if label.startswith(query):
        return 75 - min(len(label) - len(query), 15), "label"
    if "." not in query and any(w.startswith(query) for w in ix.words[i]):
        return 65, "name"
    if query in short or query in full:
        return 50, "name"
    if query in label:
        return 45, "label"
    return 0, ""


def _typos(ix: _Index, needle: str) -> set[str]:
    """Words one typo away: same first letter (or the first two swapped), similar length."""
    found = set()
    for first in {needle[0], needle[1]}:
        for word in ix.vocabulary.get(first, ()):
            if not len(needle) - 1 <= len(word) <= len(needle) + 2:  # "pre" is not a typo of "price"
                continue
            m = SequenceMatcher(None, needle, word, autojunk=False)
            if m.real_quick_ratio() >= MIN_SIMILARITY and m.quick_ratio() >= MIN_SIMILARITY \
                    and m.ratio() >= MIN_SIMILARITY:
                found.add(word)
    return found


def search(model: OrgModel, text: str, limit: int = 25, type_: str = "") -> list[Hit]:
    query = normalize(text.strip())
    if not query:
        return []
    ix = _index(model)
    needle = query.rpartition(".")[2] or query
    cap = 100000 if type_ else max(limit * 40, 2000)
    candidates = dict.fromkeys(ix.exact.get(query, []) + ix.exact.get(needle, []))
    candidates.update(dict.fromkeys(ix.prefix_rows(needle, cap)))
    candidates.update(dict.fromkeys(ix.substring_rows(query, cap)))
    scored: dict[int, tuple[float, str]] = {}
    for i in candidates:
        if type_ and ix.rows[i][0] != type_:
            continue
        score, how = _score(ix, i, query, needle)
        if score:
            scored[i] = (score, how)
    if len(scored) < FEW and len(needle) >= 4:
        for word in _typos(ix, needle):
            for i in ix.prefix_rows(word, cap):
                if i in scored or (type_ and ix.rows[i][0] != type_) or word not in ix.words[i] + (ix.short[i],):
                    continue
                sim = SequenceMatcher(None, needle, word, autojunk=False).ratio()
                scored[i] = (40 * sim, "similar")
    order = sorted(scored, key=lambda i: (-scored[i][0], -TYPE_WEIGHT.get(ix.rows[i][0], 0), len(ix.rows[i][1]),
                                          ix.rows[i][1].lower()))
    return [Hit(*ix.rows[i][:2], ix.rows[i][2], ix.rows[i][3], ix.rows[i][4], round(scored[i][0], 2), scored[i][1])
            for i in order[:limit]]
