"""Power-scaling sensitivity, checked against closed forms and against ArviZ itself."""

from __future__ import annotations

import io
import json
import textwrap
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from arviz_base import from_dict
from rich.console import Console

from forecast import sensitivity
from forecast.elicit.distributions import Fitted, Mixture
from forecast.elicit.pool import PoolSpec
from forecast.inference import SamplerSettings
from forecast.kinds.drivers import sensitivity as drivers_sensitivity
from forecast.kinds.drivers import summary as drivers_summary
from forecast.kinds.event import model as event
from forecast.kinds.event import sensitivity as event_sensitivity
from forecast.kinds.event import summary as event_summary
from forecast.kinds.tte import sensitivity as tte_sensitivity
from forecast.kinds.tte import summary as tte_summary
from forecast.questions.loader import load_question
from forecast.render.report import Report
from tests.conftest import EVENT_HEADER


def _inputs(a: float, b: float, base_rate: tuple[int, int, float] | None) -> SimpleNamespace:
    f = Fitted("beta", {"alpha": a, "beta": b}, "strength")
    return SimpleNamespace(
        experts=(f,),
        weights=(1.0,),
        prior=Mixture((f,), (1.0,)),
        base_rate=base_rate,
        pool=PoolSpec(),
    )


def _text(renderable: object, width: int = 100) -> str:
    buf = io.StringIO()
    Console(file=buf, width=width, force_terminal=False, color_system=None).print(renderable)
    return buf.getvalue()


def test_power_scaled_forecasts_match_the_beta_binomial_closed_form() -> None:
    # Beta(a, b) prior, base rate k of n at weight w: the posterior is Beta(a + wk, b + w(n-k)).
    # Raising the likelihood to c gives Beta(a + cwk, ...); raising the prior to c gives
    # Beta(c(a - 1) + 1, c(b - 1) + 1) before the data.
    a, b, k, n, w = 2.0, 8.0, 1, 8, 0.5
    rng = np.random.default_rng(1)
    p = rng.beta(a + w * k, b + w * (n - k), size=(4, 2000))
    s = event_sensitivity.of_draws(_inputs(a, b, (k, n, w)), p, p)
    base = (a + w * k) / (a + b + w * n)

    def mean(alpha: float, beta: float) -> float:
        return alpha / (alpha + beta)

    expected = {
        "experts' prior counted half": mean(0.5 * (a - 1) + 1 + w * k, 0.5 * (b - 1) + 1 + w * 7),
        "experts' prior counted double": mean(2 * (a - 1) + 1 + w * k, 2 * (b - 1) + 1 + w * 7),
        "base rate 1/8 (as 4 cases) counted half": mean(a + 0.5 * w * k, b + 0.5 * w * 7),
        "base rate 1/8 (as 4 cases) counted double": mean(a + 2 * w * k, b + 2 * w * 7),
    }
    got = {m.label: m for m in s.moves}
    assert set(got) == set(expected)
    for label, value in expected.items():
        assert got[label].reliable
        # Monte Carlo error of 8000 reweighted draws: well under half a point.
        assert got[label].delta == pytest.approx(value - base, abs=0.004), label
    assert s.has_data


def test_sensitivity_values_and_labels_are_arviz_psense_summary() -> None:
    import arviz_stats as azs

    rng = np.random.default_rng(2)
    inputs = _inputs(2.0, 8.0, (3, 10, 1.0))
    p = rng.beta(5.0, 15.0, size=(2, 1500))
    q = 1 / (1 + (1 - p) / (1.5 * p))
    s = event_sensitivity.of_draws(inputs, p, q)
    log_prior, log_lik = event_sensitivity.log_densities(inputs, p)
    assert log_lik is not None
    dt = from_dict(
        {
            "posterior": {"p": p, "q": q},
            "log_prior": {"p": log_prior},
            "log_likelihood": {"base_rate": log_lik},
        }
    )
    summary = azs.psense_summary(dt, var_names=["p", "q"], round_to=10)
    for x in s.quantities:
        row = summary.loc[x.name]
        assert x.prior == pytest.approx(float(row["prior"]), abs=1e-9)
        assert x.likelihood == pytest.approx(float(row["likelihood"]), abs=1e-9)
        assert x.diagnosis == str(row["diagnosis"]).replace("potential ", "").replace("✓", "")


