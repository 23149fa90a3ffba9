"""The exact path's sensitivity on its grid: checked against closed forms (power-scaled
Beta posteriors), SciPy quadrature of the CJS distance, and the draws' PSIS path."""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest
from scipy import integrate, special, stats

from forecast.kinds.event import sensitivity as event_sensitivity
from forecast.kinds.event.model import compare_pools_exact
from forecast.methods import power_scaling as ps
from forecast.methods.exact import ExactEvent
from tests.test_methods_exact import CASES, THREE, _inputs

A, B, K, N, W = 2.0, 8.0, 1, 8, 0.5
DRAWS = 4000


def _scaled_betas(a: float, b: float, k: int, n: int, w: float) -> dict[str, tuple[float, float]]:
    """Beta(a, b) prior, base rate k of n at weight w: the posterior with the prior or the
    likelihood raised to 0.5, 0.99, 1.01 and 2, in closed form."""
    out = {"base": (a + w * k, b + w * (n - k))}
    for alpha in (0.5, 0.99, 1.01, 2.0):
        out[f"prior {alpha}"] = (alpha * (a - 1) + 1 + w * k, alpha * (b - 1) + 1 + w * (n - k))
        out[f"lik {alpha}"] = (a + alpha * w * k, b + alpha * w * (n - k))
    return out


def _cjs_by_quad(
    base: stats.rv_continuous, other: stats.rv_continuous, lo: float, hi: float, flip: bool
) -> float:
    """ArviZ's CJS distance between two CDFs on [lo, hi], each integral by SciPy's quad."""

    def cdfs(x: float) -> tuple[float, float]:
        p, q = float(base.cdf(x)), float(other.cdf(x))
        return (1 - p, 1 - q) if flip else (p, q)

    def xlog(a: float, m: float) -> float:
        return a * math.log2(a / m) if a > 0 else 0.0

    def quad(f: object) -> float:
        return float(integrate.quad(f, lo, hi, epsabs=1e-13, epsrel=1e-11, limit=200)[0])  # type: ignore[arg-type]

    ip = quad(lambda x: cdfs(x)[0])
    iq = quad(lambda x: cdfs(x)[1])
    pq = quad(lambda x: xlog(cdfs(x)[0], 0.5 * sum(cdfs(x)))) + 0.5 / math.log(2) * (iq - ip)
    qp = quad(lambda x: xlog(cdfs(x)[1], 0.5 * sum(cdfs(x)))) + 0.5 / math.log(2) * (ip - iq)
    return math.sqrt((max(pq, 0) + max(qp, 0)) / (ip + iq))


def _sense_by_quad(betas: dict[str, tuple[float, float]], which: str, draws: int) -> float:
    base = stats.beta(*betas["base"])
    lo, hi = base.ppf(1 / (draws + 1)), base.ppf(draws / (draws + 1))
    grads = []
    for alpha in (0.99, 1.01):
        other = stats.beta(*betas[f"{which} {alpha}"])
        dist = max(_cjs_by_quad(base, other, lo, hi, flip) for flip in (False, True))
        grads.append(dist / abs(math.log2(alpha)))
    return float(np.mean(grads))


def test_beta_binomial_rows_and_sensitivities_are_the_closed_forms() -> None:
    inputs = _inputs([(A, B)], base_rate=(K, N, W))
    exact = ExactEvent.of(inputs)
    s = event_sensitivity.of_grid(inputs, exact, DRAWS)
    betas = _scaled_betas(A, B, K, N, W)

    def mean(ab: tuple[float, float]) -> float:
        return ab[0] / (ab[0] + ab[1])

    base = mean(betas["base"])
    expected = {
        "experts' prior counted half": mean(betas["prior 0.5"]) - base,
        "experts' prior counted double": mean(betas["prior 2.0"]) - base,
        "base rate 1/8 (as 4 cases) counted half": mean(betas["lik 0.5"]) - base,
        "base rate 1/8 (as 4 cases) counted double": mean(betas["lik 2.0"]) - base,
    }
    got = {m.label: m for m in s.moves}
    assert set(got) == set(expected)
    for label, delta in expected.items():
        assert got[label].reliable and got[label].note == ""
        assert got[label].delta == pytest.approx(delta, abs=1e-9), label
    prior = _sense_by_quad(betas, "prior", DRAWS)
    lik = _sense_by_quad(betas, "lik", DRAWS)
    for x in s.quantities:  # no evidence: q is p
        assert x.prior == pytest.approx(prior, rel=1e-4)
        assert x.likelihood == pytest.approx(lik, rel=1e-4)
        assert x.diagnosis == ("prior-data conflict" if min(prior, lik) >= 0.05 else x.diagnosis)


