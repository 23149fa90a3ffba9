"""How much to trust a forecast: how far it moves when its inputs are given more or less say.

Power-scaling (Kallioinen et al. 2024, via ArviZ's ``psense_summary``) raises the prior
or the likelihood to a power near 1 and measures how much each posterior quantity
changes; ArviZ labels a quantity "prior-data conflict" when both matter and "strong
prior / weak likelihood" when only the prior does. What counts as prior and as data is
each kind's (:meth:`~forecast.kinds.protocol.Kind.log_densities`, in its package).

Priors that nothing observed speaks to are left out of the power-scaled prior (an
event's evidence likelihood ratios, a time-to-event question's drivers, which shift only
the opportunities to come): scaling them would only restate that they are elicited.

The table a user reads puts each input's weight halved and doubled in percentage points
of the forecast, by Pareto-smoothed importance sampling on the posterior draws (a Pareto
k above :func:`forecast.psis.good_k` marks a row as rough), or, for a forecast held on a
grid, exactly there (:mod:`forecast.methods.power_scaling`, then :func:`judged`). Pool
swaps and leaving one expert out (``Forecast.pools``) join the same table. Everything
here reads plain NumPy arrays shaped (chain, draw); ArviZ is imported only when a
computation on draws runs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, TypedDict

import numpy as np

from forecast import psis

if TYPE_CHECKING:
    from forecast.headline import Pools
    from forecast.results import Forecast

THRESHOLD = 0.05
"""ArviZ's threshold on the power-scaling sensitivity (a CJS distance gradient)."""

SCALES = (0.5, 2.0)
"""The powers shown in the table: an input counted half and counted double."""

NO_DATA = "no data: the forecast is the experts' prior moved by evidence"

CONFLICT = "prior-data conflict"
PRIOR_DRIVEN = "strong prior / weak likelihood"

QUANTITY_LABELS = {"p": "propensity before evidence", "q": "forecast"}


class QuantityJSON(TypedDict):
    """One of ``sensitivity.quantities`` in ``forecast.run/1``."""

    name: str
    label: str
    prior: float | None
    likelihood: float | None
    diagnosis: str


class MoveJSON(TypedDict):
    """One of ``sensitivity.moves`` in ``forecast.run/1``."""

    label: str
    kind: str
    forecast: float | None
    delta: float | None
    note: str
    reliable: bool


class SensitivityJSON(TypedDict):
    """The ``sensitivity`` object of ``forecast.run/1``."""

    has_data: bool
    verdict: str
    prior_driven: bool
    conflict: bool
    threshold: float
    data_label: str
    quantities: list[QuantityJSON]
    moves: list[MoveJSON]


@dataclass(frozen=True)
class Quantity:
    """Power-scaling sensitivity of one posterior quantity, with ArviZ's diagnosis."""

    name: str
    label: str
    prior: float
    likelihood: float
    diagnosis: str  # "", CONFLICT or PRIOR_DRIVEN

    def to_dict(self) -> QuantityJSON:
        """Plain data for JSON (a value that could not be computed is null)."""
        return {
            "name": self.name,
            "label": self.label,
            "prior": _finite(self.prior),
            "likelihood": _finite(self.likelihood),
            "diagnosis": self.diagnosis,
        }


@dataclass(frozen=True)
class Move:
    """One row of the sensitivity table: the forecast with one input changed."""

    label: str
    kind: str  # "power-scaling", "pool" or "drop-one"
    forecast: float
    delta: float
    note: str = ""
    reliable: bool = True

    def to_dict(self) -> MoveJSON:
        """Plain data for JSON (a value that could not be computed is null)."""
        return {
            "label": self.label,
            "kind": self.kind,
            "forecast": _finite(self.forecast),
            "delta": _finite(self.delta),
            "note": self.note,
            "reliable": self.reliable,
        }


def _finite(v: float) -> float | None:
    """NaN and infinities as None: the JSON output is strict."""
    return None if isinstance(v, float) and not np.isfinite(v) else v


