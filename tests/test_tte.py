"""The time-to-event kind: validation, the Beta-binomial closed form, the hazard form by
quadrature, the curve, the median time and the report."""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import textwrap
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console
from scipy import integrate, optimize, special, stats
from scipy.special import betaln
from typer.testing import CliRunner

from forecast import engine
from forecast.cli import app
from forecast.errors import InputError
from forecast.inference import SamplerSettings
from forecast.kinds.tte import model as tte
from forecast.kinds.tte.spec import add_months
from forecast.questions.loader import load_question
from forecast.render.report import Report

HEADER = """\
format: 1
kind: time-to-event
title: A time-to-event question
resolution: Resolves yes if the test event happens, as the test says.
as_of: 2025-12-01
"""

# Five yearly opportunities passed (2021-2025); then one each 1 June to the horizon.
SCHEDULED = """\
deadline: {deadline}
horizon: 2031-12-31
opportunities:
  dates: [2021-06-01, 2022-06-01, 2023-06-01, 2024-06-01, 2025-06-01]
  every_months: 12
experts:
  - name: a
    judgement: {{probability: 0.2, strength: 10}}
"""

SETTINGS = SamplerSettings(draws=1000, tune=500, chains=2, seed=13)

QUADRATURE_TOLERANCE = 1e-7
"""How close the exact method must come to a closed form (it has no Monte Carlo error)."""


@pytest.fixture(params=["nuts", "exact"])
def method(request: pytest.FixtureRequest) -> str:
    """Each closed-form test runs sampled by NUTS and exactly."""
    return str(request.param)


def _within(estimate: float, mcse: float, truth: float, k: float = 3.0) -> None:
    """Within k Monte Carlo errors of the truth (sampled), or to quadrature precision."""
    assert abs(estimate - truth) <= max(k * mcse, QUADRATURE_TOLERANCE), (estimate, truth, mcse)


def _write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "q.yaml"
    path.write_text(HEADER + textwrap.dedent(body), encoding="utf-8")
    return path


def _problems(path: Path) -> list[str]:
    with pytest.raises(InputError) as exc:
        load_question(path)
    return [str(p) for p in exc.value.problems]


def _at(path: Path, needle: str, occurrence: int = 1) -> tuple[int, int]:
    """Line and column (1-based) of the n-th occurrence of ``needle`` in the file."""
    seen = 0
    for i, text in enumerate(path.read_text().splitlines(), 1):
        col = text.find(needle)
        while col >= 0:
            seen += 1
            if seen == occurrence:
                return i, col + 1
            col = text.find(needle, col + 1)
    raise AssertionError(needle)


def test_an_opportunity_listed_twice_is_located(tmp_path: Path) -> None:
    body = SCHEDULED.format(deadline="2027-12-31").replace("2022-06-01", "2021-06-01")
    path = _write(tmp_path, body)
    (line,) = _problems(path)
    row, col = _at(path, "2021-06-01", occurrence=2)
    assert (
        f"q.yaml:{row}:{col} opportunities.dates[1]: the opportunity 2021-06-01 is listed twice"
        in line
    )


def test_a_date_outside_the_horizon_is_located(tmp_path: Path) -> None:
    body = SCHEDULED.format(deadline="2027-12-31").replace("2025-06-01]", "2025-06-01, 2033-06-01]")
    path = _write(tmp_path, body)
    (line,) = _problems(path)
    row, col = _at(path, "2033-06-01")
    assert (
        f"q.yaml:{row}:{col} opportunities.dates[5]: "
        "the opportunity 2033-06-01 is after the horizon 2031-12-31" in line
    )


def test_a_deadline_after_the_horizon_is_located(tmp_path: Path) -> None:
    path = _write(tmp_path, SCHEDULED.format(deadline="2032-06-30"))
    (line,) = _problems(path)
    row, col = _at(path, "2032-06-30")
    assert f"q.yaml:{row}:{col} deadline: the deadline 2032-06-30 is after the horizon" in line


def test_both_forms_or_neither_is_refused(tmp_path: Path) -> None:
    body = "deadline: 2027-12-31\nhorizon: 2030-12-31\n"
    (line,) = _problems(_write(tmp_path, body))
    assert "opportunities: give either opportunities (scheduled) or hazard" in line


def test_schedule_repeats_to_the_horizon() -> None:
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2025, 11, 16), 12) == dt.date(2026, 11, 16)


