"""A quantity's forecast as a typed result: what the reports, JSON and the ledger read."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from forecast.kinds.quantity.fit import JudgementFit
from forecast.kinds.quantity.sensitivity import Row
from forecast.kinds.quantity.summary import Summary
from forecast.results import Forecast


@dataclass(frozen=True)
class ExpertFit:
    """One expert's judgement: every family's fit error and the family used."""

    name: str
    weight: float
    form: str
    fit: JudgementFit

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON."""
        best = self.fit.dist
        return {
            "name": self.name,
            "weight": self.weight,
            "form": self.form,
            "family": self.fit.chosen,
            "fit": best.to_dict(),
            "median": float(best.ppf(0.5)),
            "interval90": [float(best.ppf(0.05)), float(best.ppf(0.95))],
            "fit_error": self.fit.best.sse,
            "families": [
                {"family": f.family, "fit_error": f.sse, "fit": f.dist.to_dict()}
                for f in self.fit.fits
            ],
        }


@dataclass(frozen=True)
class QuantityResult:
    """The quantity's forecast: prior and posterior summaries, fits, sensitivity."""

    unit: str
    support: str
    bounds: tuple[float | None, float | None]
    pool: str
    prior: Summary
    posterior: Summary
    exact: Summary
    exact_method: str
    experts: tuple[ExpertFit, ...]
    sensitivity: tuple[Row, ...]
    data: dict[str, Any] | None = None
    ensemble: tuple[float, ...] = ()
    """Quantiles of the exact posterior at (i + 0.5) / n, for scoring once resolved."""

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON (the ``quantity`` object of ``forecast run --format json``)."""
        return {
            "unit": self.unit,
            "support": self.support,
            "bounds": list(self.bounds),
            "pool": self.pool,
            **self.posterior.to_dict(),
            "prior": self.prior.to_dict(),
            "exact": {"method": self.exact_method, **self.exact.to_dict()},
            "experts": [e.to_dict() for e in self.experts],
            "sensitivity": [r.to_dict() for r in self.sensitivity],
            "data": self.data,
            "ensemble": list(self.ensemble),
        }


@dataclass(frozen=True)
class QuantityForecast(Forecast):
    """A Forecast of a quantity: the shared headline is P(X > the first threshold)."""

    quantity: QuantityResult | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """The documented JSON object, with the ``quantity`` object."""
        out = super().to_dict()
        if self.quantity is not None:
            out["quantity"] = self.quantity.to_dict()
        return out
