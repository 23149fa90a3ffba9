"""Extreme numbers: refused with a located line by ``check``, or computed right.

The numbers the tool quotes are compared with SciPy's quadrature of the Beta density
and with closed forms, never with the tool's own output.
"""

from __future__ import annotations

import itertools
import math
import textwrap
from pathlib import Path

import numpy as np
import pytest
from scipy import integrate, special, stats
from typer.testing import CliRunner

from forecast.cli import app
from tests.conftest import EVENT_HEADER

runner = CliRunner()


def _file(tmp_path: Path, body: str, name: str = "q") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(EVENT_HEADER + textwrap.dedent(body).lstrip(), encoding="utf-8")
    return path


def _one(judgement: str) -> str:
    return "experts:\n  - name: Solo\n    judgement:\n" + textwrap.indent(
        textwrap.dedent(judgement).strip() + "\n", "      "
    )


def _refused(path: Path, command: str, where: str, *words: str) -> str:
    """``command`` exits 1 with one located line at ``where`` naming ``words``."""
    result = runner.invoke(app, [command, str(path)])
    assert result.exit_code == 1, result.output
    assert "internal error" not in result.output and "Traceback" not in result.output
    first = result.stderr.splitlines()[0] if command != "check" else result.stdout.splitlines()[0]
    assert first.startswith(f"{path}:{where} ") or first.startswith(f"{path.name}:{where} "), first
    for w in words:
        assert w in result.output, result.output
    return result.output


@pytest.mark.parametrize(
    ("p", "edge"), [("0.000001", "indistinguishable from 0"), ("0.999999", "from 1")]
)
def test_a_point_whose_beta_has_a_tiny_shape_is_refused_with_what_to_write(
    tmp_path: Path, p: str, edge: str
) -> None:
    path = _file(tmp_path, _one(f"probability: {p}\nstrength: 1"))
    for command in ("check", "show", "run"):
        out = _refused(
            path, command, "10:17", "judgement.strength", "shape below 0.1", edge, "100000"
        )
        assert "overlap" not in out


def test_the_strength_the_message_asks_for_is_accepted(tmp_path: Path) -> None:
    path = _file(tmp_path, _one("probability: 0.000001\nstrength: 100000"))
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("p", ["1e-320", "1e-300", "0.9999999999999"])
def test_a_probability_beyond_the_floor_never_reaches_the_sampler(tmp_path: Path, p: str) -> None:
    path = _file(tmp_path, _one(f"probability: {p}\nstrength: 1"))
    for command in ("check", "run"):
        out = _refused(path, command, "9:20", "judgement.probability", "1e-09")
        assert "Initial evaluation" not in out


def test_a_tiny_interval_is_refused_by_check_as_by_show_and_run(tmp_path: Path) -> None:
    path = _file(tmp_path, _one("interval: [1e-300, 2e-300]\nmass: 0.9"))
    for command in ("check", "show", "run"):
        _refused(path, command, "9:17", "judgement.interval", "too close to 0")


def test_a_fitted_beta_below_the_floor_is_refused_at_its_judgement(tmp_path: Path) -> None:
    # Median one in a million, 90th percentile 1%: the best Beta has alpha ~ 0.06.
    body = _one("quantiles: {0.5: 0.000001, 0.9: 0.01}")
    path = _file(tmp_path, body)
    for command in ("check", "show", "run"):
        _refused(path, command, "9:7", "experts[0].judgement", "shape below 0.1", "hint:")


