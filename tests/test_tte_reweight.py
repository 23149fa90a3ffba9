"""An exact time-to-event forecast's sensitivity rows and pool comparison, made by
reweighting the quadrature grid, against closed forms and SciPy's quadrature.

With Beta experts and k opportunities passed without the event (no trend, no drivers),
every reweighted posterior of q is a Beta or a mixture of Betas: the prior raised to
alpha is Beta(alpha (a - 1) + 1, alpha (b - 1) + 1) times (1 - q)^k, the history raised
to alpha is (1 - q)^(alpha k), and P(by the next m) has mean 1 - B(a, b + m) / B(a, b)
under Beta(a, b). ArviZ's power-scaling sensitivity is the cumulative Jensen–Shannon
distance of those Betas' CDFs, integrated here by SciPy's ``quad``.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from scipy import integrate, special, stats

from forecast.elicit.distributions import Fitted
from forecast.elicit.pool import log_pool_beta
from forecast.kinds.tte.density import TteDensity
from forecast.kinds.tte.grid import TteGrid
from forecast.kinds.tte.hazard import HazardInputs
from forecast.kinds.tte.reweight import pools
from forecast.kinds.tte.scheduled import ScheduleInputs
from forecast.kinds.tte.sensitivity import of_grid

K = 6
DEADLINE = dt.date(2028, 12, 31)  # three opportunities to come
M = 3
S = 4000  # the run's draws, which set the range of ArviZ's distance


def _scheduled(experts: list[tuple[float, float]], weights: tuple[float, ...]) -> ScheduleInputs:
    return ScheduleInputs(
        tuple(f"e{i}" for i in range(len(experts))),
        tuple(Fitted("beta", {"alpha": a, "beta": b}, "t") for a, b in experts),
        weights,
        None,
        (),
        tuple(dt.date(2019 + i, 6, 1) for i in range(K)),
        tuple(dt.date(2026 + i, 6, 1) for i in range(5)),
    )


def _mean_by(a: float, b: float) -> float:
    return 1.0 - math.exp(special.betaln(a, b + M) - special.betaln(a, b))


def _mixture_mean_by(parts: list[tuple[float, float, float]]) -> float:
    """P(by m) under the posterior of a mixture prior sum w Beta(a, b) after k misses."""
    logz = [math.log(w) + special.betaln(a, b + K) - special.betaln(a, b) for w, a, b in parts]
    top = max(logz)
    z = np.exp(np.asarray(logz) - top)
    z /= z.sum()
    return float(sum(zi * _mean_by(a, b + K) for zi, (_, a, b) in zip(z, parts, strict=True)))


def _grid(inputs: ScheduleInputs | HazardInputs) -> TteGrid:
    return TteGrid.of(TteDensity.of(inputs))


def test_power_scaled_rows_match_the_beta_closed_form() -> None:
    a, b = 2.0, 9.0
    inputs = _scheduled([(a, b)], (1.0,))
    grid = _grid(inputs)
    upto = grid.density.horizon_of(DEADLINE)
    s = of_grid(inputs, grid, [], upto, S)
    assert s.has_data
    base = _mean_by(a, b + K)
    prior_rows, data_rows = s.moves[:2], s.moves[2:]
    for alpha, row in zip((0.5, 2.0), prior_rows, strict=True):
        truth = _mean_by(alpha * (a - 1) + 1, alpha * (b - 1) + 1 + K)
        assert row.forecast == pytest.approx(truth, abs=1e-8)
        assert row.delta == pytest.approx(truth - base, abs=1e-8)
        assert row.reliable and row.kind == "power-scaling"
    for alpha, row in zip((0.5, 2.0), data_rows, strict=True):
        assert row.forecast == pytest.approx(_mean_by(a, b + alpha * K), abs=1e-8)
        assert row.reliable


def _cjs_quad(f_p, f_q, lo: float, hi: float) -> float:  # type: ignore[no-untyped-def]
    """ArviZ's CJS distance between two CDFs on [lo, hi], by ``quad``."""

    def quad(g) -> float:  # type: ignore[no-untyped-def]
        return float(integrate.quad(g, lo, hi, limit=400, epsabs=1e-13, epsrel=1e-11)[0])

    def term(fa, fb):  # type: ignore[no-untyped-def]
        def g(x: float) -> float:
            pa, pb = fa(x), fb(x)
            return pa * (math.log2(pa) - math.log2(0.5 * (pa + pb))) if pa > 0 else 0.0

        return g

    ip, iq = quad(f_p), quad(f_q)
    half = 0.5 / math.log(2)
    pq = max(0.0, quad(term(f_p, f_q)) + half * (iq - ip))
    qp = max(0.0, quad(term(f_q, f_p)) + half * (ip - iq))
    return math.sqrt((pq + qp) / (ip + iq))


def _sense_quad(base, tilted, transform=None) -> float:  # type: ignore[no-untyped-def]
    """ArviZ's sensitivity of q (or of ``transform``'s quantity, increasing in q) from
    the Beta posteriors ``base`` and ``tilted(alpha)``."""
    to_q = transform or (lambda x: x)
    lo = float(base.ppf(1 / (S + 1)))
    hi = float(base.ppf(S / (S + 1)))
    if transform is not None:
        lo, hi = transform.forward(lo), transform.forward(hi)
        to_q = transform.back
    grads = []
    for alpha in (0.99, 1.01):
        t = tilted(alpha)

        def fp(x: float) -> float:
            return float(base.cdf(to_q(x)))

        def fq(x: float, t=t) -> float:  # type: ignore[no-untyped-def]
            return float(t.cdf(to_q(x)))

        d_up = _cjs_quad(fp, fq, lo, hi)
        d_down = _cjs_quad(lambda x: 1 - fp(-x), lambda x: 1 - fq(-x), -hi, -lo)
        grads.append(max(d_up, d_down) / abs(math.log2(alpha)))
    return sum(grads) / 2


