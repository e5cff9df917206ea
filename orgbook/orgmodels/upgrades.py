"""One-off rewrites of stored models when the reader learns to read something it used to keep raw.

Run from data migrations, with the migration's historical models, so that a stored model looks as
if the current reader had read it: the next sync then finds the same content hashes and records
no "Updated" history for components that did not change in Salesforce.
"""

from __future__ import annotations

import json
import zlib
from typing import Any

from django.db import models

from orgbook.metadata import ParsedComponent, SchemaIndex, iter_dependencies
from orgbook.metadata import attributes as attrs
from orgbook.metadata.canonical import canonical_hash
from orgbook.metadata.names import decode_file_name
from orgbook.metadata.reports import HANDLERS as REPORT_HANDLERS
from orgbook.metadata.xmlsafe import XmlError, parse_xml
from orgbook.orgmodels import resolve
from orgbook.orgmodels.models import parent_name

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


# Types whose edges issue 14 changed: flows (formulas no longer invent fields), custom metadata
# records (only MetadataRelationship values), and the types that had no edges before.
REEXTRACTED = ("Flow", "CustomMetadata", "GenAiFunction", "GenAiPlugin", "GenAiPlanner", "GenAiPlannerBundle", "Bot",
               "BotVersion", "GenAiPromptTemplate", "OmniScript", "OmniIntegrationProcedure", "OmniUiCard", "Network",
               "DigitalExperienceConfig")


def reextract_dependencies(component_model: Any, dependency_model: Any, org_model: Any) -> int:
    """Orgbook's own edges of REEXTRACTED components worked out again, as the ingest now would,
    in every stored model (a re-import skips unchanged files, so it would keep the old edges).
    Salesforce's rows stay; `both` becomes `salesforce` where Orgbook no longer finds the edge.
    Returns how many components were read; the models' page caches are moved on (content_stamp)."""
    done = 0
    model_ids = sorted(set(component_model.objects.filter(type__in=REEXTRACTED).values_list("model_id", flat=True)))
    for model_id in model_ids:
        schema = _schema(component_model, model_id)
        for parent_key, name_key, attributes in component_model.objects.filter(
                model_id=model_id, type="CustomField", parent_key__endswith="__mdt").values_list(
                "parent_key", "name_key", "attributes"):
            data = attributes if isinstance(attributes, dict) else json.loads(attributes or "{}")
            if data.get("type") == "MetadataRelationship" and data.get("referenceTo"):
                schema.relationships[(parent_key, name_key.rpartition(".")[2])] = (
                    str(data["referenceTo"]), str(data.get("metadataRelationshipControllingField") or ""))
        present = _presence(component_model, model_id, resolve)
        for c in component_model.objects.filter(model_id=model_id, type__in=REEXTRACTED).iterator(chunk_size=500):
            _replace_edges(dependency_model, c, schema, present, resolve)
            done += 1
        org_model.objects.filter(pk=model_id).update(content_stamp=models.F("content_stamp") + 1)
    return done


def _presence(component_model: Any, model_id: int, resolve: Any) -> Any:
    keys: set[tuple[str, str]] = set()
    named: dict[str, dict[str, tuple[str, dict[str, Any]]]] = {}
    for type_, key, full_name, attributes in component_model.objects.filter(
            model_id=model_id, status="present").values_list("type", "name_key", "full_name", "attributes"):
        keys.add((type_, key))
        if type_ in resolve.NAMED_TYPES:
            data = attributes if isinstance(attributes, dict) else json.loads(attributes or "{}")
            named.setdefault(type_, {})[key] = (full_name, data)
    return resolve.Presence(keys, named)


def _replace_edges(dependency_model: Any, c: Any, schema: SchemaIndex, present: Any, resolve: Any) -> None:
    definition = zlib.decompress(bytes(c.definition_z)) if c.definition_z else b""
    attributes = c.attributes if isinstance(c.attributes, dict) else json.loads(c.attributes or "{}")
    parsed = ParsedComponent(type=c.type, full_name=c.full_name, file_path=c.source_path, definition=definition,
                             content_hash=c.content_hash, attributes=attributes,
                             parent_type=c.parent_type or None, parent_name=parent_name(c.full_name, c.parent_key) or None)
    edges: list[tuple[str, str, str]] = []
    for dep in iter_dependencies(parsed, schema):
        for edge in resolve.settle(dep, present) if dep.resolve else [(dep.to_type, dep.to_name, dep.where)]:
            if edge not in edges:
                edges.append(edge)
    rows = dependency_model.objects.filter(source_id=c.pk)
    rows.filter(origin="metadata").delete()
    rows.filter(origin="both").update(origin="salesforce")
    salesforce = {(d.target_type, d.target_key): d for d in rows.filter(origin="salesforce")}
    new = []
    for to_type, to_name, where in edges:
        sf_row = salesforce.pop((to_type, to_name.lower()), None)
        if sf_row is not None:  # Salesforce found it too
            sf_row.origin = "both"
            sf_row.save(update_fields=["origin"])
            continue
        new.append(dependency_model(model_id=c.model_id, source_id=c.pk, target_type=to_type,
                                    target_key=to_name.lower(), target_name=to_name[:400], where=where[:300],
                                    origin="metadata"))
    dependency_model.objects.bulk_create(new, batch_size=1000)


