"""Two hundred experts: the pool comparison finishes, and its numbers are the closed forms.

Every forecast with an expert left out is checked (to 10⁻⁵, a thousandth of the least
change a report shows) against the conjugate answer (a
mixture of Beta posteriors for the linear pool, one Beta for the logarithmic pool),
against SciPy's quadrature with evidence, and the hierarchical pool against a direct
double sum over the shared log-odds and the between-expert spread.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, special, stats

from forecast.elicit.distributions import Fitted
from forecast.elicit.pool import PoolSpec, compare

BASE_RATE = (1, 8, 0.5)


def _experts(n: int, seed: int = 3) -> list[Fitted]:
    rng = np.random.default_rng(seed)
    means = rng.uniform(0.05, 0.4, n)
    strengths = rng.uniform(2, 40, n)
    return [
        Fitted("beta", {"alpha": float(m * s), "beta": float((1 - m) * s)}, "strength")
        for m, s in zip(means, strengths, strict=True)
    ]


def _ab(experts: list[Fitted]) -> tuple[np.ndarray, np.ndarray]:
    return (
        np.array([f.params["alpha"] for f in experts]),
        np.array([f.params["beta"] for f in experts]),
    )


def _linear_posterior_mean(a: np.ndarray, b: np.ndarray, w: np.ndarray) -> float:
    """E[p | base rate] under the mixture of Beta(a, b) with weights w (conjugate)."""
    k, n, rel = BASE_RATE
    ka, kb = rel * k, rel * (n - k)
    logw = np.log(w) + special.betaln(a + ka, b + kb) - special.betaln(a, b)
    post = np.exp(logw - logw.max())
    post /= post.sum()
    return float(np.sum(post * (a + ka) / (a + b + ka + kb)))


def test_two_hundred_experts_each_left_out_by_the_closed_form() -> None:
    experts = _experts(200)
    names = [f"e{i}" for i in range(200)]
    weights = list(np.random.default_rng(4).uniform(0.5, 2.0, 200))
    c = compare(names, experts, weights, PoolSpec("linear"), BASE_RATE, None)
    a, b = _ab(experts)
    w = np.array(weights)
    assert c.reference == pytest.approx(_linear_posterior_mean(a, b, w), abs=1e-5)
    drops = [r for r in c.rows if r.kind == "drop"]
    assert len(drops) == 200
    for i, row in enumerate(drops):
        keep = np.arange(200) != i
        assert row.expert == names[i]
        truth = _linear_posterior_mean(a[keep], b[keep], w[keep])
        assert row.forecast == pytest.approx(truth, abs=1e-5), i


def test_two_hundred_experts_logarithmic_pool_left_out_by_the_closed_form() -> None:
    experts = _experts(200, seed=5)
    names = [f"e{i}" for i in range(200)]
    c = compare(names, experts, [1.0] * 200, PoolSpec("logarithmic"), BASE_RATE, None)
    a, b = _ab(experts)
    k, n, rel = BASE_RATE
    for i, row in enumerate(r for r in c.rows if r.kind == "drop"):
        keep = np.arange(200) != i
        big_a = 1 + np.mean(a[keep] - 1) + rel * k
        big_b = 1 + np.mean(b[keep] - 1) + rel * (n - k)
        assert row.forecast == pytest.approx(big_a / (big_a + big_b), abs=1e-5), i


def test_left_out_with_evidence_by_scipy_quadrature() -> None:
    experts = _experts(40, seed=6)
    names = [f"e{i}" for i in range(40)]
    shift = math.log(2.5)
    c = compare(names, experts, [1.0] * 40, PoolSpec("linear"), BASE_RATE, np.array([shift]))
    a, b = _ab(experts)
    k, n, rel = BASE_RATE
    for i in (0, 17, 39):
        keep = np.arange(40) != i

        def dens(p: float, keep: np.ndarray = keep) -> float:
            prior = np.mean(stats.beta.pdf(p, a[keep], b[keep]))
            return float(prior * p ** (rel * k) * (1 - p) ** (rel * (n - k)))

        def num(p: float, dens: object = dens) -> float:
            return float(special.expit(special.logit(p) + shift) * dens(p))  # type: ignore[operator]

        top = integrate.quad(num, 0, 1, limit=200, points=[0.01, 0.1, 0.5])[0]
        bottom = integrate.quad(dens, 0, 1, limit=200, points=[0.01, 0.1, 0.5])[0]
        row = next(r for r in c.rows if r.expert == names[i])
        assert row.forecast == pytest.approx(top / bottom, abs=1e-5)


def _hierarchical_direct(a: np.ndarray, b: np.ndarray) -> float:
    """E[sigmoid(mu) | readings, base rate] by a direct sum over mu and tau."""
    from forecast.elicit.pool import MU_PRIOR_SD, TAU_PRIOR_SD

    m = special.digamma(a) - special.digamma(b)
    s = np.sqrt(special.polygamma(1, a) + special.polygamma(1, b))
    mu = np.linspace(-12, 8, 2001)[:, None]
    tau = np.linspace(0, 8 * TAU_PRIOR_SD, 801)[1:][None, :]
    log_read = np.zeros((mu.shape[0], tau.shape[1]))
    for mi, si in zip(m, s, strict=True):
        log_read += stats.norm.logpdf(mi, mu, np.sqrt(si**2 + tau**2))
    log_joint = (
        log_read
        + stats.halfnorm.logpdf(tau, scale=TAU_PRIOR_SD)
        + stats.norm.logpdf(mu, 0, MU_PRIOR_SD)
    )
    k, n, rel = BASE_RATE
    log_joint += rel * (k * special.log_expit(mu) + (n - k) * special.log_expit(-mu))
    dens = np.exp(log_joint - log_joint.max()).sum(axis=1)
    return float(np.sum(special.expit(mu[:, 0]) * dens) / dens.sum())


def test_hierarchical_left_out_by_a_direct_double_sum() -> None:
    experts = _experts(6, seed=7)
    names = [f"e{i}" for i in range(6)]
    c = compare(names, experts, [1.0] * 6, PoolSpec("hierarchical"), BASE_RATE, None)
    a, b = _ab(experts)
    assert c.reference == pytest.approx(_hierarchical_direct(a, b), abs=2e-4)
    for i in (0, 5):
        keep = np.arange(6) != i
        row = next(r for r in c.rows if r.expert == names[i])
        assert row.forecast == pytest.approx(_hierarchical_direct(a[keep], b[keep]), abs=2e-4)


@pytest.mark.parametrize("method", ["hierarchical", "logarithmic"])
def test_two_hundred_experts_finish_under_every_pool(method: str) -> None:
    experts = _experts(200, seed=8)
    shifts = np.random.default_rng(0).normal(0.47, 0.3, 4000)
    c = compare(
        [f"e{i}" for i in range(200)], experts, [1.0] * 200, PoolSpec(method), BASE_RATE, shifts
    )
    assert len(c.rows) == 203 and all(0 < r.forecast < 1 for r in c.rows)
