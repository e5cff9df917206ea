"""Paged lists: django-ninja's `@paginate` with the API's page shape.

Every list answers `{"items", "count", "page", "pages"}` for `?page=N` (docs/api.md, since v1).
django-ninja's own PageNumberPagination answers `{"items", "count"}` and an empty list past the
last page, so this class keeps its machinery (the `page` parameter, the paged schema in the
OpenAPI document) with our shape and a clear error for a page that does not exist.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Schema
from ninja.pagination import PaginationBase

from orgbook.errors import Invalid


@dataclass(frozen=True)
class Rows:
    """What a paged handler returns when a queryset alone is not enough: the row count when the
    caller knows it already (the grid's census), and how to turn each shown row into its answer."""

    rows: QuerySet[Any] | Sequence[Any]
    count: int | None = None
    shape: Callable[[Any], Any] | None = None


@dataclass(frozen=True)
class Window:
    """One page of `count` rows: where it starts and how many pages there are."""

    page: int
    size: int
    count: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.count / self.size))

    @property
    def start(self) -> int:
        return (self.page - 1) * self.size

    def check(self) -> Window:
        """Refuse a page past the last one (an empty list would read as "no such rows")."""
        if not 1 <= self.page <= self.pages:
            raise Invalid(f"page must be between 1 and {self.pages}.", field="page")
        return self


class Pages(PaginationBase):
    class Input(Schema):
        page: int = Field(1, ge=1, description="The page, from 1.")

    class Output(Schema):
        items: list[Any]
        count: int
        page: int
        pages: int

    def __init__(self, page_size: int = 100, **kwargs: Any) -> None:
        self.page_size = page_size
        super().__init__(**kwargs)

    def paginate_queryset(self, queryset: Any, pagination: Any, request: HttpRequest, **params: Any) -> Any:
        found = queryset if isinstance(queryset, Rows) else Rows(queryset)
        count = found.count if found.count is not None else self._items_count(found.rows)  # type: ignore[arg-type]
        window = Window(pagination.page, self.page_size, count).check()
        shown = list(found.rows[window.start:window.start + window.size])
        if found.shape is not None:
            shown = [found.shape(row) for row in shown]
        return {"items": shown, "count": count, "page": window.page, "pages": window.pages}