@functools.cache
def _leggauss(n: int) -> tuple[np.ndarray, np.ndarray]:
    return np.polynomial.legendre.leggauss(n)  # type: ignore[no-any-return]


def _legendre(lo: float, hi: float, n: int) -> tuple[np.ndarray, np.ndarray]:
    z, w = _leggauss(n)
    return lo + (hi - lo) * (z + 1) / 2, w * (hi - lo) / 2


class _ShiftedBeta:
    """q = sigmoid(logit p + S), p ~ Beta(a, b), S ~ N(mu, sd): SciPy's densities and
    Gauss–Legendre in logit p (nodes unrelated to the product's grid)."""

    def __init__(self, ab: tuple[float, float], mu: float, sd: float) -> None:
        self.x, w = _legendre(-30.0, 30.0, 1500)
        # the density of x = logit p, a log σ(x) + b log σ(-x) - log B(a, b)
        log_d = ab[0] * special.log_expit(self.x) + ab[1] * special.log_expit(-self.x)
        self.dens = w * np.exp(log_d - special.betaln(*ab))
        self.mu, self.sd = mu, sd

    def mean(self) -> float:
        z, wz = _legendre(-12.0, 12.0, 400)
        inner = special.expit(self.x[:, None] + self.mu + self.sd * z) @ (wz * stats.norm.pdf(z))
        return float(self.dens @ inner)

    def cdf(self, v: float | np.ndarray) -> np.ndarray:
        t = special.logit(np.atleast_1d(v))[:, None]
        return np.asarray(special.ndtr((t - self.x - self.mu) / self.sd) @ self.dens)

    def ppf(self, prob: float) -> float:
        from scipy.optimize import brentq

        return float(brentq(lambda v: self.cdf(v)[0] - prob, 1e-12, 1 - 1e-12, xtol=1e-14))


def _cjs_legendre(base: _ShiftedBeta, other: _ShiftedBeta, lo: float, hi: float) -> float:
    v, wv = _legendre(lo, hi, 300)
    cdfs = base.cdf(v), other.cdf(v)
    out = []
    for flip in (False, True):
        p, q = cdfs
        if flip:
            p, q = 1 - p, 1 - q
        m = 0.5 * (p + q)
        ip, iq = wv @ p, wv @ q
        pq = wv @ (p * np.log2(p / m)) + 0.5 / math.log(2) * (iq - ip)
        qp = wv @ (q * np.log2(q / m)) + 0.5 / math.log(2) * (ip - iq)
        out.append(math.sqrt((max(pq, 0) + max(qp, 0)) / (ip + iq)))
    return max(out)


@pytest.mark.slow
def test_the_forecast_with_evidence_matches_independent_quadrature() -> None:
    """q = sigmoid(logit p + S), S ~ N(mu, sd), under the closed-form power-scaled Beta
    posteriors: its means and (for the sensitivity) its CDFs by SciPy's densities and
    Gauss–Legendre rules."""
    mu, sd = 0.5, 0.6
    inputs = _inputs([(A, B)], base_rate=(K, N, W), evidence=[(mu, sd)])
    exact = ExactEvent.of(inputs)
    s = event_sensitivity.of_grid(inputs, exact, DRAWS)
    betas = _scaled_betas(A, B, K, N, W)
    dist = {k: _ShiftedBeta(ab, mu, sd) for k, ab in betas.items()}
    base = dist["base"].mean()
    assert exact.probability == pytest.approx(base, abs=1e-9)
    moves = [m.delta for m in s.moves]
    want = [dist[k].mean() - base for k in ("prior 0.5", "prior 2.0", "lik 0.5", "lik 2.0")]
    assert moves == pytest.approx(want, abs=1e-9)
    lo, hi = dist["base"].ppf(1 / (DRAWS + 1)), dist["base"].ppf(DRAWS / (DRAWS + 1))
    q = next(x for x in s.quantities if x.name == "q")
    for which, got in (("prior", q.prior), ("lik", q.likelihood)):
        grads = [
            _cjs_legendre(dist["base"], dist[f"{which} {alpha}"], lo, hi) / abs(math.log2(alpha))
            for alpha in (0.99, 1.01)
        ]
        assert got == pytest.approx(float(np.mean(grads)), rel=1e-4), which


