"""One-off rewrites of stored models when the reader learns to read something it used to keep raw.

Run from data migrations, with the migration's historical models, so that a stored model looks as
if the current reader had read it: the next sync then finds the same content hashes and records
no "Updated" history for components that did not change in Salesforce.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

from orgbook.metadata import ParsedComponent, SchemaIndex, iter_dependencies
from orgbook.metadata import attributes as attrs
from orgbook.metadata.canonical import canonical_hash
from orgbook.metadata.reports import HANDLERS as REPORT_HANDLERS
from orgbook.metadata.xmlsafe import XmlError, parse_xml

# Metadata API `.report` / `.dashboard` files used to be kept as a body (no definition, a hash of
# the raw bytes, no attributes); they are XML definitions.
XML_ITEMS = ("Report", "Dashboard")


def _schema(component_model: Any, model_id: int) -> SchemaIndex:
    """Lookup targets of the model's fields, for report columns that walk a lookup."""
    index = SchemaIndex()
    rows = component_model.objects.filter(model_id=model_id, type="CustomField").values_list(
        "parent_key", "name_key", "attributes")
    for parent_key, name_key, attributes in rows.iterator(chunk_size=2000):
        data = attributes if isinstance(attributes, dict) else json.loads(attributes or "{}")
        target = data.get("referenceTo")
        if isinstance(target, str) and target:
            index.references[(parent_key, name_key.rpartition(".")[2])] = target
    return index


def reread_reports(component_model: Any, dependency_model: Any) -> int:
    """Stored reports and dashboards as the reader now gives them, with their edges; returns how
    many components were rewritten. Labels of types named by `<name>` are filled in too."""
    rewritten = 0
    schemas: dict[int, SchemaIndex] = {}
    rows = component_model.objects.filter(type__in=XML_ITEMS).exclude(body_z=None)
    for c in rows.iterator(chunk_size=500):
        data = zlib.decompress(bytes(c.body_z))
        try:
            root = parse_xml(data, c.source_path or c.full_name)
        except XmlError:
            continue  # kept as it was: the reader reports such a file on the next sync
        c.definition_z, c.body_z = zlib.compress(data, 1), None
        c.content_hash = canonical_hash(root)
        c.attributes = attrs.extract(c.type, root, c.full_name, None, None)
        c.label = (attrs.label_of(root, c.type) or c.label)[:400]
        c.save(update_fields=["definition_z", "body_z", "content_hash", "attributes", "label"])
        rewritten += 1
    for c in component_model.objects.filter(type__in=list(REPORT_HANDLERS)).iterator(chunk_size=500):
        schema = schemas.get(c.model_id)
        if schema is None:
            schema = schemas[c.model_id] = _schema(component_model, c.model_id)
        _add_edges(dependency_model, c, schema)
    for c in component_model.objects.filter(type__in=sorted(attrs.NAMED_BY_NAME), label="").iterator(chunk_size=500):
        if not c.definition_z:
            continue
        try:
            root = parse_xml(zlib.decompress(bytes(c.definition_z)), c.full_name)
        except XmlError:
            continue
        label = attrs.label_of(root, c.type)
        if label:
            c.label = label[:400]
            c.save(update_fields=["label"])
    return rewritten


def _add_edges(dependency_model: Any, c: Any, schema: SchemaIndex) -> None:
    definition = zlib.decompress(bytes(c.definition_z)) if c.definition_z else b""
    if not definition:
        return
    parsed = ParsedComponent(type=c.type, full_name=c.full_name, file_path=c.source_path, definition=definition,
                             content_hash=c.content_hash)
    existing = {(d.target_type, d.target_key, d.where): d for d in dependency_model.objects.filter(source_id=c.pk)}
    by_target = {(t, k): d for (t, k, _), d in existing.items() if d.origin == "salesforce"}
    new = []
    for dep in iter_dependencies(parsed, schema):
        key = dep.to_name.lower()
        if (dep.to_type, key, dep.where) in existing:
            continue
        sf_row = by_target.pop((dep.to_type, key), None)
        if sf_row is not None:  # Salesforce found it too
            sf_row.origin = "both"
            sf_row.save(update_fields=["origin"])
            continue
        new.append(dependency_model(model_id=c.model_id, source_id=c.pk, target_type=dep.to_type, target_key=key,
                                    target_name=dep.to_name[:400], where=dep.where[:300], origin="metadata"))
    dependency_model.objects.bulk_create(new, batch_size=1000)
