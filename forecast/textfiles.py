"""Reading the text files forecast takes: regular files only, of a bounded size, UTF-8."""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator
from pathlib import Path

from forecast.errors import InputError, Problem

MAX_BYTES = 2_000_000
"""Largest priors file accepted: real question files are a few kilobytes."""


def byte_position(raw: bytes, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of the byte at ``offset``."""
    start = raw.rfind(b"\n", 0, offset) + 1
    column = len(raw[start:offset].decode("utf-8", errors="replace")) + 1
    return raw.count(b"\n", 0, offset) + 1, column



def _missing(path: Path) -> str:
    """Why a path that is not there is not there: no such file, or a link to nothing."""
    if path.is_symlink():
        return f"a broken link to {os.readlink(path)}, which does not exist"
    return "no such file"

def read_text(
    path: Path,
    display: str | None = None,
    *,
    what: str = "a priors file",
    hint: str = "give the path of a YAML file",
) -> str:
    """Read a file as UTF-8 text, refusing what cannot be ``what`` (a priors file).

    Only a regular file is read (a FIFO or a device is refused without blocking, with
    ``hint``), and at most :data:`MAX_BYTES` + 1 bytes of it.
    """
    from forecast import files

    shown = display or str(path)
    try:
        raw = files.read_bytes(path, MAX_BYTES)
    except FileNotFoundError:
        raise InputError([Problem(shown, None, None, "", _missing(path))]) from None
    except files.TooLarge as exc:
        raise InputError(
            [
                Problem(
                    shown,
                    None,
                    None,
                    "",
                    f"{exc.reason}; {what} may be at most {MAX_BYTES / 1e6:.0f} MB",
                    "a question file holds judgements, not data; keep case data in a CSV"
                    if what == "a priors file"
                    else hint,
                )
            ]
        ) from None
    except files.NotRegular as exc:
        reason = f"is a directory, not {what}" if path.is_dir() else exc.reason
        raise InputError([Problem(shown, None, None, "", reason, hint)]) from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            reason = "is a loop of symbolic links, not a file"
            raise InputError([Problem(shown, None, None, "", reason)]) from None
        raise InputError([Problem(shown, None, None, "", f"cannot read: {exc.strerror}")]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = byte_position(raw, exc.start)
        raise InputError(
            [
                Problem(
                    shown,
                    line,
                    col,
                    "",
                    f"not UTF-8 text (byte 0x{raw[exc.start]:02x} at offset {exc.start})",
                    "priors files are UTF-8 YAML",
                )
            ]
        ) from None
    if "\x00" in text:
        line, col = byte_position(raw, raw.index(b"\x00"))
        raise InputError(
            [
                Problem(
                    shown,
                    line,
                    col,
                    "",
                    "contains a NUL byte: not a text file",
                    "priors files are UTF-8 YAML",
                )
            ]
        )
    return text.removeprefix("\ufeff")


def iter_yaml_files(paths: list[Path]) -> Iterator[Path]:
    """Expand directories into the ``*.yaml``/``*.yml`` files they hold, sorted."""
    for p in paths:
        if p.is_dir():
            yield from sorted([*p.glob("*.yaml"), *p.glob("*.yml")])
        else:
            yield p


__all__ = ["MAX_BYTES", "byte_position", "iter_yaml_files", "read_text"]