@dataclass(frozen=True)
class Sensitivity:
    """Power-scaling sensitivity of a forecast, in ArviZ's numbers and in plain words.

    Attributes
    ----------
    has_data
        False when nothing observed enters the model (no base rate): there is no
        likelihood to scale, and the forecast is the prior moved by evidence.
    quantities
        ArviZ's sensitivity values and diagnosis per posterior quantity.
    moves
        The forecast with the prior or the data counted half and double.
    verdict
        One sentence for the user.
    prior_driven, conflict
        The flags behind the verdict.
    """

    has_data: bool
    quantities: tuple[Quantity, ...] = ()
    moves: tuple[Move, ...] = ()
    verdict: str = NO_DATA
    prior_driven: bool = True
    conflict: bool = False
    threshold: float = THRESHOLD
    data_label: str = ""

    def to_dict(self) -> SensitivityJSON:
        """Plain data for JSON (``Forecast.to_dict()["sensitivity"]``)."""
        return {
            "has_data": self.has_data,
            "verdict": self.verdict,
            "prior_driven": self.prior_driven,
            "conflict": self.conflict,
            "threshold": self.threshold,
            "data_label": self.data_label,
            "quantities": [x.to_dict() for x in self.quantities],
            "moves": [m.to_dict() for m in self.moves],
        }