def test_median_date_is_the_first_opportunity_past_one_half(tmp_path: Path) -> None:
    q = load_question(_write(tmp_path, SCHEDULED.format(deadline="2027-12-31")))
    inputs = tte.prepare(q.spec)  # type: ignore[arg-type]
    assert isinstance(inputs, tte.ScheduleInputs)
    assert len(inputs.passed) == 5 and inputs.future[0] == dt.date(2026, 6, 1)
    # q = 0.2 exactly: P(by f) = 1 - 0.8^f crosses 1/2 at f = 4 (0.59 after 0.49).
    draws = tte.Draws(np.full(10, math.log(0.25)), np.zeros(10), np.zeros((10, 0)))
    assert tte.median_date(inputs, draws, []) == dt.date(2029, 6, 1)
    cum = tte.cumulative(inputs, draws, [])[0]
    assert cum[:3] == pytest.approx([0.2, 0.36, 0.488])


@pytest.mark.slow
@pytest.mark.parametrize(("deadline", "m"), [("2026-12-31", 1), ("2028-12-31", 3)])
def test_beta_binomial_closed_form(tmp_path: Path, deadline: str, m: int, method: str) -> None:
    # Beta(2, 8) on a constant q, k = 5 failed opportunities: P(by the next m) is
    # 1 - B(a, b + k + m) / B(a, b + k).
    q = load_question(_write(tmp_path, SCHEDULED.format(deadline=deadline)))
    f = engine.run(q, replace(SETTINGS, method=method))
    assert f.diagnostics.method == method
    a, b, k = 2.0, 8.0, 5
    truth = 1 - math.exp(betaln(a, b + k + m) - betaln(a, b + k))
    _within(f.probability, f.mcse, truth)
    curve = f.to_dict()["curve"]
    assert [c["date"] for c in curve[:2]] == ["2026-06-01", "2027-06-01"]
    assert curve[m - 1]["probability"] == pytest.approx(f.probability)
    for c in curve:
        assert 0 <= c["lo"] <= c["probability"] <= c["hi"] <= 1
    probs = [c["probability"] for c in curve]
    assert probs == sorted(probs)
    assert f.steps[-1].label == "5 passed opportunities without the event"


@pytest.mark.slow
def test_hazard_by_quadrature(tmp_path: Path, method: str) -> None:
    # Exponential hazard (shape 1), median m ~ LogNormal(log 8, 0.5) years from 2020-12-01;
    # five years passed without the event: posterior over m is prior * S(5 | m), and
    # P(by the deadline | none by as_of) = E[1 - exp(-ln2 (t - 5) / m)] under it.
    body = """\
    deadline: 2028-12-01
    horizon: 2035-12-01
    hazard:
      since: 2020-12-01
      experts:
        - name: a
          median_years: {median: 8, interval: [3.5, 18.3], mass: 0.9}
    """
    f = engine.run(load_question(_write(tmp_path, body)), replace(SETTINGS, method=method))
    assert f.diagnostics.method == method
    fit = f.to_dict()["hazard"]["experts"][0]["fit"]["params"]
    prior = stats.lognorm(s=fit["sigma"], scale=math.exp(fit["mu"]))
    t0 = (dt.date(2025, 12, 1) - dt.date(2020, 12, 1)).days / 365.25
    t = (dt.date(2028, 12, 1) - dt.date(2020, 12, 1)).days / 365.25

    def weight(m: float) -> float:
        return float(prior.pdf(m) * math.exp(-math.log(2) * t0 / m))

    z = integrate.quad(weight, 0, np.inf)[0]
    truth = (
        integrate.quad(lambda m: weight(m) * -math.expm1(-math.log(2) * (t - t0) / m), 0, np.inf)[0]
        / z
    )
    _within(f.probability, f.mcse, truth)
    dates = [c["date"] for c in f.to_dict()["curve"]]
    assert "2028-12-01" in dates and dates[-1] == "2035-12-01"

    def by(years: float) -> float:
        """P(by ``years`` after since | none by t0) under the posterior, by quadrature."""
        gone = integrate.quad(lambda m: weight(m) * -math.expm1(-math.log(2) * (years - t0) / m),
                              0, np.inf)[0]  # fmt: skip
        return gone / z

    # The quadrature median (about 13.7 years, 2034) is before the horizon (15 years), so
    # a date is reported, and at that date the quadrature P(by then) is 1/2 within four
    # Monte Carlo errors (there about twice the deadline's: the draws of P spread more so
    # far out) plus a day's rounding (under 3e-4).
    median = optimize.brentq(lambda y: by(y) - 0.5, t0, 60.0)
    assert median < (dt.date(2035, 12, 1) - dt.date(2020, 12, 1)).days / 365.25
    reported = (dt.date.fromisoformat(f.to_dict()["median_time"]) - dt.date(2020, 12, 1)).days
    assert by(reported / 365.25) == pytest.approx(0.5, abs=8 * f.mcse + 1e-3), median
    buf = io.StringIO()
    Console(file=buf, width=110, color_system=None).print(Report(f))
    text = buf.getvalue()
    assert "2028-12-01 ◂ deadline" in text and "median years to the event" in text
    assert "5.0 years since 2020-12-01 without the event" in text


