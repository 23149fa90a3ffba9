"""The exact method for event questions: PyMC's density, checked against independent
quadrature (SciPy) and closed forms, and the choice of method."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import integrate, special, stats

from forecast.elicit.distributions import Fitted
from forecast.elicit.pool import PoolSpec
from forecast.inference import SamplerSettings
from forecast.kinds.event.model import EventInputs, EvidenceInput
from forecast.methods import exact as exact_mod
from forecast.methods.event_density import EventDensity
from forecast.methods.exact import ExactEvent


def _beta(a: float, b: float) -> Fitted:
    return Fitted("beta", {"alpha": a, "beta": b}, "test")


def _lr(mu: float, sigma: float) -> Fitted:
    if sigma == 0:
        return Fitted("lognormal", {"mu": mu, "sigma": 0.0}, "fixed")
    return Fitted("lognormal", {"mu": mu, "sigma": sigma}, "test")


def _inputs(
    experts: list[tuple[float, float]],
    weights: list[float] | None = None,
    *,
    pool: PoolSpec | None = None,
    base_rate: tuple[int, int, float] | None = None,
    evidence: list[tuple[float, float]] = (),  # type: ignore[assignment]
) -> EventInputs:
    fits = tuple(_beta(a, b) for a, b in experts)
    w = tuple(weights or [1.0 / len(fits)] * len(fits))
    ev = tuple(EvidenceInput(f"e{i}", "", _lr(mu, sd), True) for i, (mu, sd) in enumerate(evidence))
    return EventInputs(
        tuple(f"x{i}" for i in range(len(fits))), fits, w, base_rate, ev, pool or PoolSpec()
    )


TWO = [(3.0, 20.0), (2.0, 9.0)]
THREE = [(3.0, 20.0), (2.0, 9.0), (2.0, 23.0)]

CASES: dict[str, EventInputs] = {
    "one expert": _inputs([(2.0, 8.0)]),
    "one expert, base rate": _inputs([(2.0, 8.0)], base_rate=(1, 8, 0.5)),
    "linear": _inputs(THREE, [0.5, 0.3, 0.2]),
    "linear, base rate, evidence": _inputs(THREE, base_rate=(1, 8, 0.5), evidence=[(-0.36, 0.34)]),
    "linear, two items and a fixed one": _inputs(
        TWO, evidence=[(-0.36, 0.34), (0.4, 0.0), (0.2, 0.5)]
    ),
    "linear, a weight of zero": _inputs(THREE, [0.6, 0.4, 0.0], base_rate=(0, 5, 1.0)),
    "linear, extremized": _inputs(
        THREE, pool=PoolSpec("linear", 1.5), base_rate=(2, 10, 0.7), evidence=[(0.3, 0.2)]
    ),
    "logarithmic": _inputs(THREE, pool=PoolSpec("logarithmic"), evidence=[(-0.2, 0.4)]),
    "logarithmic, extremized, base rate": _inputs(
        TWO, pool=PoolSpec("logarithmic", 0.7), base_rate=(3, 6, 0.5)
    ),
    "hierarchical": _inputs(THREE, pool=PoolSpec("hierarchical")),
    "hierarchical, extremized, base rate, evidence": _inputs(
        THREE,
        [0.2, 0.5, 0.3],
        pool=PoolSpec("hierarchical", 1.4),
        base_rate=(1, 8, 0.5),
        evidence=[(-0.36, 0.34), (0.1, 0.0)],
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CASES))
def test_numpy_density_is_pymcs_compile_logp(name: str) -> None:
    """The density the exact method integrates equals PyMC's, at 1,000 random points.

    Up to its normalising constant, which the quadrature does not use: PyTensor's
    log-gamma and Normal constants differ from SciPy's by up to about 1e-6 (the offset
    is checked too), and every difference between two points agrees to 1e-8.
    """
    from forecast.kinds.event import model as event

    inputs = CASES[name]
    model = event.build(inputs)
    logp = model.compile_logp()
    density = EventDensity.of(inputs)
    names = [v.name for v in model.value_vars]
    assert names == list(density.value_names())
    rng = np.random.default_rng(1)
    sizes = {v.name: int(np.prod(model.initial_point()[v.name].shape)) for v in model.value_vars}
    gaps = []
    for _ in range(1000):
        point = {}
        for n in names:
            scale = 1.5 if n == "expert_spread_log__" else 4.0
            v = rng.normal(0.0, scale, sizes[n])
            point[n] = v if n == "llr" else np.asarray(v[0])
        gaps.append(density.logp(point) - float(logp(point)))
    offset = gaps[0]
    assert abs(offset) < 1e-5
    worst = float(np.max(np.abs(np.asarray(gaps) - offset)))
    assert worst < 1e-8, worst


def _scipy_forecast(inputs: EventInputs) -> float:
    """P(event) by SciPy's adaptive quadrature in p (not logit p), written from the model
    description: pool density x base rate, the evidence's Normal shift by quad too."""
    d = inputs.pool.extremize
    w = np.asarray(inputs.weights) / sum(inputs.weights)

    def pool_pdf(p0: float) -> float:
        if inputs.pool.method == "logarithmic":
            a = 1 + sum(
                wi * (f.params["alpha"] - 1) for wi, f in zip(w, inputs.experts, strict=True)
            )
            b = 1 + sum(
                wi * (f.params["beta"] - 1) for wi, f in zip(w, inputs.experts, strict=True)
            )
            return float(stats.beta.pdf(p0, a, b))
        return float(
            sum(
                wi * stats.beta.pdf(p0, f.params["alpha"], f.params["beta"])
                for wi, f in zip(w, inputs.experts, strict=True)
            )
        )

    def final_p(p0: float) -> float:
        return float(special.expit(d * special.logit(p0)))

    def lik(p0: float) -> float:
        if inputs.base_rate is None:
            return 1.0
        k, n, wt = inputs.base_rate
        p = final_p(p0)
        return float(np.exp(wt * (k * np.log(p) + (n - k) * np.log1p(-p))))

    mu = sum(e.fitted.params["mu"] for e in inputs.applied)
    sd = math.sqrt(sum(e.fitted.params["sigma"] ** 2 for e in inputs.applied))

    def shifted(p0: float) -> float:
        x = d * special.logit(p0)
        if sd == 0:
            return float(special.expit(x + mu))
        return integrate.quad(
            lambda s: special.expit(x + s) * stats.norm.pdf(s, mu, sd), mu - 12 * sd, mu + 12 * sd
        )[0]

    opts = {"limit": 400, "epsabs": 1e-13, "epsrel": 1e-11, "points": [0.01, 0.1, 0.3]}
    z = integrate.quad(lambda p: pool_pdf(p) * lik(p), 0, 1, **opts)[0]
    num = integrate.quad(lambda p: pool_pdf(p) * lik(p) * shifted(p), 0, 1, **opts)[0]
    return num / z