def test_log_prior_is_the_pooled_density_of_p() -> None:
    from scipy import stats

    a1, b1, a2, b2 = 2.0, 8.0, 5.0, 3.0
    f1 = Fitted("beta", {"alpha": a1, "beta": b1}, "strength")
    f2 = Fitted("beta", {"alpha": a2, "beta": b2}, "strength")
    inputs = SimpleNamespace(
        experts=(f1, f2),
        weights=(1.0, 3.0),
        prior=Mixture((f1, f2), (1.0, 3.0)),
        base_rate=None,
        pool=PoolSpec(),
    )
    x = np.linspace(0.01, 0.99, 50)
    log_prior, log_lik = event_sensitivity.log_densities(inputs, x)
    exact = np.log(0.25 * stats.beta.pdf(x, a1, b1) + 0.75 * stats.beta.pdf(x, a2, b2))
    assert log_lik is None
    # The pool's density is unnormalised: equal up to a constant.
    diff = log_prior - exact
    assert np.ptp(diff) < 1e-8


def test_no_base_rate_says_so_and_computes_nothing() -> None:
    rng = np.random.default_rng(3)
    p = rng.beta(2, 8, size=(2, 500))
    s = event_sensitivity.of_draws(_inputs(2.0, 8.0, None), p, p)
    assert not s.has_data
    assert s.verdict == "no data: the forecast is the experts' prior moved by evidence"
    assert s.moves == () and s.quantities == ()


def test_a_strong_prior_and_weak_data_is_flagged_in_plain_words() -> None:
    a, b, k, n, w = 60.0, 240.0, 1, 2, 0.2
    rng = np.random.default_rng(4)
    p = rng.beta(a + w * k, b + w * (n - k), size=(4, 1000))
    s = event_sensitivity.of_draws(_inputs(a, b, (k, n, w)), p, p)
    assert s.prior_driven and not s.conflict
    assert s.verdict.startswith("Driven by the prior")
    assert {x.diagnosis for x in s.quantities} == {"strong prior / weak likelihood"}


def test_data_far_outside_the_prior_is_a_conflict() -> None:
    a, b, k, n, w = 2.0, 38.0, 15, 20, 1.0
    rng = np.random.default_rng(5)
    p = rng.beta(a + w * k, b + w * (n - k), size=(4, 1000))
    s = event_sensitivity.of_draws(_inputs(a, b, (k, n, w)), p, p)
    assert s.conflict
    assert "disagree" in s.verdict


def test_the_json_has_the_documented_shape_and_every_number() -> None:
    rng = np.random.default_rng(6)
    p = rng.beta(3, 9, size=(2, 500))
    s = event_sensitivity.of_draws(_inputs(2.0, 8.0, (1, 4, 1.0)), p, p)
    d = json.loads(json.dumps(s.to_dict(), allow_nan=False))
    assert set(d) == set(sensitivity.SensitivityJSON.__annotations__)
    assert (d["has_data"], d["verdict"], d["threshold"]) == (s.has_data, s.verdict, s.threshold)
    assert [set(x) for x in d["quantities"]] == [
        set(sensitivity.QuantityJSON.__annotations__)
    ] * len(s.quantities)
    assert [x["prior"] for x in d["quantities"]] == [x.prior for x in s.quantities]
    assert [set(m) for m in d["moves"]] == [set(sensitivity.MoveJSON.__annotations__)] * len(
        s.moves
    )
    assert [(m["label"], m["forecast"], m["delta"]) for m in d["moves"]] == [
        (m.label, m.forecast, m.delta) for m in s.moves
    ]


BODY = """
experts:
  - name: Alpha
    judgement: {probability: 0.2, strength: 10}
  - name: Beta
    judgement: {pseudo_counts: {successes: 1, trials: 9}}
"""


def _forecast(write_priors, body: str):  # type: ignore[no-untyped-def]
    q = load_question(write_priors(EVENT_HEADER + textwrap.dedent(body)))
    inputs = event.prepare(q.spec)  # type: ignore[arg-type]
    rng = np.random.default_rng(0)
    p = rng.beta(2.5, 14.5, size=(2, 500))
    idata = from_dict(
        {
            "posterior": {"p": p, "q": p},
            "sample_stats": {"diverging": np.zeros((2, 500), dtype=bool)},
        }
    )
    return event_summary.summarise(q, inputs, idata, SamplerSettings(draws=500, chains=2, seed=5))


