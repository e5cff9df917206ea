"""The embedded queue never shows a worker a half-written message (kombu's own transport can)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from kombu import Connection


def test_a_message_file_appears_only_when_complete(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    options = {"data_folder_in": str(tmp_path), "data_folder_out": str(tmp_path), "control_folder": str(tmp_path)}
    visible_while_writing: list[list[str]] = []
    real_replace = os.replace

    def observe(src: Any, dst: Any) -> None:
        # the moment before the message is published: what a worker listing the folder would see
        visible_while_writing.append([n for n in os.listdir(tmp_path) if n.endswith(".q.msg")])
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", observe)
    with Connection("filesystem://", transport="orgbook.queue:Transport", transport_options=options) as conn:
        queue = conn.SimpleQueue("q")
        queue.put({"n": 1})
        assert visible_while_writing == [[]]
        assert queue.get(timeout=5).payload == {"n": 1}
        queue.close()


def test_the_embedded_default_uses_it() -> None:
    from orgbook.celery import app

    assert app.conf.broker_url == "filesystem://"  # the suite runs on the embedded default's queue
    with app.connection_for_write() as conn:
        assert type(conn.transport).__module__ == "orgbook.queue"
