"""``forecast elicit`` for quantities: SHELF's order, checks of each answer, the file written.

The fits the written file reloads to are compared with an independent least-squares fit
on the CDF (SciPy's Nelder-Mead on the SciPy distributions, started elsewhere), so the
session, the writer and the loader are checked against something they do not share.
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pytest
from scipy import optimize, stats
from typer.testing import CliRunner

from forecast.cli import app
from forecast.kinds.quantity.inputs import prepare
from forecast.kinds.quantity.spec import QuantityQuestion
from forecast.questions.loader import load_question
from tests.conftest import ROOT

TODAY = {"FORECAST_TODAY": "2026-12-01"}
NEW = [
    "q",
    "Kazakhstan's tungsten concentrate output in 2027 (tonnes)",
    "The tonnes of tungsten concentrate the national statistics office reports for 2027.",
    "2028-06-30",
    "tonnes",
    "p",
    "500 1000",
    "kazakhstan, tungsten",
    "",
]
EXPERT = ["Mining economist", "q", "100", "3000", "800", "500", "1200"]
STATED = {0.01: 100, 0.25: 500, 0.5: 800, 0.75: 1200, 0.99: 3000}


def _invoke(args: list[str], lines: list[str]):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, args, input="\n".join(lines) + "\n", env=TODAY)


def _spec(path: Path) -> QuantityQuestion:
    spec = load_question(path).spec
    assert isinstance(spec, QuantityQuestion)
    return spec


def _frozen(family: str, theta: np.ndarray):  # type: ignore[no-untyped-def]
    """The SciPy distribution of ``family`` at unconstrained parameters ``theta``."""
    if family == "gamma":
        a, rate = np.exp(theta)
        return stats.gamma(a, scale=1 / rate)
    if family == "lognormal":
        return stats.lognorm(s=math.exp(theta[1]), scale=math.exp(theta[0]))
    raise AssertionError(family)


def _independent_fit(family: str, points: dict[float, float]) -> tuple[np.ndarray, float]:
    """Least squares on the CDF at the stated points, by Nelder-Mead from moment starts."""
    p = np.array(list(points), dtype=float)
    x = np.array(list(points.values()), dtype=float)
    if family == "gamma":
        m, s = float(np.interp(0.5, p, x)), float(np.ptp(x)) / 4
        start = np.log([m**2 / s**2, m / s**2])
    else:
        start = np.array([math.log(float(np.interp(0.5, p, x))), 0.0])

    def sse(theta: np.ndarray) -> float:
        return float(np.sum((_frozen(family, theta).cdf(x) - p) ** 2))

    best = optimize.minimize(
        sse, start, method="Nelder-Mead", options={"xatol": 1e-12, "fatol": 1e-16, "maxiter": 20000}
    )
    return best.x, float(best.fun)


def _check_fit(spec: QuantityQuestion, i: int, points: dict[float, float]) -> str:
    """The reloaded fit of expert ``i`` against the independent fit; returns its family."""
    fit = prepare(spec).fits[i]
    theta, sse = _independent_fit(fit.chosen, points)
    ref = _frozen(fit.chosen, theta)
    x = np.array(list(points.values()), dtype=float)
    assert np.allclose(fit.dist.cdf(x), ref.cdf(x), atol=2e-4)
    assert fit.best.sse == pytest.approx(sse, rel=1e-3, abs=1e-9)
    assert float(fit.dist.ppf(0.5)) == pytest.approx(float(ref.ppf(0.5)), rel=2e-3)
    return fit.chosen


def test_a_new_quantity_in_shelf_order_reloads_to_the_same_fit(tmp_path: Path) -> None:
    result = _invoke(["elicit", "tung", "--dir", str(tmp_path)], [*NEW, *EXPERT, "", "y", "n"])
    assert result.exit_code == 0, result.output
    spec = _spec(tmp_path / "tung.yaml")
    assert (spec.unit, spec.support, spec.thresholds) == ("tonnes", "positive", [500, 1000])
    assert spec.tags == ["kazakhstan", "tungsten"]
    (e,) = spec.experts
    assert e.judgement.quantiles == STATED and e.family is None
    assert _check_fit(spec, 0, STATED) == "gamma"  # the least fit error of the three
    err = " ".join(result.stderr.split())
    # the extremes were fitted before the median was asked, and after every answer after
    assert err.count("P(X ≤ x), tonnes: the") == 4
    for family in ("gamma", "lognormal", "logt"):
        assert family in err
    assert "fit error" in err and "You are saying: about" in err and "P(X > 1000) =" in err
    check = CliRunner().invoke(app, ["check", str(tmp_path / "tung.yaml")], env=TODAY)
    assert check.exit_code == 0, check.output


def test_each_answer_is_checked_at_once_and_asked_again(tmp_path: Path) -> None:
    lines = [
        *NEW[:4],
        "",  # no unit
        "tonnes",
        "p",
        "-5 100",  # a threshold outside the support
        "500 1000",
        *NEW[7:],
        "Mining economist",
        "q",
        "-10",  # outside the support
        "1,200",  # a thousands separator
        "100",
        "50",  # highest below lowest
        "3000",
        "4000",  # median outside the limits
        "800",
        "900",  # lower quartile above the median
        "50",  # lower quartile below the lowest limit
        "500",
        "700",  # upper quartile below the median
        "3500",  # upper quartile beyond the highest limit
        "1200",
        "",
        "y",
        "n",
    ]
    result = _invoke(["elicit", "tung", "--dir", str(tmp_path)], lines)
    assert result.exit_code == 0, result.output
    reasons = [ln.strip() for ln in result.stderr.splitlines() if ln.strip().startswith("✗")]
    joined = "\n".join(reasons)
    assert len(reasons) == 10, joined
    assert "an answer is required" in joined
    assert "-5 is outside the support: the quantity is above 0" in joined
    assert "-10 is outside the support" in joined
    assert "without thousands separators" in joined
    assert "must be above the lowest, 100 (got 50)" in joined
    assert (
        "strictly between your lowest and highest plausible values 100 and 3000 (got 4000)"
        in joined
    )
    assert "below the median 800 (got 900)" in joined
    assert "above the lowest plausible value 100" in joined and "(got 50)" in joined
    assert "above the median 800" in joined and "(got 700)" in joined
    assert "below the highest plausible value 3000" in joined and "(got 3500)" in joined
    assert _spec(tmp_path / "tung.yaml").experts[0].judgement.quantiles == STATED


def test_the_expert_may_take_another_family(tmp_path: Path) -> None:
    result = _invoke(
        ["elicit", "tung", "--dir", str(tmp_path)], [*NEW, *EXPERT, "lognormal", "y", "n"]
    )
    assert result.exit_code == 0, result.output
    assert "Using the LogNormal(" in result.stderr
    spec = _spec(tmp_path / "tung.yaml")
    assert spec.experts[0].family == "lognormal"
    assert _check_fit(spec, 0, STATED) == "lognormal"
    assert "family: lognormal" in (tmp_path / "tung.yaml").read_text(encoding="utf-8")


def test_roulette_chips_for_an_amount(tmp_path: Path) -> None:
    chips = [0, 2, 5, 6, 4, 2, 1, 0]
    lines = [*NEW, "Chip placer", "r", "0", "4000", "0 500 1000 1500 2000 2500 3000 3500 4000"]
    result = _invoke(
        ["elicit", "tung", "--dir", str(tmp_path)],
        [*lines, " ".join(map(str, chips)), "", "y", "n"],
    )
    assert result.exit_code == 0, result.output
    spec = _spec(tmp_path / "tung.yaml")
    r = spec.experts[0].judgement.roulette
    assert r is not None and r.chips == chips and r.bins[0] == 0 and r.bins[-1] == 4000
    # SHELF's roulette: the share of chips left of each edge, from the last edge with no
    # chips to its left (500) to the first with all of them (3500)
    cum = np.cumsum([0, *chips]) / sum(chips)
    pairs = [(float(c), float(b)) for b, c in zip(r.bins, cum, strict=True) if 500 <= b <= 3500]
    expected = [(0.0, 500), (0.1, 1000), (0.35, 1500), (0.65, 2000), (0.85, 2500)]
    expected += [(0.95, 3000), (1.0, 3500)]
    assert np.allclose(pairs, expected)
    points = dict(pairs)
    assert _check_fit(spec, 0, points) == "gamma"
    assert "█" in result.stderr  # the chips histogram was shown


def test_adding_and_revising_experts_of_the_example_keeps_the_file(tmp_path: Path) -> None:
    name = "us-finance-kazakhstan-tungsten"
    path = tmp_path / f"{name}.yaml"
    shutil.copy(ROOT / "priors" / f"{name}.yaml", path)
    before = path.read_text(encoding="utf-8")
    new = ["Sovereign-risk analyst", "q", "100", "2500", "700", "450", "1000", "", "y", "y"]
    revised = ["Mining-sector economist", "y", "q", "50", "2000", "600", "350", "900", "", "y"]
    result = _invoke(["elicit", name, "--dir", str(tmp_path)], [*new, *revised, "n"])
    assert result.exit_code == 0, result.output
    assert "(4 expert(s) in the file)" in " ".join(result.stdout.split())
    text = path.read_text(encoding="utf-8")
    head = before.split("format: 1")[0]
    assert text.startswith(head)  # the comments above the keys are kept
    spec = _spec(path)
    names = [e.name for e in spec.experts]
    assert names == [
        "Export-credit specialist",
        "Regional finance analyst",
        "Mining-sector economist",
        "Sovereign-risk analyst",
    ]
    economist = spec.experts[2]
    assert economist.weight == 0.5  # the rest of a revised entry stays
    q = {0.01: 50, 0.25: 350, 0.5: 600, 0.75: 900, 0.99: 2000}
    assert economist.judgement.quantiles == q
    _check_fit(spec, 2, q)
    _check_fit(spec, 3, {0.01: 100, 0.25: 450, 0.5: 700, 0.75: 1000, 0.99: 2500})
    assert spec.data is not None and spec.data.values == [900, 700]


def test_a_bounded_quantity_from_an_answers_file(tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text(
        "\n".join(
            [
                "kind: quantity",
                "title: Kazakhstan's share of a tungsten offtake (percent)",
                "resolution: The percent the offtake agreement gives, as published.",
                "deadline: 2028-12-31",
                "unit: percent",
                "support: bounded",
                "bounds: [0, 100]",
                "thresholds: [50, 30]",
                "expert: Trade analyst",
                "method: quartiles",
                "lowest: 5",
                "highest: 90",
                "median: 40",
                "lower_quartile: 25",
                "upper_quartile: 60",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        app, ["elicit", "share", "--dir", str(tmp_path), "--answers", str(answers)], env=TODAY
    )
    assert result.exit_code == 0, result.output
    spec = _spec(tmp_path / "share.yaml")
    assert (spec.support, spec.bounds, spec.thresholds) == ("bounded", (0, 100), [50, 30])
    fit = prepare(spec).fits[0]
    assert fit.chosen == "beta"
    pts = {0.01: 5, 0.25: 25, 0.5: 40, 0.75: 60, 0.99: 90}
    x = np.array(list(pts.values()), dtype=float) / 100
    p = np.array(list(pts))

    def sse(theta: np.ndarray) -> float:
        a, b = np.exp(theta)
        return float(np.sum((stats.beta(a, b).cdf(x) - p) ** 2))

    ref = optimize.minimize(
        sse, np.log([2.0, 3.0]), method="Nelder-Mead", options={"xatol": 1e-12, "fatol": 1e-16}
    )
    a, b = np.exp(ref.x)
    assert (fit.dist.a, fit.dist.b) == pytest.approx((a, b), rel=1e-3)
    assert fit.best.sse == pytest.approx(float(ref.fun), rel=1e-3)