@pytest.mark.parametrize(
    "name",
    [
        "one expert, base rate",
        "linear",
        "linear, base rate, evidence",
        "linear, two items and a fixed one",
        "linear, extremized",
        "logarithmic",
        "logarithmic, extremized, base rate",
    ],
)
def test_exact_matches_scipy_quadrature(name: str) -> None:
    inputs = CASES[name]
    result = ExactEvent.of(inputs)
    assert abs(result.probability - _scipy_forecast(inputs)) < 1e-7
    assert result.error < 1e-8


def test_hierarchical_matches_scipy_double_quadrature() -> None:
    """The hierarchical pool: (mu, tau) by SciPy's dblquad over tau in [0, inf)."""
    inputs = _inputs(
        THREE, [0.2, 0.5, 0.3], pool=PoolSpec("hierarchical", 1.4), base_rate=(1, 8, 0.5)
    )
    from forecast.elicit.pool import hierarchical_inputs

    m, s, c = hierarchical_inputs(inputs.experts, inputs.weights)
    d = 1.4

    def joint(mu: float, tau: float) -> float:
        lp = stats.norm.logpdf(mu, 0, 2.5) + stats.halfnorm.logpdf(tau, scale=1.0)
        lp += np.sum(stats.norm.logpdf(m, mu, np.sqrt(s**2 + tau**2) / np.sqrt(c)))
        p = special.expit(d * mu)
        lp += 0.5 * (1 * np.log(p) + 7 * np.log1p(-p))
        return float(np.exp(lp + 8.0))

    box = (0.0, 8.0, -12.0, 8.0)
    z = integrate.dblquad(joint, *box, epsabs=1e-12, epsrel=1e-10)[0]
    num = integrate.dblquad(
        lambda mu, tau: joint(mu, tau) * special.expit(d * mu), *box, epsabs=1e-12, epsrel=1e-10
    )[0]
    assert abs(ExactEvent.of(inputs).probability - num / z) < 1e-6