def _scheduled_by_quadrature(inputs: tte.ScheduleInputs, level: float) -> np.ndarray:
    """P(by each future opportunity | none passed) for one driver at ``level``, from the
    model's equations: logit q_i = logit q + i log trend (+ beta on coming ones), prior
    Beta(a, b) on q, Normal on log trend and beta; the passed opportunities are data.
    A grid in logit q times Gauss-Hermite nodes in log trend and beta."""
    a, b = (inputs.experts[0].params[k] for k in ("alpha", "beta"))
    assert inputs.trend is not None
    mt, st = (inputs.trend.params[k] for k in ("mu", "sigma"))
    mb, sb = (inputs.drivers[0].fitted.params[k] for k in ("mu", "sigma"))
    u = np.linspace(-20.0, 12.0, 801)
    p = special.expit(u)
    nodes, gw = np.polynomial.hermite_e.hermegauss(40)
    gw = gw / gw.sum()
    lt, beta = mt + st * nodes, mb + sb * nodes
    log_w = (stats.beta.logpdf(p, a, b) + np.log(p) + np.log1p(-p))[:, None] + sum(
        special.log_expit(-(u[:, None] + i * lt[None, :])) for i in inputs.passed_index
    )
    w = np.exp(log_w - log_w.max()) * gw[None, :]
    w /= w.sum()
    f = np.arange(len(inputs.future))
    eta = u[:, None, None] + f[None, None, :] * lt[None, :, None]
    out = np.zeros(len(f))
    off = np.cumprod(1 - special.expit(eta), axis=-1)
    for bj, gj in zip(beta, gw, strict=True):
        on = np.cumprod(1 - special.expit(eta + bj), axis=-1)
        out += gj * np.einsum("ut,utf->f", w, 1 - (level * on + (1 - level) * off))
    return out


