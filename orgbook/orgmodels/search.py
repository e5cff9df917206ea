"""Search a model by label or API name, the way admins type: `price` finds `Price__c` and "Asking Price".

Portable on SQLite and PostgreSQL: the database narrows candidates with plain LIKE over the API
name with underscores removed (`REPLACE`) and the label; Python ranks them. When that finds
little (a typo: `prcie`, `brokr`), a second pass fetches names sharing a trigram or the first two
letters with the query and keeps those whose edit similarity (difflib's ratio) is at least 0.75.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import reduce
from operator import or_

from django.db.models import Q, Value
from django.db.models.functions import Lower, Replace

from orgbook.orgmodels.models import Component, ComponentStatus, OrgModel

_SUFFIX = re.compile(r"__(c|r|mdt|e|x|b|kav|share|history|feed|latitude__s|longitude__s|s)\b")
_NOT_ALNUM = re.compile(r"[^0-9a-z.]+")
CANDIDATES = 3000
FUZZY_CANDIDATES = 3000
MIN_SIMILARITY = 0.75
# Ties go to the types admins look for most.
TYPE_WEIGHT = {"CustomObject": 6, "CustomField": 5, "Flow": 4, "ApexClass": 3, "ValidationRule": 3, "Layout": 2,
               "PermissionSet": 2, "Profile": 1}


def normalize(text: str) -> str:
    """`Property__c.Asking_Price__c` -> `property.askingprice`; "Asking Price" -> `askingprice`."""
    return _NOT_ALNUM.sub("", _SUFFIX.sub("", text.lower()))


def trigrams(text: str) -> set[str]:
    padded = f"  {text} "
    return {padded[i:i + 3] for i in range(len(padded) - 2)}


def similarity(a: str, b: str) -> float:
    ta, tb = trigrams(a), trigrams(b)
    return len(ta & tb) / len(ta | tb) if ta and tb else 0.0


@dataclass(frozen=True)
class Hit:
    type: str
    full_name: str
    label: str
    parent: str
    namespace: str
    score: float
    matched: str  # "name", "label" or "similar"


def _score(query: str, c: Component) -> tuple[float, str]:
    """Exact short name > exact label > prefix > word start > substring; 0 when nothing matches."""
    short = normalize(c.full_name.rpartition(".")[2])
    full = normalize(c.full_name)
    label = normalize(c.label)
    words = [normalize(w) for w in re.split(r"[\s_.\-/]+", c.label + " " + c.full_name) if w]
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
    if any(w.startswith(query) for w in words):
        return 65, "name"
    if query in short or query in full:
        return 50, "name"
    if query in label:
        return 45, "label"
    return 0, ""


def search(model: OrgModel, text: str, limit: int = 25, type_: str = "") -> list[Hit]:
    query = normalize(text.strip())
    if not query:
        return []
    base = Component.objects.filter(model=model).exclude(status=ComponentStatus.DELETED)
    if type_:
        base = base.filter(type=type_)
    base = base.annotate(
        flat_name=Replace("name_key", Value("_"), Value("")),
        flat_label=Replace(Replace(Lower("label"), Value(" "), Value("")), Value("_"), Value("")),
        low_label=Lower("label"),
    ).only("type", "full_name", "label", "parent_key", "namespace")
    # A dotted query (`property.price`) narrows on the object too; the SQL sees only the last part.
    needle = query.rpartition(".")[2] or query
    found = list(base.filter(Q(flat_name__contains=needle) | Q(flat_label__contains=needle))[:CANDIDATES])
    hits = []
    for c in found:
        score, how = _score(query, c)
        if score:
            hits.append(_hit(c, score, how))
    if len(hits) < limit and len(needle) >= 3:
        seen = {(h.type, h.full_name) for h in hits}
        for c in base.filter(_fuzzy_filter(needle))[:FUZZY_CANDIDATES]:
            if (c.type, c.full_name) not in seen:
                sim = _typo_similarity(needle, c)
                if sim >= MIN_SIMILARITY:
                    hits.append(_hit(c, 40 * sim, "similar"))
    hits.sort(key=lambda h: (-h.score, -TYPE_WEIGHT.get(h.type, 0), len(h.full_name), h.full_name.lower()))
    return hits[:limit]


def _fuzzy_filter(needle: str) -> Q:
    """Candidates for a mistyped query: they share an inner trigram with it, or a name or a label
    word starts with its first two letters (typos rarely hit the first letters)."""
    head = needle[:2]
    grams = sorted({needle[i:i + 3] for i in range(len(needle) - 2)})[:8]
    cond = Q(flat_name__startswith=head) | Q(flat_name__contains="." + head) | Q(low_label__startswith=head) \
        | Q(low_label__contains=" " + head)
    return reduce(or_, (Q(flat_name__contains=g) | Q(flat_label__contains=g) for g in grams), cond)


def _typo_similarity(needle: str, c: Component) -> float:
    """The best SequenceMatcher ratio of the query against the short API name, the label, each label word."""
    candidates = {normalize(c.full_name.rpartition(".")[2]), normalize(c.label)}
    candidates.update(normalize(w) for w in c.label.split() if len(w) >= max(3, len(needle) - 1))
    best = 0.0
    for cand in filter(None, candidates):
        m = SequenceMatcher(None, needle, cand, autojunk=False)
        if m.real_quick_ratio() > best and m.quick_ratio() > best:
            best = max(best, m.ratio())
    return best


def _hit(c: Component, score: float, how: str) -> Hit:
    return Hit(c.type, c.full_name, c.label, c.parent_key, c.namespace, round(score, 2), how)