def test_every_event_run_carries_its_sensitivity_and_one_table(write_priors) -> None:  # type: ignore[no-untyped-def]
    base_rate = "base_rate: {successes: 1, trials: 8, weight: 0.5, reference_class: eight years}\n"
    f = _forecast(write_priors, BODY + base_rate)
    d = json.loads(json.dumps(f.to_dict(), allow_nan=False))
    assert d["sensitivity"]["has_data"] is True
    table = sensitivity.table(f)
    assert table is not None
    kinds = [r.kind for r in table.rows]
    assert kinds.count("power-scaling") == 4
    if f.pools is not None:
        assert "pool" in kinds and "drop-one" in kinds
    text = _text(Report(f))
    assert "Sensitivity: how far the forecast moves" in text
    assert "base rate 1/8 (as 4 cases) counted double" in text
    assert "power-scaling (ArviZ)" in text


def test_report_without_data_says_plainly(write_priors) -> None:  # type: ignore[no-untyped-def]
    f = _forecast(write_priors, BODY)
    text = _text(Report(f), width=80)
    assert "no data: the forecast is the experts' prior moved by evidence" in text
    assert "counted double" not in text
    assert max(len(line) for line in text.splitlines()) <= 80


@pytest.mark.slow
def test_log_densities_are_the_event_models() -> None:
    """The NumPy densities equal PyMC's log prior and log likelihood of the same model."""
    import pymc as pm

    from forecast.inference import quiet_pymc

    f1 = Fitted("beta", {"alpha": 2.0, "beta": 8.0}, "strength")
    f2 = Fitted("beta", {"alpha": 4.0, "beta": 4.0}, "strength")
    inputs = event.EventInputs(("a", "b"), (f1, f2), (1.0, 2.0), (2, 9, 0.5), ())
    model = event.build(inputs)
    rng = np.random.default_rng(7)
    p = rng.beta(3, 9, size=(2, 50))
    idata = from_dict({"posterior": {"p": p, "q": p}})
    with quiet_pymc(), model:
        pm.compute_log_prior(idata, var_names=["p"], progressbar=False)
        pm.compute_log_likelihood(idata, progressbar=False)
    log_prior, log_lik = event_sensitivity.log_densities(inputs, p)
    ref_prior = np.asarray(idata["log_prior"]["p"].values)
    ref_lik = np.asarray(idata["log_likelihood"]["base_rate"].values)
    assert np.ptp(log_prior - ref_prior) < 1e-6  # equal up to the normalising constant
    assert log_lik is not None
    assert np.ptp(log_lik - ref_lik) < 1e-9


def test_a_value_that_cannot_be_computed_is_null_in_json() -> None:
    s = sensitivity.Sensitivity(
        has_data=True,
        quantities=(sensitivity.Quantity("q", "forecast", float("nan"), 0.1, ""),),
        moves=(sensitivity.Move("x", "power-scaling", float("nan"), float("inf")),),
    )
    d = json.loads(json.dumps(s.to_dict(), allow_nan=False))
    assert d["quantities"][0]["prior"] is None and d["moves"][0]["delta"] is None
    assert d["quantities"][0]["likelihood"] == 0.1 and d["moves"][0]["forecast"] is None


# Drivers and time-to-event questions: the same machinery on their own densities.


def _beta(a: float, b: float) -> Fitted:
    return Fitted("beta", {"alpha": a, "beta": b}, "strength")


def _lognormal(mu: float, sigma: float) -> Fitted:
    return Fitted("lognormal", {"mu": mu, "sigma": sigma}, "maxent")


def _drivers_inputs(
    experts: tuple[Fitted, ...],
    weights: tuple[float, ...],
    ors: tuple[Fitted, ...],
    x: np.ndarray,
    y: np.ndarray,
) -> Any:
    from forecast.kinds.drivers import model as drivers

    ds = tuple(drivers.DriverInput(f"d{j}", "", f, 0.5) for j, f in enumerate(ors))
    return drivers.DriversInputs(
        tuple(f"e{i}" for i in range(len(experts))), experts, weights, ds, x, y
    )


def _schedule_inputs(
    experts: tuple[Fitted, ...], weights: tuple[float, ...], trend: Fitted | None, passed: int
) -> Any:
    import datetime as dt

    from forecast.kinds.tte import model as tte

    past = tuple(dt.date(2020 + i, 6, 1) for i in range(passed))
    future = tuple(dt.date(2026 + i, 6, 1) for i in range(4))
    return tte.ScheduleInputs(("e",) * len(experts), experts, weights, trend, (), past, future)


