"""The scheduled lifecycle job runs through a real broker and worker: Redis, and the embedded filesystem queue."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from django.utils import timezone

from orgbook.implementations import lifecycle
from orgbook.implementations.models import Implementation
from orgbook.implementations.tasks import daily_lifecycle


@pytest.fixture
def long_suspended(people: dict[str, Any]) -> Implementation:
    impl = lifecycle.create_implementation(people["acme"], people["alice"], "Old BU")
    lifecycle.suspend(impl, None, reason="renewal")
    Implementation.objects.filter(pk=impl.pk).update(suspended_at=timezone.now() - timedelta(days=241))
    return impl


def _run_through_worker(broker: str, backend: str, transport_options: dict[str, Any]) -> dict[str, Any]:
    """A fresh app on the given broker, with its own queue, so no earlier run's messages interfere."""
    worker_app = Celery(f"orgbook-test-{uuid.uuid4().hex[:8]}", set_as_current=False)
    worker_app.config_from_object("django.conf:settings", namespace="CELERY")
    # The embedded default's transport class is only for filesystem://; let Redis pick its own.
    transport = "orgbook.queue:Transport" if broker == "filesystem://" else None
    worker_app.conf.update(broker_url=broker, broker_transport=transport, result_backend=backend,
                           broker_transport_options=transport_options, task_always_eager=False,
                           task_default_queue=f"test-{uuid.uuid4().hex}")
    task = worker_app.task(name=daily_lifecycle.name, acks_late=True)(daily_lifecycle.run)
    with start_worker(worker_app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        return task.delay().get(timeout=90)  # generous: CI machines are shared


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_the_purge_runs_on_a_worker_through_redis(long_suspended: Implementation) -> None:
    url = os.environ.get("ORGBOOK_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    result = _run_through_worker(url, url, {})
    assert result["purged"] == ["Old BU"]
    assert not Implementation.objects.filter(pk=long_suspended.pk).exists()


@pytest.fixture
def queue_dir(tmp_path: Path) -> Iterator[dict[str, Any]]:
    (tmp_path / "q").mkdir()
    yield {"data_folder_in": str(tmp_path / "q"), "data_folder_out": str(tmp_path / "q"),
           "processed_folder": str(tmp_path / "done"), "control_folder": str(tmp_path / "control"), "store_processed": False, "results": tmp_path / "results"}


@pytest.mark.django_db(transaction=True)
def test_the_purge_runs_on_a_worker_through_the_embedded_filesystem_queue(
    long_suspended: Implementation, queue_dir: dict[str, Any]
) -> None:
    results = queue_dir.pop("results")
    results.mkdir()
    result = _run_through_worker("filesystem://", f"file://{results}", queue_dir)
    assert result["purged"] == ["Old BU"]
    assert not Implementation.objects.filter(pk=long_suspended.pk).exists()
