"""Every comparison in a report measured from the number the report leads with.

The pool comparison of an event question is computed exactly (quadrature), the headline
forecast by sampling; they differ by the Monte Carlo error. A table that mixed the two
would show the pool in use at a value other than the headline, and changes measured
from a number the report does not show.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

if TYPE_CHECKING:
    from forecast.elicit.pool import Alternative, Comparison


class AlternativeJSON(TypedDict):
    """One row of ``pools.alternatives`` in ``forecast.run/1``."""

    label: str
    kind: str
    method: str
    expert: str | None
    forecast: float
    delta: float
    chosen: bool
    flagged: bool
    from_headline: float


class PoolsJSON(TypedDict):
    """The ``pools`` object of ``forecast.run/1`` (``docs/json.md``)."""

    method: str
    extremize: float
    reference: float
    influence_flag: float
    alternatives: list[AlternativeJSON]
    headline: float


@dataclass(frozen=True)
class Row:
    """One alternative of a pool comparison, with the number a table shows for it."""

    alternative: Alternative
    from_headline: float
    """The headline plus the alternative's exact change from the pool in use."""


@dataclass(frozen=True)
class Pools:
    """A pool comparison (:class:`~forecast.elicit.pool.Comparison`) measured from the
    headline.

    The comparison's forecasts are exact (quadrature), the headline is sampled: the two
    differ by the Monte Carlo error. Each alternative keeps its exact ``forecast`` and its
    exact change from the pool in use (``delta``, free of that error), and gains
    ``from_headline``, the headline plus that change: the number a table shows, so that
    every row starts from the number the report leads with and the pool in use is the
    headline itself.
    """

    comparison: Comparison
    headline: float

    @property
    def method(self) -> str:
        """The pool in use."""
        return self.comparison.spec.method

    @property
    def extremize(self) -> float:
        """The pool's extremizing factor d."""
        return self.comparison.spec.extremize

    @property
    def rows(self) -> tuple[Row, ...]:
        """Every alternative, measured from the headline."""
        return tuple(
            Row(alt, min(1.0, max(0.0, self.headline + alt.delta))) for alt in self.comparison.rows
        )

    def to_dict(self) -> PoolsJSON:
        """The ``pools`` object of ``forecast run --format json``."""
        from forecast.elicit.pool import INFLUENCE_FLAG

        return {
            "method": self.method,
            "extremize": self.extremize,
            "reference": self.comparison.reference,
            "influence_flag": INFLUENCE_FLAG,
            "alternatives": [_row(r) for r in self.rows],
            "headline": self.headline,
        }


def _row(r: Row) -> AlternativeJSON:
    a = r.alternative
    return {
        "label": a.label,
        "kind": a.kind,
        "method": a.method,
        "expert": a.expert,
        "forecast": a.forecast,
        "delta": a.delta,
        "chosen": a.chosen,
        "flagged": a.flagged,
        "from_headline": r.from_headline,
    }


def measured_from(comparison: Comparison, headline: float) -> Pools:
    """``comparison`` with each row measured from ``headline``."""
    return Pools(comparison, headline)


__all__ = ["AlternativeJSON", "Pools", "PoolsJSON", "Row", "measured_from"]
