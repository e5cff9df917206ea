"""Documentation rules: identity, validation, stale-edit refusal, revisions, presence across models."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Annotated, Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from pydantic import AnyUrl, StringConstraints, TypeAdapter, UrlConstraints, ValidationError

from orgbook import rows
from orgbook.documentation.markup import render_note
from orgbook.documentation.models import NOTE_MAX, TAG_MAX, Documentation, ProposedComponent, Revision
from orgbook.errors import Conflict, Invalid, NotFound
from orgbook.implementations.access import require_active
from orgbook.implementations.models import Implementation
from orgbook.orgmodels.models import Component, ComponentStatus, OrgModel
from orgbook.spaces import audit
from orgbook.spaces.models import Membership

MAX_LINKS = 50
MAX_TAGS = 20
TAG_RE = re.compile(r"^[\w][\w .:/+-]*$")


@dataclass
class DocumentationEdit:
    """What a writer sends; None means "leave as it is"."""

    note: str | None = None
    links: list[dict[str, str]] | None = None
    tags: list[str] | None = None
    owner: str | None = None  # email of a Space member; "" clears
    reviewed: bool | None = None
    base_revision: int = 0  # the revision the writer started from (0: there was none)


def identity(type_: str, full_name: str) -> tuple[str, str]:
    """Salesforce compares names case-insensitively; types are exact API names."""
    return type_.strip(), full_name.strip().lower()


def find(implementation: Implementation, type_: str, full_name: str) -> Documentation | None:
    t, key = identity(type_, full_name)
    # Written out with its people (orgbook/rows.py): every component page reads it, and the ORM's work
    # (the row, then the people with in_bulk) cost more CPU than the queries.
    user = get_user_model()
    people = ("owner", "reviewed_by", "updated_by")
    sql = (f"SELECT {rows.columns(Documentation, 'd')}, "  # noqa: S608  # our own SQL
           + ", ".join(rows.columns(user, f"p{i}") for i in range(len(people)))
           + f" FROM {Documentation._meta.db_table} d "
           + "".join(f"LEFT JOIN {user._meta.db_table} p{i} ON p{i}.id = d.{name}_id " for i, name in enumerate(people))
           + "WHERE d.implementation_id = %s AND d.type = %s AND d.name_key = %s")
    found = rows.fetch(sql, [implementation.pk, t, key], Documentation, user, user, user)
    if not found:
        return None
    doc, *who = found[0]
    assert isinstance(doc, Documentation)
    for name, person in zip(people, who, strict=True):
        if person is not None:  # else the id is NULL too, and reading the field asks nothing
            setattr(doc, name, person)
    return doc


def component_exists(implementation: Implementation, type_: str, full_name: str) -> str | None:
    """The component's own spelling of its full name, if any model of the implementation has it."""
    t, key = identity(type_, full_name)
    found = (Component.objects.filter(model__implementation=implementation, type=t, name_key=key)
             .values_list("full_name", flat=True).first())
    if found is None:
        found = (ProposedComponent.objects.filter(model__implementation=implementation, type=t, name_key=key)
                 .values_list("full_name", flat=True).first())
    return found


# http(s) with a host, as pydantic checks URLs; the text is kept as written (pydantic's own form
# would add a trailing slash and change what the reader typed).
_URL = TypeAdapter(Annotated[AnyUrl, UrlConstraints(allowed_schemes=["http", "https"], host_required=True,
                                                    max_length=2000)])
_TAG = TypeAdapter(Annotated[str, StringConstraints(max_length=TAG_MAX, pattern=TAG_RE.pattern)])


def clean_links(links: list[Any]) -> list[dict[str, str]]:
    if not isinstance(links, list) or len(links) > MAX_LINKS:
        raise Invalid(f"links must be a list of at most {MAX_LINKS} items.", field="links")
    cleaned = []
    for i, link in enumerate(links, 1):
        url = str((link or {}).get("url", "")).strip() if isinstance(link, dict) else ""
        try:
            _URL.validate_python(url)
        except ValidationError:
            raise Invalid(f"Link {i}: the URL must start with http:// or https:// and name a host.",
                          field="links") from None
        title = str(link.get("title") or "").strip()[:200] or url
        cleaned.append({"url": url, "title": title})
    return cleaned


