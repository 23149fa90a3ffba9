"""Pools of experts against closed forms, quadrature and a full PyMC run."""

from __future__ import annotations

import io
import itertools
import math
import textwrap
from typing import Any

import numpy as np
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st
from rich.console import Console
from scipy import integrate, special, stats

from forecast.elicit.distributions import Fitted, Mixture
from forecast.elicit.pool import (
    INFLUENCE_FLAG,
    PooledPrior,
    PoolSpec,
    compare,
    extremize,
    forecast,
    log_pool_beta,
    logit_view,
    normalise,
)
from forecast.errors import InputError
from forecast.headline import measured_from
from forecast.questions.loader import load_question
from forecast.render.pools import PoolsSection, markdown
from tests.conftest import EVENT_HEADER


def beta(a: float, b: float) -> Fitted:
    return Fitted("beta", {"alpha": a, "beta": b}, "test")


EXPERTS = [beta(2.0, 8.0), beta(11.25, 13.75), beta(0.6, 9.0)]
WEIGHTS = [1.0, 2.0, 1.0]


# --- linear ---------------------------------------------------------------------------


@pytest.mark.parametrize("x", [0.001, 0.02, 0.1, 0.3, 0.45, 0.7, 0.95])
def test_linear_pool_cdf_is_weighted_mean_of_cdfs(x: float) -> None:
    pooled = PooledPrior.of(EXPERTS, WEIGHTS, PoolSpec("linear"))
    w = np.array(WEIGHTS) / sum(WEIGHTS)
    # The mixture density integrated by adaptive quadrature up to x...
    dens = lambda p: sum(  # noqa: E731
        wi * stats.beta.pdf(p, e.params["alpha"], e.params["beta"])
        for wi, e in zip(w, EXPERTS, strict=True)
    )
    by_quad, _ = integrate.quad(dens, 0, x, limit=200, points=[x / 10])
    # ...equals the weighted mean of the CDFs, and the pool gives the same number.
    mean_of_cdfs = sum(
        wi * stats.beta.cdf(x, e.params["alpha"], e.params["beta"])
        for wi, e in zip(w, EXPERTS, strict=True)
    )
    assert by_quad == pytest.approx(mean_of_cdfs, abs=1e-7)
    assert float(pooled.cdf(x)) == pytest.approx(mean_of_cdfs, abs=2e-4)
    assert float(Mixture(tuple(EXPERTS), tuple(WEIGHTS)).cdf(x)) == pytest.approx(mean_of_cdfs)


def test_linear_pool_mean_and_quantiles() -> None:
    pooled = PooledPrior.of(EXPERTS, WEIGHTS, PoolSpec("linear"))
    w = np.array(WEIGHTS) / sum(WEIGHTS)
    means = [e.params["alpha"] / (e.params["alpha"] + e.params["beta"]) for e in EXPERTS]
    mean = float(np.dot(w, means))
    assert pooled.mean() == pytest.approx(mean, abs=1e-5)
    mix = Mixture(tuple(EXPERTS), tuple(WEIGHTS))
    for q in (0.05, 0.5, 0.95):
        assert float(pooled.ppf(q)) == pytest.approx(mix.ppf(q), rel=2e-3)


# --- logarithmic ----------------------------------------------------------------------


