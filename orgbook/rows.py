"""Model instances from one hand-written join, for the few queries every page runs.

Building a `select_related` query costs the ORM about 0.5 ms of CPU each time (compiling the
SELECT, the joins and the converters), several times what the query costs once compiled; the
person's memberships and the open org model run on every page. Here each model's columns are
listed once per process and each row is turned into instances by the same path Django's own
iterator takes: the backend's and the fields' converters, then `Model.from_db`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any
from weakref import WeakKeyDictionary

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Model

Converter = Callable[[Any, Any, Any], Any]
Layout = tuple[list[str], int, list[tuple[int, list[Converter], Any]]]  # names, primary key's index, converters

# Per connection object (each thread has its own): the backend's converters are its bound methods.
_LAYOUTS: WeakKeyDictionary[Any, dict[type[Model], Layout]] = WeakKeyDictionary()


def _layout(model: type[Model]) -> Layout:
    """The model's concrete columns' attribute names, where its primary key is among them, and for each
    column that needs them its converters with the expression they expect (as the compiler's
    `get_converters`)."""
    db = connections[DEFAULT_DB_ALIAS]
    known = _LAYOUTS.setdefault(db, {})
    if model not in known:
        names, converters = [], []
        for i, field in enumerate(model._meta.concrete_fields):
            names.append(field.attname)
            col = field.get_col(model._meta.db_table)
            found = db.ops.get_db_converters(col) + field.get_db_converters(db)
            if found:
                converters.append((i, found, col))
        known[model] = (names, names.index(model._meta.pk.attname), converters)
    return known[model]


@cache  # one database engine per process: the quoting does not change
def columns(model: type[Model], alias: str) -> str:
    """`alias.col, ...` for every concrete column of `model`, in the order `instances` reads them."""
    quote = connection.ops.quote_name
    return ", ".join(f"{alias}.{quote(str(f.column))}" for f in model._meta.concrete_fields)


def instances(row: Sequence[Any], *models: type[Model]) -> list[Model | None]:
    """One instance per model from a row selecting `columns(model, ...)` of each in turn; None for a
    model whose primary key is NULL (the missing side of a LEFT JOIN)."""
    db = connections[DEFAULT_DB_ALIAS]
    out: list[Model | None] = []
    start = 0
    for model in models:
        names, pk_index, converters = _layout(model)
        values = list(row[start:start + len(names)])
        start += len(names)
        if values[pk_index] is None:
            out.append(None)
            continue
        for i, found, col in converters:
            for convert in found:
                values[i] = convert(values[i], col, db)
        out.append(model.from_db(db.alias, names, values))
    return out


def fetch(sql: str, params: Sequence[Any], *models: type[Model]) -> list[list[Model | None]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [instances(row, *models) for row in cursor.fetchall()]