def _hazard_inputs(
    experts: tuple[Fitted, ...], weights: tuple[float, ...], shape: Fitted, elapsed_years: int
) -> Any:
    import datetime as dt

    from forecast.kinds.tte import model as tte

    since = dt.date(2020, 12, 1)
    as_of = dt.date(2020 + elapsed_years, 12, 1)
    dates = (dt.date(2028, 12, 1), dt.date(2030, 12, 1))
    return tte.HazardInputs(("e",) * len(experts), experts, weights, shape, since, as_of, dates)


def _scaled_means(
    value: Any, log_prior: Any, log_lik: Any, lo: float, hi: float, *, jacobian: bool = False
) -> dict[tuple[str, float], float]:
    """E[value] with the prior or the likelihood raised to 1/2 and 2, by quadrature.

    With ``jacobian`` the integration variable is u = log of the model's variable.
    """
    from scipy import integrate

    out = {}
    for which in ("prior", "data"):
        for c in (1.0, *sensitivity.SCALES):
            cp, cl = (c, 1.0) if which == "prior" else (1.0, c)

            def w(u: float, cp: float = cp, cl: float = cl) -> float:
                return float(np.exp(cp * log_prior(u) + cl * log_lik(u) + (u if jacobian else 0)))

            z = integrate.quad(w, lo, hi, limit=200)[0]
            num = integrate.quad(lambda u, w=w: value(u) * w(u), lo, hi, limit=200)[0]
            out[which, c] = num / z
    return out


def _check_moves(
    s: sensitivity.Sensitivity, exact: dict[tuple[str, float], float], tol: float = 0.004
) -> None:
    """The four power-scaling rows against exact means, relative to the exact base."""
    assert s.has_data and len(s.moves) == 4
    expected = [exact[w, c] - exact[w, 1.0] for w in ("prior", "data") for c in sensitivity.SCALES]
    for move, delta in zip(s.moves, expected, strict=True):
        assert move.reliable, move
        # Monte Carlo error of 8000 reweighted iid draws: about half a point at most.
        assert move.delta == pytest.approx(delta, abs=tol), move.label


def test_drivers_without_drivers_match_the_beta_binomial_closed_form() -> None:
    # Beta(a, b) on p0, k of n cases: the posterior is Beta(a + k, b + n - k); scaling the
    # prior by c gives Beta(c(a - 1) + 1 + k, c(b - 1) + 1 + n - k), the cases Beta(a + ck, ...).
    a, b, k, n = 3.0, 7.0, 4, 10
    y = np.array([1.0] * k + [0.0] * (n - k))
    inputs = _drivers_inputs((_beta(a, b),), (1.0,), (), np.zeros((n, 0)), y)
    p = np.random.default_rng(11).beta(a + k, b + n - k, size=(4, 2000))
    s = drivers_sensitivity.of_draws(inputs, np.log(p / (1 - p)), np.zeros((4, 2000, 0)), p)

    def mean(alpha: float, beta: float) -> float:
        return alpha / (alpha + beta)

    exact = {("prior", c): mean(c * (a - 1) + 1 + k, c * (b - 1) + 1 + n - k) for c in (0.5, 2)}
    exact |= {("data", c): mean(a + c * k, b + c * (n - k)) for c in (0.5, 2)}
    exact["prior", 1.0] = exact["data", 1.0] = mean(a + k, b + n - k)
    _check_moves(s, exact)
    assert s.data_label == "cases (4 of 10 with the event)"
    assert [x.name for x in s.quantities] == ["p", "q"]
    assert s.moves[-1].label == "cases (4 of 10 with the event) counted double"


