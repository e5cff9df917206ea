"""Keeping documentation honest when models go. (What a sync or upload lands runs in runs/after.py.)"""

from __future__ import annotations

from typing import Any

from django.db.models.signals import post_delete

from orgbook.documentation.services import prune_orphaned_documentation
from orgbook.orgmodels.models import OrgModel


def _model_deleted(sender: Any, instance: OrgModel, **kwargs: Any) -> None:
    # Disconnecting an org deletes its model: its documentation stays only where another model has the component.
    prune_orphaned_documentation(instance.implementation_id)


def connect() -> None:
    post_delete.connect(_model_deleted, sender=OrgModel, dispatch_uid="documentation.prune_on_model_delete")
