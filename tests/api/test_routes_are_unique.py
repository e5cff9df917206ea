"""Two handlers on one method and path: the second silently never runs (it happened with /tree)."""

from __future__ import annotations

from collections import Counter

from orgbook.api.urls import api


def test_no_two_operations_share_a_method_and_path() -> None:
    routes: Counter[tuple[str, str]] = Counter()
    for prefix, router in api._routers:
        for path, view in router.path_operations.items():
            for operation in view.operations:
                for method in operation.methods:
                    routes[(method, prefix + path)] += 1
    assert len(routes) > 40
    assert [route for route, count in routes.items() if count > 1] == []