def test_drivers_odds_ratio_moves_match_quadrature() -> None:
    # One uncertain odds ratio, every case with the driver on and p0 fixed near 0.3 by a
    # sharp prior: the cases speak to beta alone, a Normal prior times a Bernoulli
    # likelihood, one-dimensional quadrature.
    from scipy.special import expit

    a, b, mu, sd = 3000.0, 7000.0, np.log(2.0), 0.6
    y = np.array([1.0] * 7 + [0.0] * 3)
    inputs = _drivers_inputs((_beta(a, b),), (1.0,), (_lognormal(mu, sd),), np.ones((10, 1)), y)
    alpha0 = np.log(a / b)

    def log_prior(u: float) -> float:
        return -0.5 * ((u - mu) / sd) ** 2

    def log_lik(u: float) -> float:
        return float(7 * np.log(expit(alpha0 + u)) + 3 * np.log(expit(-alpha0 - u)))

    def value(u: float) -> float:
        return float(expit(alpha0 + u))

    grid = np.linspace(mu - 8 * sd, mu + 8 * sd, 20001)
    dens = np.exp([log_prior(u) + log_lik(u) for u in grid])
    cdf = np.cumsum(dens) / dens.sum()
    u = np.interp(np.random.default_rng(12).uniform(size=(4, 2000)), cdf, grid)
    alpha = np.full_like(u, alpha0)
    s = drivers_sensitivity.of_draws(inputs, alpha, u[..., None], expit(alpha + u))
    exact = _scaled_means(value, log_prior, log_lik, mu - 8 * sd, mu + 8 * sd)
    # p0 is held at its mean, so the prior's pool term is a constant: only beta's moves.
    _check_moves(s, exact)
    assert [x.name for x in s.quantities] == ["p", "odds_ratio[d0]", "q"]
    assert s.quantities[1].label == "odds ratio: d0"


def test_drivers_without_cases_say_no_data() -> None:
    inputs = _drivers_inputs((_beta(3, 7),), (1.0,), (_lognormal(0.5, 0.3),), np.zeros((0, 1)),
                             np.zeros(0))  # fmt: skip
    p = np.random.default_rng(13).beta(3, 7, size=(2, 500))
    beta = np.random.default_rng(14).normal(0.5, 0.3, size=(2, 500, 1))
    s = drivers_sensitivity.of_draws(inputs, np.log(p / (1 - p)), beta, p)
    assert not s.has_data and s.moves == () and s.quantities == ()
    assert s.verdict.startswith("no data:") and "drivers" in s.verdict


def test_time_to_event_with_constant_q_matches_the_beta_binomial_closed_form() -> None:
    # Beta(a, b) on q, k passed opportunities without the event: the posterior is
    # Beta(a, b + k) and P(by the m-th next opportunity) = 1 - B(a, b + m) / B(a, b) under it.
    from scipy.special import betaln

    from forecast.kinds.tte import model as tte

    a, b, k, m = 6.0, 14.0, 5, 3
    inputs = _schedule_inputs((_beta(a, b),), (1.0,), None, k)
    q = np.random.default_rng(15).beta(a, b + k, size=(4, 2000))
    draws = tte.Draws(np.log(q / (1 - q)), np.zeros_like(q), np.zeros((4, 2000, 0)))
    forecast = tte.cumulative(inputs, draws, [])[..., m - 1]
    assert forecast == pytest.approx(1 - (1 - q) ** m)
    s = tte_sensitivity.of_draws(inputs, draws, forecast)

    def by_m(alpha: float, beta: float) -> float:
        return 1 - float(np.exp(betaln(alpha, beta + m) - betaln(alpha, beta)))

    exact = {("prior", c): by_m(c * (a - 1) + 1, c * (b - 1) + 1 + k) for c in (0.5, 2)}
    exact |= {("data", c): by_m(a, b + c * k) for c in (0.5, 2)}
    exact["prior", 1.0] = exact["data", 1.0] = by_m(a, b + k)
    # Halving this prior weighs up the posterior's tails: its row is the noisiest.
    _check_moves(s, exact, tol=0.006)
    assert s.data_label == "5 event-free opportunities"
    assert [x.name for x in s.quantities] == ["q_opportunity", "q"]