def test_conjugate_case_closed_form_mean_and_intervals() -> None:
    """One Beta and a base rate: the posterior is Beta(a + w k, b + w (n - k))."""
    inputs = CASES["one expert, base rate"]
    a, b = 2.0 + 0.5 * 1, 8.0 + 0.5 * 7
    result = ExactEvent.of(inputs)
    assert abs(result.probability - a / (a + b)) < 1e-10
    for mass, lo, hi in result.intervals:
        assert abs(lo - stats.beta.ppf((1 - mass) / 2, a, b)) < 1e-6
        assert abs(hi - stats.beta.ppf((1 + mass) / 2, a, b)) < 1e-6


def test_intervals_with_evidence_match_scipy_cdf() -> None:
    """The quantiles of q = sigmoid(logit p + S): P(q <= hi) by SciPy is the mass."""
    inputs = _inputs([(2.0, 8.0)], evidence=[(0.5, 0.6)])
    result = ExactEvent.of(inputs)
    for mass, lo, hi in result.intervals:
        for x, target in ((lo, (1 - mass) / 2), (hi, (1 + mass) / 2)):
            t = special.logit(x)
            cdf = integrate.quad(
                lambda p, t=t: (
                    stats.beta.pdf(p, 2, 8) * stats.norm.cdf(t - special.logit(p), 0.5, 0.6)
                ),
                0,
                1,
                epsabs=1e-12,
            )[0]
            assert abs(cdf - target) < 1e-6


def test_draws_follow_the_exact_posterior() -> None:
    inputs = CASES["linear, base rate, evidence"]
    result = ExactEvent.of(inputs)
    p, q, llr = result.draws(4, 1000, seed=3)
    assert p.shape == q.shape == (4, 1000) and llr.shape == (4, 1000, 1)
    assert abs(q.mean() - result.probability) < 0.003
    # the draws' quantiles are the exact ones
    lo95, hi95 = result.intervals[1][1:]
    assert abs(np.mean(q < lo95) - 0.025) < 0.01
    assert abs(np.mean(q > hi95) - 0.025) < 0.01


def test_steps_end_at_the_headline() -> None:
    inputs = CASES["linear, two items and a fixed one"]
    result = ExactEvent.of(inputs)
    steps = result.steps(False, inputs.prior.mean(), ["a", "b", "c"])
    assert [s.kind for s in steps] == ["experts", "evidence", "evidence", "evidence"]
    assert abs(steps[-1].after - result.probability) < 1e-12
    # one fixed item alone: E[sigmoid(logit p + 0.4)] after the uncertain first one
    assert steps[1].before == pytest.approx(inputs.prior.mean(), abs=1e-9)


def _question(write_priors: Any, extra: str = "") -> Any:
    from forecast.questions.loader import load_question
    from tests.conftest import EVENT_HEADER

    path: Path = write_priors(
        EVENT_HEADER
        + """\
experts:
  - name: a
    judgement: {probability: 0.2, strength: 20}
  - name: b
    judgement: {probability: 0.1, strength: 30}
base_rate: {successes: 1, trials: 6, weight: 0.5, reference_class: tests}
evidence:
  - id: sign
    description: a sign
    likelihood_ratio: {median: 0.7, interval: [0.4, 1.1], mass: 0.8}
"""
        + extra
    )
    return load_question(path)


