"""Keeping documentation honest when models go and syncs land."""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete, post_save

from orgbook.orgmodels.models import OrgModel, SyncRun


def _model_deleted(sender: Any, instance: OrgModel, **kwargs: Any) -> None:
    # Disconnecting an org deletes its model: its documentation stays only where another model has the component.
    from orgbook.documentation.services import prune_orphaned_documentation

    prune_orphaned_documentation(instance.implementation_id)


def _run_saved(sender: Any, instance: SyncRun, **kwargs: Any) -> None:
    if instance.status != SyncRun.Status.SUCCEEDED:
        return
    from orgbook.documentation.coverage import record_snapshot
    from orgbook.documentation.proposed import merge_proposed

    merge_proposed(instance.model)
    record_snapshot(instance.model)


def connect() -> None:
    post_delete.connect(_model_deleted, sender=OrgModel, dispatch_uid="documentation.prune_on_model_delete")
    post_save.connect(_run_saved, sender=SyncRun, dispatch_uid="documentation.after_sync")
