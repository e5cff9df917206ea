"""Orgbook's brokers: kombu's filesystem transport for the embedded default, with messages written
atomically; kombu's Redis transport, surviving a Redis restart (RedisChannel says how).

kombu writes a message file in place while a worker may already be moving it away, so a worker
can read a half-written (often empty) file and die on the JSON error. Here a message is written
under a name the worker ignores and renamed into place (`os.replace` is atomic on one filesystem).
"""

from __future__ import annotations

import os
import uuid
from time import monotonic
from typing import Any

from kombu.transport import TRANSPORT_ALIASES, filesystem, redis
from kombu.utils.encoding import str_to_bytes
from kombu.utils.json import dumps
from redis import exceptions as redis_errors


class Channel(filesystem.Channel):
    def _put(self, queue: str, payload: Any, **kwargs: Any) -> None:  # type: ignore[override]
        name = f"{int(round(monotonic() * 1000))}_{uuid.uuid4()}.{queue}.msg"
        partial = os.path.join(self.data_folder_out, f".part-{uuid.uuid4().hex}")
        with open(partial, "wb") as f:
            f.write(str_to_bytes(dumps(payload)))
        os.replace(partial, os.path.join(self.data_folder_out, name))


class Transport(filesystem.Transport):
    Channel = Channel


class RedisChannel(redis.Channel):
    """kombu's Redis channel, for a broker that restarts under a running worker.

    When the connection drops while a task runs (its message unacknowledged, acks_late), Celery 5.7
    closes the broken connection twice: the first close detaches the transport, and the second
    closes the same channel again, whose attempt to give the message back to Redis then builds its
    connection settings from the detached transport and raises AttributeError ("'NoneType' object
    has no attribute 'hostname'"). That is not a connection error, so Celery calls it unrecoverable
    and the worker exits after the task. Raising a connection error instead is what the situation is:
    Celery ignores it, reconnects and goes on; the message stays in Redis's unacknowledged set and
    comes back after the visibility timeout (a Redis with `appendonly yes` keeps it across restarts).
    """

    def _connparams(self, asynchronous: bool = False) -> dict[str, Any]:
        if self.connection.client is None:
            raise redis_errors.ConnectionError("the connection to the broker is closed")
        return super()._connparams(asynchronous=asynchronous)  # type: ignore[no-any-return]


class RedisTransport(redis.Transport):
    Channel = RedisChannel


def use_robust_redis_transport() -> None:
    """Make redis:// and rediss:// broker URLs use RedisTransport.

    Through kombu's scheme table rather than the broker_transport setting: an explicit transport
    class would stop kombu from reading the URL's scheme, and rediss:// would lose its TLS default.
    """
    for scheme in ("redis", "rediss"):
        TRANSPORT_ALIASES[scheme] = f"{__name__}:RedisTransport"
