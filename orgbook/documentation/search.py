"""Model search that also finds components by what their documentation says."""

from __future__ import annotations

from orgbook.documentation.services import matching_identities
from orgbook.orgmodels import referenced
from orgbook.orgmodels import search as names
from orgbook.orgmodels.models import Component, ComponentStatus, OrgModel

DOC_SCORE = 30.0  # below any name or label match, above nothing
REFERENCED_SCORE = 20.0  # components the model only refers to (standard, managed, missing): last


def search(model: OrgModel, text: str, limit: int = 25, type_: str = "") -> list[names.Hit]:
    """Components of the model (by name, label, documentation), then components its metadata
    refers to without defining (`Opportunity.Amount` in a project of source files), `matched`
    "referenced" with what they are in `namespace`'s place left empty."""
    hits = _defined(model, text, limit, type_)
    if len(hits) >= limit:
        return hits
    have = {(h.type, h.full_name.lower()) for h in hits}
    extra = [names.Hit(r.type, r.full_name, "", "", r.what.namespace, score=REFERENCED_SCORE, matched="referenced")
             for r in referenced.search(model, text, limit - len(hits), type_) if (r.type, r.full_name.lower()) not in have]
    return hits + extra


def _defined(model: OrgModel, text: str, limit: int = 25, type_: str = "") -> list[names.Hit]:
    """Name and label hits first, then components whose note, links or tags match every word."""
    hits = names.search(model, text, limit=limit, type_=type_)
    if len(hits) >= limit or not text.strip():
        return hits
    have = {(h.type, h.full_name.lower()) for h in hits}
    wanted = [pair for pair in matching_identities(model.implementation, text.strip()[:200])[:500]
              if pair not in have and (not type_ or pair[0] == type_)]
    if not wanted:
        return hits
    rows = Component.objects.filter(model=model, status=ComponentStatus.PRESENT, type__in={t for t, _ in wanted},
                                    name_key__in={k for _, k in wanted})
    extra = [names.Hit(c.type, c.full_name, c.label, c.parent_key, c.namespace, score=DOC_SCORE,
                       matched="documentation")
             for c in rows.order_by("type", "name_key") if (c.type, c.name_key) in set(wanted)]
    return hits + extra[: limit - len(hits)]
