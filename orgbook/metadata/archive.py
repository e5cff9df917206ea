"""Safe reading of an uploaded zip or a folder, one file at a time.

A zip's central directory is checked in full before any member is read: no path traversal
(`..`, absolute paths, drive letters), no symlinks, and caps on the number of files, the size
of one file, the total uncompressed size and the compression ratio (zip bombs). Declared sizes
can lie, so reads are capped again while streaming. A folder gets the same checks as it is
walked; symlinks are refused because they can point anywhere on the server.

One damaged file never refuses a whole upload: a zip entry that fails when read (bad CRC,
unsupported compression, encryption, a corrupt stream), a special file (named pipe, socket,
device) or a path the system refuses is left out with a reason (`Source.skipped`, or an
`UnreadableFileError` from `read`), and the reader reports it as a read problem. Only an
archive that is unsafe or unreadable as a whole raises `UnsafeArchiveError`.
"""

from __future__ import annotations

import errno
import lzma
import os
import stat
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from types import TracebackType

# Tool folders that never hold metadata; skipping them keeps walks of real projects fast.
SKIPPED_DIRS = frozenset({".git", ".sfdx", ".sf", "node_modules", ".vscode", ".github", "__tests__", ".idea"})
_CHUNK = 1024 * 1024
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # 0 where the platform has none: checked with islink instead
# A named pipe swapped in after the walk must not block the open (the walk itself never opens
# one), and a terminal device must not become the process's controlling terminal.
_OPEN_FLAGS = os.O_RDONLY | _NOFOLLOW | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)

# What zipfile raises for an entry whose data fails only when read: a bad CRC or magic, a local
# header that differs from the central directory (BadZipFile), Deflate64 and other methods
# (NotImplementedError), encryption (RuntimeError), a corrupt stream (zlib.error, OSError from
# bz2, LZMAError), early EOF (EOFError), a local name that is not UTF-8 (UnicodeDecodeError).
_ENTRY_ERRORS: tuple[type[Exception], ...] = (
    zipfile.BadZipFile, NotImplementedError, RuntimeError, OSError, EOFError, ValueError,
    zlib.error, lzma.LZMAError, struct.error,
)
# What opening a file that only looks like a zip raises (a lying end record or central directory).
_OPEN_ERRORS: tuple[type[Exception], ...] = (
    zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError, RuntimeError, struct.error,
)


class UnsafeArchiveError(ValueError):
    """The upload is refused; the message says why and what to do."""


class UnreadableFileError(ValueError):
    """One file of the upload cannot be read; the others still are. The message names it."""


def printable(path: str) -> str:
    """A path fit for a message or a database: bytes that are not UTF-8 (which the file system
    hands over as lone surrogates) shown as `\\udcXX` escapes instead of failing to encode."""
    return path.encode("utf-8", "backslashreplace").decode("utf-8")


def _is_utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _special_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device file"
    return "not a regular file"


@dataclass(frozen=True)
class ArchiveLimits:
    max_files: int = 250_000
    max_file_bytes: int = 64 * 1024 * 1024
    max_total_bytes: int = 4 * 1024 * 1024 * 1024
    # XML compresses well (profiles reach ~50x); far beyond that is a bomb. Small members are
    # exempt because a tiny file can have any ratio without being dangerous.
    max_ratio: float = 200.0
    ratio_min_bytes: int = 1024 * 1024


def safe_member_name(name: str) -> str:
    """Normalise a member path to POSIX and refuse anything that could escape the root."""
    posix = name.replace("\\", "/")
    if posix.startswith("/") or (len(posix) > 1 and posix[1] == ":"):
        raise UnsafeArchiveError(f"Refused {name!r}: absolute paths are not allowed in an upload.")
    parts = [p for p in PurePosixPath(posix).parts if p not in ("", ".")]
    if ".." in parts:
        raise UnsafeArchiveError(f"Refused {name!r}: '..' in a path could write outside the upload.")
    return "/".join(parts)


