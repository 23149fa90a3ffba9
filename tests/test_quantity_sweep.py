"""Sweeps of quantity questions draw from each scenario's exact posterior: their rows agree
with exact runs of each scenario (SciPy's quadrature of the same density) within the
Monte Carlo error of the stratified draws, and no NUTS is sampled."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

from scipy import integrate, stats
from typer.testing import CliRunner

from forecast.cli import app
from forecast.kinds.quantity.inputs import prepare
from forecast.kinds.quantity.spec import QuantityQuestion
from forecast.questions.loader import load_question
from tests.conftest import PRIORS

TUNGSTEN = PRIORS / "us-finance-kazakhstan-tungsten.yaml"


def _rows(path: Path, *grid: str) -> list[dict[str, Any]]:
    args = ["sweep", str(path), "--draws", "1000", "--chains", "2"]
    for g in grid:
        args += ["--grid", g]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def _quad_sf(spec: QuantityQuestion, settings: dict[str, Any], t: float) -> float:
    """P(X > t) by SciPy's quad of the pooled prior times the likelihood, for the
    scenario's pool, weights and error sd (independent of the tool's grid)."""
    inputs = prepare(spec)
    names = inputs.expert_names
    w = [
        float(settings.get(f"expert.{n}.weight", v))
        for n, v in zip(names, inputs.weights, strict=True)
    ]
    total_w = sum(w)
    w = [v / total_w for v in w]
    method = str(settings.get("pool", inputs.method))
    obs = inputs.data
    assert obs is not None
    sd = float(settings.get("data.sd", obs.sd))

    def dens(x: float) -> float:
        parts = [float(d.logpdf(x)) for d in inputs.experts]
        if method == "linear":
            lp = math.log(sum(a * math.exp(p) for a, p in zip(w, parts, strict=True) if a > 0))
        else:
            lp = sum(a * p for a, p in zip(w, parts, strict=True) if a > 0)
        ll = sum(float(stats.norm.logpdf(math.log(v), math.log(x), sd)) for v in obs.values)
        return math.exp(lp + ll + 20)

    def part(lo: float, hi: float) -> float:
        return float(integrate.quad(dens, lo, hi, limit=400, points=[500, 800, 1200])[0])

    upper = part(t, 2e4) + float(integrate.quad(dens, 2e4, math.inf, limit=200)[0])
    return upper / (part(1e-9, t) + upper)


def test_rows_agree_with_exact_answers_of_each_scenario() -> None:
    """Thresholds on the draws, the error sd (data), the pool and an expert's weight
    (prior): every posterior exact, every row within 3 MCSE of SciPy's quadrature."""
    spec = load_question(TUNGSTEN).spec
    assert isinstance(spec, QuantityQuestion)
    rows = _rows(
        TUNGSTEN,
        "threshold=500,1000",
        "data.sd=0.3,0.5,1",
        "pool=linear,logarithmic",
        "expert.Mining-sector economist.weight=0,2",
    )
    assert len(rows) == 24
    assert {r["strategy"] for r in rows} <= {"vectorised", "resampled"}
    for row in rows:
        assert row["ok"] and row["rhat_max"] is None and row["ess_bulk_min"] == 2000
        s = row["settings"]
        exact = _quad_sf(spec, s, float(s["threshold"]))
        assert abs(row["probability"] - exact) <= 3 * row["mcse"] + 1e-9, (row, exact)


def test_a_quantity_sweep_imports_no_pymc(tmp_path: Path) -> None:
    code = (
        "import atexit, sys\n"
        "heavy = ('pymc', 'pytensor', 'arviz', 'xarray')\n"
        "atexit.register(lambda: print('LOADED', sorted({m.split('.')[0] for m in sys.modules"
        " if m.split('.')[0] in heavy}), file=sys.stderr))\n"
        "from forecast.cli import main\n"
        "main()\n"
    )
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            "sweep",
            str(TUNGSTEN),
            "--grid",
            "data.sd=0.3,1",
            "--grid",
            "pool=linear,logarithmic",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout.splitlines()) == 4
    assert "LOADED []" in proc.stderr, proc.stderr