@dataclass(frozen=True)
class Table:
    """The one sensitivity table: power-scaling, pool swaps and drop-one side by side."""

    reference: float
    rows: tuple[Move, ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def largest(self) -> Move | None:
        """The row that moves the forecast most."""
        return max(self.rows, key=lambda m: abs(m.delta), default=None)


def label_of(prior: float, likelihood: float, threshold: float = THRESHOLD) -> str:
    """ArviZ's diagnosis rule (``psense_summary``), without its hedging word."""
    if prior >= threshold and likelihood >= threshold:
        return CONFLICT
    if prior > threshold > likelihood:
        return PRIOR_DRIVEN
    return ""


def _sense(x: np.ndarray, log_density: np.ndarray) -> float:
    """Power-scaling sensitivity of draws ``x`` to ``log_density`` (ArviZ's NumPy layer)."""
    array_stats = psis.array_stats()
    if not np.ptp(x) > 0:  # a constant quantity moves with nothing (ArviZ divides by 0)
        return 0.0
    lo, hi = 0.99, 1.01  # psense's default alphas
    weights = []
    for alpha in (lo, hi):
        lw = np.asarray(array_stats.power_scale_lw(log_density, alpha=alpha, axis=(-2, -1)))
        w = np.exp(lw - lw.max())
        weights.append(w / w.sum())
    return float(array_stats.power_scale_sense(x, weights[0], weights[1], lo, hi))


def _psense(
    posterior: Mapping[str, np.ndarray],
    log_prior: np.ndarray,
    log_likelihood: np.ndarray,
    labels: Mapping[str, str] = QUANTITY_LABELS,
) -> list[Quantity]:
    """ArviZ's ``psense_summary`` over ``posterior`` (name -> (chain, draw)).

    The same computation through ArviZ's NumPy layer: the xarray layer above it costs
    ten times as much for a handful of scalars (the tests check both agree).
    """
    lp = np.asarray(log_prior, dtype=float)
    ll = np.asarray(log_likelihood, dtype=float)
    out = []
    for name, draws in posterior.items():
        x = np.asarray(draws, dtype=float)
        prior, lik = _sense(x, lp), _sense(x, ll)
        out.append(Quantity(name, labels.get(name, name), prior, lik, label_of(prior, lik)))
    return out


def assess(
    posterior: Mapping[str, np.ndarray],
    forecast: np.ndarray,
    log_prior: np.ndarray,
    log_likelihood: np.ndarray | None,
    *,
    prior_label: str = "experts' prior",
    data_label: str = "base rate",
    disagree: bool | None = None,
    labels: Mapping[str, str] = QUANTITY_LABELS,
    no_data: str = NO_DATA,
) -> Sensitivity:
    """Power-scaling sensitivity of the quantities in ``posterior`` and of the forecast.

    Parameters
    ----------
    posterior
        Posterior quantities by name, each shaped (chain, draw); ``q`` is the forecast.
    forecast
        Per-draw probability of the event, (chain, draw).
    log_prior, log_likelihood
        Per-draw log densities of the power-scaled prior and of the data; no
        ``log_likelihood`` means nothing observed enters the model.
    prior_label, data_label
        How the report names the two ("experts' prior", "base rate (as 4 cases)").
    disagree
        Whether the data's own estimate lies outside the prior's 90% interval, when
        known: it tells a real conflict from a prior and data that both carry weight.
    labels
        How the report names each quantity.
    no_data
        The verdict when nothing observed enters the model.
    """
    if log_likelihood is None:
        return Sensitivity(has_data=False, verdict=no_data)
    quantities = _psense(posterior, log_prior, log_likelihood, labels)
    base = float(np.mean(forecast))
    moves = []
    for label, density in ((prior_label, log_prior), (data_label, log_likelihood)):
        for alpha in SCALES:
            s = psis.smooth((alpha - 1.0) * np.asarray(density, dtype=float))
            value = s.mean(forecast)
            how = "counted half" if alpha < 1 else "counted double"
            rough, k = not s.ok, s.pareto_k
            moves.append(
                Move(
                    f"{label} {how}",
                    "power-scaling",
                    value,
                    value - base,
                    f"Pareto k {k:.2f}: rough" if rough else "",
                    not rough,
                )
            )
    return judged(quantities, moves, data_label=data_label, disagree=disagree)


def judged(
    quantities: Sequence[Quantity],
    moves: Sequence[Move],
    *,
    data_label: str = "base rate",
    disagree: bool | None = None,
) -> Sensitivity:
    """The Sensitivity of ``quantities`` (``q`` the forecast) and the power-scaling
    ``moves`` (the prior's rows first, then the data's, one per :data:`SCALES` each),
    with its verdict: how a method that computes them its own way reports them."""
    quantities, moves = list(quantities), list(moves)
    main = next((x for x in quantities if x.name == "q"), quantities[-1])
    prior_swing = max(abs(m.delta) for m in moves[: len(SCALES)])
    data_swing = max(abs(m.delta) for m in moves[len(SCALES) :])
    conflict = main.diagnosis == CONFLICT
    prior_driven = main.diagnosis == PRIOR_DRIVEN
    if conflict and disagree:
        verdict = (
            f"The {data_label} and the experts disagree (prior-data conflict): the forecast "
            "is a compromise between them; check the reference class and its weight."
        )
    elif conflict:
        verdict = (
            f"Both the experts' prior and the {data_label} carry weight (ArviZ flags a "
            "potential prior-data conflict): the table shows how far each pulls."
        )
    elif prior_driven:
        verdict = (
            f"Driven by the prior: counting the {data_label} half or double hardly changes "
            "the experts' view, so the forecast stands or falls with the judgements (halving "
            f"or doubling the prior's weight moves it by up to {100 * prior_swing:.2g} pp, "
            f"the data's by {100 * data_swing:.2g} pp)."
        )
    elif main.likelihood >= THRESHOLD:
        verdict = f"Driven by the {data_label} more than by the experts' prior."
    else:
        verdict = "Neither the experts' prior nor the data alone decides the forecast."
    verdict += _how_both_hold(main, quantities, data_label)
    return Sensitivity(
        has_data=True,
        quantities=tuple(quantities),
        moves=tuple(moves),
        verdict=verdict,
        prior_driven=prior_driven,
        conflict=conflict,
        data_label=data_label,
    )


def _how_both_hold(main: Quantity, quantities: Sequence[Quantity], data_label: str) -> str:
    """One sentence for each power-scaling row whose diagnosis differs from the forecast's,
    so the verdict and the row beside it do not seem to contradict each other."""

    def shaped(diagnosis: str) -> str:
        if diagnosis == CONFLICT:
            return f"shaped by both the experts' prior and the {data_label}"
        if diagnosis == PRIOR_DRIVEN:
            return "shaped by the experts' prior, hardly by the data"
        return "not decided by either alone"

    out = ""
    for x in quantities:
        if x is main or x.diagnosis == main.diagnosis or not x.diagnosis:
            continue
        out += (
            f" How both hold: ArviZ judges each quantity on its own; the {x.label} is "
            f"{shaped(x.diagnosis)} ({x.diagnosis}), while the forecast is "
            f"{shaped(main.diagnosis)}."
        )
    return out


def _pool_rows(pools: Pools, headline: float) -> list[Move]:
    """Rows from a run's pool comparison (``Forecast.pools``), measured from the headline."""
    rows = []
    for row in replace(pools, headline=headline).rows:
        alt = row.alternative
        kind = "drop-one" if alt.kind == "drop" else "pool"
        if kind == "pool" and alt.chosen:
            note = "the pool used"
        elif alt.flagged:
            note = "influential expert"
        else:
            note = ""
        rows.append(Move(alt.label, kind, row.from_headline, alt.delta, note))
    return rows


def table(f: Forecast) -> Table | None:
    """The sensitivity table of a forecast, or None when the run computed none."""
    s, pools = f.sensitivity, f.pools
    if s is None and pools is None:
        return None
    rows: list[Move] = []
    notes: list[str] = []
    if s is not None:
        rows += s.moves
        notes.append(s.verdict)
    if pools is not None:
        rows += _pool_rows(pools, f.probability)
    return Table(f.probability, tuple(rows), tuple(notes))


def of(f: Forecast) -> Sensitivity | None:
    """The forecast's power-scaling sensitivity, if the run computed it."""
    return f.sensitivity