@pytest.mark.slow
def test_cli_json_curve_scenario_and_report(tmp_path: Path) -> None:
    body = SCHEDULED.format(deadline="2027-12-31") + textwrap.dedent(
        """\
        trend: {median: 1.2, interval: [0.9, 1.6], mass: 0.8}
        drivers:
          - id: invited
            description: a guest invitation
            odds_ratio: {median: 3, interval: [1.5, 6], mass: 0.8}
            level: 0.3
        scenarios:
          invited: {invited: 1}
        """
    )
    path = _write(tmp_path, body)
    args = ["run", str(path), "--format", "json", "--draws", "300", "--tune", "300"]
    result = CliRunner().invoke(app, [*args, "--chains", "2", "--scenario", "invited"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    curve = out["curve"]
    assert set(curve[0]) == {"date", "probability", "lo", "hi"}
    # The headline is P(before the deadline): the curve at the last date before it.
    by_deadline = [c for c in curve if c["date"] <= "2027-12-31"][-1]
    assert out["probability"] == pytest.approx(by_deadline["probability"])
    assert out["scenario"] == "invited" and out["swings"][0]["driver"] == "invited"
    # Against quadrature of the model under the scenario (the driver on): the whole curve
    # within five Monte Carlo errors (the headline's, at 2027-06-01), and the median date,
    # the first date past 1/2: the quadrature's 0.554 there is clear of 1/2 by more than
    # four Monte Carlo errors, and 0.336 a year before is far below.
    q = load_question(path)
    truth = _scheduled_by_quadrature(tte.prepare(q.spec), 1.0)  # type: ignore[arg-type]
    mcse = out["mcse"]
    assert [c["probability"] for c in curve] == pytest.approx(list(truth), abs=5 * mcse + 0.005)
    first = int(np.argmax(truth >= 0.5))
    assert truth[first] - 0.5 > 4 * mcse and 0.5 - truth[first - 1] > 4 * mcse, (truth, mcse)
    assert out["probability"] == pytest.approx(truth[first], abs=max(4 * mcse, 1e-7))
    assert out["median_time"] == curve[first]["date"] == "2027-06-01"

    f = engine.run(q, SamplerSettings(draws=200, tune=200, chains=1, seed=3))
    buf = io.StringIO()
    Console(file=buf, width=110, color_system=None).print(Report(f))
    text = buf.getvalue()
    assert "P(by date)" in text and "2027-06-01 ◂ last before the deadline" in text
    assert "Median time to the event" in text and "Driver swings" in text


def test_show_fits_a_hazard_question_without_sampling(tmp_path: Path) -> None:
    body = """\
    deadline: 2028-12-01
    horizon: 2035-12-01
    hazard:
      since: 2020-12-01
      shape: {median: 1.2, interval: [0.8, 1.8], mass: 0.9}
      experts:
        - name: a
          median_years: {median: 8, interval: [3.5, 18.3], mass: 0.9}
    """
    result = CliRunner().invoke(app, ["show", str(_write(tmp_path, body))])
    assert result.exit_code == 0, result.output
    assert "a (median years)" in result.stdout and "Weibull shape" in result.stdout


HAZARD_DRIVERS = """\
deadline: 2028-12-01
horizon: 2035-12-01
hazard:
  since: 2020-12-01
  experts:
    - name: a
      median_years: {median: 8, interval: [3.5, 18.3], mass: 0.9}
drivers:
  - id: push
    description: makes the event likelier from now on
    odds_ratio: {median: 3, interval: [1.5, 6], mass: 0.8}
    level: 0.5
scenarios:
  pushed: {push: 1}
"""


def _hazard_driver_truth(q, level: float) -> float:  # type: ignore[no-untyped-def]
    """P(by the deadline) by quadrature: m over prior x S(t0 | m) (exponential hazard),
    the hazard ratio over its Normal log (Gauss-Hermite), the driver on with ``level``."""
    inputs = tte.prepare(q.spec)
    fit = inputs.experts[0].params
    hr = inputs.drivers[0].fitted.params
    prior = stats.lognorm(s=fit["sigma"], scale=math.exp(fit["mu"]))
    t0 = (dt.date(2025, 12, 1) - dt.date(2020, 12, 1)).days / 365.25
    t = (dt.date(2028, 12, 1) - dt.date(2020, 12, 1)).days / 365.25
    nodes, weights = np.polynomial.hermite_e.hermegauss(40)
    ratios = np.exp(hr["mu"] + hr["sigma"] * nodes)
    weights = weights / weights.sum()

    def weight(m: float) -> float:
        return float(prior.pdf(m) * math.exp(-math.log(2) * t0 / m))

    def p(m: float) -> float:
        added = math.log(2) * (t - t0) / m
        on = float((weights * -np.expm1(-ratios * added)).sum())
        return level * on + (1 - level) * -math.expm1(-added)

    z = integrate.quad(weight, 0, np.inf)[0]
    return integrate.quad(lambda m: weight(m) * p(m), 0, np.inf)[0] / z


@pytest.mark.slow
def test_hazard_drivers_multiply_the_hazard_from_now_by_quadrature(
    tmp_path: Path, method: str
) -> None:
    q = load_question(_write(tmp_path, HAZARD_DRIVERS))
    f = engine.run(q, replace(SETTINGS, method=method))
    assert f.diagnostics.method == method
    _within(f.probability, f.mcse, _hazard_driver_truth(q, 0.5))
    pushed = next(s for s in f.to_dict()["scenarios"] if s["name"] == "pushed")
    _within(pushed["probability"], f.mcse, _hazard_driver_truth(q, 1.0))
    swing = f.to_dict()["swings"][0]
    assert swing["driver"] == "push" and swing["on"] > f.probability > swing["off"]
    assert f.to_dict()["curve"][-1]["date"] == "2035-12-01"


def test_hazard_drivers_are_shown_as_hazard_ratios(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app, ["show", str(_write(tmp_path, HAZARD_DRIVERS)), "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    rows = [(e["id"], e["what"]) for e in json.loads(result.stdout)["positive_judgements"]]
    assert ("push", "hazard ratio") in rows and ("shape", "Weibull shape") in rows
