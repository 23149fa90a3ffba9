"""The event model against closed forms and quadrature (real sampling, small draws)."""

from __future__ import annotations

import textwrap
from dataclasses import replace

import numpy as np
import pytest
from scipy import integrate, stats
from scipy.special import expit, logit

from forecast import engine
from forecast.inference import SamplerSettings
from forecast.questions.loader import load_question
from tests.conftest import EVENT_HEADER

pytestmark = pytest.mark.slow

SETTINGS = SamplerSettings(draws=1000, tune=500, chains=2, seed=11)

QUADRATURE_TOLERANCE = 1e-7
"""How close the exact method must come to a closed form (it has no Monte Carlo error)."""


@pytest.fixture(params=["nuts", "exact"])
def run(request, write_priors):  # type: ignore[no-untyped-def]
    """Forecast a question body with each method: sampled by NUTS, and exactly."""
    settings = replace(SETTINGS, method=request.param)

    def go(body: str):  # type: ignore[no-untyped-def]
        q = load_question(write_priors(EVENT_HEADER + textwrap.dedent(body)))
        f = engine.run(q, settings)
        assert f.diagnostics.method == request.param
        return f

    return go


def _within_mcse(estimate: float, mcse: float, truth: float) -> None:
    """Within 3 Monte Carlo errors of the truth (a sampled forecast), or to quadrature
    accuracy (an exact one, whose error is 0)."""
    assert abs(estimate - truth) <= max(3 * mcse, QUADRATURE_TOLERANCE), (estimate, truth, mcse)


def test_conjugate_beta_binomial(run) -> None:  # type: ignore[no-untyped-def]
    # Beta(2, 8) (as if 10 cases at 0.2) plus 3 of 12 with weight 1 -> Beta(5, 17).
    f = run(
        """
        experts:
          - name: a
            judgement: {probability: 0.2, strength: 10}
        base_rate: {successes: 3, trials: 12, weight: 1, reference_class: test}
    """,
    )
    _within_mcse(f.probability, f.mcse, 5 / 22)
    lo, hi = f.interval(0.95).lo, f.interval(0.95).hi
    assert lo == pytest.approx(stats.beta(5, 17).ppf(0.025), abs=0.02)
    assert hi == pytest.approx(stats.beta(5, 17).ppf(0.975), abs=0.03)


@pytest.mark.parametrize("w", [0.25, 0.6])
def test_power_prior_matches_closed_form(run, w: float) -> None:  # type: ignore[no-untyped-def]
    # Power prior: Beta(a + w k, b + w (n - k)).
    f = run(
        f"""
        experts:
          - name: a
            judgement: {{probability: 0.3, strength: 6}}
        base_rate: {{successes: 1, trials: 20, weight: {w}, reference_class: test}}
    """,
    )
    a, b = 0.3 * 6 + w * 1, 0.7 * 6 + w * 19
    _within_mcse(f.probability, f.mcse, a / (a + b))
    # The "what moved it" base-rate step lands on the same posterior mean of p.
    step = next(s for s in f.steps if s.kind == "base_rate")
    assert step.after == pytest.approx(a / (a + b), abs=4 * f.mcse + 1e-3)


def test_fixed_likelihood_ratio_is_bayes_rule(run) -> None:  # type: ignore[no-untyped-def]
    # A fixed LR of 3 multiplies the odds of every draw of p by 3:
    # E[sigmoid(logit p + log 3)] under Beta(3, 7), by quadrature.
    f = run(
        """
        experts:
          - name: a
            judgement: {probability: 0.3, strength: 10}
        evidence:
          - id: signal
            description: a signal three times likelier if the event is coming
            likelihood_ratio: 3
    """,
    )
    prior = stats.beta(3, 7)
    truth, _ = integrate.quad(lambda p: expit(logit(p) + np.log(3)) * prior.pdf(p), 0, 1)
    _within_mcse(f.probability, f.mcse, truth)
    # For a point-mass prior the same rule is exact: odds 3/7 * 3 = 9/7 -> 9/16.
    assert expit(logit(0.3) + np.log(3)) == pytest.approx(9 / 16)


def test_evidence_already_in_judgements_is_not_counted(run) -> None:  # type: ignore[no-untyped-def]
    f = run(
        """
        experts:
          - name: a
            judgement: {probability: 0.3, strength: 10}
        evidence:
          - id: known
            description: the expert knew of this
            likelihood_ratio: 5
            in_judgements: true
    """,
    )
    _within_mcse(f.probability, f.mcse, 0.3)
    assert [s.kind for s in f.steps] == ["experts"]


def test_uncertain_likelihood_ratio_by_quadrature(run) -> None:  # type: ignore[no-untyped-def]
    # LR ~ LogNormal(mu, sigma) fitted to median 2, 90% in [1, 4] (symmetric in logs):
    # mu = log 2, sigma = log 2 / 1.6449. Double integral over p and log LR.
    f = run(
        """
        experts:
          - name: a
            judgement: {probability: 0.2, strength: 20}
        evidence:
          - id: signal
            description: uncertain signal
            likelihood_ratio: {median: 2, interval: [1, 4], mass: 0.9}
    """,
    )
    mu, sigma = np.log(2), np.log(2) / stats.norm.ppf(0.95)
    ev = f.evidence[0]
    assert ev.fitted.params["mu"] == pytest.approx(mu, abs=1e-4)
    assert ev.fitted.params["sigma"] == pytest.approx(sigma, abs=1e-4)
    prior = stats.beta(4, 16)
    truth, _ = integrate.dblquad(
        lambda z, p: expit(logit(p) + z) * prior.pdf(p) * stats.norm.pdf(z, mu, sigma),
        0,
        1,
        mu - 8 * sigma,
        mu + 8 * sigma,
    )
    _within_mcse(f.probability, f.mcse, truth)


def test_linear_pool_prior_mean(run) -> None:  # type: ignore[no-untyped-def]
    # Two experts, equal weights, no data: the forecast is the mixture's mean.
    f = run(
        """
        experts:
          - name: a
            judgement: {probability: 0.1, strength: 20}
          - name: b
            judgement: {pseudo_counts: {successes: 5, trials: 8}}
    """,
    )
    truth = 0.5 * 0.1 + 0.5 * 6 / 10
    assert f.prior_probability == pytest.approx(truth)
    _within_mcse(f.probability, f.mcse, truth)
