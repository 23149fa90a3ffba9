"""The importance method for drivers questions: PyMC's density, SciPy quadrature, PSIS
diagnostics and the fallback to NUTS."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import integrate, special, stats

from forecast import psis
from forecast.elicit.distributions import Fitted
from forecast.inference import SamplerSettings
from forecast.kinds.drivers.model import DriverInput, DriversInputs
from forecast.kinds.event.model import EvidenceInput
from forecast.methods.drivers_density import DriversDensity
from forecast.methods.importance import resample


def _lognormal(mu: float, sigma: float) -> Fitted:
    return Fitted("lognormal", {"mu": mu, "sigma": sigma}, "fixed" if sigma == 0 else "test")


def _inputs(
    experts: list[tuple[float, float]],
    drivers: list[tuple[float, float, float]],
    cases: list[tuple[list[int], int]] = (),  # type: ignore[assignment]
    evidence: list[tuple[float, float]] = (),  # type: ignore[assignment]
    weights: list[float] | None = None,
) -> DriversInputs:
    fits = tuple(Fitted("beta", {"alpha": a, "beta": b}, "test") for a, b in experts)
    ds = tuple(
        DriverInput(f"d{i}", "", _lognormal(mu, sd), level)
        for i, (mu, sd, level) in enumerate(drivers)
    )
    x = np.array([c[0] for c in cases], dtype=float).reshape(len(cases), len(ds))
    y = np.array([c[1] for c in cases], dtype=float)
    ev = tuple(
        EvidenceInput(f"e{i}", "", _lognormal(mu, sd), True) for i, (mu, sd) in enumerate(evidence)
    )
    w = tuple(weights or [1.0] * len(fits))
    return DriversInputs(tuple(f"x{i}" for i in range(len(fits))), fits, w, ds, x, y, ev)


CASES = {
    "one expert, one uncertain driver": _inputs([(3.0, 7.0)], [(0.9, 0.4, 1.0)]),
    "two experts, fixed and uncertain drivers, cases, evidence": _inputs(
        [(3.0, 7.0), (2.0, 12.0)],
        [(0.9, 0.4, 0.5), (-0.7, 0.0, 1.0), (0.2, 0.6, 0.0)],
        cases=[([1, 0, 1], 1), ([0, 1, 0], 0), ([1, 1, 0], 0), ([0, 0, 1], 1)],
        evidence=[(0.3, 0.5), (0.1, 0.0)],
        weights=[2.0, 1.0],
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CASES))
def test_numpy_density_is_pymcs_compile_logp(name: str) -> None:
    """Equal to PyMC's at 1,000 random points, up to the normalising constant (see
    the event test: PyTensor's constants differ from SciPy's by about 1e-6)."""
    from forecast.kinds.drivers import model as drivers

    inputs = CASES[name]
    model = drivers.build(inputs)
    logp = model.compile_logp()
    density = DriversDensity.of(inputs)
    names = [v.name for v in model.value_vars]
    assert names == list(density.value_names())
    sizes = {v.name: int(np.prod(model.initial_point()[v.name].shape)) for v in model.value_vars}
    rng = np.random.default_rng(2)
    gaps = []
    for _ in range(1000):
        point = {n: rng.normal(0.0, 3.0, sizes[n]) for n in names}
        point["p_logodds__"] = np.asarray(point["p_logodds__"][0])
        gaps.append(density.logp(point) - float(logp(point)))
    assert abs(gaps[0]) < 1e-5
    assert float(np.max(np.abs(np.asarray(gaps) - gaps[0]))) < 1e-8


def _scipy_posterior_mean(a: float, b: float, mu: float, sd: float, cases: list[Any]) -> float:
    """E[sigmoid(logit p0 + beta)] (the driver on), p0 ~ Beta(a, b), beta ~ N(mu, sd),
    given cases (x, y) with one driver: by SciPy's dblquad over (p0, beta)."""

    def lik(p0: float, beta: float) -> float:
        u = special.logit(p0)
        out = 1.0
        for x, y in cases:
            q = special.expit(u + beta * x)
            out *= q if y else 1 - q
        return float(stats.beta.pdf(p0, a, b) * stats.norm.pdf(beta, mu, sd) * out)

    box = (mu - 10 * sd, mu + 10 * sd, 0.0, 1.0)
    z = integrate.dblquad(lambda p0, beta: lik(p0, beta), *box, epsabs=1e-11)[0]
    num = integrate.dblquad(
        lambda p0, beta: lik(p0, beta) * special.expit(special.logit(p0) + beta), *box, epsabs=1e-11
    )[0]
    return num / z