def test_hazard_moves_match_quadrature() -> None:
    from forecast.kinds.tte import model as tte

    # Weibull with a fixed shape 1.5, LogNormal prior on the median, five years without the
    # event: the posterior over log m is one-dimensional.
    mu, sd, shape = np.log(8.0), 0.5, 1.5
    inputs = _hazard_inputs((_lognormal(mu, sd),), (1.0,), _lognormal(np.log(shape), 0.0), 5)
    t0 = inputs.elapsed
    t = t0 + 3.0

    def log_prior(u: float) -> float:  # density of log m
        return -0.5 * ((u - mu) / sd) ** 2

    def log_lik(u: float) -> float:
        return float(-np.log(2) * (t0 / np.exp(u)) ** shape)

    def value(u: float) -> float:
        m = np.exp(u)
        return float(-np.expm1(-np.log(2) * ((t / m) ** shape - (t0 / m) ** shape)))

    lo, hi = mu - 8 * sd, mu + 8 * sd
    grid = np.linspace(lo, hi, 20001)
    dens = np.exp([log_prior(u) + log_lik(u) for u in grid])
    cdf = np.cumsum(dens) / dens.sum()
    m = np.exp(np.interp(np.random.default_rng(16).uniform(size=(4, 2000)), cdf, grid))
    draws = tte.Draws(m, np.full_like(m, shape), np.zeros((4, 2000, 0)))
    forecast = -np.expm1(-np.log(2) * ((t / m) ** shape - (t0 / m) ** shape))
    s = tte_sensitivity.of_draws(inputs, draws, forecast)
    # The model's prior is on m: in u = log m it is N(u) / m, and du = dm / m adds u back.
    exact = _scaled_means(value, lambda u: log_prior(u) - u, log_lik, lo, hi, jacobian=True)
    _check_moves(s, exact)
    assert s.data_label == "5.0 event-free years"
    assert [x.name for x in s.quantities] == ["median_years", "q"]


def _model_logps(
    model: Any, prior_vars: list[str], data_term: str, point: dict[str, Any]
) -> tuple[float, float]:
    """The model's own log prior (on the constrained values) and its data term at ``point``."""
    from pymc.model.transform.conditioning import remove_value_transforms

    plain = remove_value_transforms(model)
    prior = plain.compile_logp(vars=[plain[v] for v in prior_vars], jacobian=False)
    data = plain.compile_logp(vars=[plain[data_term]], jacobian=False)
    return float(prior(point)), float(data(point))


@pytest.mark.slow
def test_log_densities_are_the_drivers_models() -> None:
    """Pool and odds-ratio priors and the cases' Potential, against the compiled model."""
    from forecast.kinds.drivers import model as drivers

    x = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0], [1.0, 1.0, 0.0], [0.0, 0.0, 0.0]])
    y = np.array([1.0, 0.0, 1.0, 0.0])
    ors = (_lognormal(0.7, 0.4), _lognormal(np.log(0.5), 0.0), _lognormal(-0.2, 0.9))
    inputs = _drivers_inputs((_beta(2, 8), _beta(4, 4)), (1.0, 2.0), ors, x, y)
    model = drivers.build(inputs)
    rng = np.random.default_rng(17)
    p = rng.beta(3, 9, size=(1, 3))
    free = rng.normal(0.0, 0.8, size=(1, 3, 2))
    post = from_dict({"posterior": {"p": p, "beta": free}})["posterior"]
    beta = drivers.assemble_beta(inputs.drivers, post)
    log_prior, log_lik = drivers_sensitivity.log_densities(inputs, np.log(p / (1 - p)), beta)
    assert log_lik is not None
    ref = [
        _model_logps(model, ["p", "beta"], "cases", {"p": p[0, i], "beta": free[0, i]})
        for i in range(3)
    ]
    assert np.ptp(log_prior[0] - [r[0] for r in ref]) < 1e-6  # up to a constant
    assert log_lik[0] == pytest.approx([r[1] for r in ref], abs=1e-9)


@pytest.mark.slow
def test_log_densities_are_the_time_to_event_models() -> None:
    """Scheduled (pool, trend, passed opportunities) and hazard (pool, shape, elapsed time)."""
    from forecast.kinds.tte import model as tte

    rng = np.random.default_rng(18)
    inputs = _schedule_inputs((_beta(2, 8), _beta(5, 5)), (3.0, 1.0), _lognormal(0.1, 0.3), 4)
    q = rng.beta(2, 9, size=(1, 3))
    lt = rng.normal(0.1, 0.3, size=(1, 3))
    draws = tte.Draws(np.log(q / (1 - q)), lt, np.zeros((1, 3, 0)))
    log_prior, log_lik = tte_sensitivity.log_densities(inputs, draws)
    model = tte.build(inputs)
    ref = [
        _model_logps(model, ["q", "log_trend"], "passed", {"q": q[0, i], "log_trend": lt[0, i]})
        for i in range(3)
    ]
    assert log_lik is not None
    assert np.ptp(log_prior[0] - [r[0] for r in ref]) < 1e-6
    assert log_lik[0] == pytest.approx([r[1] for r in ref], abs=1e-9)

    experts = (_lognormal(np.log(8.0), 0.5), _lognormal(np.log(3.0), 0.8))
    hazard = _hazard_inputs(experts, (1.0, 1.0), _lognormal(0.2, 0.3), 5)
    m = rng.lognormal(np.log(6.0), 0.5, size=(1, 3))
    k = rng.lognormal(0.2, 0.3, size=(1, 3))
    log_prior, log_lik = tte_sensitivity.log_densities(hazard, tte.Draws(m, k, m[..., None] * 0))
    model = tte.build(hazard)
    ref = [
        _model_logps(
            model,
            ["median_years", "shape"],
            "elapsed_without",
            {"median_years": m[0, i], "shape": k[0, i]},
        )
        for i in range(3)
    ]
    assert log_lik is not None
    assert np.ptp(log_prior[0] - [r[0] for r in ref]) < 1e-6
    assert log_lik[0] == pytest.approx([r[1] for r in ref], abs=1e-9)


