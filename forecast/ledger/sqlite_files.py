"""Checks of a ledger file's path before SQLite touches it."""

from __future__ import annotations

import os
from pathlib import Path

from forecast import files
from forecast.ledger.interface import ENV, LedgerError

_MAGIC = b"SQLite format 3\x00"
"""The first bytes of every SQLite database file."""


def check_file(path: Path, *, write: bool) -> None:
    """Refuse, before SQLite touches it, a path that is not a ledger or cannot be written."""
    shown = str(path)
    if path.is_dir():
        raise LedgerError(f"the ledger path {shown} is a directory", hint="give a file path")
    if path.exists():
        try:
            head = files.read_head(path, len(_MAGIC))
        except files.NotRegular as exc:
            raise LedgerError(
                f"the ledger path {shown} {exc.reason}",
                hint=f"it was left as it is; point --ledger or {ENV} at a file",
            ) from None
        except OSError as exc:
            raise LedgerError(f"cannot read the ledger {shown}: {exc.strerror}") from None
        if head and head != _MAGIC:
            raise LedgerError(
                f"{shown} is not a forecast ledger (not an SQLite database)",
                hint=f"it was left as it is; point --ledger or {ENV} at another file",
            )
        if write and not os.access(path, os.W_OK):
            raise LedgerError(
                f"the ledger {shown} is not writable",
                hint=f"check its permissions or choose another file with --ledger or {ENV}",
            )
    elif write and not path.parent.is_dir():
        raise LedgerError(
            f"cannot create the ledger {shown}: the directory {path.parent} does not exist",
            hint="create the directory first or choose another path",
        )
    if write and not os.access(path.parent, os.W_OK | os.X_OK):
        # WAL mode keeps two files next to the ledger, so its directory must be writable too.
        raise LedgerError(
            f"the ledger's directory {path.parent} is not writable",
            hint=f"check its permissions or choose another place with --ledger or {ENV}",
        )
