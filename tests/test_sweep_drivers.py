"""Sweeps of drivers questions answer every scenario from the importance posterior a run
makes: their rows are those of importance runs of each scenario, agree with SciPy
quadrature and with NUTS within the Monte Carlo error, and NUTS samples only when the
weights fail, as in a run."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import integrate, special, stats
from typer.testing import CliRunner

from forecast.cli import app
from forecast.inference import SamplerSettings
from forecast.questions.loader import LoadedQuestion, load_question

QUESTION = """\
format: 1
kind: drivers
title: A drivers question
resolution: Resolves yes if the test event happens, as the test says.
deadline: 2030-01-01
experts:
  - name: a
    judgement: {probability: 0.3, strength: 10}
  - name: b
    judgement: {probability: 0.2, strength: 6}
drivers:
  - id: push
    description: makes the event likelier
    odds_ratio: {median: 2.5, interval: [1.2, 5.0], mass: 0.9}
    level: LEVEL
  - id: pull
    description: makes it less likely
    odds_ratio: 0.5
    level: 0.4
cases:
  - {drivers: {push: true, pull: false}, outcome: true}
  - {drivers: {push: false, pull: true}, outcome: false}
  - {drivers: {push: true, pull: true}, outcome: false}
"""

LEVELS = (0.0, 0.3, 1.0)


def _question(tmp_path: Path, level: float, cases: str | None = None) -> LoadedQuestion:
    text = QUESTION.replace("LEVEL", f"{level:g}")
    if cases is not None:
        text = text[: text.index("cases:")] + cases
    path = tmp_path / f"q-{level:g}.yaml"
    path.write_text(text, encoding="utf-8")
    return load_question(path)


def _sweep(path: Path, *args: str) -> list[dict[str, Any]]:
    result = CliRunner().invoke(
        app, ["sweep", str(path), "--draws", "1000", "--chains", "2", *args]
    )
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_rows_are_the_importance_runs_of_each_scenario(tmp_path: Path) -> None:
    """The same seed gives the same prior draws and weights: each row is the run of the
    file with that scenario's levels written in, to rounding."""
    from forecast import engine

    q = _question(tmp_path, 1.0)
    grid = ",".join(f"{v:g}" for v in LEVELS)
    rows = _sweep(
        q.path, "--grid", f"driver.push={grid}", "--grid", "driver.pull=0.4,1", "--seed", "5"
    )
    assert len(rows) == 2 * len(LEVELS)
    for row in rows:
        assert row["strategy"] == "vectorised" and row["ok"]
        assert row["rhat_max"] is None and row["ess"] > 400 and row["pareto_k"] <= 0.7
        s = row["settings"]
        text = q.path.read_text("utf-8").replace("level: 1\n", f"level: {s['driver.push']:g}\n")
        text = text.replace("level: 0.4\n", f"level: {s['driver.pull']:g}\n")
        one = tmp_path / "one.yaml"
        one.write_text(text, encoding="utf-8")
        run = engine.run(load_question(one), SamplerSettings(draws=1000, chains=2, seed=5))
        assert run.diagnostics.method == "importance"
        assert row["probability"] == pytest.approx(run.probability, abs=1e-12)
        assert row["mcse"] == pytest.approx(run.mcse, rel=1e-9)
        assert row["lo95"] == pytest.approx(run.intervals[1].lo, abs=1e-12)


