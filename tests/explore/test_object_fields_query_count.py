"""The object page's query count does not grow with the object's fields (10 or 200), cold or warm."""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from orgbook.orgmodels.models import Dependency

from .conftest import make_component


def _object(model: Any, name: str, n: int) -> None:
    obj = make_component(model, "CustomObject", name, label=name)
    user = make_component(model, "ApexClass", f"{name}Reader")
    for i in range(n):
        f = make_component(model, "CustomField", f"{name}.F{i}__c", label=f"F {i}", parent=obj.full_name,
                           attributes={"type": "Number", "precision": 18, "scale": 2, "description": f"Field {i}"})
        Dependency.objects.create(model=model, source=user, target_type="CustomField", target_key=f.name_key,
                                  target_name=f.full_name, where="code")
    make_component(model, "ValidationRule", f"{name}.Rule", parent=obj.full_name)


def _queries(client: Any, url: str, **params: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url, params).status_code == 200
    return len(ctx.captured_queries)


def test_the_object_pages_queries_do_not_grow_with_its_fields(dreamhouse: Any, web_as: Any) -> None:
    _object(dreamhouse, "Small__c", 10)
    _object(dreamhouse, "Large__c", 200)
    client = web_as("vera")
    small, large = f"/m/{dreamhouse.pk}/c/CustomObject/Small__c", f"/m/{dreamhouse.pk}/c/CustomObject/Large__c"
    assert _queries(client, small) == _queries(client, large)  # cold: the rows are worked out
    assert _queries(client, small) == _queries(client, large)  # warm: from the page cache
    for params in ({"fsort": "-where_used"}, {"fq": "1", "ftype": "Number"}, {"fdoc": "yes"}, {"fpage": "3"}):
        assert _queries(client, small, **params) == _queries(client, large, **params), params
