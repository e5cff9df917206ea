"""Org models: versioned dictionaries of an org's metadata, with history and dependencies."""

from __future__ import annotations

import zlib
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from orgbook.implementations.models import Implementation, OrgConnection
from orgbook.metadata import REGISTRY


class ModelKind(models.TextChoices):
    PRODUCTION = "production", "Production"
    SANDBOX = "sandbox", "Sandbox"
    REFERENCE = "reference", "Reference model"


class OrgModel(models.Model):
    implementation = models.ForeignKey(Implementation, on_delete=models.CASCADE, related_name="org_models")
    connection = models.OneToOneField(
        OrgConnection, null=True, blank=True, on_delete=models.CASCADE, related_name="org_model"
    )
    name = models.CharField(max_length=80)
    kind = models.CharField(max_length=12, choices=ModelKind.choices, default=ModelKind.REFERENCE)
    version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    # Bumped when rows of the current version are written after the version was committed (Salesforce's
    # dependency rows, orgmodels/sfdeps.py): the page cache keys on it with the version.
    content_stamp = models.PositiveIntegerField(default=0)
    # What the last imported project's sfdx-project.json says (namespace, package directories with
    # their versions and dependencies, source API version): metadata.formats.project_facts.
    project = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(Lower("name"), "implementation", name="model_name_unique_in_impl_ci")]

    def __str__(self) -> str:
        return self.name


class ComponentStatus(models.TextChoices):
    PRESENT = "present", "Present"
    DELETED = "deleted", "Deleted in Salesforce"
    UNFETCHED = "unfetched", "Could not be fetched"


class VisiblyDescribed(models.Expression):
    """True where the component's description or help text is the boolean `true` (a description
    reading `true`) or a string holding a visible ASCII character: described for certain, whatever
    whitespace surrounds it. Computed by the database when a row is written (a stored generated
    column), so the coverage figure taken after every sync counts it from an index instead of
    decoding 80,000 rows' JSON; other strings (only non-ASCII characters or odd spaces) are
    decided in Python by `documentation.coverage`."""

    output_field = models.BooleanField()
    _KEYS = ("description", "inlineHelpText")

    def as_sqlite(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        col = connection.ops.quote_name("attributes")
        parts = [f"json_type({col}, '$.{k}') = 'true' OR json_type({col}, '$.{k}') = 'text' "
                 f"AND json_extract({col}, '$.{k}') GLOB '*[!-~]*'" for k in self._KEYS]
        return f"COALESCE({' OR '.join(parts)}, 0)", []

    def as_postgresql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        col = connection.ops.quote_name("attributes")
        parts = [f"jsonb_typeof({col} -> '{k}') = 'boolean' AND ({col} ->> '{k}') = 'true' "
                 f"OR jsonb_typeof({col} -> '{k}') = 'string' AND ({col} ->> '{k}') ~ '[!-~]'" for k in self._KEYS]
        return f"COALESCE({' OR '.join(parts)}, false)", []


class Component(models.Model):
    # Indexed by `component_model` (model, id) below, which also answers "the newest id of a model"
    # without a scan (the explorer caches' key).
    model = models.ForeignKey(OrgModel, on_delete=models.CASCADE, related_name="components", db_index=False)
    type = models.CharField(max_length=80)
    full_name = models.CharField(max_length=400)
    name_key = models.CharField(max_length=400)  # lower-cased full name: Salesforce compares names case-insensitively
    parent_type = models.CharField(max_length=80, blank=True)
    parent_key = models.CharField(max_length=400, blank=True)
    label = models.CharField(max_length=400, blank=True)
    namespace = models.CharField(max_length=40, blank=True)
    sf_id = models.CharField(max_length=18, blank=True)
    created_date = models.DateTimeField(null=True, blank=True)
    created_by = models.CharField(max_length=120, blank=True)
    last_modified_date = models.DateTimeField(null=True, blank=True)
    last_modified_by = models.CharField(max_length=120, blank=True)
    definition_z = models.BinaryField()  # zlib-compressed XML
    body_z = models.BinaryField(null=True, blank=True)
    content_hash = models.CharField(max_length=64)
    attributes = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=ComponentStatus.choices, default=ComponentStatus.PRESENT)
    added_version = models.PositiveIntegerField(default=0)
    changed_version = models.PositiveIntegerField(default=0)
    warning = models.CharField(max_length=500, blank=True)
    # The file this component was read from and the reader's digest of it (bytes, body file,
    # classification): a re-import skips a file whose digest is unchanged without parsing it.
    # '' when it must be read every time (unreadable file, synthetic parent, synced zips).
    source_path = models.TextField(blank=True, default="")
    source_digest = models.CharField(max_length=32, blank=True, default="")
    # Digest of the file's size/mtime/ctime/inode (a zip member's CRC) with its classification:
    # when it is the same, the file is skipped without being read.
    source_stat = models.CharField(max_length=32, blank=True, default="")
    # A child split out of a parent file (a field of an mdapi `.object`): its own element's digest.
    element_digest = models.CharField(max_length=32, blank=True, default="")
    visibly_described = models.GeneratedField(expression=VisiblyDescribed(), output_field=models.BooleanField(),
                                              db_persist=True)

    class Meta:
        ordering = ["type", "name_key"]
        constraints = [models.UniqueConstraint(fields=["model", "type", "name_key"], name="component_identity")]
        indexes = [
            # The dictionary sorted by each other column (either way, read backwards for descending): a
            # page is read in index order instead of sorting the model's rows. The parent one also
            # serves the grid's and the API's parent filter and an object's children.
            models.Index(fields=["model", "parent_key", "type", "name_key"], name="component_by_parent"),
            models.Index(fields=["model", "namespace", "type", "name_key"], name="component_by_namespace"),
            # Its last column makes it cover the coverage count (documentation/coverage.py).
            models.Index(fields=["model", "status", "type", "name_key", "visibly_described"],
                         name="component_by_status"),
            models.Index(fields=["model", "last_modified_date", "type", "name_key"], name="component_by_modified"),
            models.Index(fields=["model", "last_modified_by", "type", "name_key"], name="component_by_modifier"),
            models.Index(fields=["model", "changed_version", "type", "name_key"], name="component_by_changed"),
            models.Index(fields=["model", "name_key"], name="component_name"),
            models.Index(fields=["model", "id"], name="component_model"),
            # The dictionary sorted by label, either way, with or without a type filter: a page is read
            # in index order instead of sorting the model's 100,000 rows.
            models.Index(fields=["model", "label", "type", "name_key"], name="component_label"),
            # Comparing two models reads (identity, hash) of each from this index alone.
            models.Index(fields=["model", "type", "name_key", "content_hash", "status"], name="component_compare"),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.full_name}"

    def definition(self) -> str:
        return zlib.decompress(bytes(self.definition_z)).decode("utf-8", "replace")

    def body(self) -> str | None:
        return zlib.decompress(bytes(self.body_z)).decode("utf-8", "replace") if self.body_z else None

    @property
    def parent_name(self) -> str:
        return parent_name(self.full_name, self.parent_key)


