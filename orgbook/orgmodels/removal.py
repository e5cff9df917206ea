"""Deleting org models with hundreds of thousands of components.

Django's delete collector fetches every component, then sets `ComponentChange.component` to NULL
with one UPDATE whose IN list holds every component id of the model: at about 260,000 components
that is past SQLite's 32,766 and PostgreSQL's 65,535 parameters, and deleting the implementation
answered 500 (issue 19). `empty_models` removes the component rows first with statements keyed
by the model (and subqueries), never by a list of ids, so the collector that deletes the models
afterwards finds no component left to cascade from.
"""

from __future__ import annotations

from typing import Any

from django.db import connection, models, transaction
from django.dispatch import receiver

from orgbook.implementations.signals import content_removing
from orgbook.orgmodels.models import Component, ComponentChange, Dependency, OrgModel


@receiver(content_removing, dispatch_uid="orgmodels.empty_before_removal")
def empty_before_removal(sender: Any, implementation: Any = None, connection: Any = None, **_: Any) -> None:
    """An implementation or a connection is about to be deleted: its models' rows go first."""
    if implementation is not None:
        empty_models(OrgModel.objects.filter(implementation=implementation))
    if connection is not None:
        empty_models(OrgModel.objects.filter(connection=connection))


def empty_models(orgmodels: models.QuerySet[OrgModel]) -> None:
    """Delete every component of these models, and what refers to them, as deleting them would.
    Run in the transaction that then deletes the models (or their implementation)."""
    for model_id in orgmodels.values_list("pk", flat=True):
        with transaction.atomic():
            _empty(model_id)


def _empty(model_id: int) -> None:
    # The model's own history and dependency rows go with the model anyway: deleted by model,
    # not nulled row by row.
    ComponentChange.objects.filter(model_id=model_id).delete()
    Dependency.objects.filter(model_id=model_id).delete()
    _release_references(model_id)
    table, column = connection.ops.quote_name(Component._meta.db_table), connection.ops.quote_name("model_id")
    with connection.cursor() as cursor:
        # Nothing refers to these rows any more (above), so the ORM's cascade has nothing left to do.
        cursor.execute(f"DELETE FROM {table} WHERE {column} = %s", [model_id])  # noqa: S608  # our own identifiers


def _release_references(model_id: int) -> None:
    """Every other row that refers to a component of the model (another model's history, a manual
    link), as its foreign key's on_delete says, selected by a join on the model: no id list."""
    for rel in Component._meta.related_objects:
        field = rel.field
        rows = rel.related_model._default_manager.filter(**{f"{field.name}__model_id": model_id})
        on_delete = rel.on_delete
        if on_delete is models.SET_NULL:
            rows.update(**{field.name: None})
        elif on_delete is models.CASCADE:
            rows.delete()
        else:  # PROTECT, RESTRICT, DO_NOTHING, SET_DEFAULT: not used on Component; let the ORM decide
            raise NotImplementedError(f"{rel.related_model.__name__}.{field.name}: on_delete {on_delete!r}")
