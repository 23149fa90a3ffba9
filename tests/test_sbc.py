"""Simulation-based calibration (Talts et al. 2018) of the event, time-to-event and
drivers models.

For each replicate: draw the parameters from the prior, simulate data from them, fit
the model to the data and record the rank of the true value among thinned posterior
draws. If the sampler and the model agree with the prior and likelihood the data were
simulated from, every rank is uniform on 0..L; a chi-square test on binned ranks
checks that. Each model is compiled once; replicates swap the data (``pm.set_data``,
or a shared variable as the event model's observation) and reuse the NUTS step.

``benchmarks/sbc_ranks.py`` prints the rank histograms.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import stats
from scipy.special import expit

from forecast.questions.loader import load_question

REPLICATES = 100
THIN = 3
KEEP = 99  # thinned draws per replicate: ranks run 0..KEEP, 10 values a bin
TUNE = 200
BINS = 10
P_MIN = 0.01

HEADER = """\
format: 1
title: A calibration question
resolution: Resolves yes if the simulated event happens.
deadline: 2030-01-01
created: 2025-06-01
"""


@dataclass
class Problem:
    """One model set up for calibration: the model and how to simulate and read it."""

    model: Any
    names: list[str]  # the ranked quantities
    simulate: Callable[[np.random.Generator], np.ndarray]  # set data; return true values
    read: Callable[[Any], np.ndarray]  # (draws, quantities) from a trace


def _load(tmp: Path, body: str) -> Any:
    path = tmp / "q.yaml"
    path.write_text(HEADER + textwrap.dedent(body), encoding="utf-8")
    return load_question(path).spec


def event_problem(tmp: Path) -> Problem:
    """The event model: p ~ Beta(2, 6) (as if 8 cases at 0.25), k ~ Binomial(12, p)."""
    import pymc as pm
    import pytensor

    from forecast.kinds.event import model as event

    spec = _load(
        tmp,
        """
        kind: event
        experts:
          - name: a
            judgement: {probability: 0.25, strength: 8}
        base_rate: {successes: 0, trials: 12, weight: 1, reference_class: simulated}
        """,
    )
    n = 12
    k = pytensor.shared(np.float64(0.0), name="k")
    model = pm.observe(event.build(event.prepare(spec)), {"base_rate": k})

    def simulate(rng: np.random.Generator) -> np.ndarray:
        p = rng.beta(2.0, 6.0)
        k.set_value(np.float64(rng.binomial(n, p)))
        return np.array([p])

    return Problem(model, ["p"], simulate, lambda t: t.get_values("p")[:, None])


def tte_problem(tmp: Path) -> Problem:
    """Scheduled opportunities with an uncertain trend; eight watched, stopping at the event."""
    from forecast.kinds.tte import model as tte

    spec = _load(
        tmp,
        """
        kind: time-to-event
        horizon: 2030-01-01
        opportunities:
          dates: [2017-05-01, 2018-05-01, 2019-05-01, 2020-05-01, 2021-05-01, 2022-05-01,
                  2023-05-01, 2024-05-01, 2025-05-01]
          every_months: 12
        experts:
          - name: a
            judgement: {probability: 0.15, strength: 8}
        trend: {median: 1.0, interval: [0.7, 1.43], mass: 0.9}
        """,
    )
    inputs = tte.prepare(spec)
    model = tte.build(inputs)
    index = inputs.passed_index

    def simulate(rng: np.random.Generator) -> np.ndarray:
        d = tte.prior_draws(inputs, 1, rng)
        q = expit(d.main[0] + index * d.trend[0])
        y = (rng.random(len(index)) < q).astype(float)
        stop = int(np.argmax(y)) + 1 if y.any() else len(y)  # the question resolves at the event
        tte.set_history(model, inputs, y[:stop], index[:stop])
        return np.array([d.main[0], d.trend[0]])

    def read(t: Any) -> np.ndarray:
        q = t.get_values("q")
        return np.column_stack([np.log(q) - np.log1p(-q), t.get_values("log_trend")])

    return Problem(model, ["logit q", "log trend"], simulate, read)


def drivers_problem(tmp: Path) -> Problem:
    """Baseline and two uncertain odds ratios, updated by 30 coded cases."""
    from forecast.kinds.drivers import model as drivers

    spec = _load(
        tmp,
        """
        kind: drivers
        experts:
          - name: a
            judgement: {probability: 0.3, strength: 10}
        drivers:
          - id: one
            description: raises the odds
            odds_ratio: {median: 2.0, interval: [0.8, 5.0], mass: 0.9}
            level: 0.5
          - id: two
            description: lowers the odds
            odds_ratio: {median: 0.5, interval: [0.2, 1.25], mass: 0.9}
            level: 1
        """,
    )
    inputs = drivers.prepare(spec)
    model = drivers.build(inputs)
    x = np.random.default_rng(7).integers(0, 2, size=(30, 2)).astype(float)

    def simulate(rng: np.random.Generator) -> np.ndarray:
        alpha, beta = drivers.prior_draws(inputs.experts, inputs.weights, inputs.drivers, 1, rng)
        y = (rng.random(len(x)) < expit(alpha[0] + x @ beta[0])).astype(float)
        drivers.set_cases(model, x, y)
        return np.array([alpha[0], *beta[0]])

    def read(t: Any) -> np.ndarray:
        p = t.get_values("p")
        return np.column_stack([np.log(p) - np.log1p(-p), t.get_values("beta")])

    return Problem(model, ["alpha", "beta one", "beta two"], simulate, read)


PROBLEMS: dict[str, Callable[[Path], Problem]] = {
    "event": event_problem,
    "time-to-event": tte_problem,
    "drivers": drivers_problem,
}


def ranks(problem: Problem, replicates: int = REPLICATES, seed: int = 20251116) -> np.ndarray:
    """Ranks (replicates, quantities) of the true values among KEEP thinned draws."""
    import pymc as pm

    from forecast.inference import quiet_pymc

    rng = np.random.default_rng(seed)
    out = np.zeros((replicates, len(problem.names)), dtype=int)
    with quiet_pymc(), problem.model:
        step = pm.NUTS(target_accept=0.9)
        for r in range(replicates):
            truth = problem.simulate(rng)
            trace = pm.sample(
                draws=KEEP * THIN,
                tune=TUNE,
                chains=1,
                cores=1,
                step=step,
                random_seed=int(rng.integers(2**31)),
                progressbar=False,
                compute_convergence_checks=False,
                return_inferencedata=False,
            )
            draws = problem.read(trace)[::THIN]
            out[r] = (draws < truth).sum(axis=0)
    return out


def uniformity(r: np.ndarray) -> tuple[np.ndarray, float]:
    """Counts of the ranks in BINS equal bins of 0..KEEP, and the chi-square p-value."""
    counts = np.bincount(r * BINS // (KEEP + 1), minlength=BINS)
    return counts, float(stats.chisquare(counts).pvalue)


@pytest.mark.slow
@pytest.mark.parametrize("kind", list(PROBLEMS))
def test_ranks_are_uniform(kind: str, tmp_path: Path) -> None:
    problem = PROBLEMS[kind](tmp_path)
    r = ranks(problem)
    for j, name in enumerate(problem.names):
        counts, p = uniformity(r[:, j])
        assert p > P_MIN, f"{kind} {name}: ranks not uniform (p = {p:.4f}, counts {counts})"
