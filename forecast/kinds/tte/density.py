"""The time-to-event model's log density in NumPy, on the free variables PyMC samples.

:meth:`~forecast.kinds.tte.scheduled.ScheduleInputs.build` and
:meth:`~forecast.kinds.tte.hazard.HazardInputs.build` define the models; this module
writes the same joint log density, term for term, as a function of their *value
variables* (Jacobians included), so that it equals ``model.compile_logp()`` at any
point up to a constant. A test checks the two at 1,000 random points for each form with
one expert or several, a fixed or uncertain trend or shape, drivers or none, and passed
history or none. The exact method integrates this density without importing PyMC.

Two coordinates carry the data, the rest are prior-only:

* ``a`` — the main one: u = logit q (scheduled, ``q_logodds__``) or v = log of the median
  time in years (hazard, ``median_years_log__``);
* ``b`` — the second: the log trend (``log_trend``) or the log Weibull shape
  (``shape_log__``); a constant when the file fixes it (or gives no trend);
* ``beta`` — the uncertain drivers' log odds (hazard) ratios: no data touch them, so
  under the posterior they stay Normal and independent of (a, b).

P(by a date | nothing by as_of) depends on the drivers only through the shift x . beta
of each driver state x, and it increases with u (scheduled) and decreases with v
(hazard): :meth:`TteDensity.by` evaluates it, :attr:`TteDensity.rising` says which.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from forecast import special
from forecast.elicit.distributions import Fitted
from forecast.kinds.tte.draws import LN2, years
from forecast.kinds.tte.hazard import HazardInputs
from forecast.kinds.tte.scheduled import ScheduleInputs

_LOG_2PI = math.log(2.0 * math.pi)

Array = np.ndarray


def _norm_logpdf(x: Array | float, mu: Array | float, sd: Array | float) -> Array:
    z = (np.asarray(x, dtype=float) - mu) / sd
    return np.asarray(-0.5 * z * z - np.log(sd) - 0.5 * _LOG_2PI)


def _logsumexp(x: Array) -> Array:
    """log sum exp over the first axis (SciPy's ``logsumexp`` costs more in checks than
    in arithmetic on these arrays)."""
    top = np.max(x, axis=0)
    top = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):
        return np.asarray(top + np.log(np.sum(np.exp(x - top), axis=0)))


def _normal(f: Fitted | None) -> tuple[float, float]:
    """The Normal (mu, sigma) of a fitted log quantity; sigma 0 when fixed or absent."""
    if f is None:
        return 0.0, 0.0
    return float(f.params["mu"]), 0.0 if f.fixed else float(f.params["sigma"])


@dataclass(frozen=True)
class TteDensity:
    """A time-to-event model's numbers, as its log density needs them."""

    form: str
    """``opportunities`` (scheduled) or ``hazard``."""
    log_weights: np.ndarray
    comp_a: np.ndarray
    """Per expert: Beta (alpha) of q, or the LogNormal mu of the median time."""
    comp_b: np.ndarray
    """Per expert: Beta (beta) of q, or the LogNormal sigma of the median time."""
    b_mu: float
    b_sigma: float
    """The second coordinate's Normal; sigma 0: fixed at ``b_mu``."""
    passed_index: np.ndarray
    """Scheduled: the passed opportunities' indices (-n .. -1), each without the event."""
    elapsed: float
    """Hazard: years from the start of the clock to as_of, without the event."""
    beta_mu: np.ndarray
    beta_sigma: np.ndarray
    """Every driver's log ratio: mean and sd (0 when fixed), in file order."""
    since: dt.date | None = None
    future: tuple[dt.date, ...] = ()

    @classmethod
    def of(cls, inputs: ScheduleInputs | HazardInputs) -> TteDensity:
        """The density of the model ``inputs.build()`` makes."""
        w = np.asarray(inputs.weights, dtype=float)
        w = w / w.sum()
        keep = w > 0
        betas = [_normal(d.fitted) for d in inputs.drivers]
        beta_mu = np.array([m for m, _ in betas], dtype=float)
        beta_sd = np.array([s for _, s in betas], dtype=float)
        if isinstance(inputs, HazardInputs):
            mu = np.array([f.params["mu"] for f in inputs.experts], dtype=float)
            sd = np.array([f.params["sigma"] for f in inputs.experts], dtype=float)
            b_mu, b_sd = _normal(inputs.shape)
            return cls(
                "hazard",
                np.log(w[keep]),
                mu[keep],
                sd[keep],
                b_mu,
                b_sd,
                np.zeros(0),
                inputs.elapsed,
                beta_mu,
                beta_sd,
                inputs.since,
            )
        al = np.array([f.params["alpha"] for f in inputs.experts], dtype=float)
        be = np.array([f.params["beta"] for f in inputs.experts], dtype=float)
        b_mu, b_sd = _normal(inputs.trend)
        return cls(
            "opportunities",
            np.log(w[keep]),
            al[keep],
            be[keep],
            b_mu,
            b_sd,
            np.asarray(inputs.passed_index, dtype=float),
            0.0,
            beta_mu,
            beta_sd,
            None,
            inputs.future,
        )

    @property
    def rising(self) -> bool:
        """Whether P(by a date) increases with ``a`` (scheduled) or decreases (hazard)."""
        return self.form == "opportunities"

    @property
    def two_dimensional(self) -> bool:
        """Whether the second coordinate is uncertain."""
        return self.b_sigma > 0

    # -- the density -------------------------------------------------------------

    def prior_a(self, a: Array | float) -> Array:
        """The experts' pool on ``a``, Jacobian included (a mixture over the experts)."""
        a = np.asarray(a, dtype=float)
        if self.form == "hazard":
            terms = [
                lw + _norm_logpdf(a, m, s)
                for lw, m, s in zip(self.log_weights, self.comp_a, self.comp_b, strict=True)
            ]
        else:
            ls, lsn = special.log_expit(a), special.log_expit(-a)
            terms = [
                lw + al * ls + be * lsn - special.betaln(al, be)
                for lw, al, be in zip(self.log_weights, self.comp_a, self.comp_b, strict=True)
            ]
        if len(terms) == 1:
            return np.asarray(terms[0])
        return _logsumexp(np.stack(np.broadcast_arrays(*terms)))

    def prior_b(self, b: Array | float) -> Array:
        """The second coordinate's Normal (0 when it is fixed)."""
        if not self.two_dimensional:
            return np.zeros_like(np.asarray(b, dtype=float))
        return _norm_logpdf(b, self.b_mu, self.b_sigma)

    def history(self, a: Array | float, b: Array | float) -> Array:
        """The log likelihood of what passed without the event."""
        a, b = np.broadcast_arrays(np.asarray(a, dtype=float), np.asarray(b, dtype=float))
        if self.form == "hazard":
            if self.elapsed <= 0:
                return np.zeros(a.shape)
            k = np.exp(b)
            with np.errstate(over="ignore"):  # -inf: no density where S(t0) underflows
                return np.asarray(-LN2 * np.exp(k * (math.log(self.elapsed) - a)))
        out = np.zeros(a.shape)
        for i in self.passed_index:
            out = out - np.logaddexp(0.0, a + i * b)
        return out

    def log_post(self, a: Array | float, b: Array | float, data: bool = True) -> Array:
        """The unnormalised log density of (a, b): the prior, times the history when
        ``data``."""
        out = self.prior_a(a) + self.prior_b(b)
        return np.asarray(out + self.history(a, b) if data else out)

    def uncertain_drivers(self) -> np.ndarray:
        """Indices of the drivers whose log ratio is uncertain (PyMC's ``beta``)."""
        return np.flatnonzero(self.beta_sigma > 0)

    def logp(self, point: Mapping[str, Array | float]) -> float:
        """The joint log density at one point, keyed as PyMC keys its value variables."""
        a = point["median_years_log__" if self.form == "hazard" else "q_logodds__"]
        if self.two_dimensional:
            b = point["shape_log__" if self.form == "hazard" else "log_trend"]
        else:
            b = self.b_mu
        total = self.log_post(a, b)
        free = self.uncertain_drivers()
        if free.size:
            beta = np.asarray(point["beta"], dtype=float)
            total = total + np.sum(_norm_logpdf(beta, self.beta_mu[free], self.beta_sigma[free]))
        return float(total)

    def value_names(self) -> tuple[str, ...]:
        """The model's value variables, in PyMC's order."""
        hazard = self.form == "hazard"
        names = ["median_years_log__" if hazard else "q_logodds__"]
        if self.two_dimensional:
            names.append("shape_log__" if hazard else "log_trend")
        if self.uncertain_drivers().size:
            names.append("beta")
        return tuple(names)

    # -- scales for the grid -------------------------------------------------------

    def a_centres(self) -> np.ndarray:
        """Where each expert's component of ``a`` is centred."""
        if self.form == "hazard":
            return np.asarray(self.comp_a, dtype=float)
        return np.asarray(special.digamma(self.comp_a) - special.digamma(self.comp_b))

    def a_sds(self) -> np.ndarray:
        """The spread of ``a`` under each expert's component."""
        if self.form == "hazard":
            return np.asarray(self.comp_b, dtype=float)
        return np.sqrt(special.trigamma(self.comp_a) + special.trigamma(self.comp_b))

    # -- the forecast --------------------------------------------------------------

    def horizon_of(self, day: dt.date) -> tuple[int, float]:
        """What P(by ``day``) needs: the opportunities to come up to it (scheduled), or
        the years from the start of the clock to it (hazard)."""
        if self.form == "hazard":
            assert self.since is not None
            return 0, years(self.since, day)
        return sum(1 for d in self.future if d <= day), 0.0

    def by(self, a: Array, b: Array, shift: Array, upto: tuple[int, float]) -> Array:
        """P(by the date ``upto`` describes | nothing by as_of), broadcast over ``a``,
        ``b`` and the drivers' log-ratio ``shift`` of one state."""
        a, b, shift = (np.asarray(x, dtype=float) for x in (a, b, shift))
        count, t = upto
        if self.form == "hazard":
            return self._hazard_by(a, b, shift, t)[0]
        log_survive = np.zeros(np.broadcast_shapes(a.shape, b.shape, shift.shape))
        for f in range(count):
            log_survive = log_survive + special.log_expit(-(a + f * b + shift))
        return np.asarray(-np.expm1(log_survive))

    def _hazard_by(self, a: Array, b: Array, shift: Array, t: float) -> tuple[Array, Array]:
        """The hazard form's P(by t years from since | none by as_of) and its slope in a."""
        k = np.exp(b)
        t0 = self.elapsed
        with np.errstate(over="ignore", invalid="ignore"):
            added = np.exp(k * (math.log(t) - a))
            if t0 > 0:
                added = added - np.exp(k * (math.log(t0) - a))
            rate = np.exp(shift) * LN2
            survive = np.exp(-rate * added)
            slope = np.where(survive > 0, -survive * rate * k * added, 0.0)
            return np.asarray(-np.expm1(-rate * added)), np.asarray(slope)

    def by_each(
        self, a: Array, b: Array, shift: Array, uptos: Sequence[tuple[int, float]]
    ) -> Array:
        """:meth:`by` for each date of ``uptos`` (stacked first), sharing the work."""
        if self.form == "hazard":
            return np.stack([self.by(a, b, shift, u) for u in uptos])
        a, b, shift = (np.asarray(x, dtype=float) for x in (a, b, shift))
        shape = np.broadcast_shapes(a.shape, b.shape, shift.shape)
        counts = [u[0] for u in uptos]
        out = np.zeros((len(uptos), *shape))
        log_survive = np.zeros(shape)
        for f in range(max(counts, default=0) + 1):
            for i, n in enumerate(counts):
                if n == f:
                    out[i] = -np.expm1(log_survive)
            log_survive = log_survive + special.log_expit(-(a + f * b + shift))
        return out

    def by_and_slope(
        self, a: Array, b: Array, shift: Array, upto: tuple[int, float]
    ) -> tuple[Array, Array]:
        """:meth:`by` and its derivative in ``a``, as :meth:`by` broadcasts."""
        a, b, shift = (np.asarray(x, dtype=float) for x in (a, b, shift))
        count, t = upto
        if self.form == "hazard":
            return self._hazard_by(a, b, shift, t)
        log_survive = np.zeros(np.broadcast_shapes(a.shape, b.shape, shift.shape))
        hazard = np.zeros_like(log_survive)
        for f in range(count):
            eta = a + f * b + shift
            miss = special.log_expit(-eta)  # log(1 - q), and q = -expm1 of it
            log_survive = log_survive + miss
            hazard = hazard - np.expm1(miss)
        return np.asarray(-np.expm1(log_survive)), np.asarray(np.exp(log_survive) * hazard)


__all__ = ["TteDensity"]
