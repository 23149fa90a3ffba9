"""What forecast reads and writes, and how: regular files only, bounded reads, one atomic write.

Reading (priors, cases, answers and scenarios files, the ledger):

* only a regular file is read; a FIFO, a device, a socket or a directory is refused
  before a byte is read (the file is opened non-blocking, so a FIFO with no writer
  cannot hang the command, and then checked with ``fstat`` on the open descriptor);
* at most ``limit + 1`` bytes are read, so ``/dev/zero`` behind a symlink or a file
  that grows while it is read cannot exhaust memory.

Writing (priors files, exports, reports, the fit cache):

* one atomic write: the data go to a temporary file beside the target, which is
  flushed to disk (``fsync``) and renamed over the target, and the folder is synced;
  readers see the old file or the new one, never half of one, and a failure removes
  the temporary file and leaves the target as it was;
* a symlink is followed once and its target replaced (the link stays a link);
* an existing file keeps its mode and, where the user may set it, its owner; a new
  file gets ``0666`` less the umask (``0644`` under the usual ``022``);
* anything that exists and is not a regular file (``/dev/full``, a FIFO, a folder)
  is refused and left alone;
* an OS error (a full disk, a read-only file system) is reported as itself.

``-`` names stdout where a command writes one file (:data:`STDOUT`).
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from forecast.errors import ForecastError

STDOUT = "-"
"""The name that means standard output where a command writes one file."""


class FileRefused(Exception):
    """A path that cannot be read as the file asked for; ``reason`` says why, in words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NotRegular(FileRefused):
    """The path is a FIFO, a device, a socket or a directory."""


class TooLarge(FileRefused):
    """The file holds more than the limit."""

    def __init__(self, size: int, limit: int) -> None:
        # The size is known when the file said it; a file that grows while read (a
        # device behind a symlink) is only known to be larger than the limit.
        said = f"file is {size / 1e6:.1f} MB" if size > limit + 1 else "file is larger"
        super().__init__(said)
        self.size = size
        self.limit = limit


class WriteError(ForecastError):
    """A file could not be written; the target was left as it was."""


def kind_of(mode: int) -> str:
    """What a file of this ``st_mode`` is, in words (``a FIFO (named pipe)``)."""
    if stat.S_ISREG(mode):
        return "a regular file"
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"  # pragma: no cover - no other kinds on Linux


def _refuse_irregular(mode: int) -> None:
    if not stat.S_ISREG(mode):
        raise NotRegular(f"is {kind_of(mode)}, not a regular file")


def check_regular(path: Path | str) -> bool:
    """True when ``path`` (symlinks followed) is a regular file, False when it does not
    exist; :class:`NotRegular` for anything else. Nothing is opened."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return False
    _refuse_irregular(mode)
    return True


def read_bytes(path: Path | str, limit: int) -> bytes:
    """The bytes of the regular file at ``path``, at most ``limit`` of them.

    Raises
    ------
    NotRegular
        When ``path`` is not a regular file (nothing is read, and a FIFO does not block).
    TooLarge
        When the file holds more than ``limit`` bytes (at most ``limit + 1`` are read).
    OSError
        When it cannot be opened or read (it does not exist, permission denied).
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        st = os.fstat(fd)
        _refuse_irregular(st.st_mode)
        if st.st_size > limit:
            raise TooLarge(st.st_size, limit)
        os.set_blocking(fd, True)
        chunks: list[bytes] = []
        got = 0
        while got <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - got))
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        if got > limit:
            raise TooLarge(got, limit)
        return b"".join(chunks)
    finally:
        os.close(fd)


def read_head(path: Path | str, n: int) -> bytes:
    """The first ``n`` bytes of the regular file at ``path`` (see :func:`read_bytes`)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        _refuse_irregular(os.fstat(fd).st_mode)
        return os.pread(fd, n, 0)
    finally:
        os.close(fd)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def target_of(path: Path | str) -> Path:
    """Where a write to ``path`` lands: ``path`` itself, or the file its symlink names.

    Raises
    ------
    WriteError
        When the path exists and is not a regular file, or its folder does not exist.
    """
    path = Path(path)
    target = Path(os.path.realpath(path)) if path.is_symlink() else path
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        if not target.parent.is_dir():
            raise WriteError(
                f"cannot write {path}: the folder {target.parent} does not exist",
                hint="create it first or choose another path",
            ) from None
        return target
    except OSError as exc:
        raise WriteError(f"cannot write {path}: {_reason(exc)}") from None
    if not stat.S_ISREG(mode):
        raise WriteError(
            f"refusing to write {path}: it is {kind_of(mode)}, not a regular file",
            hint="give the path of a regular file or a new one; it was left as it is",
        )
    return target


@contextlib.contextmanager
def replacing(path: Path | str) -> Iterator[Path]:
    """Yield a temporary path beside ``path``'s target; on success it replaces the target.

    The caller writes the whole new file to the yielded path (any library may, for
    example pyarrow). On leaving, the file is synced to disk, given the target's mode
    and owner (or the default mode), renamed over the target and the folder synced. On
    any failure the temporary file is removed and the target left as it was; an
    :class:`OSError` becomes a :class:`WriteError` that names the path and the OS's reason.
    """
    shown = str(path)
    target = target_of(path)
    try:
        existing: os.stat_result | None = os.stat(target)
    except FileNotFoundError:
        existing = None
    try:
        fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise WriteError(
            f"cannot write {shown}: {_reason(exc)}",
            hint=f"nothing was written; check the folder {target.parent}",
        ) from None
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        _finish(tmp, target, existing)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise WriteError(
            f"cannot write {shown}: {_reason(exc)}",
            hint=f"nothing was written; {shown} is as it was",
        ) from None
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise


def _finish(tmp: Path, target: Path, existing: os.stat_result | None) -> None:
    """Sync ``tmp``, give it the target's mode and owner, rename it over the target."""
    fd = os.open(tmp, os.O_RDWR | os.O_CLOEXEC)
    try:
        if existing is not None:
            os.fchmod(fd, stat.S_IMODE(existing.st_mode))
            if (existing.st_uid, existing.st_gid) != (os.geteuid(), os.getegid()):
                # Only root may give a file away; anyone else keeps it as their own.
                with contextlib.suppress(PermissionError):
                    os.fchown(fd, existing.st_uid, existing.st_gid)
        else:
            os.fchmod(fd, 0o666 & ~_umask())
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, target)
    _sync_folder(target.parent)


def _sync_folder(folder: Path) -> None:
    """Make a rename in ``folder`` durable (a no-op where folders cannot be synced)."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:  # pragma: no cover - a folder we just wrote into
        return
    try:
        os.fsync(fd)
    except OSError as exc:
        import errno

        if exc.errno not in (errno.EINVAL, errno.ENOTSUP):  # pragma: no cover
            raise
    finally:
        os.close(fd)


def atomic_write(path: Path | str, data: bytes | str) -> None:
    """Write ``data`` (text as UTF-8) to ``path`` atomically; see :func:`replacing`."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with replacing(path) as tmp:
        fd = os.open(tmp, os.O_WRONLY | os.O_TRUNC | os.O_CLOEXEC)
        try:
            view = memoryview(raw)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)


__all__ = [
    "STDOUT",
    "FileRefused",
    "NotRegular",
    "TooLarge",
    "WriteError",
    "atomic_write",
    "check_regular",
    "kind_of",
    "read_bytes",
    "read_head",
    "replacing",
    "target_of",
]