def test_check_fits_without_preliz(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = _file(tmp_path, _one("quantiles: {0.5: 0.000001, 0.9: 0.01}"))
    code = (
        "import sys\n"
        "from forecast.cli import main\n"
        f"sys.argv = ['forecast', 'check', {str(path)!r}]\n"
        "try:\n    main()\nexcept SystemExit as e:\n    code = e.code\n"
        "heavy = [m for m in ('preliz', 'pymc', 'pytensor') if m in sys.modules]\n"
        "print(code, heavy)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=50, check=False
    )
    assert proc.stdout.strip().splitlines()[-1] == "1 []", proc.stdout + proc.stderr


def test_an_extreme_likelihood_ratio_is_refused_where_it_is(tmp_path: Path) -> None:
    body = _one("probability: 0.2\nstrength: 10") + textwrap.dedent(
        """\
        evidence:
          - id: e1
            description: A signal.
            likelihood_ratio: {median: 1e200, interval: [1e100, 1e300]}
        """
    )
    path = _file(tmp_path, body)
    for command in ("check", "run"):
        _refused(path, command, "14:32", "evidence[0].likelihood_ratio.median", "1e+09")


def test_a_five_thousand_digit_integer_is_a_located_problem(tmp_path: Path) -> None:
    path = _file(tmp_path, _one("probability: 0.2\nstrength: 1" + "0" * 5000))
    _refused(path, "check", "10:17", "5001 digits")


@pytest.mark.parametrize(("key", "where", "field"), [("x[0]", "6:1", "x[0]"), ("a[", "11:7", "a[")])
def test_an_unknown_key_with_a_bracket_is_named_as_written(
    tmp_path: Path, key: str, where: str, field: str
) -> None:
    judgement = "probability: 0.2\nstrength: 10"
    if where == "6:1":
        body = f'"{key}": 1\n' + _one(judgement)
    else:
        body = _one(judgement + f'\n"{key}": 1')
    path = _file(tmp_path, body)
    out = _refused(path, "check", where, f"unknown key {key!r}")
    assert f" {field}: " in out or f".{field}: " in out


# ---------------------------------------------------------------------------
# What is accepted is computed right: quadrature against SciPy's.


def _exact(a: float, b: float, shift: float = 0.0, k: int = 0, n: int = 0) -> float:
    """E[sigmoid(logit p + shift)] under Beta(a, b) times p^k (1 - p)^(n - k), by SciPy."""
    post = stats.beta(a + k, b + n - k)
    if shift == 0.0:
        return float(post.mean())

    def f(p: float) -> float:
        return float(special.expit(special.logit(p) + shift) * post.pdf(p))

    # The density is singular at 0 (a < 1) and may sit far below 1e-3: split finely.
    pts = [0.0, *np.geomspace(1e-300, 0.5, 600), 1.0]
    return sum(integrate.quad(f, lo, hi, limit=200)[0] for lo, hi in itertools.pairwise(pts))


@pytest.mark.parametrize(("a", "b"), [(0.1, 99.9), (99.9, 0.1), (0.1, 0.9), (0.1, 1e5), (0.5, 0.5)])
def test_the_exact_forecast_of_a_beta_at_the_floor_is_right(a: float, b: float) -> None:
    from forecast.elicit.distributions import Fitted
    from forecast.elicit.pool import PoolSpec, forecast

    beta = Fitted("beta", {"alpha": a, "beta": b}, "strength")
    for method in ("linear", "logarithmic"):
        got = forecast([beta], [1.0], PoolSpec(method), None, None)
        assert got == pytest.approx(a / (a + b), rel=1e-3)
    got = forecast([beta], [1.0], PoolSpec(), (1, 8, 1.0), None)
    assert got == pytest.approx(_exact(a, b, k=1, n=8), rel=1e-3)
    got = forecast([beta], [1.0], PoolSpec(), None, np.array([math.log(3.0)]))
    assert got == pytest.approx(_exact(a, b, shift=math.log(3.0)), rel=1e-3)


def test_one_expert_is_not_blamed_on_overlapping_experts() -> None:
    from types import SimpleNamespace

    from forecast.inference import Diagnostics
    from forecast.kinds.event.summary import check_against_exact as _check_against_exact

    clean = Diagnostics(1.0, 4000.0, 4000.0, 0, 1000, 4, 1.0)
    exact = SimpleNamespace(reference=0.0005)
    one = _check_against_exact(clean, 0.01, 0.0001, exact, 1)
    assert "overlap" not in one.warnings[0] and "0.05%" in one.warnings[0]
    two = _check_against_exact(clean, 0.01, 0.0001, exact, 2)
    assert "overlap" in two.warnings[0]
