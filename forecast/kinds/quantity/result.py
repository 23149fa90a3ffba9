"""A quantity's forecast as a typed result: what the reports, JSON and the ledger read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from forecast.kinds.quantity.fit import JudgementFit
from forecast.kinds.quantity.sensitivity import Row
from forecast.kinds.quantity.summary import Summary

if TYPE_CHECKING:
    from forecast.effects import Chosen
    from forecast.headline import Pools
    from forecast.sensitivity import Sensitivity


class ObservedJSON(TypedDict):
    """The ``quantity.data`` object of ``forecast.run/1``: the observed values."""

    values: list[float]
    sd: float
    scale: str
    label: str


@dataclass(frozen=True)
class ExpertFit:
    """One expert's judgement: every family's fit error and the family used."""

    name: str
    weight: float
    form: str
    fit: JudgementFit

    def to_dict(self) -> dict[str, object]:
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
    """The quantity's forecast: prior and posterior summaries, fits, sensitivity
    (:attr:`~forecast.results.Forecast.result` of a quantity question)."""

    unit: str
    support: str
    bounds: tuple[float | None, float | None]
    pool: str
    prior: Summary
    posterior: Summary
    exact: Summary
    exact_method: str
    experts: tuple[ExpertFit, ...]
    moves: tuple[Row, ...]
    """The sensitivity rows, exact by quadrature (``quantity.sensitivity`` in JSON)."""
    data: ObservedJSON | None = None
    ensemble: tuple[float, ...] = ()
    """Quantiles of the exact posterior at (i + 0.5) / n, for scoring once resolved."""
    sensitivity: Sensitivity | None = None
    """Power-scaling of the pooled prior and the observed values, by importance sampling
    on the draws (:mod:`forecast.kinds.quantity.power`)."""
    pools: Pools | None = None
    """The other pool and each expert left out (exact), measured from the headline."""
    scenario: Chosen | None = None

    def amount(self, level: float) -> tuple[float, float, str, str]:
        """The amount's central interval at ``level``: its ends, its unit, and the text a
        table shows (``685 – 4793 USD million``)."""
        from forecast.kinds.quantity.report import amounts

        band = self.posterior.interval(level)
        return band.lower, band.upper, self.unit, f"{amounts(band.lower, band.upper)} {self.unit}"

    def to_dict(self) -> dict[str, object]:
        """The ``quantity`` object of ``forecast run --format json``, then ``sensitivity``
        and ``pools`` (when computed)."""
        out: dict[str, object] = {"quantity": self.quantity_dict()}
        if self.sensitivity is not None:
            out["sensitivity"] = self.sensitivity.to_dict()
        if self.pools is not None:
            out["pools"] = self.pools.to_dict()
        return out

    def quantity_dict(self) -> dict[str, object]:
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
            "sensitivity": [r.to_dict() for r in self.moves],
            "data": self.data,
            "ensemble": list(self.ensemble),
        }
