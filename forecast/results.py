"""Posterior draws -> a :class:`Forecast`: plain data, with ``to_dict`` for JSON.

What every kind's forecast has (the headline, its intervals, what moved it, the experts,
diagnostics and provenance) are fields of :class:`Forecast`; what a kind adds is its
:attr:`Forecast.result`, a :class:`KindResult` whose class lives in the kind's package.
Objects stay objects until :meth:`Forecast.to_dict`, the JSON edge. The JSON form is
versioned by :data:`SCHEMA`; see ``docs/json.md``.
"""

from __future__ import annotations

import datetime as dt
import math
import platform
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import metadata
from typing import TYPE_CHECKING, Protocol, TypedDict

import numpy as np

from forecast import __version__
from forecast.elicit.distributions import Fitted, implications
from forecast.inference import Diagnostics, SamplerSettings

if TYPE_CHECKING:
    from forecast.cooke.weights import CookeWeighting
    from forecast.effects import Chosen
    from forecast.headline import Pools
    from forecast.ledger.weights import Weighting
    from forecast.sensitivity import Sensitivity

SCHEMA = "forecast.run/1"


class KindResult(Protocol):
    """What a kind adds to a :class:`Forecast` (its class lives in the kind's package).

    The shared reports read the three attributes below; the kind's own report sections
    read the rest of its class. :meth:`to_dict` gives the kind's keys of
    ``forecast.run/1``, written after the keys every kind has (``docs/json.md``).
    """

    @property
    def sensitivity(self) -> Sensitivity | None:
        """Power-scaling sensitivity, when the kind computed it."""
        ...

    @property
    def pools(self) -> Pools | None:
        """The forecast under each pool and without each expert, when computed."""
        ...

    @property
    def scenario(self) -> Chosen | None:
        """The named scenario the forecast is under (None: the file's own levels)."""
        ...

    def to_dict(self) -> Mapping[str, object]:
        """The kind's own keys of the JSON object, in order."""
        ...


@dataclass(frozen=True)
class NoResult:
    """The result of a forecast that adds nothing of its kind's own."""

    sensitivity: Sensitivity | None = None
    pools: Pools | None = None
    scenario: Chosen | None = None

    def to_dict(self) -> dict[str, object]:
        """No keys."""
        return {}


NO_RESULT = NoResult()


class BaseRateJSON(TypedDict):
    """The ``base_rate`` object of ``forecast.run/1``."""

    successes: int
    trials: int
    weight: float
    reference_class: str
    effective_trials: float


class ProvenanceJSON(TypedDict):
    """The ``provenance`` object of ``forecast.run/1``."""

    file: str
    sha256: str
    version: str
    seed: int
    sampler: str
    draws: int
    tune: int
    chains: int
    created: str
    pymc: str
    python: str
    method: str


@dataclass(frozen=True)
class Interval:
    """A central credible interval of the event's propensity."""

    mass: float
    lo: float
    hi: float


@dataclass(frozen=True)
class Step:
    """One step of the 'what moved it' chain: the forecast before and after an input."""

    label: str
    kind: str  # "experts", "base_rate", "evidence"
    before: float
    after: float

    @property
    def delta(self) -> float:
        """How many probability units this step moved the forecast."""
        return self.after - self.before


@dataclass(frozen=True)
class ExpertView:
    """One expert's fitted judgement and what it implies."""

    name: str
    form: str
    weight: float
    fitted: Fitted
    implies: dict[str, float]


@dataclass(frozen=True)
class EvidenceView:
    """One evidence item, its fitted likelihood ratio and whether it was applied."""

    id: str
    description: str
    fitted: Fitted
    applied: bool
    median_lr: float
    lo90_lr: float
    hi90_lr: float


@dataclass(frozen=True)
class Provenance:
    """Where a forecast came from, enough to reproduce it."""

    file: str
    sha256: str
    version: str
    seed: int
    sampler: str
    draws: int
    tune: int
    chains: int
    created: str
    pymc: str
    python: str
    method: str = "nuts"
    """The inference method that made the forecast (``exact``, ``importance``, ``nuts``)."""

    @property
    def settings(self) -> str:
        """How the forecast was computed, for a report's provenance line: NUTS names its chains,
        draws and tuning steps; the other methods have no tuning to name."""
        if self.method == "nuts":
            return f"{self.sampler} {self.chains}×{self.draws} (tune {self.tune})"
        return f"{self.sampler} {self.chains}×{self.draws}"

    def to_dict(self) -> ProvenanceJSON:
        """Plain data for JSON."""
        return {
            "file": self.file,
            "sha256": self.sha256,
            "version": self.version,
            "seed": self.seed,
            "sampler": self.sampler,
            "draws": self.draws,
            "tune": self.tune,
            "chains": self.chains,
            "created": self.created,
            "pymc": self.pymc,
            "python": self.python,
            "method": self.method,
        }


