"""Each sweep strategy agrees with the exact posterior within Monte Carlo error.

The event model with Beta experts and a weighted binomial base rate has a closed-form
posterior: a mixture of Betas Beta(a_i + w k, b_i + w (n - k)) with weights
proportional to W_i B(a_i + w k, b_i + w (n - k)) / B(a_i, b_i). P(event) is then a
quadrature over p and the evidence's log likelihood ratio. That is what a full refit
converges to; one real refit through ``forecast run``'s engine is compared too.

These are the strategies of a sampled posterior (``--method nuts``): forecast exactly,
every scenario's posterior is its own quadrature (tests/test_sweep_exact_rows.py).
"""

from __future__ import annotations

import textwrap

import numpy as np
import pytest
from scipy import integrate, special, stats

from forecast import engine
from forecast.inference import SamplerSettings
from forecast.questions.loader import load_question
from forecast.sweep import grid, runner
from forecast.sweep.executors import InlineExecutor
from forecast.sweep.output import StdoutSink
from forecast.sweep.params import params_for
from tests.conftest import EVENT_HEADER

SETTINGS = SamplerSettings(draws=500, tune=500, chains=2, seed=11, method="nuts")

EXPERTS = [("A", 0.2, 10.0), ("B", 0.4, 10.0)]  # probability, strength: Beta(p n, (1 - p) n)
K, N, W = 2, 10, 0.5


def _yaml(weights: tuple[float, float] | None = None, strength: float = 1.0) -> str:
    lines = ["experts:"]
    for i, (name, p, n) in enumerate(EXPERTS):
        lines.append(f"  - name: {name}")
        lines.append(f"    judgement: {{probability: {p}, strength: {n * strength}}}")
        if weights is not None:
            lines.append(f"    weight: {weights[i]}")
    return (
        EVENT_HEADER
        + "\n".join(lines)
        + textwrap.dedent(f"""
        base_rate: {{successes: {K}, trials: {N}, weight: {W}, reference_class: test cases}}
        evidence:
          - id: signal
            description: a signal
            likelihood_ratio: {{median: 2.0, interval: [1.2, 3.3], mass: 0.9}}
          - id: known
            description: known already
            likelihood_ratio: 3
            in_judgements: true
        """)
    )


def exact(
    signal: float | None,
    shift: float,
    *,
    weights: tuple[float, float] = (1.0, 1.0),
    strength: float = 1.0,
    k: float = K,
    n: float = N,
    w: float = W,
    llr: tuple[float, float] = (0.0, 0.0),
) -> float:
    """P(event) by quadrature; ``signal`` None leaves the signal out, else its LR is uncertain."""
    comps, logm = [], []
    for (_, p, size), wt in zip(EXPERTS, weights, strict=True):
        a, b = p * size * strength, (1 - p) * size * strength
        a2, b2 = a + w * k, b + w * (n - k)
        comps.append((a2, b2))
        logm.append(np.log(wt) + special.betaln(a2, b2) - special.betaln(a, b))
    mix = np.exp(np.array(logm) - special.logsumexp(logm))
    nodes, gw = np.polynomial.hermite_e.hermegauss(40)
    mu, sigma = llr
    s = (mu + sigma * nodes if signal is not None else np.zeros(1)) + shift
    sw = gw / gw.sum() if signal is not None else np.ones(1)

    def f(p: float) -> float:
        dens = sum(m * stats.beta.pdf(p, a, b) for m, (a, b) in zip(mix, comps, strict=True))
        logit = np.log(p) - np.log1p(-p)
        return float(dens * np.sum(sw * special.expit(logit + s)))

    return float(integrate.quad(f, 0, 1, limit=200)[0])


def _sweep(q, raw: list[dict[str, object]]) -> list[dict[str, object]]:  # type: ignore[no-untyped-def]
    """Rows of the scenarios ``raw``, in that order."""
    scenarios = [grid.Scenario(tuple(r.items())) for r in raw]
    plan = runner.plan(q, scenarios, SETTINGS, set())
    rows: list[dict[str, object]] = []

    class Collect(StdoutSink):
        def write(self, batch):  # type: ignore[no-untyped-def]
            rows.extend(batch)

    runner.run([plan], InlineExecutor(), Collect())
    assert len(rows) == len(raw)
    by_id = {r["scenario"]: r for r in rows}
    params = params_for(q.spec)
    return [by_id[grid.scenario_id(grid.parse_settings(s, params, "q"))] for s in scenarios]