def parent_name(full_name: str, parent_key: str) -> str:
    """A child's parent as Salesforce spells it ('' for none): the child's full name starts with it
    (`Account.Rating__c`, `Bot.v1`); otherwise the stored, lower-cased `parent_key`."""
    if not parent_key:
        return ""
    head = full_name.partition(".")[0]
    return head if head.lower() == parent_key else parent_key


def child_types(parent: str) -> frozenset[str]:
    """The types the metadata registry nests under `parent` (an object's fields, rules, record types...)."""
    return frozenset(name for name, child in REGISTRY.children.items() if child.parent == parent)


class ComponentCopy(models.Model):
    """Another copy of a component in the same project, with different content: the same field in
    two package directories. The model holds the first one read (its Component); this one is kept
    beside it, replaced by each import, so its page can say where else it is defined and show the
    difference. Identical copies are only counted in the run's report."""

    model = models.ForeignKey(OrgModel, on_delete=models.CASCADE, related_name="+")
    component = models.ForeignKey(Component, on_delete=models.CASCADE, related_name="copies")
    source_path = models.TextField()
    package_dir = models.CharField(max_length=400, blank=True)
    content_hash = models.CharField(max_length=64, blank=True)
    label = models.CharField(max_length=400, blank=True)
    definition_z = models.BinaryField()  # zlib-compressed; empty when the copy was not read this time
    body_z = models.BinaryField(null=True, blank=True)

    class Meta:
        ordering = ["component", "source_path"]

    def __str__(self) -> str:
        return f"copy of {self.component_id} in {self.source_path}"

    def definition(self) -> str:
        return zlib.decompress(bytes(self.definition_z)).decode("utf-8", "replace") if self.definition_z else ""

    def body(self) -> str | None:
        return zlib.decompress(bytes(self.body_z)).decode("utf-8", "replace") if self.body_z else None


class SyncRun(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    model = models.ForeignKey(OrgModel, on_delete=models.CASCADE, related_name="runs")
    trigger = models.CharField(max_length=20)  # import, first, scheduled, manual
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(null=True, blank=True)
    stage = models.CharField(max_length=40, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)  # percent
    stages = models.JSONField(default=dict)  # stage -> seconds
    api_calls = models.PositiveIntegerField(default=0)
    added = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    removed = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    warnings = models.JSONField(default=list)
    # The import report (orgmodels/report.py): files that gave no component with the reason,
    # collisions between copies of a component, identical copies counted, project facts.
    report = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    # The Celery task running it: a redelivered or retried task finds its own run again.
    task_id = models.CharField(max_length=64, blank=True)
    full = models.BooleanField(default=False)  # a full sync (Salesforce's dependency rows for the whole org)
    # The steps after the commit that completed (runs/after.py): a recovery runs only the others.
    steps_done = models.JSONField(default=list)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.trigger} run of {self.model} ({self.status})"

    def counts(self) -> dict[str, Any]:
        return {"added": self.added, "changed": self.changed, "removed": self.removed, "unchanged": self.unchanged}

    @property
    def is_sync(self) -> bool:
        """A sync from a connected org (first, scheduled, manual), not an import or an upload."""
        return self.trigger not in ("import", "upload")

    def is_committed(self) -> bool:
        """Its ingest committed (a version was written, or nothing had changed): only the steps after it remain."""
        return self.version is not None


