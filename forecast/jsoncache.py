"""A small cache in one JSON file: read once when first asked, written once, atomically.

Fitted judgements are kept this way (:mod:`forecast.elicit.fit`,
:mod:`forecast.kinds.quantity.fitcache`). A cache that cannot be read starts empty, and
one that cannot be written is skipped: a cache only ever saves time.
"""

from __future__ import annotations

import json
from pathlib import Path


class JSONCache:
    """Entries by key in the JSON file at ``path``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._data: dict[str, object] | None = None
        self._dirty = False

    def _load(self) -> dict[str, object]:
        if self._data is None:
            from forecast import files

            try:
                data = json.loads(files.read_bytes(self.path, 50_000_000))
            except (OSError, ValueError, files.FileRefused):
                data = {}
            self._data = data if isinstance(data, dict) else {}
        return self._data

    def _entry(self, key: str) -> object:
        """The raw entry under ``key`` (None when there is none)."""
        return self._load().get(key)

    def _remember(self, key: str, entry: object) -> None:
        """Keep ``entry`` under ``key`` (written by :meth:`flush`)."""
        self._load()[key] = entry
        self._dirty = True

    def flush(self) -> None:
        """Write the cache atomically; a cache that cannot be written is skipped."""
        if not self._dirty or self._data is None:
            return
        from forecast.errors import ForecastError
        from forecast.yamlio import atomic_write

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(self.path, json.dumps(self._data))
            self._dirty = False
        except (OSError, ForecastError):
            pass


__all__ = ["JSONCache"]
