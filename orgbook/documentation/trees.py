"""Reference models: made empty, built by hand as a tree, imported from CSV, copied, or from a folder."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from orgbook.documentation.models import ProposedComponent, TreeNode
from orgbook.errors import Invalid
from orgbook.implementations.access import require_active
from orgbook.implementations.models import Implementation
from orgbook.orgmodels.models import Component, ComponentStatus, Dependency, ModelKind, OrgModel
from orgbook.orgmodels.services import model_for_import
from orgbook.spaces import audit

NODE_NAME_MIN, NODE_NAME_MAX = 2, 80
CUSTOM_ID_MAX = 40
CSV_MAX_ROWS = 10_000


@dataclass
class NodeRow:
    line: int
    level: int
    name: str
    custom_id: str


def create_reference_model(user: Any, implementation: Implementation, name: str) -> OrgModel:
    require_active(implementation)
    if OrgModel.objects.filter(implementation=implementation, name__iexact=(name or "").strip()).exists():
        raise Invalid(f"{implementation.name} already has a model called {name.strip()}.", field="name")
    model = model_for_import(implementation, name, ModelKind.REFERENCE)
    implementation.touch()
    audit.record(implementation.space, user, "reference_model.created", model, after={"name": model.name})
    return model


def require_reference(model: OrgModel) -> None:
    if model.kind != ModelKind.REFERENCE:
        raise Invalid(f"{model.name} is an org model, synced from Salesforce; build trees in reference models.")


def clean_node(name: str, custom_id: str = "", description: str = "") -> tuple[str, str, str]:
    name = (name or "").strip()
    if not NODE_NAME_MIN <= len(name) <= NODE_NAME_MAX:
        raise Invalid(f"A node name needs {NODE_NAME_MIN} to {NODE_NAME_MAX} characters.", field="name")
    custom_id = (custom_id or "").strip()
    if len(custom_id) > CUSTOM_ID_MAX:
        raise Invalid(f"A custom id has at most {CUSTOM_ID_MAX} characters.", field="custom_id")
    return name, custom_id, (description or "").strip()[:5000]


def add_node(user: Any, model: OrgModel, name: str, *, parent: TreeNode | None = None, custom_id: str = "",
             description: str = "") -> TreeNode:
    require_active(model.implementation)
    require_reference(model)
    if parent is not None and parent.model_id != model.pk:
        raise Invalid("The parent node belongs to another model.", field="parent")
    name, custom_id, description = clean_node(name, custom_id, description)
    position = TreeNode.objects.filter(model=model, parent=parent).count()
    node = TreeNode.objects.create(model=model, parent=parent, position=position, name=name, custom_id=custom_id,
                                   description=description)
    model.implementation.touch()
    return node


def delete_node(node: TreeNode) -> None:
    require_active(node.model.implementation)
    node.delete()  # children and manual links go with it


def parse_tree_csv(text: str) -> list[NodeRow]:
    """Column A nesting level from 1, B name, C optional id. Each row is at the same level as the one
    before, one deeper, or any shallower. Any bad row refuses the whole file, by line number."""
    # newline="": the csv module reads the line ends itself, so a file saved with bare \r line ends
    # (old Mac spreadsheets) is rows, not a "new-line character seen in unquoted field" error.
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        rows = _node_rows(reader)
    except csv.Error as exc:  # e.g. a field over the csv module's size limit
        raise Invalid(f"The file is not valid CSV ({exc}). Nothing was imported.") from None
    if not rows:
        raise Invalid("The file has no rows. Nothing was imported.")
    return rows


def _node_rows(reader: Iterator[list[str]]) -> list[NodeRow]:
    rows: list[NodeRow] = []
    previous = 0
    for line, cells in enumerate(reader, 1):
        if not any(c.strip() for c in cells):
            continue
        if line > CSV_MAX_ROWS:
            raise Invalid(f"The file has more than {CSV_MAX_ROWS} rows. Nothing was imported.")
        level_text = cells[0].strip()
        if line == 1 and not level_text.isdigit():
            continue  # a header row
        if not level_text.isdigit() or int(level_text) < 1:
            raise Invalid(f"Line {line}: column A must be a nesting level (1, 2, 3 ...), not {level_text!r}. "
                          "Nothing was imported.", line=line)
        level = int(level_text)
        if level > previous + 1:
            raise Invalid(f"Line {line}: level {level} follows level {previous}; a row may go at most one level "
                          "deeper than the row before. Nothing was imported.", line=line)
        name = cells[1].strip() if len(cells) > 1 else ""
        custom_id = cells[2].strip() if len(cells) > 2 else ""
        try:
            clean_node(name, custom_id)
        except Invalid as exc:
            raise Invalid(f"Line {line}: {exc.message} Nothing was imported.", line=line) from None
        rows.append(NodeRow(line, level, name, custom_id))
        previous = level
    return rows


@transaction.atomic
def import_tree_csv(user: Any, model: OrgModel, text: str) -> int:
    require_active(model.implementation)
    require_reference(model)
    rows = parse_tree_csv(text)
    base = TreeNode.objects.filter(model=model, parent=None).count()
    stack: list[TreeNode] = []
    counts: dict[int | None, int] = {}
    for row in rows:
        del stack[row.level - 1:]
        parent = stack[-1] if stack else None
        key = parent.pk if parent else None
        position = counts.get(key, base if parent is None else 0)
        counts[key] = position + 1
        node = TreeNode.objects.create(model=model, parent=parent, position=position, name=row.name,
                                       custom_id=row.custom_id)
        stack.append(node)
    model.implementation.touch()
    audit.record(model.implementation.space, user, "reference_model.tree_imported", model,
                 after={"nodes": len(rows)})
    return len(rows)


def tree(model: OrgModel) -> list[dict[str, Any]]:
    """Nodes depth-first with their depth, for display and export."""
    nodes = list(TreeNode.objects.filter(model=model).order_by("position", "pk"))
    children: dict[int | None, list[TreeNode]] = {}
    for n in nodes:
        children.setdefault(n.parent_id, []).append(n)
    out: list[dict[str, Any]] = []

    def walk(parent: int | None, depth: int) -> None:
        for n in children.get(parent, []):
            out.append({"node": n, "depth": depth})
            walk(n.pk, depth + 1)

    walk(None, 1)
    return out


@transaction.atomic
def copy_model(user: Any, source: OrgModel, name: str) -> OrgModel:
    """A to-be design: a reference model holding the source model's components as they stand."""
    implementation = source.implementation
    target = create_reference_model(user, implementation, name)
    fields = ["type", "full_name", "name_key", "parent_type", "parent_key", "label", "namespace", "sf_id",
              "created_date", "created_by", "last_modified_date", "last_modified_by", "definition_z", "body_z",
              "content_hash", "attributes", "status"]
    mapping: dict[int, int] = {}
    batch: list[tuple[int, Component]] = []

    def flush() -> None:
        created = Component.objects.bulk_create([c for _, c in batch])
        mapping.update({old: new.pk for (old, _), new in zip(batch, created, strict=True)})
        batch.clear()

    for c in Component.objects.filter(model=source, status=ComponentStatus.PRESENT).iterator(chunk_size=500):
        batch.append((c.pk, Component(model=target, added_version=1, changed_version=1,
                                      **{f: getattr(c, f) for f in fields})))
        if len(batch) >= 500:
            flush()
    flush()
    Dependency.objects.bulk_create(
        [Dependency(model=target, source_id=mapping[d.source_id], target_type=d.target_type, target_key=d.target_key,
                    target_name=d.target_name, where=d.where, origin=d.origin)
         for d in Dependency.objects.filter(model=source, source_id__in=list(mapping)).iterator(chunk_size=1000)
         if d.source_id in mapping], batch_size=500)
    ProposedComponent.objects.bulk_create(
        [ProposedComponent(model=target, type=p.type, full_name=p.full_name, name_key=p.name_key, label=p.label,
                           created_by=user) for p in source.proposed_components.all()])
    target.version = 1
    target.save(update_fields=["version"])
    return target