class ChangeKind(models.TextChoices):
    BASELINE = "baseline", "Baseline"
    NEW = "new", "New"
    UPDATED = "updated", "Updated"
    DELETED = "deleted", "Deleted"


# A change's kind as the changes pages count it: a first reading's components were added just as a
# later reading's new ones were (a run's counts say so too).
KIND_WORDS = {ChangeKind.BASELINE.value: "added", ChangeKind.NEW.value: "added",
              ChangeKind.UPDATED.value: "changed", ChangeKind.DELETED.value: "removed"}


class ComponentChange(models.Model):
    model = models.ForeignKey(OrgModel, on_delete=models.CASCADE, related_name="changes")
    component = models.ForeignKey(Component, null=True, on_delete=models.SET_NULL, related_name="changes")
    run = models.ForeignKey(SyncRun, on_delete=models.CASCADE, related_name="changes")
    type = models.CharField(max_length=80)
    full_name = models.CharField(max_length=400)
    kind = models.CharField(max_length=10, choices=ChangeKind.choices)
    version = models.PositiveIntegerField()
    at = models.DateTimeField(null=True, blank=True)  # from Salesforce when known
    changed_by = models.CharField(max_length=120, blank=True)
    attribute_diff = models.JSONField(default=dict)  # attribute -> [before, after]
    old_definition_z = models.BinaryField(null=True, blank=True)
    old_hash = models.CharField(max_length=64, blank=True)
    new_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-version", "type", "full_name"]
        indexes = [
            models.Index(fields=["component", "-version"], name="change_component"),
            # The Space's Changes feed (orgmodels/changes.py) leaves out a first reading's baseline,
            # nearly every row of a model: its count, page and filter choices read this index alone.
            models.Index(fields=["model", "type", "changed_by"], condition=~models.Q(kind="baseline"),
                         name="change_after_baseline"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.type} {self.full_name} v{self.version}"

    def kind_word(self) -> str:
        """What the change did, as the changes pages say it (`KIND_WORDS`)."""
        return KIND_WORDS[self.kind]

    def attribute_rows(self) -> list[tuple[str, Any]]:
        """The attribute diff sorted by attribute: (name, [before, after])."""
        return sorted((self.attribute_diff or {}).items())


class Dependency(models.Model):
    """`source` uses (type, name) — found in the metadata itself or by Salesforce's dependency API."""

    model = models.ForeignKey(OrgModel, on_delete=models.CASCADE, related_name="dependencies")
    source = models.ForeignKey(Component, on_delete=models.CASCADE, related_name="uses")
    target_type = models.CharField(max_length=80)
    target_key = models.CharField(max_length=400)
    target_name = models.CharField(max_length=400)
    where = models.CharField(max_length=300, blank=True)
    origin = models.CharField(max_length=12, default="metadata")

    class Meta:
        indexes = [models.Index(fields=["model", "target_type", "target_key"], name="dependency_target")]

    def __str__(self) -> str:
        return f"{self.source} uses {self.target_type} {self.target_name}"


class Webhook(models.Model):
    """An HTTPS endpoint told about sync events, with an HMAC-SHA256 signature of the body."""

    EVENTS = ("sync.completed", "sync.failed")

    space = models.ForeignKey("spaces.Space", on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(max_length=500)
    secret_enc = models.BinaryField()
    events = models.JSONField(default=list)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_status = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return self.url


class SyncRecipients(models.Model):
    """Who gets a connection's sync summary email (Space admins when none are chosen)."""

    connection = models.OneToOneField(OrgConnection, on_delete=models.CASCADE, related_name="recipients")
    emails = models.JSONField(default=list)

    def __str__(self) -> str:
        return ", ".join(self.emails)


class SavedView(models.Model):
    """A user's named dictionary grid: columns, filters and sort (`grid.Grid.as_query`), for one org model."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views")
    model = models.ForeignKey(OrgModel, on_delete=models.CASCADE, related_name="saved_views")
    name = models.CharField(max_length=80)
    query = models.JSONField(default=dict)  # the grid's GET parameters
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["user", "model", "name"], name="explore_saved_view_name")]

    def __str__(self) -> str:
        return self.name
