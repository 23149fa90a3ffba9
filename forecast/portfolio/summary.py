"""The closing summary of a portfolio run: a row per question, forecast or not."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol, TypedDict, runtime_checkable

if TYPE_CHECKING:
    from forecast.results import Forecast

SCHEMA = "forecast.run-summary/2"
"""The ``schema`` of the summary object that ends ``forecast run --format json``."""

INTERVAL = 0.95
"""The mass of the interval a row shows (the one the forecast's JSON calls ``interval``)."""


@runtime_checkable
class Amount(Protocol):
    """A forecast's result that is an amount (a quantity question's): its interval."""

    def amount(self, level: float) -> tuple[float, float, str, str]:
        """The central interval at ``level``: lower, upper, the unit, the text shown."""
        ...


class RowJSON(TypedDict):
    """One of ``questions`` in ``forecast.run-summary/2`` (``docs/json.md``)."""

    id: str
    kind: str | None
    probability: float | None
    interval: list[float] | None
    amount_interval: list[float] | None
    unit: str | None
    method: str | None
    diagnostics_ok: bool | None
    failed: str | None


class SummaryJSON(TypedDict):
    """The ``forecast.run-summary/2`` object (``docs/json.md``)."""

    schema: str
    questions: list[RowJSON]
    forecast: int
    failed: int
    diagnostics_not_ok: int


@dataclass(frozen=True)
class Row:
    """One question: its forecast in brief, or why it has none."""

    id: str
    kind: str | None
    probability: float | None = None
    interval: tuple[float, float] | None = None
    """The probability's 95% interval; None for a quantity, whose P(X > t) has none."""
    method: str | None = None
    diagnostics_ok: bool | None = None
    failed: str | None = None
    """Why there is no forecast (``invalid priors file``, ``sampling``); None when there is."""
    amount_interval: tuple[float, float] | None = None
    """A quantity: the amount's 95% interval, in ``unit``; None for the other kinds."""
    unit: str | None = None
    amount_text: str | None = None
    """How a table shows ``amount_interval`` with its unit."""

    @classmethod
    def of(cls, forecast: Forecast) -> Row:
        """The row of a forecast."""
        shown = [(i.lo, i.hi) for i in forecast.intervals if abs(i.mass - INTERVAL) < 1e-9]
        method = getattr(forecast.provenance, "method", None) or forecast.provenance.sampler
        amount, unit, text = None, None, None
        if isinstance(forecast.result, Amount):
            lo, hi, unit, text = forecast.result.amount(INTERVAL)
            amount = (lo, hi)
            shown = []  # the probability's "interval" would be the probability twice
        return cls(
            forecast.question_id,
            forecast.kind,
            forecast.probability,
            shown[0] if shown else None,
            str(method),
            bool(forecast.diagnostics.ok),
            amount_interval=amount,
            unit=unit,
            amount_text=text,
        )

    def to_dict(self) -> RowJSON:
        """Plain data for JSON."""
        return {
            "id": self.id,
            "kind": self.kind,
            "probability": self.probability,
            "interval": None if self.interval is None else list(self.interval),
            "amount_interval": None if self.amount_interval is None else list(self.amount_interval),
            "unit": self.unit,
            "method": self.method,
            "diagnostics_ok": self.diagnostics_ok,
            "failed": self.failed,
        }


@dataclass
class Summary:
    """The rows of a run, in the order the questions were reported."""

    rows: list[Row] = field(default_factory=list)

    def add(self, forecast: Forecast) -> None:
        """A question forecast."""
        self.rows.append(Row.of(forecast))

    def failed(self, qid: str, kind: str | None, why: str) -> None:
        """A question that came to no forecast, and why."""
        self.rows.append(Row(qid, kind, failed=why))

    @property
    def unconverged(self) -> int:
        """How many forecasts have diagnostics that fall short."""
        return sum(1 for r in self.rows if r.diagnostics_ok is False and r.failed is None)

    def to_dict(self) -> SummaryJSON:
        """The summary object (``schema`` = :data:`SCHEMA`)."""
        return {
            "schema": SCHEMA,
            "questions": [r.to_dict() for r in self.rows],
            "forecast": sum(1 for r in self.rows if r.failed is None),
            "failed": sum(1 for r in self.rows if r.failed is not None),
            "diagnostics_not_ok": self.unconverged,
        }