@pytest.mark.parametrize("weights", [[1, 1, 1], [1, 2, 1], [0.7, 0.0, 0.3]])
def test_log_pool_of_betas_is_its_closed_form(weights: list[float]) -> None:
    w = np.array(weights, dtype=float) / sum(weights)

    def product(p: float) -> float:
        return math.prod(
            stats.beta.pdf(p, e.params["alpha"], e.params["beta"]) ** wi
            for wi, e in zip(w, EXPERTS, strict=True)
        )

    norm, _ = integrate.quad(product, 0, 1, limit=200, points=[1e-4, 1e-2, 0.1, 0.5])
    closed = log_pool_beta(EXPERTS, weights)
    a = 1 + sum(wi * (e.params["alpha"] - 1) for wi, e in zip(w, EXPERTS, strict=True))
    b = 1 + sum(wi * (e.params["beta"] - 1) for wi, e in zip(w, EXPERTS, strict=True))
    assert closed.params == pytest.approx({"alpha": a, "beta": b})
    for x in (0.01, 0.05, 0.1, 0.2, 0.4, 0.6):
        assert product(x) / norm == pytest.approx(stats.beta.pdf(x, a, b), rel=1e-6)
    pooled = PooledPrior.of(EXPERTS, weights, PoolSpec("logarithmic"))
    assert pooled.mean() == pytest.approx(a / (a + b), abs=1e-6)


# --- extremizing ----------------------------------------------------------------------


def test_extremize_on_fixed_inputs() -> None:
    # sigmoid(d · logit p) by hand: odds (p / (1 - p)) ** d.
    assert extremize(0.2, 2.0) == pytest.approx(1 / 17)
    assert extremize(0.9, 1.5) == pytest.approx(27 / 28)
    assert extremize(0.5, 3.0) == pytest.approx(0.5)
    assert extremize(0.3, 1.0) == pytest.approx(0.3)
    assert extremize(0.25, 0.5) == pytest.approx(1 / (1 + math.sqrt(3)))
    assert np.allclose(extremize(np.array([0.0, 1.0]), 2.0), [0.0, 1.0])


@pytest.mark.parametrize("method", ["linear", "logarithmic"])
def test_extremized_pool_mean_by_quadrature(method: str) -> None:
    d = 1.6
    pooled = PooledPrior.of(EXPERTS, WEIGHTS, PoolSpec(method, d))
    if method == "linear":
        w = np.array(WEIGHTS) / sum(WEIGHTS)

        def dens(p: float) -> float:
            return sum(
                wi * stats.beta.pdf(p, e.params["alpha"], e.params["beta"])
                for wi, e in zip(w, EXPERTS, strict=True)
            )
    else:
        c = log_pool_beta(EXPERTS, WEIGHTS)

        def dens(p: float) -> float:
            return stats.beta.pdf(p, c.params["alpha"], c.params["beta"])

    truth, _ = integrate.quad(
        lambda p: special.expit(d * special.logit(p)) * dens(p),
        0,
        1,
        limit=200,
        points=[1e-4, 1e-2, 0.1, 0.5],
    )
    assert pooled.mean() == pytest.approx(truth, abs=1e-5)


# --- hierarchical ---------------------------------------------------------------------


def _views_at(centre: float, spread: float) -> list[Fitted]:
    """Three experts whose logit views sit at centre - spread, centre, centre + spread."""
    out = []
    for shift in (-spread, 0.0, spread):
        m = special.expit(centre + shift)
        out.append(beta(20 * m, 20 * (1 - m)))
    return out


def _logit_moments(pooled: PooledPrior) -> tuple[float, float]:
    g = pooled.grid
    mean = g.expect(lambda u: u)
    sd = math.sqrt(g.expect(lambda u: (u - mean) ** 2))
    return mean, sd