def clean_tags(tags: list[Any]) -> list[str]:
    if not isinstance(tags, list) or len(tags) > MAX_TAGS:
        raise Invalid(f"tags must be a list of at most {MAX_TAGS} words.", field="tags")
    cleaned: dict[str, str] = {}
    for tag in tags:
        text = str(tag).strip()
        if not text:
            continue
        try:
            _TAG.validate_python(text)
        except ValidationError:
            raise Invalid(f"The tag {text[:50]!r} is not valid: up to {TAG_MAX} letters, digits, spaces or .:/+-",
                          field="tags") from None
        cleaned.setdefault(text.lower(), text)
    return list(cleaned.values())


def resolve_owner(implementation: Implementation, email: str) -> Any:
    if not email.strip():
        return None
    member = (Membership.objects.select_related("user")
              .filter(space_id=implementation.space_id, user__email__iexact=email.strip()).first())
    if member is None:
        raise Invalid(f"{email} is not a member of this Space, so cannot own documentation.", field="owner")
    return member.user


def text_of(content: dict[str, Any]) -> list[str]:
    """A revision as lines, for a readable diff."""
    lines = (content.get("note") or "").splitlines()
    lines += [f"Link: {link['title']} <{link['url']}>" for link in content.get("links") or []]
    lines += [f"Tags: {', '.join(content.get('tags') or [])}", f"Owner: {content.get('owner') or '-'}",
              f"Reviewed: {'yes' if content.get('reviewed') else 'no'}"]
    return lines


def diff(before: dict[str, Any], after: dict[str, Any]) -> str:
    return "\n".join(difflib.unified_diff(text_of(before), text_of(after), "before", "after", lineterm=""))


def search_text(doc: Documentation) -> str:
    parts = [doc.full_name, doc.note, *(link["title"] for link in doc.links), *doc.tags]
    return "\n".join(parts).lower()


def _refuse_stale(doc: Documentation, edit: DocumentationEdit) -> None:
    if edit.base_revision == doc.revision:
        return
    who = doc.updated_by.email if doc.updated_by else "someone"
    raise Conflict(
        f"{who} changed this documentation (now revision {doc.revision}) after you started from revision "
        f"{edit.base_revision}. Your edit was not saved: read their text, merge yours into it, and save again.",
        current_revision=doc.revision, their_note=doc.note, their_links=doc.links, their_tags=doc.tags,
        changed_by=who, changed_at=doc.updated_at.isoformat(), your_note=edit.note,
    )


def _apply(doc: Documentation, edit: DocumentationEdit, user: Any, implementation: Implementation) -> None:
    before = doc.content()
    if edit.note is not None:
        if len(edit.note) > NOTE_MAX:
            raise Invalid(f"The note is longer than {NOTE_MAX} characters.", field="note")
        doc.note = edit.note.replace("\r\n", "\n")
    if edit.links is not None:
        doc.links = clean_links(edit.links)
    if edit.tags is not None:
        doc.tags = clean_tags(edit.tags)
    if edit.owner is not None:
        doc.owner = resolve_owner(implementation, edit.owner)
    content_changed = (doc.note, doc.links, doc.tags) != (before["note"], before["links"], before["tags"])
    if edit.reviewed is True and not doc.is_reviewed():
        doc.reviewed_by, doc.reviewed_at = user, timezone.now()
    elif edit.reviewed is False or (edit.reviewed is None and content_changed):
        # A changed text needs a new review, unless the writer marks it reviewed in the same edit.
        doc.reviewed_by, doc.reviewed_at = None, None


@transaction.atomic
def save_documentation(user: Any, implementation: Implementation, type_: str, full_name: str,
                       edit: DocumentationEdit, *, model: OrgModel | None = None) -> Documentation:
    """Write one edit. The caller has checked Action.EDIT_DOCUMENTATION; suspension is checked here."""
    require_active(implementation)
    t, key = identity(type_, full_name)
    spelled = component_exists(implementation, t, key)
    if spelled is None:
        raise NotFound(f"No model of {implementation.name} has a {t} called {full_name}.")
    # Lock the row only (the nullable joins cannot be locked on PostgreSQL).
    doc = (Documentation.objects.select_for_update(of=("self",)).select_related("owner", "updated_by")
           .filter(implementation=implementation, type=t, name_key=key).first())
    if doc is None:
        doc = Documentation(implementation=implementation, type=t, name_key=key, full_name=spelled,
                            written_in=model, written_in_name=model.name if model else "")
    _refuse_stale(doc, edit)
    before = doc.content()
    _apply(doc, edit, user, implementation)
    after = doc.content()
    if doc.pk and after == before:
        return doc
    doc.revision += 1
    doc.updated_at, doc.updated_by = timezone.now(), user
    doc.search_text = search_text(doc)
    doc.save()
    Revision.objects.create(documentation=doc, number=doc.revision, author=user, author_email=user.email,
                            at=doc.updated_at, model_name=model.name if model else "", content=after,
                            diff=diff(before, after))
    implementation.touch()
    audit.record(implementation.space, user, "documentation.edited", doc,
                 after={"implementation": implementation.pk, "revision": doc.revision})
    return doc


