"""``forecast watch --format json``: one ``forecast.watch/1`` object per pass of the watch
(JSON Lines), in place of the report."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from forecast.cli.watch import Outcome, Shown
    from forecast.ledger.history import Move
    from forecast.results import Forecast


class WatchFormat(StrEnum):
    """Output formats of ``watch``."""

    rich = "rich"
    json = "json"


def silent(shown: Shown) -> None:
    """``--format json``: the reports are not printed (each pass is one JSON object)."""


def watch_json(
    run: int,
    outcome: Outcome,
    forecast: Forecast | None,
    last: float | None,
    move: Move | None,
    problems: list[str] | None = None,
) -> dict[str, object]:
    """One pass of the watch for ``--format json``: ``forecast.watch/1``."""
    p = outcome.probability
    since = None
    if move is not None:
        since = {k: v for k, v in move.to_dict().items() if k not in ("from", "to")}
    to_dict = getattr(forecast, "to_dict", None)
    return {
        "schema": "forecast.watch/1",
        "run": run,
        "outcome": outcome.kind,
        "seconds": outcome.seconds,
        "probability": p,
        "method": outcome.method,
        "previous": last,
        "delta": None if p is None or last is None else p - last,
        "since_last": since,
        "problems": problems or [],
        "forecast": None if to_dict is None else to_dict(),
    }
