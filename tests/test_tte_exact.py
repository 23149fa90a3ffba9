"""The exact method for time-to-event questions: its density against PyMC's, its numbers
against closed forms and SciPy's quadrature, its fallbacks and a long NUTS run."""

from __future__ import annotations

import datetime as dt
import math
import textwrap
from pathlib import Path

import numpy as np
import pytest
from scipy import integrate, optimize, special, stats

from forecast.elicit.distributions import Fitted
from forecast.inference import SamplerSettings
from forecast.kinds.tte.density import TteDensity
from forecast.kinds.tte.grid import NotExact, TteGrid
from forecast.kinds.tte.hazard import HazardInputs
from forecast.kinds.tte.quadrature import ExactTte
from forecast.kinds.tte.scheduled import ScheduleInputs
from forecast.methods import exact as exact_mod
from forecast.models.covariates import DriverInput

LN2 = math.log(2.0)
AS_OF = dt.date(2025, 12, 1)
SINCE = dt.date(2020, 12, 1)


def _beta(a: float, b: float) -> Fitted:
    return Fitted("beta", {"alpha": a, "beta": b}, "test")


def _ln(mu: float, sigma: float) -> Fitted:
    return Fitted("lognormal", {"mu": mu, "sigma": sigma}, "fixed" if sigma == 0 else "test")


def _drivers(*spec: tuple[float, float, float]) -> tuple[DriverInput, ...]:
    return tuple(DriverInput(f"d{i}", "", _ln(m, s), lv) for i, (m, s, lv) in enumerate(spec))


def _yearly(first: int, n: int) -> tuple[dt.date, ...]:
    return tuple(dt.date(first + i, 6, 1) for i in range(n))


def _scheduled(
    experts: list[tuple[float, float]],
    *,
    trend: Fitted | None = None,
    drivers: tuple[DriverInput, ...] = (),
    passed: int = 5,
    weights: tuple[float, ...] | None = None,
) -> ScheduleInputs:
    fits = tuple(_beta(a, b) for a, b in experts)
    return ScheduleInputs(
        tuple(f"x{i}" for i in range(len(fits))),
        fits,
        weights or tuple([1.0] * len(fits)),
        trend,
        drivers,
        _yearly(2025 - passed, passed),
        _yearly(2026, 6),
    )


def _hazard(
    experts: list[tuple[float, float]],
    shape: Fitted,
    *,
    drivers: tuple[DriverInput, ...] = (),
    as_of: dt.date = AS_OF,
) -> HazardInputs:
    fits = tuple(_ln(m, s) for m, s in experts)
    dates = (dt.date(2026, 12, 1), dt.date(2028, 12, 1), dt.date(2031, 12, 1))
    return HazardInputs(
        tuple(f"x{i}" for i in range(len(fits))),
        fits,
        tuple([1.0] * len(fits)),
        shape,
        SINCE,
        as_of,
        dates,
        drivers,
    )