def test_auto_is_exact_for_an_event_question(write_priors: Any) -> None:
    from forecast import engine

    q = _question(write_priors)
    f = engine.run(q, SamplerSettings(draws=200, chains=2, seed=1))
    assert f.diagnostics.method == "exact" and f.provenance.method == "exact"
    assert f.provenance.sampler == "exact-quadrature"
    assert f.mcse == 0.0 and f.diagnostics.ok
    d = f.to_dict()
    assert d["diagnostics"]["method"] == "exact" and d["diagnostics"]["quadrature_error"] < 1e-8
    assert d["pools"]["headline"] == f.probability


def test_auto_falls_back_to_nuts_when_the_quadrature_error_is_too_large(
    write_priors: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from forecast import methods
    from forecast.kinds.event import model as event

    q = _question(write_priors)
    inputs = event.prepare(q.spec)
    settings = SamplerSettings(seed=1)
    assert methods.forecast(q, inputs, settings)[0] is not None
    monkeypatch.setattr(exact_mod, "TOLERANCE", -1.0)
    made, passed = methods.forecast(q, inputs, settings)
    assert made is None and passed[0].startswith("exact: quadrature error")  # NUTS samples
    forced, _ = methods.forecast(q, inputs, SamplerSettings(seed=1, method="exact"))
    assert forced is not None and not forced.diagnostics.ok
    assert "quadrature error" in forced.diagnostics.warnings[0]


def test_a_method_the_kind_does_not_admit_is_refused(write_priors: Any) -> None:
    from forecast import methods
    from forecast.errors import UsageError
    from forecast.kinds.event import model as event

    q = _question(write_priors)
    inputs = event.prepare(q.spec)
    with pytest.raises(UsageError, match="an event question cannot be forecast by the importance"):
        methods.forecast(q, inputs, SamplerSettings(method="importance"))
    assert methods.forecast(q, inputs, SamplerSettings(method="nuts")) == (None, ())


@pytest.mark.slow
def test_exact_agrees_with_a_long_nuts_run_within_3_mcse(write_priors: Any) -> None:
    from forecast import engine

    q = _question(write_priors)
    exact = engine.run(q, SamplerSettings(seed=5, method="exact"))
    nuts = engine.run(q, SamplerSettings(draws=5000, tune=1000, chains=4, seed=5, method="nuts"))
    assert nuts.diagnostics.method == "nuts" and nuts.diagnostics.ok
    assert abs(nuts.probability - exact.probability) <= 3 * nuts.mcse
    for e, s in zip(exact.intervals, nuts.intervals, strict=True):
        assert abs(e.lo - s.lo) < 0.01 and abs(e.hi - s.hi) < 0.01


HAZARD = """\
format: 1
kind: time-to-event
title: A hazard question
resolution: Resolves yes if the test event happens, as the test says.
as_of: 2025-12-01
deadline: 2028-12-01
horizon: 2035-12-01
hazard:
  since: 2020-12-01
  shape: {median: 1.2, interval: [0.8, 1.8], mass: 0.9}
  experts:
    - name: a
      median_years: {median: 8, interval: [3.5, 18.3], mass: 0.9}
"""


@pytest.mark.parametrize(
    "question",
    [
        "benchmarks/data/event-question.yaml",
        "priors/turkiye-joins-consultative-meeting.yaml",
        "hazard",
    ],
)
def test_the_exact_path_imports_neither_pymc_pytensor_nor_arviz(
    tmp_path: Path, question: str
) -> None:
    """`forecast run` on an event or a time-to-event question (scheduled, hazard) loads
    none of them, nor xarray (ArviZ's top layer)."""
    import subprocess
    import sys

    from tests.conftest import ROOT

    code = (
        "import atexit, sys\n"
        "heavy = ('pymc', 'pytensor', 'arviz', 'xarray')\n"
        "atexit.register(lambda: print('LOADED', sorted({m.split('.')[0] for m in sys.modules"
        " if m.split('.')[0] in heavy}), file=sys.stderr))\n"
        "from forecast.cli import main\n"
        "main()\n"
    )
    q = ROOT / question
    if question == "hazard":
        q = tmp_path / "hazard.yaml"
        q.write_text(HAZARD, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-c", code, "run", str(q), "-q"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert float(proc.stdout.strip().rstrip("%")) > 0
    assert "LOADED []" in proc.stderr, proc.stderr
