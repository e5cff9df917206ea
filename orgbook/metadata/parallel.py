"""Reading on every core: the files of a stream parsed in worker processes, in the stream's order.

The reader itself stays in the calling process: it walks the source, classifies each file, works
out its signature and digest (skipping unchanged files) and reads its bytes. Only the expensive
part, parsing a file into components with their hashes, attributes, compressed definition and
dependency edges (`prepare`), is handed to a worker, a batch of files at a time. Results come back
in the order the files were walked, so "first copy wins", the report and every count are what one
process gives (tests/orgmodels/test_parallel_reading.py compares them).

Workers are plain child processes (`python -c` running `_worker_main`) speaking length-prefixed
pickles over their stdin and stdout, not `multiprocessing`: a Celery prefork child is a daemon
process, which `multiprocessing` refuses to give children, and a spawned `multiprocessing` child
imports the parent's `__main__` (a Celery worker, gunicorn, pytest). They import `orgbook.metadata`
only (no Django, no Celery: about 26 MB and 0.15 s each).

Memory stays flat: at most `2 * workers + 2` batches are out at once, and each batch's results are
handed to the caller and dropped before the next one is taken. A worker that dies or fails leaves
its batch to be read again in the calling process, which then raises whatever the reading raises.
"""

from __future__ import annotations

import json
import logging
import os
import pickle
import queue
import struct
import subprocess
import sys
import threading
import zlib
from dataclasses import dataclass, field
from typing import IO, Any

from orgbook.metadata.components import KnownChildren, ParsedComponent, ReadProblem
from orgbook.metadata.dependencies import Dependency, SchemaIndex, iter_dependencies

log = logging.getLogger(__name__)

Edge = tuple[str, str, str]  # (to_type, to_name, where)
BATCH_FILES = 64  # files per batch handed to a worker
# or fewer, when their bytes reach this: 64 object files are 5,000 components, whose results (up to
# `ReadPool.limit` batches of them) the calling process holds at once; 256 KB is about 800.
BATCH_BYTES = 256 * 1024
START_AFTER = 4  # batches waiting before workers are started: a small reading is not worth them


def compress(data: bytes | None) -> bytes | None:
    """A definition or body as the org model stores it (zlib, fast level)."""
    return zlib.compress(data, 1) if data is not None else None


class _AskingSchema(SchemaIndex):
    """An empty schema that remembers being asked: edges that needed to know where a lookup
    points are worked out again by the caller once every lookup of the model is read."""

    asked = False

    def target_of(self, obj: str, relationship: str) -> str | None:
        self.asked = True
        return super().target_of(obj, relationship)

    def relationship(self, mdt: str, fld: str) -> tuple[str, str] | None:
        self.asked = True
        return super().relationship(mdt, fld)


def split_dependencies(pc: ParsedComponent, schema: SchemaIndex) -> tuple[list[Edge], list[Dependency]]:
    """A component's edges: those settled now, and those the whole model settles (`resolve`)."""
    edges: list[Edge] = []
    unsettled: list[Dependency] = []
    for d in iter_dependencies(pc, schema):
        if d.resolve:
            unsettled.append(d)
        else:
            edges.append((d.to_type, d.to_name, d.where or ""))
    return edges, unsettled


@dataclass(frozen=True)
class Prepared:
    """What the ingest makes of a component, made where it was parsed (a worker): the stored
    forms of its definition, body and attributes, and its edges. `asks`: the edges depend on
    lookups defined in other files, so the ingest works them out again once all are read."""

    definition_z: bytes | None
    body_z: bytes | None
    attributes_json: str
    edges: list[Edge] = field(default_factory=list)
    unsettled: list[Dependency] = field(default_factory=list)
    asks: bool = False


def prepare(pc: ParsedComponent) -> ParsedComponent:
    """`pc` with its `Prepared` forms and without its parsed tree (which cannot leave the process)."""
    if pc.unchanged:
        return pc
    schema = _AskingSchema()
    edges, unsettled = split_dependencies(pc, schema)
    ready = Prepared(compress(pc.definition), compress(pc.body), json.dumps(pc.attributes), edges, unsettled,
                     schema.asked)
    return _replace(pc, prepared=ready, element=None)


def _replace(pc: ParsedComponent, **changes: Any) -> ParsedComponent:
    # dataclasses.replace runs __init__ and its field defaults again: a copy of the dict is enough.
    new = object.__new__(ParsedComponent)
    new.__dict__.update(pc.__dict__)
    new.__dict__.update(changes)
    return new


# --- the batches --------------------------------------------------------------------------------------


@dataclass
class FileJob:
    """One file to parse, with everything the walk worked out for it (reader.py `_read_path`)."""

    path: str
    root: str
    dir_format: str
    target: Any  # reader.Target
    digest: str
    stat: str
    facts: bytes
    parts: list[str]
    data: dict[str, bytes]  # the file's bytes, its body's and its parts', as read for the digest
    # On a re-import: (type, name key) -> (content hash, element digest) stored for the components
    # last read from this file (reader.ComponentStream.known_keys).
    known: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)


@dataclass
class Settings:
    """What every file of a stream is read with."""

    ns_prefix: str | None
    stream_above: int
    projects: frozenset[str]


@dataclass
class BatchResult:
    items: list[list[ParsedComponent | KnownChildren]]  # per file of the batch
    problems: list[ReadProblem]
    streamed: list[str]


def read_batch(settings: Settings, jobs: list[FileJob]) -> BatchResult:
    """Parse a batch's files (in a worker, or in the calling process when it reads itself)."""
    from orgbook.metadata.reader import read_jobs  # the reader imports this module

    return read_jobs(settings, jobs)