TREND = _ln(0.1, 0.2)
CASES: dict[str, ScheduleInputs | HazardInputs] = {
    "scheduled, one expert": _scheduled([(2.0, 8.0)]),
    "scheduled, nothing passed": _scheduled([(2.0, 8.0)], passed=0),
    "scheduled, experts, fixed trend": _scheduled(
        [(2.0, 8.0), (1.5, 20.0)], trend=_ln(0.1, 0.0), weights=(0.7, 0.3)
    ),
    "scheduled, trend, drivers": _scheduled(
        [(2.0, 8.0), (1.5, 20.0), (3.0, 30.0)],
        trend=TREND,
        drivers=_drivers((1.1, 0.6, 0.25), (-0.7, 0.4, 0.4), (0.3, 0.0, 1.0)),
    ),
    "hazard, fixed shape": _hazard([(2.08, 0.5)], _ln(0.0, 0.0)),
    "hazard, experts, uncertain shape, drivers": _hazard(
        [(2.08, 0.5), (1.5, 0.8)], _ln(0.2, 0.3), drivers=_drivers((1.0, 0.4, 0.5), (0.2, 0.0, 1))
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CASES))
def test_numpy_density_is_pymcs_compile_logp(name: str) -> None:
    """The density the exact method integrates equals PyMC's at 1,000 random points, up
    to its normalising constant (checked to be small too)."""
    inputs = CASES[name]
    model = inputs.build()
    logp = model.compile_logp()
    density = TteDensity.of(inputs)
    names = [v.name for v in model.value_vars]
    assert names == list(density.value_names())
    start = model.initial_point()
    rng = np.random.default_rng(2)
    # Spread widely around the model's start (a hazard's log median at 3 sd of its
    # experts', where S(t0) is not below double precision: log densities there reach
    # -1e4, and a difference of 1e-8 is the last digits of a double).
    spread = {"median_years_log__": 1.5, "shape_log__": 0.5, "log_trend": 1.0}
    gaps = []
    for _ in range(1000):
        point = {}
        for n in names:
            size = int(np.prod(start[n].shape))
            v = start[n].reshape(-1) + rng.normal(0.0, spread.get(n, 3.0), size)
            point[n] = v if n == "beta" else np.asarray(v[0])
        gaps.append(density.logp(point) - float(logp(point)))
    offset = gaps[0]
    assert abs(offset) < 1e-5
    worst = float(np.max(np.abs(np.asarray(gaps) - offset)))
    assert worst < 1e-8, worst


def test_beta_binomial_closed_form_mean_and_intervals() -> None:
    """One expert's Beta(a, b), k opportunities passed without the event: q | data is
    Beta(a, b + k), P(by the next m) = 1 - (1 - q)^m has mean 1 - B(a, b + k + m) / B(a,
    b + k), and its quantiles are 1 - (1 - the Beta's quantiles)^m."""
    a, b, k = 2.0, 8.0, 5
    inputs = _scheduled([(a, b)], passed=k)
    for m, deadline in ((1, dt.date(2026, 12, 31)), (3, dt.date(2028, 12, 31))):
        result = ExactTte.of(inputs, [], deadline)
        truth = 1 - math.exp(special.betaln(a, b + k + m) - special.betaln(a, b + k))
        assert result.probability == pytest.approx(truth, abs=1e-9)
        post = stats.beta(a, b + k)
        for mass, lo, hi in result.intervals:
            tail = (1 - mass) / 2
            assert lo == pytest.approx(1 - (1 - post.ppf(tail)) ** m, abs=1e-8)
            assert hi == pytest.approx(1 - (1 - post.ppf(1 - tail)) ** m, abs=1e-8)
        prior_truth = 1 - math.exp(special.betaln(a, b + m) - special.betaln(a, b))
        assert result.prior_probability == pytest.approx(prior_truth, abs=1e-9)
        assert result.error < 1e-8


def _hazard_weight(m: float, k: float, fit: tuple[float, float], t0: float) -> float:
    return float(
        stats.lognorm.pdf(m, s=fit[1], scale=math.exp(fit[0])) * math.exp(-LN2 * (t0 / m) ** k)
    )


@pytest.mark.slow
def test_exponential_hazard_matches_scipy_quadrature() -> None:
    """Shape 1: P(by t | none by t0, m) = 1 - exp(-ln2 (t - t0) / m), decreasing in m,
    so its quantiles are that function at the posterior's quantiles of m."""
    fit = (2.08, 0.5)
    inputs = _hazard([fit], _ln(0.0, 0.0))
    deadline = dt.date(2028, 12, 1)
    result = ExactTte.of(inputs, [], deadline)
    t0 = (AS_OF - SINCE).days / 365.25
    t = (deadline - SINCE).days / 365.25

    def weight(m: float) -> float:
        return _hazard_weight(m, 1.0, fit, t0)

    def p(m: float) -> float:
        return -math.expm1(-LN2 * (t - t0) / m)

    opts = {"limit": 400, "epsabs": 1e-14, "epsrel": 1e-12}
    z = integrate.quad(weight, 0, np.inf, **opts)[0]
    truth = integrate.quad(lambda m: weight(m) * p(m), 0, np.inf, **opts)[0] / z
    assert result.probability == pytest.approx(truth, abs=1e-8)

    def m_quantile(prob: float) -> float:
        def cdf(x: float) -> float:
            return integrate.quad(weight, 0, x, **opts)[0] / z - prob

        return optimize.brentq(cdf, 1e-3, 1e4, xtol=1e-12)

    for mass, lo, hi in result.intervals:
        tail = (1 - mass) / 2
        assert lo == pytest.approx(p(m_quantile(1 - tail)), abs=1e-7)
        assert hi == pytest.approx(p(m_quantile(tail)), abs=1e-7)