def test_hierarchical_pool_shrinks_toward_consensus_as_experts_agree() -> None:
    sds, gaps = [], []
    for spread in (2.0, 1.0, 0.5, 0.1, 0.0):
        experts = _views_at(-1.0, spread)
        pooled = PooledPrior.of(experts, [1, 1, 1], PoolSpec("hierarchical"))
        mean, sd = _logit_moments(pooled)
        views = [logit_view(e) for e in experts]
        # The consensus: the precision-weighted mean of the experts' log-odds.
        prec = np.array([1 / v[1] ** 2 for v in views])
        consensus = float(np.dot(prec, [v[0] for v in views]) / prec.sum())
        sds.append(sd)
        gaps.append(abs(mean - consensus))
    # As the experts agree the pool narrows and its centre closes on the consensus
    # (when they disagree the estimated spread is large and the weak prior pulls).
    assert all(a > b for a, b in itertools.pairwise(sds)), sds
    # Once they broadly agree only the weak prior's small pull toward 50% remains.
    assert gaps[0] > gaps[1] > max(gaps[2:]), gaps
    assert max(gaps[2:]) < 0.05, gaps
    # Perfect agreement: narrower than any one expert, but not as narrow as three
    # independent readings of one value (s / sqrt 3): three readings cannot rule out
    # a spread between experts, which is integrated over.
    s = logit_view(_views_at(-1.0, 0.0)[0])[1]
    assert s / math.sqrt(3) < sds[-1] < s


def test_hierarchical_density_by_independent_double_quadrature() -> None:
    experts = EXPERTS
    views = [logit_view(e) for e in experts]

    def joint(tau: float, mu: float) -> float:
        out = stats.norm.pdf(mu, 0, 2.5) * stats.halfnorm.pdf(tau, scale=1.0)
        for m, s in views:
            out *= stats.norm.pdf(m, mu, math.sqrt(s**2 + tau**2))
        return out

    def marginal(mu: float) -> float:
        return integrate.quad(joint, 0, 10, args=(mu,), limit=200)[0]

    norm = integrate.quad(marginal, -12, 8, limit=200)[0]
    pooled = PooledPrior.of(experts, [1, 1, 1], PoolSpec("hierarchical"))
    g = pooled.grid
    for mu in (-3.0, -2.0, -1.0, 0.0):
        assert float(np.interp(mu, g.u, g.density)) == pytest.approx(marginal(mu) / norm, rel=2e-3)


def test_hierarchical_weights_scale_free_and_zero_drops() -> None:
    a, b, c = EXPERTS
    base = PooledPrior.of([a, b], [1, 1], PoolSpec("hierarchical"))
    assert PooledPrior.of([a, b], [3, 3], PoolSpec("hierarchical")).mean() == pytest.approx(
        base.mean(), abs=1e-9
    )
    assert PooledPrior.of([a, b, c], [1, 1, 0], PoolSpec("hierarchical")).mean() == (
        pytest.approx(base.mean(), abs=1e-9)
    )
    # More weight on an expert pulls the pool toward that expert's view.
    heavy_b = PooledPrior.of([a, b], [1, 3], PoolSpec("hierarchical"))
    assert heavy_b.mean() > base.mean()


# --- forecast by quadrature -----------------------------------------------------------


def test_forecast_with_base_rate_and_evidence_by_double_quadrature() -> None:
    rng = np.random.default_rng(5)
    mu, sigma = -0.4, 0.3
    shifts = rng.normal(mu, sigma, 40_000)
    br = (1, 8, 0.5)
    c = log_pool_beta(EXPERTS, WEIGHTS)
    a, b = c.params["alpha"] + 0.5 * 1, c.params["beta"] + 0.5 * 7  # conjugate power prior
    truth, _ = integrate.dblquad(
        lambda z, p: (
            special.expit(special.logit(p) + z)
            * stats.beta.pdf(p, a, b)
            * stats.norm.pdf(z, mu, sigma)
        ),
        0,
        1,
        mu - 8 * sigma,
        mu + 8 * sigma,
    )
    got = forecast(EXPERTS, WEIGHTS, PoolSpec("logarithmic"), br, shifts)
    assert got == pytest.approx(truth, abs=2e-3)  # the draws' own Monte Carlo error
    assert forecast(EXPERTS, WEIGHTS, PoolSpec("logarithmic"), br, None) == pytest.approx(
        a / (a + b), abs=1e-6
    )