def _question(tmp_path: Path, cases: str) -> Any:
    from forecast.questions.loader import load_question

    text = textwrap.dedent(
        """\
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
            odds_ratio: {median: 2.5, interval: [1.2, 5.0], mass: 0.9}
            level: 1
        """
    )
    path = tmp_path / "q.yaml"
    path.write_text(text + cases, encoding="utf-8")
    return load_question(path)


def _fitted(q: Any) -> tuple[float, float, float, float]:
    from forecast import kinds

    inputs = kinds.of(q.spec).prepare(q)
    e, d = inputs.experts[0], inputs.drivers[0].fitted
    return e.params["alpha"], e.params["beta"], d.params["mu"], d.params["sigma"]


FEW_CASES = """\
cases:
  - {drivers: {push: true}, outcome: true}
  - {drivers: {push: false}, outcome: false}
  - {drivers: {push: true}, outcome: false}
"""


def test_auto_forecasts_a_drivers_question_with_few_cases_by_importance(tmp_path: Path) -> None:
    from forecast import engine

    q = _question(tmp_path, FEW_CASES)
    f = engine.run(q, SamplerSettings(draws=1000, chains=4, seed=3))
    assert f.diagnostics.method == "importance" and f.provenance.method == "importance"
    assert f.provenance.sampler == "psis-importance"
    assert f.diagnostics.ok and f.diagnostics.pareto_k is not None
    assert f.diagnostics.pareto_k <= 0.7 and f.diagnostics.importance_ess > 400
    a, b, mu, sd = _fitted(q)
    cases = [(1, 1), (0, 0), (1, 0)]
    expected = _scipy_posterior_mean(a, b, mu, sd, cases)
    assert abs(f.probability - expected) <= 4 * f.mcse + 1e-4
    d = f.to_dict()["diagnostics"]
    assert d["method"] == "importance" and d["pareto_k"] == f.diagnostics.pareto_k


def test_importance_falls_back_to_nuts_when_k_is_too_large(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from forecast import kinds, methods

    q = _question(tmp_path, FEW_CASES)
    inputs = kinds.of(q.spec).prepare(q)
    settings = SamplerSettings(draws=500, chains=2, seed=1)
    assert methods.forecast(q, inputs, settings)[0] is not None
    monkeypatch.setattr(psis, "K_CAP", -1.0)  # no k is trusted
    made, passed = methods.forecast(q, inputs, settings)
    assert made is None and passed[0].startswith("importance: Pareto k")  # NUTS samples
    forced, _ = methods.forecast(
        q, inputs, SamplerSettings(draws=500, chains=2, method="importance")
    )
    assert forced is not None and not forced.diagnostics.ok
    assert "Pareto k" in forced.diagnostics.warnings[0]


def test_many_cases_leave_importance_for_nuts(tmp_path: Path) -> None:
    """Forty cases, every one with the event, against a prior near 0.3: the posterior is
    far in the prior's tail, k is past 0.7, and auto leaves it to NUTS."""
    from forecast import kinds, methods

    rows = "".join(
        f"  - {{drivers: {{push: {'true' if i % 2 else 'false'}}}, outcome: true}}\n"
        for i in range(40)
    )
    q = _question(tmp_path, "cases:\n" + rows)
    inputs = kinds.of(q.spec).prepare(q)
    density = DriversDensity.of(inputs)
    prior = density.prior_draws(20_000, np.random.default_rng(0))
    smoothed = psis.smooth(density.cases_loglik(prior["u"], prior["beta"]))
    assert smoothed.pareto_k > 0.7 and not smoothed.ok
    assert methods.forecast(q, inputs, SamplerSettings(seed=1))[0] is None


def test_resampling_keeps_the_weights() -> None:
    rng = np.random.default_rng(0)
    w = rng.random(50)
    w /= w.sum()
    idx = resample(w, 100_000, rng)
    counts = np.bincount(idx, minlength=50) / 100_000
    assert np.max(np.abs(counts - w)) < 2e-4
