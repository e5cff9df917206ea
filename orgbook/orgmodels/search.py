"""Search a model by label or API name, the way admins type: `price` finds `Price__c` and "Asking Price".

Names and labels are compared normalised: lower case, without `__c`-style suffixes, underscores,
spaces and punctuation (`Property__c.Asking_Price__c` -> `property.askingprice`). Ranking:
exact API name or label, then prefixes, then word starts, then substrings; ties go to the types
admins look for most, then shorter names. A query that finds fewer than a handful of matches also
gets names that are one typo away (difflib's ratio of at least 0.75 against a name or a label
word: `prcie` finds Price__c, `brokr` finds Broker__c), ranked below every real match. A query of
several word parts (split on `_`, `__`, `.`, `-` and case changes, suffixes dropped) is also matched
part by part against the parts of each API name, object included, each part exactly or one typo away:
`Trigger_Handlr__c` finds Trigger_Handler__c, `Propety_Price__c` finds Property__c.Price__c.
Translations (CustomObjectTranslation, CustomFieldTranslation, Translations, and the other
`…Translation` types) come after every other real match: a field's name or label finds the field
first, its translations after it.

Speed on a 100,000-component model: the model's names are read once into an in-process index
(kept per model version, a few models at a time) and searched there: exact names by dictionary,
prefixes by bisection over sorted names, substrings with str.find over one joined string. The
database sees two small queries per search (has the model changed? the hits' rows), whichever
database it is. Building the index is the first search's cost after a sync (about 1.6 s, and 120 MB
at its peak, for 100,000 components; per process; the word-part postings add about 15% and 4 MB,
bench/README.md).
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from orgbook.orgmodels.census import ModelCache
from orgbook.orgmodels.models import Component, ComponentStatus, OrgModel

_SUFFIX = re.compile(r"__(c|r|mdt|e|x|b|kav|share|history|feed|latitude__s|longitude__s|s)\b")
_NOT_ALNUM = re.compile(r"[^0-9a-z.]+")
_WORDS = re.compile(r"[\s_.\-/]+|(?<=[a-z])(?=[A-Z])")
_SUFFIX_ANY_CASE = re.compile(_SUFFIX.pattern, re.IGNORECASE)
_NOT_ALNUM_PART = re.compile(r"[^0-9a-z]+")
MIN_SIMILARITY = 0.75
FEW = 5  # fewer real matches than this: also look for typos
# Ties go to the types admins look for most.
TYPE_WEIGHT = {"CustomObject": 6, "CustomField": 5, "Flow": 4, "ApexClass": 3, "ValidationRule": 3, "Layout": 2,
               "PermissionSet": 2, "Profile": 1}


def normalize(text: str) -> str:
    """`Property__c.Asking_Price__c` -> `property.askingprice`; "Asking Price" -> `askingprice`."""
    return _NOT_ALNUM.sub("", _SUFFIX.sub("", text.lower()))


def name_parts(text: str) -> list[str]:
    """The word parts of an API name, normalised: `Property__c.Asking_Price__c` -> property, asking,
    price; `NumPresentServiceDeliveries__c` -> num, present, service, deliveries."""
    # One suffix pass for the whole name, then a plain clean-up per piece (this runs for every name
    # when the index is built).
    parts = (_NOT_ALNUM_PART.sub("", piece.lower()) for piece in _WORDS.split(_SUFFIX_ANY_CASE.sub("", text)))
    return [p for p in parts if p]


def is_translation(type_: str) -> bool:
    """Components that translate another one (ranked after what they translate)."""
    return type_ == "Translations" or type_.endswith("Translation")


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
    """Normalised names of one model version, in flat lists and arrays; hits are read back by pk."""

    pks: array[int] = field(default_factory=lambda: array("q"))
    type_ids: array[int] = field(default_factory=lambda: array("H"))
    type_names: list[str] = field(default_factory=list)
    full: list[str] = field(default_factory=list)  # `object.field`, normalised
    label: list[str] = field(default_factory=list)  # normalised, no spaces
    words: list[str] = field(default_factory=list)  # " label words and name words "
    keys: list[str] = field(default_factory=list)  # sorted: short names, labels, words
    key_rows: array[int] = field(default_factory=lambda: array("i"))
    blob: str = ""
    starts: array[int] = field(default_factory=lambda: array("q"))
    vocabulary: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))  # first letter -> words
    part_rows: dict[str, array[int]] = field(default_factory=dict)  # API name part -> rows holding it
    part_counts: array[int] = field(default_factory=lambda: array("B"))  # parts in each row's name
    part_vocabulary: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    type_shift: list[int] = field(default_factory=list)  # per type id: -200 for translations, else 0
    type_weight: list[int] = field(default_factory=list)  # per type id: -TYPE_WEIGHT (ties)

    @classmethod
    def build(cls, model: OrgModel) -> _Index:
        ix = cls()
        type_ids: dict[str, int] = {}
        rows = (Component.objects.filter(model=model).exclude(status=ComponentStatus.DELETED)
                .values_list("pk", "type", "full_name", "label").order_by())
        pieces: list[str] = []
        pairs: list[tuple[str, int]] = []
        offset = 0
        for i, (pk, type_, name, label) in enumerate(rows.iterator(chunk_size=5000)):
            if type_ not in type_ids:
                type_ids[type_] = len(ix.type_names)
                ix.type_names.append(type_)
                ix.type_shift.append(-200 if is_translation(type_) else 0)
                ix.type_weight.append(-TYPE_WEIGHT.get(type_, 0))
            full = normalize(name)
            short = full.rpartition(".")[2]
            lab = normalize(label)
            words = {normalize(w) for w in _WORDS.split(label + " " + name.rpartition(".")[2])} - {""}
            ix.pks.append(pk)
            ix.type_ids.append(type_ids[type_])
            ix.full.append(full)
            ix.label.append(lab)
            ix.words.append(" " + " ".join(words) + " ")
            pairs.extend((key, i) for key in {short, lab, *words} if key)
            for w in words:
                if len(w) > 2:
                    ix.vocabulary[w[0]].add(w)
            parts = set(name_parts(name))
            ix.part_counts.append(min(len(parts), 255))
            for part in parts:
                rows_of = ix.part_rows.get(part)
                if rows_of is None:
                    rows_of = ix.part_rows[part] = array("i")
                rows_of.append(i)
            text = f"{full}|{lab}\n"
            pieces.append(text)
            ix.starts.append(offset)
            offset += len(text)
        pairs.sort()
        ix.keys = [k for k, _ in pairs]
        ix.key_rows = array("i", (i for _, i in pairs))
        ix.blob = "".join(pieces)
        for part in ix.part_rows:
            if len(part) > 3:
                ix.part_vocabulary[part[0]].append(part)
        return ix

    def row_at(self, offset: int) -> int:
        return bisect_right(self.starts, offset) - 1

    def substring_rows(self, needle: str, cap: int) -> list[int]:
        out: list[int] = []
        pos = self.blob.find(needle)
        while pos != -1 and len(out) < cap:
            row = self.row_at(pos)
            out.append(row)
            pos = self.blob.find(needle, self.starts[row + 1] if row + 1 < len(self.starts) else len(self.blob))
        return out

    def prefix_rows(self, needle: str, cap: int) -> list[int]:
        lo = bisect_left(self.keys, needle)
        hi = bisect_left(self.keys, needle + "\uffff", lo)
        return list(self.key_rows[lo:min(hi, lo + cap)])

    def has_word(self, i: int, word: str) -> bool:
        return f" {word} " in self.words[i] or self.full[i].rpartition(".")[2] == word


_indexes: ModelCache[_Index] = ModelCache(4)


def _index(model: OrgModel) -> _Index:
    return _indexes.get(model, _Index.build)


def _score(ix: _Index, i: int, query: str) -> tuple[float, str]:
    """Exact short name > exact label > prefix > word start > substring; 0 when nothing matches."""
    full, label = ix.full[i], ix.label[i]
    short = full.rpartition(".")[2]
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
    if "." not in query and " " + query in ix.words[i]:
        return 65, "name"
    if query in full:
        return 50, "name"
    if query in label:
        return 45, "label"
    return 0, ""


def _typos(ix: _Index, needle: str, vocabulary: dict[str, Any] | None = None) -> set[str]:
    """Words one typo away: same first letter (or the first two swapped), similar length."""
    found = set()
    for first in {needle[0], needle[1]}:
        for word in (ix.vocabulary if vocabulary is None else vocabulary).get(first, ()):
            if not len(needle) - 1 <= len(word) <= len(needle) + 2:  # "pre" is not a typo of "price"
                continue
            m = SequenceMatcher(None, needle, word, autojunk=False)
            if m.real_quick_ratio() >= MIN_SIMILARITY and m.quick_ratio() >= MIN_SIMILARITY \
                    and m.ratio() >= MIN_SIMILARITY:
                found.add(word)
    return found


def _similarity(a: str, b: str) -> float:
    return 1.0 if a == b else SequenceMatcher(None, a, b, autojunk=False).ratio()


def _part_matches(ix: _Index, parts: list[str], wanted: int) -> dict[int, tuple[float, str]]:
    """Rows whose API name has every query part, each exactly or one typo away (parts of 4 letters or
    more), scored like the other typos (at most 40, below every real match): the mean similarity of
    the parts, less a little for each extra part of the name (`Property__c.Price__c` before
    `Property__c.Price_Sold__c` for `Propety_Price`)."""
    choices: list[dict[str, float]] = []  # per query part: the index's words it may be, with similarity
    for part in parts:
        words = {part} | (_typos(ix, part, ix.part_vocabulary) if len(part) >= 4 else set())
        similar = {w: _similarity(part, w) for w in words if w in ix.part_rows}
        if not similar:
            return {}
        choices.append(similar)
    # The rows holding some choice of every part: set unions and intersections run in C, smallest first.
    holding = sorted((set().union(*(ix.part_rows[w] for w in similar)) for similar in choices), key=len)
    rows = holding[0].intersection(*holding[1:])
    if wanted >= 0:
        rows = {i for i in rows if ix.type_ids[i] == wanted}
    members: dict[str, set[int]] = {}

    def best(i: int, similar: dict[str, float]) -> float:
        if len(similar) == 1:
            return next(iter(similar.values()))
        return max(sim for w, sim in similar.items()
                   if i in (members[w] if w in members else members.setdefault(w, set(ix.part_rows[w]))))

    scored = {}
    for i in rows:
        extra = max(0, ix.part_counts[i] - len(parts))
        scored[i] = (40 * sum(best(i, similar) for similar in choices) / len(parts) - min(extra, 5), "similar")
    return scored


def search(model: OrgModel, text: str, limit: int = 25, type_: str = "") -> list[Hit]:
    query = normalize(text.strip())
    if not query:
        return []
    ix = _index(model)
    wanted = ix.type_names.index(type_) if type_ in ix.type_names else -1
    if type_ and wanted < 0:
        return []
    needle = query.rpartition(".")[2] or query
    cap = len(ix.pks) if type_ else max(limit * 40, 2000)
    candidates = dict.fromkeys(ix.prefix_rows(needle, cap))
    candidates.update(dict.fromkeys(ix.substring_rows(query, cap)))
    scored: dict[int, tuple[float, str]] = {}
    for i in candidates:
        if type_ and ix.type_ids[i] != wanted:
            continue
        score, how = _score(ix, i, query)
        if score:
            scored[i] = (score, how)
    if len(scored) < FEW and len(needle) >= 4:
        for word in _typos(ix, needle):
            for i in ix.prefix_rows(word, cap):
                if i in scored or (type_ and ix.type_ids[i] != wanted) or not ix.has_word(i, word):
                    continue
                scored[i] = (40 * SequenceMatcher(None, needle, word, autojunk=False).ratio(), "similar")
    if len(scored) < FEW:
        parts = name_parts(text.strip())
        if len(parts) > 1:
            for i, similar in _part_matches(ix, parts, wanted).items():
                if i not in scored or scored[i][0] < similar[0]:
                    scored[i] = similar
    # Real matches, then the translations among them, then typos (and translations of typos): a bonus
    # per tier on top of the score (every score is 0-100), read from per-type lists, keeps the key cheap.
    shift, weight, types, full = ix.type_shift, ix.type_weight, ix.type_ids, ix.full
    order = sorted(scored, key=lambda i: (-(scored[i][0] + shift[types[i]] + (0 if scored[i][1] == "similar" else 400)),
                                          weight[types[i]], len(full[i]), full[i]))[:limit]
    found = {row[0]: row[1:] for row in Component.objects.filter(pk__in=[ix.pks[i] for i in order]).values_list(
        "pk", "type", "full_name", "label", "parent_key", "namespace")}
    return [Hit(*found[ix.pks[i]], score=round(scored[i][0], 2), matched=scored[i][1])
            for i in order if ix.pks[i] in found]