class Source:
    """Files of a folder or zip, addressed by relative POSIX paths."""

    def __init__(self, label: str, limits: ArchiveLimits) -> None:
        self.label = label
        self.limits = limits
        self._paths: list[str] = []
        # (path, why) of files left out while listing: special files, names that are not UTF-8,
        # folders the system refuses to list. The reader reports each as a read problem.
        self.skipped: list[tuple[str, str]] = []

    @property
    def paths(self) -> list[str]:
        """Every file path, sorted, so reads are deterministic."""
        return self._paths

    def files(self, under: str = "") -> Iterator[str]:
        prefix = under.strip("/") + "/" if under.strip("/") else ""
        for path in self._paths:
            if path.startswith(prefix):
                yield path

    def exists(self, path: str) -> bool:
        return path in self._index

    def read(self, path: str) -> bytes:
        raise NotImplementedError

    def signature(self, path: str) -> str:
        """What changes whenever the file's bytes do, known without reading them ('' = unknown)."""
        return ""

    def close(self) -> None:
        """Release file handles (zip)."""

    def _set_paths(self, paths: list[str]) -> None:
        self._paths = sorted(paths)
        self._index = frozenset(self._paths)

    def _too_big(self, path: str) -> UnsafeArchiveError:
        return UnsafeArchiveError(
            f"Refused {path!r} in {self.label}: over {self.limits.max_file_bytes} bytes for one file. "
            "Remove it from the upload or raise the per-file limit."
        )

    def _skip(self, path: str, why: str) -> None:
        self.skipped.append((printable(path), why))

    def __enter__(self) -> Source:
        return self

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


class FolderSource(Source):
    def __init__(self, root: Path, limits: ArchiveLimits) -> None:
        super().__init__(str(root), limits)
        self.root = root
        self._set_paths(list(self._walk(root, "")))

    def _walk(self, folder: Path, rel: str) -> Iterator[str]:
        count = 0
        stack = [(folder, rel)]
        while stack:
            current, current_rel = stack.pop()
            try:
                with os.scandir(current) as listing:
                    entries = list(listing)
            except OSError as exc:
                if not current_rel:
                    raise UnsafeArchiveError(f"{self.label} cannot be read ({exc.strerror}).") from None
                # A path over PATH_MAX, a folder without read permission: the rest is still read.
                self._skip(current_rel.rstrip("/"), f"the folder cannot be read ({exc.strerror})")
                continue
            for entry in entries:
                path = f"{current_rel}{entry.name}"
                if not _is_utf8(entry.name):
                    # Salesforce names are Unicode: such a name cannot be one, and would carry
                    # lone surrogates into full names, digests and the database.
                    self._skip(path, "its name is not valid UTF-8")
                    continue
                if entry.is_symlink():
                    raise UnsafeArchiveError(
                        f"Refused {path!r} in {self.label}: symlinks are not followed; replace it with the real file."
                    )
                kind = self._kind(entry)
                if kind == "dir":
                    if entry.name not in SKIPPED_DIRS:
                        stack.append((Path(entry.path), path + "/"))
                    continue
                if kind != "file":
                    self._skip(path, f"{kind} is not a file; it was not opened")
                    continue
                count += 1
                self._check_count(count)
                yield path

    @staticmethod
    def _kind(entry: os.DirEntry[str]) -> str:
        """'dir', 'file', or what else the entry is, from its lstat (the directory listing's
        type when the file system gives one): a named pipe would block a read forever."""
        try:
            if entry.is_dir(follow_symlinks=False):
                return "dir"
            if entry.is_file(follow_symlinks=False):
                return "file"
            return _special_kind(entry.stat(follow_symlinks=False).st_mode)
        except OSError as exc:
            return f"an entry that cannot be examined ({exc.strerror})"

    def _check_count(self, count: int) -> None:
        if count > self.limits.max_files:
            raise UnsafeArchiveError(
                f"Refused {self.label}: more than {self.limits.max_files} files. Upload a smaller folder."
            )

    def signature(self, path: str) -> str:
        # Size, mtime, ctime and inode, as git and rsync use: ctime moves on every write and cannot
        # be set back by tools that restore mtimes (unzip, cp -p, rsync -t).
        try:
            st = os.stat(f"{self.label}/{path}", follow_symlinks=False)
        except OSError:
            return ""
        return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}"

    def read(self, path: str) -> bytes:
        # Plain strings and O_NOFOLLOW (the open itself refuses a symlink) instead of a Path and
        # a separate lstat: reading is most of a re-import that skips unchanged files.
        full = os.path.join(self.label, path)
        if not _NOFOLLOW and os.path.islink(full):
            raise UnsafeArchiveError(f"Refused {path!r}: symlinks are not followed.")
        try:
            fd = os.open(full, _OPEN_FLAGS)
        except OSError as exc:
            if _NOFOLLOW and exc.errno == errno.ELOOP:
                raise UnsafeArchiveError(f"Refused {path!r}: symlinks are not followed.") from None
            raise self._unreadable(path, exc.strerror or str(exc)) from None
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):  # swapped for a pipe or device after the walk
                raise self._unreadable(path, f"{_special_kind(st.st_mode)} is not a file")
            limit = self.limits.max_file_bytes + 1
            with os.fdopen(fd, "rb", closefd=False) as fh:
                # Sized by the file, not the limit: read(limit) allocates 64 MB (untouched, but an
                # mmap and a shrink per file) before it reads a 3 KB one; 0.3 s on 25,000 files.
                data = fh.read(min(st.st_size + 1, limit))
                if len(data) > st.st_size:  # it grew since: the rest, up to the limit
                    data += fh.read(limit - len(data))
        except OSError as exc:
            raise self._unreadable(path, exc.strerror or str(exc)) from None
        finally:
            os.close(fd)
        if len(data) > self.limits.max_file_bytes:
            raise self._too_big(path)
        return data

    def _unreadable(self, path: str, why: str) -> UnreadableFileError:
        return UnreadableFileError(f"{printable(path)}: cannot be read ({why}).")