def _scipy_mean(q: LoadedQuestion, level_push: float, level_pull: float) -> float:
    """P(event) at the levels, by SciPy's dblquad over (p0, beta_push): the pool of the
    two Betas, the fitted Normal of log OR(push), log OR(pull) = log 0.5, the cases."""
    from forecast import kinds

    inputs = kinds.of(q.spec).prepare(q)
    ab = [(e.params["alpha"], e.params["beta"]) for e in inputs.experts]
    w = np.asarray(inputs.weights, dtype=float) / sum(inputs.weights)
    mu, sd = inputs.drivers[0].fitted.params["mu"], inputs.drivers[0].fitted.params["sigma"]
    pull = math.log(0.5)
    cases = [((1, 0), 1), ((0, 1), 0), ((1, 1), 0)]

    def density(p0: float, b: float) -> float:
        u = special.logit(p0)
        lik = 1.0
        for (x1, x2), y in cases:
            r = special.expit(u + b * x1 + pull * x2)
            lik *= r if y else 1 - r
        prior = sum(wi * stats.beta.pdf(p0, a, bb) for wi, (a, bb) in zip(w, ab, strict=True))
        return float(prior * stats.norm.pdf(b, mu, sd) * lik)

    def forecast(p0: float, b: float) -> float:
        u = special.logit(p0)
        out = 0.0
        for x1, x2 in ((0, 0), (0, 1), (1, 0), (1, 1)):
            pw = (level_push if x1 else 1 - level_push) * (level_pull if x2 else 1 - level_pull)
            out += pw * special.expit(u + b * x1 + pull * x2)
        return float(out)

    box = (mu - 10 * sd, mu + 10 * sd, 0.0, 1.0)
    z = integrate.dblquad(lambda p0, b: density(p0, b), *box, epsabs=1e-11)[0]
    num = integrate.dblquad(lambda p0, b: density(p0, b) * forecast(p0, b), *box, epsabs=1e-11)
    return num[0] / z


def test_rows_agree_with_scipy_quadrature(tmp_path: Path) -> None:
    q = _question(tmp_path, 1.0)
    rows = _sweep(q.path, "--grid", "driver.push=0,0.3,1", "--seed", "2")
    for row in rows:
        expected = _scipy_mean(q, float(row["settings"]["driver.push"]), 0.4)
        assert abs(row["probability"] - expected) <= 3 * row["mcse"], (row, expected)