def test_compare_flags_an_influential_expert() -> None:
    experts = [beta(2, 18), beta(2.2, 17.8), beta(2, 18), beta(12, 8)]
    names = ["a", "b", "c", "outlier"]
    c = compare(names, experts, [1, 1, 1, 1], PoolSpec("linear"), None, None)
    by = {r.label: r for r in c.rows}
    assert [r.kind for r in c.rows] == ["pool"] * 3 + ["drop"] * 4
    assert by["linear pool"].chosen and by["linear pool"].delta == 0
    # Without the outlier the pool is the mean of the three others' means.
    assert by["without outlier"].forecast == pytest.approx((0.1 + 0.11 + 0.1) / 3, abs=1e-5)
    assert [r.expert for r in c.flagged] == ["outlier"]
    assert abs(by["without a"].delta) < INFLUENCE_FLAG
    pools = measured_from(c, c.reference)
    text = _render(PoolsSection(pools))
    assert "⚠ influential" in text and "leaving out outlier" in text
    assert "⚠" in markdown(pools)


def test_compare_with_one_expert_has_no_drop_rows() -> None:
    c = compare(["only"], [beta(2, 8)], [1], PoolSpec("logarithmic"), (1, 8, 1.0), None)
    assert [r.kind for r in c.rows] == ["pool"] * 3
    # One expert: linear and logarithmic pools are that expert's Beta.
    assert c.rows[0].forecast == pytest.approx(c.rows[1].forecast, abs=1e-7)
    # Beta(2, 8) and 1 of 8 at full weight: Beta(3, 15).
    assert c.reference == pytest.approx(3 / 18, abs=1e-6)


def _render(renderable: object) -> str:
    buf = io.StringIO()
    Console(file=buf, width=120, color_system=None).print(renderable)
    return buf.getvalue()


# --- properties -----------------------------------------------------------------------

probs = st.floats(min_value=1e-6, max_value=1 - 1e-6)
factors = st.floats(min_value=0.2, max_value=4.0)
shapes = st.floats(min_value=0.5, max_value=40.0)


@given(st.lists(st.floats(min_value=0.0, max_value=100.0), min_size=1, max_size=6))
def test_normalised_weights_sum_to_one(ws: list[float]) -> None:
    if sum(ws) <= 0:
        with pytest.raises(ValueError, match="not all be zero"):
            normalise(ws)
    else:
        w = normalise(ws)
        assert w.sum() == pytest.approx(1.0)
        assert np.all(w >= 0)


@given(probs, factors, factors)
def test_extremize_composes_and_is_symmetric(p: float, d1: float, d2: float) -> None:
    # The intermediate p1 is a float: near 1 its distance from 1 carries a relative error
    # of eps / (1 - p1), which the second step passes on; keep p1 where that is < 1e-10.
    p1 = float(extremize(p, d1))
    assume(1e-6 < p1 < 1 - 1e-6)
    assert extremize(p1, d2) == pytest.approx(extremize(p, d1 * d2), abs=1e-9)
    assert extremize(1 - p, d1) == pytest.approx(1 - extremize(p, d1), abs=1e-9)
    # d > 1 moves away from 1/2, d < 1 toward it.
    moved = abs(extremize(p, d1) - 0.5) - abs(p - 0.5)
    assert (moved >= -1e-12) if d1 >= 1 else (moved <= 1e-12)


@given(shapes, shapes, st.lists(st.floats(min_value=0.01, max_value=10), min_size=1, max_size=4))
def test_log_pool_of_one_belief_is_that_belief(a: float, b: float, ws: list[float]) -> None:
    pooled = log_pool_beta([beta(a, b)] * len(ws), ws)
    assert pooled.params["alpha"] == pytest.approx(a)
    assert pooled.params["beta"] == pytest.approx(b)