class _ByM:
    """P(by m) = 1 - (1 - q)^m, increasing in q."""

    @staticmethod
    def forward(q: float) -> float:
        return -math.expm1(M * math.log1p(-q))

    @staticmethod
    def back(c: float) -> float:
        return -math.expm1(math.log1p(-c) / M)


def test_power_scaling_sensitivities_match_quad_on_the_beta_cdfs() -> None:
    a, b = 2.0, 9.0
    inputs = _scheduled([(a, b)], (1.0,))
    grid = _grid(inputs)
    s = of_grid(inputs, grid, [], grid.density.horizon_of(DEADLINE), S)
    got = {x.name: x for x in s.quantities}
    assert list(got) == ["q_opportunity", "q"]
    base = stats.beta(a, b + K)

    def prior(alpha: float):  # type: ignore[no-untyped-def]
        return stats.beta(alpha * (a - 1) + 1, alpha * (b - 1) + 1 + K)

    def data(alpha: float):  # type: ignore[no-untyped-def]
        return stats.beta(a, b + alpha * K)

    for name, transform in (("q_opportunity", None), ("q", _ByM)):
        want_prior = _sense_quad(base, prior, transform)
        want_data = _sense_quad(base, data, transform)
        assert got[name].prior == pytest.approx(want_prior, rel=1e-2), name
        assert got[name].likelihood == pytest.approx(want_data, rel=1e-2), name


def test_pools_and_drop_one_match_the_beta_mixtures() -> None:
    experts, weights = [(2.0, 9.0), (1.2, 20.0), (3.0, 12.0)], (0.5, 0.3, 0.2)
    inputs = _scheduled(experts, weights)
    grid = _grid(inputs)
    upto = grid.density.horizon_of(DEADLINE)
    values = grid.point_values([], [upto])[0]
    parts = [(w, a, b) for w, (a, b) in zip(weights, experts, strict=True)]
    reference = _mixture_mean_by(parts)
    assert grid.expect([], upto) == pytest.approx(reference, abs=1e-9)
    c = pools(inputs, grid, values, reference)
    rows = {r.label: r for r in c.rows}
    log = log_pool_beta(inputs.experts, weights)
    la, lb = log.params["alpha"], log.params["beta"]
    assert rows["logarithmic pool"].forecast == pytest.approx(_mean_by(la, lb + K), abs=1e-8)
    assert rows["linear pool"].forecast == reference and rows["linear pool"].chosen
    for i in range(3):
        rest = [p for j, p in enumerate(parts) if j != i]
        row = rows[f"without e{i}"]
        assert row.kind == "drop" and row.expert == f"e{i}"
        assert row.forecast == pytest.approx(_mixture_mean_by(rest), abs=1e-8)
        assert row.delta == pytest.approx(row.forecast - reference, abs=1e-15)


def test_exponential_hazard_history_counted_double_matches_quad() -> None:
    """Shape 1, one LogNormal expert on the median m: the history S(t0) = exp(-ln2 t0 /
    m) counted double is exp(-2 ln2 t0 / m), integrated by ``quad``."""
    mu, sigma = 2.0, 0.5
    since, as_of, deadline = dt.date(2020, 12, 1), dt.date(2025, 12, 1), dt.date(2028, 12, 1)
    inputs = HazardInputs(
        ("x",),
        (Fitted("lognormal", {"mu": mu, "sigma": sigma}, "t"),),
        (1.0,),
        Fitted("lognormal", {"mu": 0.0, "sigma": 0.0}, "fixed"),
        since,
        as_of,
        (deadline,),
        (),
    )
    grid = _grid(inputs)
    s = of_grid(inputs, grid, [], grid.density.horizon_of(deadline), S)
    t0 = (as_of - since).days / 365.25
    t = (deadline - since).days / 365.25
    ln2 = math.log(2)

    def mean(power: float) -> float:
        def w(m: float) -> float:
            return float(stats.lognorm.pdf(m, s=sigma, scale=math.exp(mu))) * math.exp(
                -power * ln2 * t0 / m
            )

        opts = {"limit": 400, "epsabs": 1e-14, "epsrel": 1e-12}
        z = integrate.quad(w, 0, np.inf, **opts)[0]
        num = integrate.quad(lambda m: w(m) * -math.expm1(-ln2 * (t - t0) / m), 0, np.inf, **opts)
        return float(num[0] / z)

    rows = {m.label: m for m in s.moves}
    assert s.data_label == f"{t0:.1f} event-free years"
    assert rows[f"{s.data_label} counted double"].forecast == pytest.approx(mean(2.0), abs=1e-8)
    assert rows[f"{s.data_label} counted half"].forecast == pytest.approx(mean(0.5), abs=1e-8)
    assert [q.name for q in s.quantities] == ["median_years", "q"]


def test_nothing_passed_means_no_data() -> None:
    inputs = ScheduleInputs(
        ("x",),
        (Fitted("beta", {"alpha": 2.0, "beta": 9.0}, "t"),),
        (1.0,),
        None,
        (),
        (),
        tuple(dt.date(2026 + i, 6, 1) for i in range(3)),
    )
    grid = _grid(inputs)
    s = of_grid(inputs, grid, [], grid.density.horizon_of(DEADLINE), S)
    assert not s.has_data and not s.moves