@pytest.mark.slow
def test_weibull_with_an_uncertain_shape_and_a_driver_matches_scipy_dblquad() -> None:
    """m and k over prior x S(t0 | m, k) by dblquad; the driver on at level 1 with its
    hazard ratio's LogNormal by an inner quad."""
    fit, shape, hr = (2.0, 0.5), (0.2, 0.3), (0.8, 0.4)
    inputs = _hazard([fit], _ln(*shape), drivers=_drivers((hr[0], hr[1], 1.0)))
    deadline = dt.date(2028, 12, 1)
    result = ExactTte.of(inputs, [1.0], deadline)
    t0 = (AS_OF - SINCE).days / 365.25
    t = (deadline - SINCE).days / 365.25
    nodes, gw = np.polynomial.hermite_e.hermegauss(60)
    ratios = np.exp(hr[0] + hr[1] * nodes)
    gw = gw / gw.sum()

    def weight(v: float, w: float) -> float:  # v = log m, w = log k: densities of both
        m, k = math.exp(v), math.exp(w)
        return _hazard_weight(m, k, fit, t0) * m * float(stats.norm.pdf(w, *shape))

    def p(v: float, w: float) -> float:
        m, k = math.exp(v), math.exp(w)
        added = LN2 * ((t / m) ** k - (t0 / m) ** k)
        return float(gw @ -np.expm1(-ratios * added))

    opts = {"epsabs": 1e-12, "epsrel": 1e-9}
    lims = (shape[0] - 9 * shape[1], shape[0] + 9 * shape[1], fit[0] - 6.0, fit[0] + 6.0)
    z = integrate.dblquad(weight, *lims, **opts)[0]
    num = integrate.dblquad(lambda v, w: weight(v, w) * p(v, w), *lims, **opts)[0]
    assert result.probability == pytest.approx(num / z, abs=1e-7)
    assert result.error < 1e-6


@pytest.mark.slow
def test_scheduled_with_trend_and_drivers_matches_scipy_quadrature() -> None:
    """A trend and one driver on: (u, log trend) by dblquad, the driver's Normal log
    odds ratio by Gauss–Hermite inside."""
    a, b = 2.0, 12.0
    inputs = _scheduled([(a, b)], trend=TREND, drivers=_drivers((1.0, 0.5, 1.0)), passed=4)
    deadline = dt.date(2027, 12, 31)
    result = ExactTte.of(inputs, [1.0], deadline)
    mt, st = TREND.params["mu"], TREND.params["sigma"]
    nodes, gw = np.polynomial.hermite_e.hermegauss(60)
    betas = 1.0 + 0.5 * nodes
    gw = gw / gw.sum()

    def weight(u: float, lt: float) -> float:
        q = special.expit(u)
        log_w = stats.beta.logpdf(q, a, b) + math.log(q) + math.log1p(-q)
        log_w += stats.norm.logpdf(lt, mt, st)
        log_w += sum(special.log_expit(-(u + i * lt)) for i in range(-4, 0))
        return math.exp(log_w)

    def p(u: float, lt: float) -> np.ndarray:
        eta = u + lt * np.arange(2)[:, None] + betas[None, :]
        return np.asarray(-np.expm1(special.log_expit(-eta).sum(axis=0)))

    opts = {"epsabs": 1e-12, "epsrel": 1e-9}
    lims = (mt - 8 * st, mt + 8 * st, -14.0, 3.0)
    z = integrate.dblquad(weight, *lims, **opts)[0]
    num = integrate.dblquad(lambda u, lt: weight(u, lt) * float(gw @ p(u, lt)), *lims, **opts)[0]
    assert result.probability == pytest.approx(num / z, abs=1e-7)
    assert result.error < 1e-6