def test_a_drivers_sweep_imports_no_pymc(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    q = _question(tmp_path, 1.0)
    code = (
        "import sys\n"
        "from forecast.cli._app import app\n"
        "try:\n    app()\nexcept SystemExit as exc:\n    code = exc.code\n"
        "print('LOADED', sorted({m.split('.')[0] for m in sys.modules"
        " if m.split('.')[0] in ('pymc', 'pytensor', 'xarray')}), file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    env = {**os.environ, "FORECAST_CACHE_DIR": str(tmp_path / "cache")}
    args = ["sweep", str(q.path), "--grid", "driver.push=0,1", "--grid", "expert.b.weight=1,2"]
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=tmp_path, env=env
    )
    assert proc.returncode == 0, proc.stderr
    assert "LOADED []" in proc.stderr
    strategies = {json.loads(line)["strategy"] for line in proc.stdout.splitlines()}
    assert strategies == {"vectorised", "reweighted"}


def test_the_matrix_evaluation_is_the_kinds_state_sum() -> None:
    """All scenarios at once (every joint state) against the kind's sum over the states
    each scenario's levels leave uncertain, with three drivers, one fixed."""
    from forecast.elicit.distributions import Fitted
    from forecast.kinds.drivers.model import DriverInput, DriversInputs, probability_at
    from forecast.kinds.drivers.sweep import DriversAdapter

    def lognormal(mu: float, sigma: float) -> Fitted:
        return Fitted("lognormal", {"mu": mu, "sigma": sigma}, "fixed" if sigma == 0 else "t")

    drivers = tuple(
        DriverInput(f"d{i}", "", lognormal(mu, sd), 0.5)
        for i, (mu, sd) in enumerate([(0.9, 0.4), (-0.7, 0.0), (0.2, 0.6)])
    )
    beta_fit = Fitted("beta", {"alpha": 3.0, "beta": 7.0}, "t")
    inputs = DriversInputs(("a",), (beta_fit,), (1.0,), drivers, np.zeros((0, 3)), np.zeros(0))

    class Spec:
        def scenario_levels(self, name: str | None) -> dict[str, float]:
            return {d.id: d.level for d in drivers}

    spec: Any = Spec()
    adapter = DriversAdapter(spec, inputs, 1)
    rng = np.random.default_rng(4)
    draws = {
        "alpha": rng.normal(-1, 1, (2, 50)),
        "beta": rng.normal(0, 1, (2, 50, 3)),
        "shift": rng.normal(0, 0.3, (2, 50)),
    }
    scenarios: list[dict[str, Any]] = [
        {"driver.d0": a, "driver.d1": b, "driver.d2": c}
        for a in (0.0, 0.25, 1.0)
        for b in (0.0, 1.0)
        for c in (0.1, 0.5, 1.0)
    ]
    got = adapter.evaluate(inputs, draws, scenarios)
    for s, g in zip(scenarios, got, strict=True):
        lv = [s["driver.d0"], s["driver.d1"], s["driver.d2"]]
        want = probability_at(draws["alpha"] + draws["shift"], draws["beta"], lv)
        np.testing.assert_allclose(g, want, rtol=0, atol=1e-14)


MANY_CASES = "cases:\n" + "".join(
    f"  - {{drivers: {{push: {'true' if i % 2 else 'false'}, pull: false}}, outcome: true}}\n"
    for i in range(40)
)


@pytest.mark.slow
def test_nuts_samples_when_the_weights_fail_as_in_a_run(tmp_path: Path) -> None:
    """Forty cases all with the event: k past 0.7, so the sweep's posterior is NUTS's."""
    q = _question(tmp_path, 1.0, MANY_CASES)
    rows = _sweep(q.path, "--grid", "driver.push=0,1", "--tune", "500")
    assert all(row["rhat_max"] is not None and row["rhat_max"] < 1.05 for row in rows)
    assert all(row["pareto_k"] is None for row in rows)


@pytest.mark.slow
def test_importance_rows_agree_with_nuts_within_the_monte_carlo_error(tmp_path: Path) -> None:
    from forecast import kinds
    from forecast.sweep import strategies as st

    q = _question(tmp_path, 1.0)
    kind = kinds.of(q.spec)
    inputs = kind.prepare(q)
    adapter = kind.sweep_adapter(q.spec, inputs, 3)
    scenarios: list[dict[str, Any]] = [{"driver.push": v} for v in LEVELS]
    found = {}
    for method in ("importance", "nuts"):
        settings = SamplerSettings(draws=2000, tune=1000, chains=4, seed=3, method=method)
        post = st.sample_job(st.Job(q.spec.kind, inputs, (), settings, f"test-drivers-{method}"))
        assert post.diagnostics["method"] == method
        ess = post.diagnostics.get("importance_ess")
        found[method] = st.summaries(
            adapter.evaluate(inputs, post.draws, scenarios), None, 1.0, ess
        )
    for a, b in zip(found["importance"], found["nuts"], strict=True):
        assert abs(a["probability"] - b["probability"]) <= 3 * math.hypot(a["mcse"], b["mcse"])


def test_reweighted_rows_agree_with_importance_runs_with_those_weights(tmp_path: Path) -> None:
    """Expert weights change the prior: the rows reweight the importance draws, and agree
    with runs of the file with the weights written in, within 3 combined errors."""
    from forecast import engine

    q = _question(tmp_path, 1.0)
    rows = _sweep(q.path, "--grid", "expert.b.weight=0.2,3", "--seed", "4")
    assert {r["strategy"] for r in rows} <= {"reweighted", "refit"}
    low, high = rows  # expert b's lower judgement counts more in the second
    assert high["probability"] < low["probability"] - 3 * math.hypot(low["mcse"], high["mcse"])
    for row in rows:
        w = float(row["settings"]["expert.b.weight"])
        text = q.path.read_text("utf-8").replace(
            "  - name: b\n", f"  - name: b\n    weight: {w:g}\n"
        )
        one = tmp_path / "weighted.yaml"
        one.write_text(text, encoding="utf-8")
        run = engine.run(load_question(one), SamplerSettings(draws=1000, chains=2, seed=9))
        assert run.diagnostics.method == "importance"
        err = math.hypot(row["mcse"], run.mcse)
        assert abs(row["probability"] - run.probability) <= 3 * err, (row, run.probability)
