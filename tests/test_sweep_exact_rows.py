"""Sweep rows of event and time-to-event questions forecast exactly are read off each
scenario's exact posterior: their probability agrees with SciPy's quadrature of the
posterior written out here (Beta experts, a weighted binomial base rate, Normal log
likelihood ratios; a Beta posterior of the chance per opportunity) to 1e-8, and their
``mcse`` is the quadrature error estimate (the change on the grid half as fine), not a
Monte Carlo error of draws."""

from __future__ import annotations

import dataclasses
import json
import math
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy import integrate, special, stats
from typer.testing import CliRunner

from forecast.cli import app
from forecast.questions.loader import load_question
from tests.conftest import EVENT_HEADER

EXPERTS = [("A", 0.2, 10.0), ("B", 0.4, 10.0)]  # probability, strength: Beta(p n, (1 - p) n)
K, N, W = 2, 10, 0.5

EVENT = EVENT_HEADER + textwrap.dedent(f"""\
    experts:
      - name: A
        judgement: {{probability: 0.2, strength: 10}}
      - name: B
        judgement: {{probability: 0.4, strength: 10}}
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

GH = np.polynomial.hermite_e.hermegauss(80)
"""Nodes and weights for E over a standard Normal (weights summing to sqrt(2 pi))."""


def _normal_mean(f: Any, mu: float, sigma: float) -> Any:
    z, w = GH
    return sum(wi * f(mu + sigma * zi) for zi, wi in zip(z, w, strict=True)) / w.sum()


def event_reference(
    *,
    signal: tuple[float, float] | None,
    shift: float = 0.0,
    weights: tuple[float, float] = (1.0, 1.0),
    strength: float = 1.0,
    w: float = W,
) -> float:
    """P(event) by SciPy's quadrature: the posterior of p a mixture of
    Beta(a_i + w k, b_i + w (n - k)) weighted by W_i B(a_i', b_i') / B(a_i, b_i); the
    evidence's shift ``shift`` plus, when ``signal`` is (mu, sigma), a Normal."""
    comps, logm = [], []
    for (_, p, size), wt in zip(EXPERTS, weights, strict=True):
        a, b = p * size * strength, (1 - p) * size * strength
        a2, b2 = a + w * K, b + w * (N - K)
        comps.append((a2, b2))
        logm.append(math.log(wt) + special.betaln(a2, b2) - special.betaln(a, b))
    mix = np.exp(np.array(logm) - special.logsumexp(logm))

    def f(p: float) -> float:
        dens = sum(m * stats.beta.pdf(p, a, b) for m, (a, b) in zip(mix, comps, strict=True))
        logit = math.log(p) - math.log1p(-p)
        if signal is None:
            inner = special.expit(logit + shift)
        else:
            inner = _normal_mean(lambda s: special.expit(logit + shift + s), *signal)
        return float(dens * inner)

    return float(integrate.quad(f, 0, 1, limit=400, epsabs=1e-13, epsrel=1e-12)[0])


def _sweep(path: Path, *grid: str, extra: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    args = ["sweep", str(path), "--draws", "500", "--chains", "2", "--seed", "4", *extra]
    for g in grid:
        args += ["--grid", g]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.fixture(scope="module")
def event_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("exact-rows") / "q.yaml"
    path.write_text(EVENT, encoding="utf-8")
    return path


def _signal(path: Path) -> tuple[float, float]:
    from forecast.kinds.event import model as event

    f = event.prepare(load_question(path).spec).evidence[0].fitted  # type: ignore[arg-type]
    return float(f.params["mu"]), float(f.params["sigma"])


def _half_grid_error(path: Path, settings: dict[str, Any]) -> float:
    """The change of the scenario's P from the exact method's grid to the grid half as
    fine (with half the Gauss–Hermite nodes)."""
    from forecast.kinds.event import model as event
    from forecast.kinds.event.sweep import EventAdapter, scenario_shift
    from forecast.methods.event_density import EventDensity
    from forecast.methods.grid import GridPosterior

    inputs = event.prepare(load_question(path).spec)  # type: ignore[arg-type]
    prior = {n: v for n, v in settings.items() if n.startswith(("expert.", "prior."))}
    inputs = EventAdapter.with_prior(inputs, prior)
    if "base_rate.weight" in settings:
        k, n, _ = inputs.base_rate  # type: ignore[misc]
        inputs = dataclasses.replace(inputs, base_rate=(k, n, float(settings["base_rate.weight"])))
    fine = GridPosterior.of(EventDensity.of(inputs))
    shift = scenario_shift(inputs, settings)
    return abs(fine.expect_sigmoid(shift) - fine.coarser().expect_sigmoid(shift))


SCENARIOS: list[tuple[dict[str, Any], dict[str, Any]]] = [
    # (the scenario's settings, event_reference's arguments; "signal" True: its fitted LR)
    ({"evidence.signal": "on"}, {"signal": True}),
    ({"evidence.signal": "off"}, {"signal": None}),
    ({"evidence.signal": "off", "evidence.known": "on"}, {"signal": None, "shift": math.log(3)}),
    ({"evidence.signal.lr": 5.0}, {"signal": None, "shift": math.log(5)}),
    ({"evidence.known": "on"}, {"signal": True, "shift": math.log(3)}),
    ({"expert.A.weight": 3.0}, {"signal": True, "weights": (3.0, 1.0)}),
    ({"prior.strength": 1.5, "evidence.signal": "off"}, {"signal": None, "strength": 1.5}),
    ({"base_rate.weight": 1.0}, {"signal": True, "w": 1.0}),
    ({"base_rate.weight": 0.1, "evidence.signal": "off"}, {"signal": None, "w": 0.1}),
]


def test_event_rows_are_the_exact_posterior_s_numbers(event_file: Path, tmp_path: Path) -> None:
    """Evidence, prior and base-rate scenarios: P to 1e-8 of the closed-form posterior's
    quadrature, mcse the half-grid error (far below the draws' sd / sqrt(n))."""
    scenarios = tmp_path / "scenarios.yaml"
    listed = [json.dumps({"name": f"s{i}", **s}) for i, (s, _) in enumerate(SCENARIOS)]
    scenarios.write_text("".join(f"- {line}\n" for line in listed), encoding="utf-8")
    rows = _sweep(event_file, extra=("--scenarios", str(scenarios)))
    assert len(rows) == len(SCENARIOS)
    signal = _signal(event_file)
    by_name = {r["name"]: r for r in rows}
    for i, (settings, ref) in enumerate(SCENARIOS):
        row = by_name[f"s{i}"]
        args = dict(ref)
        args["signal"] = signal if ref["signal"] is True else None
        truth = event_reference(**args)
        assert abs(row["probability"] - truth) <= 1e-8, (settings, row["probability"], truth)
        # the quadrature's own error estimate, not sd / sqrt(draws) (about 5e-3 here)
        assert row["mcse"] == pytest.approx(_half_grid_error(event_file, settings), abs=1e-15)
        assert row["mcse"] < 1e-7, (settings, row["mcse"])
        assert row["lo95"] < row["lo80"] < row["probability"] < row["hi80"] < row["hi95"]
        assert row["ok"] and row["rhat_max"] is None


TTE = """\
format: 1
kind: time-to-event
title: A scheduled question
resolution: Resolves yes if the test event happens at a meeting, as the test says.
as_of: 2025-12-01
deadline: 2028-12-31
horizon: 2030-12-31
opportunities:
  dates: [2019-06-01, 2020-06-01, 2021-06-01, 2022-06-01, 2023-06-01, 2024-06-01, 2025-06-01]
  every_months: 12
experts:
  - name: a
    judgement: {probability: 0.1, strength: 20}
drivers:
  - id: push
    description: a push for it
    odds_ratio: {median: 3.0, interval: [1.5, 6.0], mass: 0.8}
    level: 0.3
"""


def tte_reference(a: float, b: float, passed: int, future: int, level: float, beta: Any) -> float:
    """P(by the deadline): q ~ Beta(a, b + passed) after ``passed`` opportunities without
    the event, ``future`` opportunities by the deadline, the driver on with probability
    ``level`` adding a Normal ``beta`` = (mu, sigma) log odds ratio."""

    def by(q: float) -> float:
        off = 1.0 - (1.0 - q) ** future
        logit = math.log(q) - math.log1p(-q)
        on = _normal_mean(lambda s: 1.0 - (1.0 - special.expit(logit + s)) ** future, *beta)
        return float((1 - level) * off + level * on)

    def f(q: float) -> float:
        return float(stats.beta.pdf(q, a, b + passed) * by(q))

    return float(integrate.quad(f, 0, 1, limit=400, epsabs=1e-13, epsrel=1e-12)[0])


def test_time_to_event_rows_are_the_exact_posterior_s_numbers(tmp_path: Path) -> None:
    from forecast.kinds.tte import model as tte
    from forecast.kinds.tte.density import TteDensity
    from forecast.kinds.tte.grid import TteGrid

    path = tmp_path / "tte.yaml"
    path.write_text(TTE, encoding="utf-8")
    q = load_question(path)
    inputs = tte.prepare(q.spec)  # type: ignore[arg-type]
    (expert,) = inputs.experts
    a, b = float(expert.params["alpha"]), float(expert.params["beta"])
    (driver,) = inputs.drivers
    beta = (float(driver.fitted.params["mu"]), float(driver.fitted.params["sigma"]))
    future = sum(1 for d in inputs.dates() if d <= q.spec.deadline)  # type: ignore[attr-defined]
    assert (len(inputs.passed), future) == (7, 3)  # type: ignore[union-attr]
    rows = _sweep(path, "driver.push=0,0.3,0.5,1")
    grid = TteGrid.of(TteDensity.of(inputs))
    upto = grid.density.horizon_of(q.spec.deadline)  # type: ignore[attr-defined]
    for row in rows:
        level = float(row["settings"]["driver.push"])
        truth = tte_reference(a, b, 7, future, level, beta)
        assert abs(row["probability"] - truth) <= 1e-8, (level, row["probability"], truth)
        half = abs(grid.expect([level], upto) - grid.coarser().expect([level], upto))
        assert row["mcse"] == pytest.approx(half, abs=1e-15)
        assert row["mcse"] < 1e-7, row
        assert row["ok"] and row["rhat_max"] is None and row["strategy"] == "vectorised"