def test_draws_follow_the_exact_posterior() -> None:
    """Inverse-CDF draws of q match its Beta(a, b + k) posterior (Kolmogorov–Smirnov)."""
    a, b, k = 2.0, 8.0, 5
    grid = TteGrid.of(TteDensity.of(_scheduled([(a, b)], passed=k)))
    from forecast.kinds.tte.lines import draw

    u, _, _ = draw(grid, 4000, np.random.default_rng(3))
    assert stats.kstest(special.expit(u), stats.beta(a, b + k).cdf).statistic < 0.01


def test_too_many_uncertain_drivers_are_not_exact() -> None:
    inputs = _scheduled(
        [(2.0, 8.0)], drivers=_drivers((1.0, 0.5, 0.5), (0.5, 0.5, 0.5), (0.2, 0.3, 0.5))
    )
    with pytest.raises(NotExact, match="3 uncertain driver ratios"):
        ExactTte.of(inputs, [0.5, 0.5, 0.5], dt.date(2027, 12, 31))
    # The same drivers all on (or off) shift by one Normal: exact.
    assert ExactTte.of(inputs, [1.0, 1.0, 0.0], dt.date(2027, 12, 31)).error < 1e-6


HEADER = """\
format: 1
kind: time-to-event
title: A time-to-event question
resolution: Resolves yes if the test event happens, as the test says.
as_of: 2025-12-01
deadline: 2027-12-31
horizon: 2031-12-31
opportunities:
  dates: [2021-06-01, 2022-06-01, 2023-06-01, 2024-06-01, 2025-06-01]
  every_months: 12
experts:
  - name: a
    judgement: {probability: 0.2, strength: 10}
trend: {median: 1.2, interval: [0.9, 1.6], mass: 0.8}
"""

DRIVER = """\
  - id: {id}
    description: a driver
    odds_ratio: {{median: 3, interval: [1.5, 6], mass: 0.8}}
    level: 0.3
"""


def _question(tmp_path: Path, drivers: int) -> Path:
    body = HEADER
    if drivers:
        body += "drivers:\n" + "".join(DRIVER.format(id=f"d{i}") for i in range(drivers))
    path = tmp_path / "q.yaml"
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    return path


def test_auto_is_exact_and_falls_back_to_nuts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from forecast import engine, methods
    from forecast.errors import UsageError
    from forecast.kinds.tte import model as tte
    from forecast.questions.loader import load_question

    q = load_question(_question(tmp_path, 2))
    f = engine.run(q, SamplerSettings(draws=200, chains=2, seed=1))
    assert f.diagnostics.method == "exact" and f.provenance.sampler == "exact-quadrature"
    assert f.mcse == 0.0 and f.diagnostics.ok
    d = f.to_dict()
    assert d["diagnostics"]["quadrature_error"] < 1e-6
    assert d["scenarios"][0]["probability"] == f.probability == d["pools"]["headline"]
    assert [c["probability"] for c in d["curve"] if c["date"] <= "2027-12-31"][-1] == f.probability
    assert f.steps[-1].after == f.probability
    inputs = tte.prepare(load_question(_question(tmp_path, 3)).spec)  # type: ignore[arg-type]
    q3 = load_question(tmp_path / "q.yaml")
    made, passed = methods.forecast(q3, inputs, SamplerSettings(seed=1))
    assert made is None  # NUTS samples, and is told why
    assert passed == (
        "exact: 3 uncertain driver ratios enter the forecast at once "
        "(at most 2 are integrated exactly)",
    )
    with pytest.raises(UsageError, match="no exact forecast"):
        methods.forecast(q3, inputs, SamplerSettings(seed=1, method="exact"))
    q = load_question(_question(tmp_path, 1))
    inputs = tte.prepare(q.spec)  # type: ignore[arg-type]
    monkeypatch.setattr(exact_mod, "TOLERANCE", -1.0)
    made, passed = methods.forecast(q, inputs, SamplerSettings(seed=1))
    assert made is None and passed[0].startswith("exact: quadrature error estimate")
    forced, passed = methods.forecast(q, inputs, SamplerSettings(seed=1, method="exact"))
    assert forced is not None and not forced.diagnostics.ok and passed == ()


