"""A TCP proxy between a process under test and PostgreSQL that cuts its database connections at
exact points of the conversation.

It reads PostgreSQL's wire protocol in both directions (the client must connect with
`sslmode=disable&gssencmode=disable`, so the bytes are plain) and follows a list of `Cut`s in
order: each is armed by a statement the client sends (a substring of a simple-query message, as
Django's client-side binding sends every statement), then fires at a later message, and ends
every session through the proxy with `pg_terminate_backend`, as the issue's probe did. So a trial
hits the same point on every run, however loaded the machine: no polling of the database for a
window, no sleeps.

How a cut fires:
- `before`: the message is held back; the server never sees it (a statement that never ran, a
  COMMIT that never reached the server).
- `after`: the message goes through first (rows of a COPY already streamed).
- `answer`: the message goes through and the server answers it, but the answer is dropped: the
  server did what it was asked (a COMMIT that committed) and the client hears only that its
  session was terminated.
"""

from __future__ import annotations

import socket
import struct
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import psycopg


@dataclass
class Cut:
    name: str
    arm: bytes  # a statement containing this arms the cut
    at: bytes | None = None  # the cut fires at the next message containing this (None: the next message)
    kind: bytes | None = b"Q"  # ... of this message type (b"Q" a query, b"d" COPY data; None: any)
    how: str = "before"
    armed: bool = False


@dataclass
class _Link:
    client: socket.socket
    server: socket.socket
    pid: int = 0
    swallow: Cut | None = None  # drop the server's answer up to ReadyForQuery, then cut
    closed: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def close(self) -> None:
        with self.lock:
            if self.closed:
                return
            self.closed = True
        for sock in (self.client, self.server):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()


def _exactly(sock: socket.socket, n: int) -> bytes:
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    return data


def _message(sock: socket.socket) -> tuple[bytes, bytes]:
    """One typed protocol message: its type byte and its whole bytes (type, length, body)."""
    head = _exactly(sock, 5)
    (length,) = struct.unpack("!i", head[1:])
    return head[:1], head + _exactly(sock, length - 4)


class CutProxy:
    """127.0.0.1:`port` to PostgreSQL at `upstream`; `admin` is a conninfo for pg_terminate_backend."""

    def __init__(self, upstream: tuple[str, int], admin: str, cuts: list[Cut]) -> None:
        self.upstream, self.admin = upstream, admin
        self.pending = list(cuts)
        self.fired: list[str] = []  # "name: the message it fired at"
        self.recent: deque[str] = deque(maxlen=30)  # the last statements, for a failure's message
        self.links: list[_Link] = []
        self.lock = threading.Lock()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.stopped = False
        threading.Thread(target=self._accept, name="pgcut-accept", daemon=True).start()

    def expect(self, cuts: list[Cut]) -> None:
        """More cuts, after those still pending."""
        with self.lock:
            self.pending += cuts

    def close(self) -> None:
        self.stopped = True
        self.listener.close()
        for link in list(self.links):
            link.close()

    # --- plumbing ------------------------------------------------------------------------------

    def _accept(self) -> None:
        while not self.stopped:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.upstream)
            except OSError:
                client.close()
                continue
            link = _Link(client, server)
            with self.lock:
                self.links.append(link)
            threading.Thread(target=self._from_client, args=(link,), daemon=True).start()
            threading.Thread(target=self._from_server, args=(link,), daemon=True).start()

    def _from_client(self, link: _Link) -> None:
        try:
            (length,) = struct.unpack("!i", _exactly(link.client, 4))
            startup = _exactly(link.client, length - 4)
            if startup[:4] in (struct.pack("!i", 80877103), struct.pack("!i", 80877104)):
                raise ConnectionError("the client asked for SSL or GSS: connect with sslmode=disable&gssencmode=disable")
            link.server.sendall(struct.pack("!i", length) + startup)
            while True:
                kind, message = _message(link.client)
                cut = self._check(kind, message)
                if cut is None:
                    link.server.sendall(message)
                elif cut.how == "before":
                    self._terminate()  # the message is dropped: the server never sees it
                elif cut.how == "after":
                    link.server.sendall(message)
                    self._terminate()
                else:  # "answer": sent, and the server's answer dropped (_from_server cuts then)
                    link.swallow = cut
                    link.server.sendall(message)
        except (OSError, ConnectionError):
            pass
        finally:
            link.close()

    def _from_server(self, link: _Link) -> None:
        try:
            while True:
                kind, message = _message(link.server)
                if kind == b"K":  # BackendKeyData: the server process of this session
                    (link.pid,) = struct.unpack("!i", message[5:9])
                if link.swallow is not None:
                    if kind == b"Z":  # the answer is complete: the server did it; now cut
                        link.swallow = None
                        self._terminate()
                    continue
                link.client.sendall(message)
        except (OSError, ConnectionError):
            pass
        finally:
            link.close()

    def _check(self, kind: bytes, message: bytes) -> Cut | None:
        """Arm the next cut, or fire it: the cut that fires at this message, if any."""
        said = message[5:125].decode(errors="replace").rstrip("\x00") if kind in (b"Q", b"P") else kind.decode()
        with self.lock:
            if kind != b"d":
                self.recent.append(said)
            if not self.pending:
                return None
            cut = self.pending[0]
            if not cut.armed:
                cut.armed = kind in (b"Q", b"P") and cut.arm in message
                return None
            if (cut.kind is None or kind == cut.kind) and (cut.at is None or cut.at in message):
                self.pending.pop(0)
                self.fired.append(f"{cut.name}: {said[:80]}")
                return cut
            return None

    def _terminate(self) -> None:
        """End every session through the proxy, as the server would end them (FATAL 57P01), and wait
        until their server processes are gone."""
        with self.lock:
            pids = [link.pid for link in self.links if link.pid and not link.closed]
        with psycopg.connect(self.admin, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(pid, 10000) FROM unnest(%s::int[]) AS pid", [pids])


@contextmanager
def cut_proxy(upstream: tuple[str, int], admin: str, cuts: list[Cut]) -> Iterator[CutProxy]:
    proxy = CutProxy(upstream, admin, cuts)
    try:
        yield proxy
    finally:
        proxy.close()
