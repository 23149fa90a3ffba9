"""Convergence diagnostics on fabricated chains, and JSON for values that cannot be computed."""

from __future__ import annotations

import json

import numpy as np
import pytest
from arviz_base import from_dict

from forecast.cli._common import finite
from forecast.inference import ESS_MIN, RHAT_MAX, diagnose


def _idata(chains: np.ndarray, diverging: int = 0):  # type: ignore[no-untyped-def]
    div = np.zeros(chains.shape, dtype=bool)
    div.flat[:diverging] = True
    return from_dict({"posterior": {"x": chains}, "sample_stats": {"diverging": div}})


def test_well_mixed_chains_pass() -> None:
    rng = np.random.default_rng(1)
    d = diagnose(_idata(rng.normal(size=(4, 1000))), ["x"], 1.0)
    assert d.ok, d.warnings
    assert d.rhat_max < RHAT_MAX
    assert d.ess_bulk_min > ESS_MIN and d.ess_tail_min > ESS_MIN


def test_disagreeing_chains_warn_about_rhat() -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(size=(4, 1000))
    x[0] += 1.0
    d = diagnose(_idata(x), ["x"], 1.0)
    assert d.rhat_max > RHAT_MAX
    assert any("R-hat" in w for w in d.warnings)


def test_sticky_chains_warn_about_ess() -> None:
    rng = np.random.default_rng(3)
    # An AR(1) chain with rho = 0.99 has an ESS of about n (1 - rho) / (1 + rho) ~ 20.
    x = np.zeros((2, 1000))
    for c in range(2):
        for t in range(1, 1000):
            x[c, t] = 0.99 * x[c, t - 1] + rng.normal()
    d = diagnose(_idata(x), ["x"], 1.0)
    assert d.ess_bulk_min < ESS_MIN
    assert any("bulk ESS" in w for w in d.warnings)


def test_one_chain_cannot_check_convergence() -> None:
    rng = np.random.default_rng(4)
    d = diagnose(_idata(rng.normal(size=(1, 1000))), ["x"], 1.0)
    assert np.isnan(d.rhat_max)
    assert any("at least 2 chains" in w for w in d.warnings)
    text = json.dumps(finite(d.to_dict()), allow_nan=False)
    assert json.loads(text)["rhat_max"] is None


def test_divergences_are_counted() -> None:
    rng = np.random.default_rng(5)
    d = diagnose(_idata(rng.normal(size=(2, 500)), diverging=7), ["x"], 1.0)
    assert d.divergences == 7
    assert any("7 divergent" in w for w in d.warnings)


def test_finite_replaces_nan_and_infinity_everywhere() -> None:
    obj = {"a": float("nan"), "b": [1.0, float("inf"), {"c": -float("inf")}], "d": "x"}
    assert finite(obj) == {"a": None, "b": [1.0, None, {"c": None}], "d": "x"}


def test_a_forecast_that_misses_the_exact_one_is_flagged() -> None:
    from types import SimpleNamespace

    from forecast.inference import Diagnostics
    from forecast.kinds.event.summary import check_against_exact as _check_against_exact

    clean = Diagnostics(1.0, 4000.0, 4000.0, 0, 1000, 4, 1.0)
    exact = SimpleNamespace(reference=0.35)
    assert _check_against_exact(clean, 0.352, 0.001, exact).ok  # within 4 MCSE
    missed = _check_against_exact(clean, 0.60, 0.001, exact)
    assert not missed.ok and "misses the exact 35.0%" in missed.warnings[0]


@pytest.mark.slow
def test_experts_who_barely_overlap_fail_strict(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from forecast.cli import app
    from tests.conftest import EVENT_HEADER

    path = tmp_path / "q.yaml"
    path.write_text(
        EVENT_HEADER
        + "experts:\n"
        + "  - {name: Hawk, judgement: {probability: 0.1, interval: [0.07, 0.13], mass: 0.9}}\n"
        + "  - {name: Dove, judgement: {probability: 0.6, interval: [0.55, 0.65], mass: 0.9}}\n",
        encoding="utf-8",
    )
    args = ["run", str(path), "--strict", "--method", "nuts", "--draws", "500", "--tune", "500"]
    args += ["--chains", "2"]
    result = CliRunner().invoke(app, [*args, "--seed", "1"])
    assert result.exit_code == 3, result.output
    assert "misses the exact 35.0%" in " ".join(result.stderr.split())


def test_mcse_of_the_mean_is_arviz_own_without_its_xarray_layer() -> None:
    import subprocess
    import sys

    import arviz_stats as azs

    from forecast.results import mcse_mean

    rng = np.random.default_rng(3)
    chains = np.zeros((4, 1000))
    for t in range(1, 1000):  # autocorrelated draws, so the ESS is not the draw count
        chains[:, t] = 0.9 * chains[:, t - 1] + rng.normal(size=4)
    expected = float(azs.mcse(chains, chain_axis=0, draw_axis=1, method="mean"))
    assert mcse_mean(chains) == expected
    probe = (
        "import sys, numpy as np; from forecast.results import mcse_mean; "
        "mcse_mean(np.arange(400.0).reshape(4, 100) % 7); "
        "print(sorted({'xarray', 'pandas'} & set(sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