@dataclass(frozen=True)
class Forecast:
    """A forecast of one question, ready to render or serialise."""

    question_id: str
    title: str
    kind: str
    deadline: dt.date
    status: str
    resolution: str
    probability: float
    mcse: float
    intervals: tuple[Interval, ...]
    prior_probability: float
    prior_interval: Interval
    steps: tuple[Step, ...]
    experts: tuple[ExpertView, ...]
    evidence: tuple[EvidenceView, ...]
    base_rate: BaseRateJSON | None
    diagnostics: Diagnostics
    provenance: Provenance
    result: KindResult = NO_RESULT
    """What the question's kind adds (a class of the kind's package)."""
    facts_as_of: dt.date | None = None
    """The date the question's facts are as of (``as_of``, else ``created``, ...)."""
    warnings: tuple[Mapping[str, object], ...] = ()
    """What the calendar has overtaken in the file (staleness warnings, as JSON data)."""
    weighting: Weighting | CookeWeighting | None = None
    """How the experts' weights were earned, when they were (performance or Cooke)."""
    draws: dict[str, np.ndarray] = field(default_factory=dict, repr=False, compare=False)
    """Posterior draws behind the numbers (``q``, ``p``, ...), for plots; not serialised."""

    def interval(self, mass: float) -> Interval:
        """The interval holding ``mass`` (0.8 or 0.95)."""
        return next(i for i in self.intervals if abs(i.mass - mass) < 1e-9)

    @property
    def odds(self) -> float:
        """The forecast as odds for the event (infinite when it is certain: null in JSON)."""
        if self.probability >= 1.0:
            return math.inf
        return self.probability / (1.0 - self.probability)

    @property
    def sensitivity(self) -> Sensitivity | None:
        """The power-scaling sensitivity, if the run computed it."""
        return self.result.sensitivity

    @property
    def pools(self) -> Pools | None:
        """The pool comparison measured from the headline, if the run computed it."""
        return self.result.pools

    @property
    def scenario(self) -> Chosen | None:
        """The named scenario the forecast is under, if any."""
        return self.result.scenario

    def to_dict(self) -> dict[str, object]:
        """The documented JSON object (``schema`` = :data:`SCHEMA`)."""
        i95 = self.interval(0.95)
        out: dict[str, object] = {
            "schema": SCHEMA,
            "question": {
                "id": self.question_id,
                "title": self.title,
                "kind": self.kind,
                "deadline": self.deadline.isoformat(),
                "status": self.status,
                "resolution": self.resolution,
                "facts_as_of": self.facts_as_of.isoformat() if self.facts_as_of else None,
            },
            "warnings": list(self.warnings),
            "probability": self.probability,
            "mcse": self.mcse,
            "odds": self.odds,
            "interval": [i95.lo, i95.hi],
            "intervals": {f"{round(i.mass * 100)}": [i.lo, i.hi] for i in self.intervals},
            "prior": {
                "probability": self.prior_probability,
                "interval": [self.prior_interval.lo, self.prior_interval.hi],
            },
            "contributions": [
                {
                    "label": s.label,
                    "kind": s.kind,
                    "before": s.before,
                    "after": s.after,
                    "delta": s.delta,
                }
                for s in self.steps
            ],
            "experts": [
                {
                    "name": e.name,
                    "form": e.form,
                    "weight": e.weight,
                    "fit": e.fitted.to_dict(),
                    "implies": e.implies,
                }
                for e in self.experts
            ],
            "evidence": [
                {
                    "id": e.id,
                    "applied": e.applied,
                    "likelihood_ratio": {
                        "median": e.median_lr,
                        "lo90": e.lo90_lr,
                        "hi90": e.hi90_lr,
                    },
                    "fit": e.fitted.to_dict(),
                }
                for e in self.evidence
            ],
            "base_rate": self.base_rate,
            "diagnostics": self.diagnostics.to_dict(),
            "provenance": self.provenance.to_dict(),
            **self.result.to_dict(),
        }
        if self.weighting is not None:
            out["weighting"] = self.weighting.to_dict()
        return out


def mcse_mean(draws_by_chain: np.ndarray) -> float:
    """Monte Carlo standard error of the mean (ArviZ's NumPy layer, without the xarray
    layer's imports), from a (chain, draw) array."""
    from forecast.psis import array_stats

    return float(array_stats().mcse(draws_by_chain, chain_axis=0, draw_axis=1, method="mean"))


def provenance(file: str, sha256: str, settings: SamplerSettings) -> Provenance:
    """Provenance for a forecast made now."""
    try:
        pymc_version = metadata.version("pymc")
    except metadata.PackageNotFoundError:  # pragma: no cover
        pymc_version = "unknown"
    return Provenance(
        file=file,
        sha256=sha256,
        version=__version__,
        seed=settings.seed,
        sampler=settings.name,
        draws=settings.draws,
        tune=settings.tune,
        chains=settings.chains,
        created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        pymc=pymc_version,
        python=platform.python_version(),
        method=settings.method if settings.method in ("exact", "importance") else "nuts",
    )


class FittedEvidence(Protocol):
    """An evidence item with its fitted likelihood ratio (what a kind's inputs hold)."""

    @property
    def id(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def fitted(self) -> Fitted: ...
    @property
    def applied(self) -> bool: ...


def evidence_view(e: FittedEvidence) -> EvidenceView:
    """Fitted likelihood ratio of one evidence item, summarised."""
    f = e.fitted
    return EvidenceView(
        e.id, e.description, f, e.applied, float(f.ppf(0.5)), float(f.ppf(0.05)), float(f.ppf(0.95))
    )


def expert_view(name: str, form: str, weight: float, f: Fitted) -> ExpertView:
    """One expert's fit with what it implies."""
    return ExpertView(name, form, weight, f, implications(f))


def intervals_of(q: np.ndarray) -> tuple[Interval, ...]:
    """80% and 95% equal-tailed intervals of the draws."""
    return tuple(
        Interval(m, float(np.quantile(q, (1 - m) / 2)), float(np.quantile(q, (1 + m) / 2)))
        for m in (0.8, 0.95)
    )


def band(draws: np.ndarray, mass: float = 0.8) -> tuple[float, float]:
    """The equal-tailed interval holding ``mass`` of the draws."""
    flat = np.asarray(draws, dtype=float).reshape(-1)
    return float(np.quantile(flat, (1 - mass) / 2)), float(np.quantile(flat, (1 + mass) / 2))
