"""Documentation keyed by implementation + (type, lower-cased full name), so every model shares it."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from orgbook.implementations.models import Implementation
from orgbook.orgmodels.models import Component, OrgModel

NOTE_MAX = 50_000
TAG_MAX = 40


class Documentation(models.Model):
    """One note per component identity in an implementation (never per model)."""

    implementation = models.ForeignKey(Implementation, on_delete=models.CASCADE, related_name="documentation")
    type = models.CharField(max_length=80)
    name_key = models.CharField(max_length=400)
    full_name = models.CharField(max_length=400)
    note = models.TextField(blank=True)
    links = models.JSONField(default=list, blank=True)  # [{"url": ..., "title": ...}]
    tags = models.JSONField(default=list, blank=True)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="owned_documentation")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    # Where the note was first written; kept by name when that model goes.
    written_in = models.ForeignKey(OrgModel, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    written_in_name = models.CharField(max_length=80, blank=True)
    revision = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    # Lower-cased name, note, link titles and tags: a plain icontains search that works on both databases.
    search_text = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["type", "name_key"]
        constraints = [models.UniqueConstraint(fields=["implementation", "type", "name_key"],
                                               name="documentation_identity")]

    def __str__(self) -> str:
        return f"{self.type} {self.full_name}"

    def is_reviewed(self) -> bool:
        return self.reviewed_at is not None

    def content(self) -> dict[str, Any]:
        """What a revision keeps (and a diff compares)."""
        return {"note": self.note, "links": self.links, "tags": self.tags,
                "owner": self.owner.email if self.owner else None,
                "reviewed": self.is_reviewed()}


class Revision(models.Model):
    documentation = models.ForeignKey(Documentation, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    author_email = models.CharField(max_length=254, blank=True)
    at = models.DateTimeField(default=timezone.now)
    model_name = models.CharField(max_length=80, blank=True)  # which model the edit was made from
    content = models.JSONField(default=dict)
    diff = models.TextField(blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["documentation", "number"], name="revision_number")]

    def __str__(self) -> str:
        return f"r{self.number} of {self.documentation}"


class ProposedComponent(models.Model):
    """Planned metadata added by hand; gives way when a sync brings the same identity."""

    model = models.ForeignKey(OrgModel, on_delete=models.CASCADE, related_name="proposed_components")
    type = models.CharField(max_length=80)
    full_name = models.CharField(max_length=400)
    name_key = models.CharField(max_length=400)
    label = models.CharField(max_length=400, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["type", "name_key"]
        constraints = [models.UniqueConstraint(fields=["model", "type", "name_key"], name="proposed_identity")]

    def __str__(self) -> str:
        return f"proposed {self.type} {self.full_name}"


class TreeNode(models.Model):
    """A hand-built node of a reference model's tree (a process, a capability, a chapter)."""

    model = models.ForeignKey(OrgModel, on_delete=models.CASCADE, related_name="tree_nodes")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    position = models.PositiveIntegerField(default=0)
    name = models.CharField(max_length=80)
    custom_id = models.CharField(max_length=40, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return f"{self.custom_id} {self.name}".strip()


class LinkDirection(models.TextChoices):
    USES = "uses", "uses"
    USED_BY = "used_by", "used by"


class ManualLink(models.Model):
    """A link drawn by hand between two ends (component or tree node) of models of one implementation.

    Ends point at rows that syncs update in place, so a sync keeps the link; deleting either end
    (its model, or the node) deletes the link.
    """

    implementation = models.ForeignKey(Implementation, on_delete=models.CASCADE, related_name="manual_links")
    from_component = models.ForeignKey(Component, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    from_node = models.ForeignKey(TreeNode, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    to_component = models.ForeignKey(Component, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    to_node = models.ForeignKey(TreeNode, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    direction = models.CharField(max_length=8, choices=LinkDirection.choices, default=LinkDirection.USES)
    description = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.from_end()} {self.get_direction_display()} {self.to_end()}"

    def from_end(self) -> Component | TreeNode | None:
        return self.from_component or self.from_node

    def to_end(self) -> Component | TreeNode | None:
        return self.to_component or self.to_node


class CoverageSnapshot(models.Model):
    """One row per model per day: the documented share, for the coverage-over-time chart."""

    model = models.ForeignKey(OrgModel, on_delete=models.CASCADE, related_name="coverage_snapshots")
    day = models.DateField()
    covered = models.PositiveIntegerField()
    total = models.PositiveIntegerField()
    by_type = models.JSONField(default=dict)

    class Meta:
        ordering = ["day"]
        constraints = [models.UniqueConstraint(fields=["model", "day"], name="coverage_one_per_day")]

    def __str__(self) -> str:
        return f"{self.model} {self.day}: {self.covered}/{self.total}"

    def share(self) -> float:
        return self.covered / self.total if self.total else 1.0