@pytest.mark.slow
def test_a_sampled_fallback_says_why_exact_was_passed_over(tmp_path: Path) -> None:
    """Three uncertain driver ratios at once: ``auto`` samples with NUTS, and the JSON
    and the report's diagnostics line say that exact quadrature declined, and why."""
    from forecast import engine
    from forecast.questions.loader import load_question

    q = load_question(_question(tmp_path, 3))
    f = engine.run(q, SamplerSettings(draws=100, tune=100, chains=1, seed=1))
    assert f.diagnostics.method == "nuts"
    why = f.to_dict()["diagnostics"]["passed_over"]
    assert len(why) == 1 and why[0].startswith("exact: 3 uncertain driver ratios")
    assert "nuts, since exact: 3 uncertain driver ratios" in f.diagnostics.summary()


@pytest.mark.slow
@pytest.mark.parametrize("path", ["priors/turkiye-joins-consultative-meeting.yaml", None])
def test_exact_agrees_with_a_long_nuts_run_within_3_mcse(tmp_path: Path, path: str | None) -> None:
    from forecast import engine
    from forecast.questions.loader import load_question
    from tests.conftest import ROOT

    file = ROOT / path if path else _question(tmp_path, 1)
    q = load_question(file)
    exact = engine.run(q, SamplerSettings(seed=5, method="exact"))
    nuts = engine.run(q, SamplerSettings(draws=5000, tune=1000, chains=4, seed=5, method="nuts"))
    assert nuts.diagnostics.method == "nuts" and nuts.diagnostics.ok
    assert abs(nuts.probability - exact.probability) <= 3 * nuts.mcse
    for e, s in zip(exact.intervals, nuts.intervals, strict=True):
        assert abs(e.lo - s.lo) < 0.01 and abs(e.hi - s.hi) < 0.01


@pytest.mark.slow
def test_a_sampled_forecast_takes_its_prior_by_quadrature_as_the_closed_form(
    tmp_path: Path,
) -> None:
    """Beta(2, 8) at each of two opportunities to come, no trend, no drivers: before the
    data P(by the deadline) = 1 - B(2, 10) / B(2, 8), and its 95% interval maps the Beta's
    quantiles through 1 - (1 - q)^2. NUTS makes the posterior; the prior and the steps
    are inputs and must be these numbers, not a Monte Carlo estimate of them."""
    from forecast import engine
    from forecast.questions.loader import load_question

    text = HEADER.replace("trend: {median: 1.2, interval: [0.9, 1.6], mass: 0.8}\n", "")
    path = tmp_path / "q.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    q = load_question(path)
    f = engine.run(q, SamplerSettings(draws=200, tune=200, chains=2, seed=1, method="nuts"))
    assert f.diagnostics.method == "nuts"
    truth = 1 - math.exp(special.betaln(2, 10) - special.betaln(2, 8))
    assert f.prior_probability == pytest.approx(truth, abs=1e-9)
    assert f.steps[0].after == pytest.approx(truth, abs=1e-9)
    lo, hi = (1 - (1 - stats.beta.ppf(t, 2, 8)) ** 2 for t in (0.025, 0.975))
    assert (f.prior_interval.lo, f.prior_interval.hi) == pytest.approx((lo, hi), abs=1e-8)