def for_implementation(implementation: Implementation) -> QuerySet[Documentation]:
    return Documentation.objects.filter(implementation=implementation).select_related("owner", "reviewed_by")


def notes_of(model: OrgModel) -> QuerySet[Documentation]:
    """The documentation of the model's implementation, as the dictionary grid's documented column
    and filter read it (`orgmodels.grid.Notes`)."""
    return Documentation.objects.filter(implementation_id=model.implementation_id)


def search(implementation: Implementation, q: str) -> QuerySet[Documentation]:
    qs = for_implementation(implementation)
    for word in q.lower().split():
        qs = qs.filter(Q(search_text__contains=word))
    return qs


def matching_identities(implementation: Implementation, q: str) -> QuerySet[Any]:
    """(type, name_key) pairs whose documentation matches `q`: join these to components for search."""
    return search(implementation, q).values_list("type", "name_key")


KIND_ORDER = ["production", "sandbox", "reference"]


def presence(implementation: Implementation, type_: str, full_name: str) -> list[dict[str, Any]]:
    """Each model of the implementation (production, sandboxes, reference models) and whether it has the component."""
    t, key = identity(type_, full_name)
    # One query, written out: every component page shows this, and the ORM's work for the three
    # queries it took (models, statuses, proposed) cost a request about 2 ms of CPU; this, 0.2 ms.
    sql = (f"SELECT m.*, (SELECT c.status FROM {Component._meta.db_table} c WHERE c.model_id = m.id "  # noqa: S608
           "AND c.type = %s AND c.name_key = %s) AS component_status, "
           f"EXISTS (SELECT 1 FROM {ProposedComponent._meta.db_table} p WHERE p.model_id = m.id "
           "AND p.type = %s AND p.name_key = %s) AS is_proposed "
           f"FROM {OrgModel._meta.db_table} m WHERE m.implementation_id = %s")
    models = sorted(OrgModel.objects.raw(sql, [t, key, t, key, implementation.pk]),
                    key=lambda m: (KIND_ORDER.index(m.kind), m.name.lower()))
    out = []
    for m in models:
        status, proposed = m.component_status, bool(m.is_proposed)  # type: ignore[attr-defined]
        out.append({"model": m, "kind": m.kind, "present": status == ComponentStatus.PRESENT,
                    "status": status or ("proposed" if proposed else "absent"), "proposed": proposed})
    return out


def as_dict(doc: Documentation | None) -> dict[str, Any] | None:
    """The documentation in API shape (None when nobody wrote any)."""
    if doc is None:
        return None
    return {
        "type": doc.type, "full_name": doc.full_name, "note": doc.note, "note_html": render_note(doc.note),
        "links": doc.links, "tags": doc.tags, "owner": doc.owner.email if doc.owner else None,
        "reviewed": doc.is_reviewed(), "reviewed_by": doc.reviewed_by.email if doc.reviewed_by else None,
        "reviewed_at": doc.reviewed_at.isoformat() if doc.reviewed_at else None,
        "revision": doc.revision, "updated_at": doc.updated_at.isoformat(),
        "updated_by": doc.updated_by.email if doc.updated_by else None,
        "written_in": doc.written_in_name or None,
    }


def revisions(doc: Documentation) -> list[dict[str, Any]]:
    return [{"revision": r.number, "author": r.author_email, "at": r.at.isoformat(), "model": r.model_name or None,
             "diff": r.diff} for r in doc.revisions.all()]


def prune_orphaned_documentation(implementation_id: int) -> int:
    """After a model goes: documentation of components that no remaining model has is deleted."""
    same = {"type": OuterRef("type"), "name_key": OuterRef("name_key")}
    components = Component.objects.filter(model__implementation_id=implementation_id, **same)
    proposed = ProposedComponent.objects.filter(model__implementation_id=implementation_id, **same)
    orphans = (Documentation.objects.filter(implementation_id=implementation_id)
               .exclude(Exists(components)).exclude(Exists(proposed)))
    deleted, _ = orphans.delete()
    return deleted