@settings(max_examples=20, deadline=None)
@given(st.lists(st.tuples(shapes, shapes, st.floats(0.1, 5.0)), min_size=1, max_size=3))
def test_linear_pool_mean_is_weighted_mean(items: list[tuple[float, float, float]]) -> None:
    experts = [beta(a, b) for a, b, _ in items]
    ws = [w for _, _, w in items]
    total = sum(ws)
    truth = sum(w / total * a / (a + b) for a, b, w in items)
    assert PooledPrior.of(experts, ws, PoolSpec("linear")).mean() == pytest.approx(truth, abs=1e-4)


_QUAD = {"limit": 200, "epsabs": 1e-10, "epsrel": 1e-9}


def _pooled_pdf_of_t(items: list[tuple[float, float]], method: str) -> Any:
    """The pooled density (unnormalised, equal weights) of t = logit p, from the Beta pdf's
    formula: in t a Beta shape below 1 is a smooth exponential tail, not an endpoint
    singularity that SciPy's ``quad`` cannot resolve to the tolerance asked."""
    terms = [(a - 1.0, b - 1.0, math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b))
             for a, b in items]  # fmt: skip

    def logs(t: float) -> tuple[list[float], float]:
        lp, lq = float(special.log_expit(t)), float(special.log_expit(-t))
        return [a1 * lp + b1 * lq - c for a1, b1, c in terms], lp + lq  # dp/dt = p (1 - p)

    def linear(t: float) -> float:
        each, jac = logs(t)
        return sum(math.exp(v + jac) for v in each) / len(terms)

    def logarithmic(t: float) -> float:
        each, jac = logs(t)
        return math.exp(sum(each) / len(terms) + jac)

    return linear if method == "linear" else logarithmic


@settings(max_examples=15, deadline=None)
@given(st.lists(st.tuples(shapes, shapes), min_size=2, max_size=3), factors)
@example(items=[(1.0, 0.5), (8.5, 0.5)], d=0.201171875)  # a shape of 0.5 at p = 1
def test_pooled_mean_and_cdf_match_quadrature(items: list[tuple[float, float]], d: float) -> None:
    # Reference: scipy.integrate.quad, over t = logit p, of the pooled Beta pdfs (mixture,
    # or normalised geometric mean for the logarithmic pool). Extremizing maps p0 to
    # sigmoid(d logit p0), so E[p*] = E[sigmoid(d t)] and P(p* <= x) = P(t <= logit(x) / d).
    experts = [beta(a, b) for a, b in items]
    inf = math.inf
    for method in ("linear", "logarithmic"):
        pdf = _pooled_pdf_of_t(items, method)
        z = integrate.quad(pdf, -inf, inf, **_QUAD)[0]
        pooled = PooledPrior.of(experts, [1] * len(items), PoolSpec(method, d))

        def moved(t: float, f: Any = pdf) -> float:
            return float(special.expit(d * t)) * f(t)

        mean = integrate.quad(moved, -inf, inf, **_QUAD)[0] / z
        assert pooled.mean() == pytest.approx(mean, abs=1e-4), method
        for x in (0.05, 0.3, 0.5, 0.8):
            below = integrate.quad(pdf, -inf, float(special.logit(x)) / d, **_QUAD)
            assert float(pooled.cdf(x)) == pytest.approx(below[0] / z, abs=1e-3), (method, x)


# --- the priors file ------------------------------------------------------------------


def _load(write_priors, body: str):  # type: ignore[no-untyped-def]
    return load_question(write_priors(EVENT_HEADER + textwrap.dedent(body)))


