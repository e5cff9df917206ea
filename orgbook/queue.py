"""The embedded default's broker: kombu's filesystem transport, with messages written atomically.

kombu writes a message file in place while a worker may already be moving it away, so a worker
can read a half-written (often empty) file and die on the JSON error. Here a message is written
under a name the worker ignores and renamed into place (`os.replace` is atomic on one filesystem).
"""

from __future__ import annotations

import os
import uuid
from time import monotonic
from typing import Any

from kombu.transport import filesystem
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps


class Channel(filesystem.Channel):
    def _put(self, queue: str, payload: Any, **kwargs: Any) -> None:  # type: ignore[override]
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        partial = os.path.join(self.data_folder_out, f".part-{uuid.uuid4().hex}")
        with open(partial, "wb") as f:
            f.write(str_to_bytes(dumps(payload)))
        os.replace(partial, os.path.join(self.data_folder_out, name))


class Transport(filesystem.Transport):
    Channel = Channel
