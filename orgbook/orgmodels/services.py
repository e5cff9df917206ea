"""Org model rules: finding and creating models, importing folders and zips into them."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.db.models import Model

from orgbook import rows
from orgbook.errors import Invalid, NotFound
from orgbook.ids import parse_id
from orgbook.implementations.access import require_active
from orgbook.implementations.models import Implementation, OrgConnection
from orgbook.metadata import ReadProblem, UnsafeArchiveError, XmlError, iter_components
from orgbook.orgmodels import completeness
from orgbook.orgmodels.ingest import Progress, ingest, read_pool
from orgbook.orgmodels.models import ModelKind, OrgModel, SyncRun
from orgbook.pathnames import hide_server_paths
from orgbook.spaces.models import Membership, Space
from orgbook.spaces.permissions import Action, authorize


def get_model(user: Any, model_id: Any, action: Action = Action.VIEW_CONTENT) -> OrgModel:
    """An org model the user may see; another Space's model answers 404, a suspended one 403."""
    return open_model(user, model_id, action)[0]


def open_model(user: Any, model_id: Any, action: Action = Action.VIEW_CONTENT, *,
               memberships: list[Membership] | None = None, with_connection: bool = False
               ) -> tuple[OrgModel, Membership]:
    """`get_model`, and the membership that `authorize` found (a page needs it for the role's
    capabilities). `memberships`: the user's, when the page read them already (`memberships_of`);
    `with_connection`: the model's org connection in the same query."""
    pk = parse_id(model_id)
    if pk is None:
        raise NotFound("No such org model.")
    model = _model_with_space(pk, with_connection)
    if model is None:
        raise NotFound("No such org model.")
    try:
        membership = authorize(user, model.implementation.space.slug, action, memberships)
    except NotFound:
        # Another Space's model answers exactly as a missing one: its id tells an outsider nothing.
        raise NotFound("No such org model.") from None
    require_active(model.implementation)
    return model, membership


def _model_with_space(pk: int, with_connection: bool) -> OrgModel | None:
    """The model with its implementation and Space (and org connection) in one query, written out
    (orgbook/rows.py): every model page opens one, and the ORM's select_related cost more than the query."""
    kinds: tuple[type[Model], ...] = (OrgModel, Implementation, Space, *((OrgConnection,) if with_connection else ()))
    select = ", ".join(rows.columns(kind, alias) for kind, alias in zip(kinds, ("m", "i", "s", "c"), strict=False))
    sql = (f"SELECT {select} FROM {OrgModel._meta.db_table} m "  # noqa: S608  # our own SQL
           f"JOIN {Implementation._meta.db_table} i ON i.id = m.implementation_id "
           f"JOIN {Space._meta.db_table} s ON s.id = i.space_id "
           + (f"LEFT JOIN {OrgConnection._meta.db_table} c ON c.id = m.connection_id " if with_connection else "")
           + "WHERE m.id = %s")
    found = rows.fetch(sql, [pk], *kinds)
    if not found:
        return None
    model, implementation, space, *connection = found[0]
    assert isinstance(model, OrgModel) and isinstance(implementation, Implementation) and isinstance(space, Space)
    implementation.space = space
    model.implementation = implementation
    if with_connection:
        model.connection = connection[0]  # type: ignore[assignment]  # None when the model has none
    return model


def model_for_import(implementation: Implementation, name: str, kind: str | None) -> OrgModel:
    return import_target(implementation, name, kind)[0]


def import_target(implementation: Implementation, name: str, kind: str | None) -> tuple[OrgModel, bool]:
    """The model an import or upload named, and whether it was made for it (a rejected import
    removes it again: `discard_new_model`). Nothing is made in a suspended implementation, and a
    model a connected org feeds takes no import: its next sync would undo it, and an import
    could empty the org's model (issue 19)."""
    require_active(implementation)
    name = (name or "").strip()
    if not 1 <= len(name) <= 80:
        raise Invalid("An org model name needs 1 to 80 characters.")
    if kind is not None and kind not in ModelKind.values:
        raise Invalid(f"kind must be one of {', '.join(ModelKind.values)}.")
    model = OrgModel.objects.filter(implementation=implementation, name__iexact=name).first()
    if model is None:
        made = OrgModel.objects.create(implementation=implementation, name=name, kind=kind or ModelKind.REFERENCE)
        return made, True
    if model.connection_id is not None:
        raise Invalid(f"{model.name} is the model of a connected org and only its syncs change it. Import into a "
                      "reference model instead (give a new model name).", field="model")
    if kind is not None and model.kind != kind:
        raise Invalid(f"The org model {model.name} is a {model.get_kind_display()}, not {kind}.")
    return model, False


def discard_new_model(model: OrgModel) -> bool:
    """Remove a model made for an import that was rejected, so a rejected import leaves nothing.
    Only while it is still empty: anything written to it since (a version, a tree) keeps it."""
    if model.version != 0 or model.components.exists() or model.tree_nodes.exists() \
            or model.proposed_components.exists():
        return False
    model.delete()
    return True


def _named(text: str, path: str | os.PathLike[str], shown: str) -> str:
    """An error about the source with the source called by the user's name for it (as typed, even when
    it lies in a temporary folder: only the other server paths are hidden)."""
    mark = "\x00source\x00"
    for form in sorted({str(path), str(Path(path)), str(Path(path).resolve())}, key=len, reverse=True):
        text = text.replace(form, mark)
    if shown != str(path):
        text = text.replace(Path(path).name, mark)
    return hide_server_paths(text).replace(mark, shown)


def ingest_path(model: OrgModel, path: str | os.PathLike[str], progress: Progress | None = None,
                run: SyncRun | None = None, *, allow_removals: bool = False, name: str = "") -> SyncRun:
    """Ingest an SFDX project, a Metadata API folder or a zip of either into `run` (runs/imports.py
    opens it and runs the steps after; `import_path` there is the whole import). Bad input changes
    nothing: an unsafe archive, and a reading that is not complete (orgmodels/completeness.py)
    unless `allow_removals` confirms it. `name`: what the user calls the source (an upload's file name),
    shown in errors instead of where the server keeps it."""
    require_active(model.implementation)
    shown = name or str(path)
    if not os.path.exists(path):
        raise Invalid(f"{shown} does not exist. Give an SFDX project folder, a folder with package.xml, or a zip.")
    problems: list[ReadProblem] = []
    rule = completeness.CONFIRMED_IMPORT if allow_removals else completeness.IMPORT
    try:
        with read_pool() as pool:
            run = ingest(model, iter_components(path, strict=False, on_problem=problems.append, pool=pool), run=run,
                         trigger="import", progress=progress, rule=rule, problems=problems, pool=pool)
    except (UnsafeArchiveError, XmlError) as exc:
        raise Invalid(f"{_named(str(exc), path, shown)} Nothing was imported.") from None
    model.implementation.touch()
    return run