def _close(row: dict[str, object], truth: float) -> None:
    got, mcse = float(row["probability"]), float(row["mcse"])  # type: ignore[arg-type]
    assert abs(got - truth) < 4 * mcse + 0.004, (row["settings"], got, truth, mcse)


@pytest.fixture(scope="module")
def q(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("sweep") / "q.yaml"
    path.write_text(_yaml(), encoding="utf-8")
    return load_question(path)


@pytest.fixture(scope="module")
def llr(q):  # type: ignore[no-untyped-def]
    from forecast.kinds.event import model as event

    f = event.prepare(q.spec).evidence[0].fitted
    return (f.params["mu"], f.params["sigma"])


@pytest.mark.slow
def test_vectorised_reweighted_and_resampled_match_the_exact_posterior(q, llr) -> None:  # type: ignore[no-untyped-def]
    raw: list[dict[str, object]] = [
        {"evidence.signal": "on"},
        {"evidence.signal": "off"},
        {"evidence.signal": "off", "evidence.known": "on"},
        {"evidence.signal.lr": 5.0},
        {"expert.A.weight": 3.0},
        {"prior.strength": 1.5, "evidence.signal": "off"},
        {"base_rate.weight": 1.0},
        {"base_rate.weight": 0.1, "evidence.signal": "off"},
    ]
    by = _sweep(q, raw)
    expected = [
        ("vectorised", exact(1, 0.0, llr=llr)),
        ("vectorised", exact(None, 0.0)),
        ("vectorised", exact(None, np.log(3.0))),
        ("vectorised", exact(None, np.log(5.0))),
        ("reweighted", exact(1, 0.0, llr=llr, weights=(3.0, 1.0))),
        ("reweighted", exact(None, 0.0, strength=1.5)),
        ("resampled", exact(1, 0.0, llr=llr, w=1.0)),
        ("resampled", exact(None, 0.0, w=0.1)),
    ]
    for i, (strategy, truth) in enumerate(expected):
        assert by[i]["strategy"] == strategy, (raw[i], by[i]["strategy"])
        _close(by[i], truth)
        if strategy == "reweighted":
            assert by[i]["pareto_k"] is not None and float(by[i]["pareto_k"]) <= 0.7  # type: ignore[arg-type]


@pytest.mark.slow
def test_a_prior_too_far_for_the_weights_is_refit_and_says_so(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # Confident experts: the posterior is narrow, and a prior 1000 times weaker moves
    # the answer where the draws are not.
    path = tmp_path / "confident.yaml"
    path.write_text(_yaml(strength=100.0), encoding="utf-8")
    (row,) = _sweep(load_question(path), [{"prior.strength": 0.001, "evidence.signal": "off"}])
    assert row["strategy"] == "refit"
    assert float(row["pareto_k"]) > 0.67  # type: ignore[arg-type]
    assert "Pareto k" in str(row["note"]) and "refit" in str(row["note"])
    _close(row, exact(None, 0.0, strength=0.1))


@pytest.mark.slow
def test_reweighting_agrees_with_a_full_refit(q, tmp_path) -> None:  # type: ignore[no-untyped-def]
    rows = _sweep(q, [{"expert.A.weight": 3.0, "expert.B.weight": 1.0}])
    (row,) = rows
    assert row["strategy"] == "reweighted"
    path = tmp_path / "refit.yaml"
    path.write_text(_yaml(weights=(3.0, 1.0)), encoding="utf-8")
    refit = engine.run(load_question(path), SETTINGS)
    diff = abs(float(row["probability"]) - refit.probability)  # type: ignore[arg-type]
    assert diff < 4 * np.hypot(float(row["mcse"]), refit.mcse) + 0.004  # type: ignore[arg-type]