def test_pool_key_is_read(write_priors) -> None:  # type: ignore[no-untyped-def]
    q = _load(
        write_priors,
        """
        pool: {method: hierarchical, extremize: 1.5}
        experts:
          - {name: a, weight: 2, judgement: {probability: 0.2, strength: 10}}
          - {name: b, weight: 1, judgement: {probability: 0.3, strength: 10}}
        """,
    )
    assert q.spec.pool.method == "hierarchical"  # type: ignore[attr-defined]
    assert q.spec.pool.extremize == 1.5  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("body", "field", "says"),
    [
        ("pool: {method: geometric}", "pool.method", "linear"),
        ("pool: {extremize: 0}", "pool.extremize", "> 0"),
        ("pool: {extremize: -1}", "pool.extremize", "> 0"),
        ("pool: {method: linear, shrink: 1}", "pool.shrink", "unknown key"),
    ],
)
def test_pool_key_is_validated(write_priors, body: str, field: str, says: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as exc:
        _load(
            write_priors,
            body + "\nexperts:\n  - {name: a, judgement: {probability: 0.2, strength: 10}}\n",
        )
    text = "\n".join(exc.value.lines())
    assert field in text and says in text, text


@pytest.mark.parametrize(
    ("weights", "says"),
    [
        ((-1, 1), ">= 0"),
        ((0, 0), "must not all be zero"),
        ((1, None), "every expert or to none"),
    ],
)
def test_expert_weights_are_validated(write_priors, weights, says: str) -> None:  # type: ignore[no-untyped-def]
    lines = ["experts:"]
    for i, w in enumerate(weights):
        weight = "" if w is None else f", weight: {w}"
        lines.append(f"  - {{name: e{i}{weight}, judgement: {{probability: 0.2, strength: 10}}}}")
    with pytest.raises(InputError) as exc:
        _load(write_priors, "\n".join(lines) + "\n")
    text = "\n".join(exc.value.lines())
    assert says in text and "experts" in text, text


# --- against a full PyMC run ----------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    "pool", ["{method: hierarchical}", "{method: logarithmic, extremize: 1.5}"]
)
def test_quadrature_agrees_with_a_full_run_under_that_pool(write_priors, pool: str) -> None:  # type: ignore[no-untyped-def]
    from forecast import engine
    from forecast.inference import SamplerSettings

    q = _load(
        write_priors,
        f"""
        pool: {pool}
        experts:
          - {{name: a, judgement: {{probability: 0.12, interval: [0.03, 0.3], mass: 0.9}}}}
          - {{name: b, judgement: {{quantiles: {{0.1: 0.05, 0.5: 0.18, 0.9: 0.4}}}}}}
          - {{name: c, judgement: {{probability: 0.45, strength: 25}}}}
        base_rate: {{successes: 1, trials: 8, weight: 0.5, reference_class: test}}
        evidence:
          - id: signal
            description: a signal
            likelihood_ratio: {{median: 0.7, interval: [0.4, 1.1], mass: 0.9}}
        """,
    )
    f = engine.run(q, SamplerSettings(draws=1000, tune=700, chains=2, seed=7))
    pools = f.to_dict()["pools"]
    assert abs(f.probability - pools["reference"]) <= 3 * f.mcse + 1e-3, (
        f.probability,
        pools["reference"],
        f.mcse,
    )


def test_a_hierarchical_pool_of_one_weighted_expert_is_that_expert() -> None:
    # One reading says nothing of the spread between experts: the pool is the expert's
    # own Beta, whose mean is the forecast without data.
    alone = forecast([beta(2, 8)], [1.0], PoolSpec("hierarchical"), None, None)
    assert alone == pytest.approx(0.2, abs=1e-4)
    zero_weight = forecast(
        [beta(2, 8), beta(6, 4)], [1.0, 0.0], PoolSpec("hierarchical"), None, None
    )
    assert zero_weight == pytest.approx(0.2, abs=1e-4)
    both = forecast([beta(2, 8), beta(6, 4)], [1.0, 1.0], PoolSpec("hierarchical"), None, None)
    assert 0.2 < both < 0.6  # with two the spread is learned, and the pool lies between
    rows = compare(
        ["A", "B"], [beta(2, 8), beta(6, 4)], [1.0, 1.0], PoolSpec("hierarchical"), None, None
    )
    without_b = next(r for r in rows.rows if r.expert == "B")
    assert without_b.forecast == pytest.approx(0.2, abs=1e-4)
