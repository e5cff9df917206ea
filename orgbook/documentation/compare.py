"""Documentation beside a comparison of two org models (`orgmodels.compare`): each side's note,
read from that side's own implementation."""

from __future__ import annotations

from dataclasses import dataclass

from orgbook.documentation.models import Documentation
from orgbook.orgmodels.compare import Key, Line, batches
from orgbook.orgmodels.models import OrgModel


@dataclass(frozen=True)
class Notes:
    """Each side's documentation note ('' when none): the two implementations' own, or the one
    shared note twice when both models belong to one implementation."""

    a: str
    b: str


def notes(a: OrgModel, b: OrgModel, shown: list[Line]) -> dict[Key, Notes]:
    """The notes of the shown lines, read per side from that side's implementation."""
    out: dict[Key, Notes] = {}
    for chunk in batches(shown):
        ident = {(ln.type, ln.name_key) for ln in chunk}
        keys = {ln.name_key for ln in chunk}
        by_impl: dict[int, dict[Key, str]] = {}
        for impl_id in {a.implementation_id, b.implementation_id}:
            rows = (Documentation.objects.filter(implementation_id=impl_id, name_key__in=keys)
                    .exclude(note="").values_list("type", "name_key", "note"))
            by_impl[impl_id] = {(t, k): note for t, k, note in rows if (t, k) in ident}
        for i in ident:
            note_a, note_b = by_impl[a.implementation_id].get(i, ""), by_impl[b.implementation_id].get(i, "")
            if note_a or note_b:
                out[i] = Notes(note_a, note_b)
    return out