@pytest.mark.slow
@pytest.mark.parametrize(
    "name",
    ["linear, base rate, evidence", "hierarchical, extremized, base rate, evidence"],
)
def test_the_grid_agrees_with_psis_on_a_long_draw_set(name: str) -> None:
    """The same quantities from 200,000 inverse-CDF draws of the exact posterior through
    the draws' path (PSIS, ArviZ): within their Monte Carlo error."""
    inputs = CASES[name]
    exact = ExactEvent.of(inputs)
    p, q, _ = exact.draws(4, 50_000, seed=11)
    drawn = event_sensitivity.of_draws(inputs, p, q)
    grid = event_sensitivity.of_grid(inputs, exact, p.size)
    sd_q = float(np.std(q))
    for g, d in zip(grid.moves, drawn.moves, strict=True):
        assert g.label == d.label
        # a reweighted mean of 200,000 draws at ESS >= 1/4 of them: its error ~ sd / 220
        assert abs(g.delta - d.delta) < 4 * sd_q / math.sqrt(p.size / 4), g.label
    for g, d in zip(grid.quantities, drawn.quantities, strict=True):
        assert g.name == d.name
        assert g.prior == pytest.approx(d.prior, rel=0.03)
        assert g.likelihood == pytest.approx(d.likelihood, rel=0.03)
        assert g.diagnosis == d.diagnosis


def test_pools_by_gauss_hermite_match_scipy_quadrature() -> None:
    """The logarithmic pool of two Betas is a Beta: its forecast with a base rate and an
    uncertain evidence item by SciPy's nested quad, against the comparison's row."""
    inputs = _inputs(THREE[:2], base_rate=(1, 8, 0.5), evidence=[(-0.36, 0.34)])
    exact = ExactEvent.of(inputs)
    pools = compare_pools_exact(inputs, exact.shift)
    assert pools.reference == pytest.approx(exact.probability, abs=1e-8)
    (a1, b1), (a2, b2) = THREE[:2]
    # the pool Beta(1 + Σ w (a_i - 1), 1 + Σ w (b_i - 1)), then the base rate's w k, w (n - k)
    a, b = 1 + 0.5 * (a1 + a2 - 2) + 0.5, 1 + 0.5 * (b1 + b2 - 2) + 3.5

    def inner(p: float) -> float:
        f = integrate.quad(
            lambda z: special.expit(special.logit(p) - 0.36 + 0.34 * z) * stats.norm.pdf(z),
            -12,
            12,
            epsabs=1e-13,
        )[0]
        return float(stats.beta.pdf(p, a, b) * f)

    want = integrate.quad(inner, 0, 1, epsabs=1e-12, limit=200)[0]
    row = next(r for r in pools.rows if r.method == "logarithmic" and r.kind == "pool")
    assert row.forecast == pytest.approx(want, abs=1e-7)


def test_a_scaled_posterior_past_the_grid_is_marked_rough() -> None:
    w = np.full(11, 1 / 11)
    assert not ps.covered(w)
    assert ps.covered(ps.scaled(w, -((np.arange(11) - 5.0) ** 2) * 10, 2.0))


def test_no_base_rate_means_no_data() -> None:
    inputs = CASES["linear, two items and a fixed one"]
    s = event_sensitivity.of_grid(inputs, ExactEvent.of(inputs), DRAWS)
    assert not s.has_data and not s.moves and not s.quantities


def test_an_exact_run_reports_the_grids_sensitivity(write_priors) -> None:  # type: ignore[no-untyped-def]
    """`forecast run --format json` of an exact event question: its rows are the closed
    form to 1e-9 (PSIS on 4,000 draws would miss them by about 1e-3)."""
    import json

    from typer.testing import CliRunner

    from forecast.cli import app
    from tests.conftest import EVENT_HEADER

    path = write_priors(
        EVENT_HEADER
        + "experts:\n  - name: a\n    judgement: {probability: 0.2, strength: 10}\n"
        + "base_rate: {successes: 1, trials: 8, weight: 0.5, reference_class: eight years}\n"
    )
    out = CliRunner().invoke(app, ["run", str(path), "--format", "json"])
    assert out.exit_code == 0, out.output
    d = json.loads(out.stdout)
    assert d["diagnostics"]["method"] == "exact"
    betas = _scaled_betas(2.0, 8.0, 1, 8, 0.5)
    moves = {m["label"]: m for m in d["sensitivity"]["moves"] if m["kind"] == "power-scaling"}
    for key, label in (
        ("prior 0.5", "experts' prior counted half"),
        ("lik 2.0", "base rate 1/8 (as 4 cases) counted double"),
    ):
        a, b = betas[key]
        assert moves[label]["forecast"] == pytest.approx(a / (a + b), abs=1e-9)
        assert moves[label]["reliable"] is True
    q = next(x for x in d["sensitivity"]["quantities"] if x["name"] == "q")
    assert q["prior"] == pytest.approx(
        _sense_by_quad(betas, "prior", d["diagnostics"]["draws"] * d["diagnostics"]["chains"]),
        rel=1e-4,
    )