DRIVERS_Q = """\
format: 1
kind: drivers
title: A drivers question
resolution: Resolves yes if the test event happens, as the test says.
deadline: 2030-01-01
experts:
  - name: a
    judgement: {probability: 0.3, strength: 10}
drivers:
  - id: push
    description: makes the event likelier
    odds_ratio: {median: 3, interval: [1.5, 6], mass: 0.9}
    level: 0.4
"""


def test_a_drivers_run_carries_its_sensitivity(write_priors) -> None:  # type: ignore[no-untyped-def]
    from forecast.kinds.drivers import model as drivers

    cases = "cases:\n" + "".join(
        f"  - {{drivers: {{push: {str(i % 2 == 0).lower()}}}, outcome: {str(i < 3).lower()}}}\n"
        for i in range(8)
    )
    settings = SamplerSettings(draws=500, chains=2, seed=5)
    rng = np.random.default_rng(19)
    idata = from_dict(
        {
            "posterior": {
                "p": rng.beta(4, 9, size=(2, 500)),
                "beta": rng.normal(1, 0.3, (2, 500, 1)),
            },
            "sample_stats": {"diverging": np.zeros((2, 500), dtype=bool)},
        }
    )
    for body, has_data in ((DRIVERS_Q + cases, True), (DRIVERS_Q, False)):
        q = load_question(write_priors(body))
        inputs = drivers.prepare(q.spec)  # type: ignore[arg-type]
        f = drivers_summary.summarise(q, inputs, idata, settings)
        d = json.loads(json.dumps(f.to_dict(), allow_nan=False))
        assert d["sensitivity"]["has_data"] is has_data
        text = _text(Report(f), width=80)
        assert "Sensitivity: how far the forecast moves" in text
        if has_data:
            assert "cases (3 of 8 with the event) counted double" in text
            assert "odds ratio: push" in text
        else:
            assert "no data: no cases are coded" in text and "counted double" not in text


TTE_Q = """\
format: 1
kind: time-to-event
title: A time-to-event question
resolution: Resolves yes if the test event happens, as the test says.
as_of: 2025-12-01
deadline: 2027-12-31
horizon: 2031-12-31
opportunities:
  dates: [{dates}]
  every_months: 12
experts:
  - name: a
    judgement: {{probability: 0.2, strength: 10}}
"""


def test_a_time_to_event_run_carries_its_sensitivity(write_priors) -> None:  # type: ignore[no-untyped-def]
    from forecast.kinds.tte import model as tte

    settings = SamplerSettings(draws=500, chains=2, seed=5)
    rng = np.random.default_rng(20)
    idata = from_dict(
        {
            "posterior": {"q": rng.beta(2, 11, size=(2, 500))},
            "sample_stats": {"diverging": np.zeros((2, 500), dtype=bool)},
        }
    )
    for dates, has_data in (("2023-06-01, 2024-06-01, 2025-06-01", True), ("2026-06-01", False)):
        q = load_question(write_priors(TTE_Q.format(dates=dates)))
        inputs = tte.prepare(q.spec)  # type: ignore[arg-type]
        f = tte_summary.summarise(q, inputs, idata, settings)
        d = json.loads(json.dumps(f.to_dict(), allow_nan=False))
        assert d["sensitivity"]["has_data"] is has_data
        text = _text(Report(f), width=80)
        assert "Sensitivity: how far the forecast moves" in text
        if has_data:
            assert "3 event-free opportunities counted double" in text
        else:
            assert "no data: nothing has passed yet" in text and "counted double" not in text
