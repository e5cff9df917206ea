"""placeholder"""
from __future__ import annotations
from dataclasses import dataclass
from collections.abc import Iterator
from typing import Any

@dataclass(frozen=True)
class Dependency:
    from_type: str
    from_name: str
    to_type: str
    to_name: str
    where: str

class SchemaIndex:
    pass

def iter_dependencies(component: Any, schema: SchemaIndex | None = None) -> Iterator[Dependency]:
    return iter(())