class ZipSource(Source):
    def __init__(self, path: Path, limits: ArchiveLimits) -> None:
        super().__init__(path.name, limits)
        try:
            self._zip = zipfile.ZipFile(path)
        except UnicodeDecodeError:
            # zipfile decodes every name while opening: one bad name leaves no entry to skip.
            raise UnsafeArchiveError(
                f"{path.name}: an entry name is not valid UTF-8 although the zip marks it as UTF-8; "
                "re-create the zip with a standard tool."
            ) from None
        except _OPEN_ERRORS as exc:
            raise UnsafeArchiveError(
                f"{path.name} is not a readable zip file ({exc or type(exc).__name__}); re-create it."
            ) from None
        self._members: dict[str, zipfile.ZipInfo] = {}
        try:
            self._check_all()
        except Exception:
            self._zip.close()
            raise
        self._set_paths(list(self._members))

    def _check_all(self) -> None:
        infos = self._zip.infolist()
        if len(infos) > self.limits.max_files:
            raise UnsafeArchiveError(
                f"Refused {self.label}: {len(infos)} entries, over the {self.limits.max_files}-file limit."
            )
        total = 0
        for info in infos:
            name = self._check_member(info)
            total += info.file_size
            if total > self.limits.max_total_bytes:
                raise UnsafeArchiveError(
                    f"Refused {self.label}: it expands to more than {self.limits.max_total_bytes} bytes. "
                    "Upload a smaller retrieve."
                )
            if name and not info.is_dir():
                self._members[name] = info

    def _check_member(self, info: zipfile.ZipInfo) -> str:
        name = safe_member_name(info.filename)
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise UnsafeArchiveError(f"Refused {info.filename!r} in {self.label}: symlinks are not allowed in an upload.")
        if info.file_size > self.limits.max_file_bytes:
            raise self._too_big(info.filename)
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size >= self.limits.ratio_min_bytes and ratio > self.limits.max_ratio:
            raise UnsafeArchiveError(
                f"Refused {info.filename!r} in {self.label}: compression ratio {ratio:.0f}:1 looks like a zip bomb "
                f"(limit {self.limits.max_ratio:.0f}:1)."
            )
        return name

    def signature(self, path: str) -> str:
        info = self._members[path]  # the CRC-32 of the content, from the central directory
        return f"{info.file_size}:{info.CRC:08x}"

    def read(self, path: str) -> bytes:
        info = self._members[path]
        try:
            return self._read_capped(path, info)
        except UnsafeArchiveError:
            raise
        except _ENTRY_ERRORS as exc:
            detail = str(exc) or type(exc).__name__
            raise UnreadableFileError(
                f"{path} in {self.label}: the zip entry cannot be read ({detail}); re-create the zip "
                "without encryption, with Deflate or no compression."
            ) from None

    def _read_capped(self, path: str, info: zipfile.ZipInfo) -> bytes:
        limit = min(self.limits.max_file_bytes, info.file_size)
        chunks: list[bytes] = []
        size = 0
        # Stream with a cap: a forged header can declare a small size and inflate to gigabytes.
        with self._zip.open(info) as fh:
            while chunk := fh.read(_CHUNK):
                size += len(chunk)
                if size > limit:
                    raise self._too_big(path)
                chunks.append(chunk)
        return b"".join(chunks)

    def close(self) -> None:
        self._zip.close()


def open_source(path: str | os.PathLike[str] | Source, limits: ArchiveLimits | None = None) -> Source:
    """Open a folder or a .zip file for safe, lazy reading."""
    if isinstance(path, Source):
        return path
    limits = limits or ArchiveLimits()
    p = Path(path)
    if p.is_symlink():
        raise UnsafeArchiveError(f"Refused {p}: symlinks are not followed.")
    if p.is_dir():
        return FolderSource(p, limits)
    if p.is_file() and zipfile.is_zipfile(p):
        return ZipSource(p, limits)
    raise UnsafeArchiveError(f"{p} is neither a folder nor a zip file; upload a project folder or a .zip of one.")