# --- the worker processes -----------------------------------------------------------------------------

_FRAME = struct.Struct("<Q")


def _send(out: IO[bytes], obj: Any) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    out.write(_FRAME.pack(len(data)))
    out.write(data)
    out.flush()


def _receive(inp: IO[bytes]) -> Any:
    head = inp.read(_FRAME.size)
    if len(head) < _FRAME.size:
        raise EOFError
    (size,) = _FRAME.unpack(head)
    data = inp.read(size)
    if len(data) < size:
        raise EOFError
    # Frames between this process and a child it started itself over a private pipe: never data
    # from outside (what comes from outside is in the files' bytes, parsed by the hardened parser).
    return pickle.loads(data)  # noqa: S301


def _worker_main() -> None:
    """A worker's loop: (number, settings, jobs) in, (number, BatchResult or error text) out."""
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing printed by accident may corrupt the frames
    while True:
        try:
            number, settings, jobs = _receive(inp)
        except EOFError:
            return
        try:
            result: Any = read_batch(settings, jobs)
        except Exception as exc:  # the caller reads the batch again itself and gets the real error
            result = f"{type(exc).__name__}: {exc}"
        _send(out, (number, result))


# The worker imports `orgbook.metadata` without running `orgbook/__init__.py` (which loads Celery
# for the web and worker processes): the metadata package imports nothing else of Orgbook.
_BOOT = (
    "import sys, types\n"
    "package = types.ModuleType('orgbook'); package.__path__ = [{path!r}]\n"
    "sys.modules['orgbook'] = package\n"
    "from orgbook.metadata.parallel import _worker_main\n"
    "_worker_main()\n"
)


class _Worker:
    def __init__(self, index: int, results: queue.Queue[tuple[int, Any]]) -> None:
        package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        self.proc = subprocess.Popen(  # noqa: S603 (our own interpreter and code)
            [sys.executable, "-c", _BOOT.format(path=package)], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.index = index
        self.outstanding: set[int] = set()
        self.jobs: queue.Queue[tuple[int, Settings, list[FileJob]] | None] = queue.Queue()
        self._results = results
        self.sender = threading.Thread(target=self._feed, name=f"read-worker-{index}-in", daemon=True)
        self.receiver = threading.Thread(target=self._drain, name=f"read-worker-{index}-out", daemon=True)
        self.sender.start()
        self.receiver.start()

    def _feed(self) -> None:
        stdin = self.proc.stdin
        assert stdin is not None
        try:
            while (job := self.jobs.get()) is not None:
                _send(stdin, job)
            stdin.close()
        except (OSError, ValueError):  # the worker is gone: the receiver reports its batches
            pass

    def _drain(self) -> None:
        stdout = self.proc.stdout
        assert stdout is not None
        try:
            while True:
                self._results.put(_receive(stdout))
        except (EOFError, OSError, pickle.UnpicklingError, ValueError):
            pass
        code = self.proc.wait()
        self._results.put((-1 - self.index, code))  # this worker stopped

    def stop(self) -> None:
        self.jobs.put(None)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class ReadPool:
    """`workers` processes parsing batches of files; 0 reads everything in the calling process.

    Started on the first batch a stream hands it (a small reading never starts one), kept for
    every stream of the same import or sync, stopped by `close` (or leaving its `with`)."""

    def __init__(self, workers: int) -> None:
        self.size = max(0, workers)
        self._workers: list[_Worker] = []
        self._results: queue.Queue[tuple[int, Any]] = queue.Queue()
        self._done: dict[int, Any] = {}
        self._owner: dict[int, _Worker] = {}
        self._next = 0
        self.started = 0  # worker processes started (tests and the benchmark read it)
        self.read_here = 0  # batches read again in this process after a worker failed

    @property
    def limit(self) -> int:
        """Batches out at once: enough to keep every worker busy, few enough to keep memory flat."""
        return 2 * self.size + 2

    def __enter__(self) -> ReadPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def submit(self, settings: Settings, jobs: list[FileJob]) -> int:
        if not self._workers:
            self._workers = [_Worker(i, self._results) for i in range(self.size)]
            self.started += self.size
        worker = min((w for w in self._workers if w.proc.poll() is None), key=lambda w: len(w.outstanding),
                     default=None)
        number, self._next = self._next, self._next + 1
        if worker is None:
            self._done[number] = None  # no worker left: read here
            return number
        worker.outstanding.add(number)
        self._owner[number] = worker
        worker.jobs.put((number, settings, jobs))
        return number

    def result(self, number: int, settings: Settings, jobs: list[FileJob]) -> BatchResult:
        """The batch's result, waiting for it; read here if its worker could not give it."""
        while number not in self._done:
            got, value = self._results.get()
            if got < 0:  # a worker stopped: its batches are read here
                worker = self._workers[-1 - got]
                log.warning("a reading process stopped (exit code %s); its files are read in the sync's process",
                            value)
                for lost in worker.outstanding:
                    self._done.setdefault(lost, None)
                worker.outstanding.clear()
                continue
            self._done[got] = value
            owner = self._owner.pop(got, None)
            if owner is not None:
                owner.outstanding.discard(got)
        value = self._done.pop(number)
        if isinstance(value, BatchResult):
            return value
        if value is not None:
            log.warning("a reading process failed on a batch (%s); reading it again in this process", value)
        self.read_here += 1
        return read_batch(settings, jobs)

    def close(self) -> None:
        for worker in self._workers:
            worker.stop()
        self._workers = []