# --- names the reader changed (issue 14) -----------------------------------------------------------
# Stored names that the reader of issue 14 gives differently, derived from each row's stored
# source path: a bot's version `v1` read from `bots/A/v1.botVersion-meta.xml` is `A.v1` (a child
# of the bot); an Experience bundle `X` read from `digitalExperiences/site/X/X.digitalExperience-meta.xml`
# is `site/X`, as the Metadata API names it. (Compared at 764a096 and after on every corpus project:
# these are the only components whose identity changed; their content hashes did not.)


def _bot_version_name(full_name: str, path: str) -> tuple[str, str, str] | None:
    """(new full name, parent type, parent name) of a BotVersion stored without its bot."""
    parts = path.split("/")
    if "." in full_name or len(parts) < 3 or parts[-3] != "bots":
        return None
    if parts[-1].lower() != f"{full_name}.botversion-meta.xml".lower():
        return None
    bot = decode_file_name(parts[-2])
    return f"{bot}.{full_name}", "Bot", bot


def _experience_bundle_name(full_name: str, path: str) -> tuple[str, str, str] | None:
    """(new full name, '', '') of a DigitalExperienceBundle stored without its bundle type folder."""
    parts = path.split("/")
    if "/" in full_name or len(parts) < 4 or parts[-4] != "digitalExperiences":
        return None
    if decode_file_name(parts[-2]).lower() != full_name.lower():
        return None
    return f"{decode_file_name(parts[-3])}/{decode_file_name(parts[-2])}", "", ""


RENAMED: dict[str, Any] = {"BotVersion": _bot_version_name, "DigitalExperienceBundle": _experience_bundle_name}


def rename_components(component_model: Any, dependency_model: Any, org_model: Any, documentation_model: Any,
                      revision_model: Any) -> int:
    """Stored components of RENAMED types get the names the reader now gives them, in place (the
    row, its history, manual links and edges from it stay), with the edges to them and the
    documentation of the old name. Returns how many components were renamed; a second run finds
    none. A row whose new name cannot be derived from its stored path, or whose new name the model
    already holds, keeps its name.

    Documentation is shared by an implementation's models: it moves to the new name when every
    renamed copy got the same one and no model still holds the old name; otherwise it is copied to
    each new name (with its revisions) and the old one stays. Documentation the new name already
    has is left as it is."""
    renamed = 0
    by_identity: dict[tuple[int, str, str], set[str]] = {}  # (implementation, type, old key) -> new names
    for type_, rule in RENAMED.items():
        rows = component_model.objects.filter(type=type_).select_related("model").order_by("pk")
        for c in rows.iterator(chunk_size=500):
            new = rule(c.full_name, c.source_path or "")
            if new is None:
                continue
            name, parent_type, parent = new
            key = name.lower()
            if component_model.objects.filter(model_id=c.model_id, type=type_, name_key=key).exists():
                continue
            old_key = c.name_key
            c.full_name, c.name_key = name[:400], key[:400]
            if parent_type:
                c.parent_type, c.parent_key = parent_type, parent.lower()[:400]
            c.source_digest = c.source_stat = ""  # the file is read again at the next import
            c.save(update_fields=["full_name", "name_key", "parent_type", "parent_key", "source_digest", "source_stat"])
            dependency_model.objects.filter(model_id=c.model_id, target_type=type_, target_key=old_key).update(
                target_key=key[:400], target_name=name[:400])
            org_model.objects.filter(pk=c.model_id).update(content_stamp=models.F("content_stamp") + 1)
            by_identity.setdefault((c.model.implementation_id, type_, old_key), set()).add(name)
            renamed += 1
    for (implementation_id, type_, old_key), names in sorted(by_identity.items()):
        _move_documentation(component_model, documentation_model, revision_model, implementation_id, type_,
                            old_key, sorted(names))
    return renamed


def _move_documentation(component_model: Any, documentation_model: Any, revision_model: Any, implementation_id: int,
                        type_: str, old_key: str, names: list[str]) -> None:
    doc = documentation_model.objects.filter(implementation_id=implementation_id, type=type_, name_key=old_key).first()
    if doc is None:
        return
    still_used = component_model.objects.filter(model__implementation_id=implementation_id, type=type_,
                                                 name_key=old_key).exists()
    free = [n for n in names if not documentation_model.objects.filter(
        implementation_id=implementation_id, type=type_, name_key=n.lower()).exists()]
    if len(names) == 1 and free and not still_used:
        _rename_doc(doc, free[0])
        doc.save(update_fields=["full_name", "name_key", "search_text"])
        return
    revisions = list(revision_model.objects.filter(documentation=doc))
    for name in free:
        copy = documentation_model.objects.get(pk=doc.pk)
        copy.pk = None
        _rename_doc(copy, name)
        copy.save()
        for r in revisions:
            r.pk, r.documentation = None, copy
        revision_model.objects.bulk_create(revisions)


def _rename_doc(doc: Any, name: str) -> None:
    old = doc.full_name.lower()
    doc.full_name, doc.name_key = name[:400], name.lower()[:400]
    text = doc.search_text or ""
    doc.search_text = name.lower() + text[len(old):] if text.startswith(old) else text
