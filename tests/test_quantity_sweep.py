"""Sweeps of quantity questions read each row off its scenario's exact posterior: P(X > t)
agrees with SciPy's quadrature of the same density and with ``forecast run`` of the same
scenario within the row's stated (quadrature) error, the intervals are P itself as
``forecast run`` reports them, no draws are made and no NUTS is sampled."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
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
    (prior): every row read off its exact posterior, within its stated quadrature error
    (at most the exact method's tolerance) of SciPy's quadrature."""
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
        assert row["ok"] and row["rhat_max"] is None
        assert row["ess_bulk_min"] is None and row["ess"] is None and row["draws"] == 0
        p = row["probability"]
        assert all(row[k] == p for k in ("lo80", "hi80", "lo95", "hi95")), row
        assert 0 < row["mcse"] <= 1e-6, row
        s = row["settings"]
        exact = _quad_sf(spec, s, float(s["threshold"]))
        assert abs(p - exact) <= row["mcse"] + 1e-9, (row, exact)


def _scenario_file(tmp_path: Path, settings: dict[str, Any]) -> Path:
    """The tungsten question with a scenario's settings written into the file, its
    threshold the only one."""
    doc = yaml.safe_load(TUNGSTEN.read_text(encoding="utf-8"))
    doc["thresholds"] = [settings["threshold"]]
    doc["pool"]["method"] = settings.get("pool", doc["pool"]["method"])
    doc["data"]["measurement"]["sd"] = settings.get("data.sd", doc["data"]["measurement"]["sd"])
    for e in doc["experts"]:
        w = settings.get(f"expert.{e['name']}.weight")
        if w is not None:
            e["weight"] = w
    name = "-".join(f"{v}" for v in settings.values()).replace(" ", "_")
    path = tmp_path / f"scenario-{name}.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    return path


def test_rows_agree_with_forecast_run_of_each_scenario(tmp_path: Path) -> None:
    """Each row equals ``forecast run`` of a file with the scenario's settings written in
    (threshold, pool, an expert's weight, the error sd) to the stated errors of both: the
    row's and the run's quadrature error; intervals and errors as the run reports them."""
    rows = _rows(
        TUNGSTEN,
        "threshold=400,1000,1500",
        "data.sd=0.3,1",
        "pool=linear,logarithmic",
        "expert.Regional finance analyst.weight=0.25",
    )
    assert len(rows) == 12
    runner = CliRunner()
    for row in rows:
        path = _scenario_file(tmp_path, row["settings"])
        out = runner.invoke(app, ["--debug", "run", str(path), "--format", "json"])
        assert out.exit_code == 0, out.output
        run = json.loads(out.stdout)
        diag = run["diagnostics"]
        assert diag["method"] == "exact" and run["mcse"] == 0.0
        stated = row["mcse"] + diag["quadrature_error"]
        assert abs(row["probability"] - run["probability"]) <= stated, (row, run["probability"])
        for mass in ("80", "95"):
            lo, hi = run["intervals"][mass]
            assert abs(row[f"lo{mass}"] - lo) <= stated and abs(row[f"hi{mass}"] - hi) <= stated


@pytest.mark.slow
def test_nuts_draws_agree_with_the_exact_rows() -> None:
    """Under ``method: nuts`` a scenario's posterior is sampled (the error sd swapped into
    the compiled model) and its rows are the draws' means: within 4 Monte Carlo errors of
    the rows read off the exact posterior."""
    from forecast import kinds
    from forecast.inference import SamplerSettings
    from forecast.sweep import strategies as st

    q = load_question(TUNGSTEN)
    kind = kinds.of(q.spec)
    inputs = kind.prepare(q)
    adapter = kind.sweep_adapter(q.spec, inputs, 3)
    scenarios = [{"threshold": t} for t in (400.0, 700.0, 1000.0)]
    data = (("data.sd", 0.4),)
    got = {}
    for method in ("exact", "nuts"):
        settings = SamplerSettings(draws=1000, tune=1000, chains=2, seed=3, method=method)
        post = st.sample_job(st.Job(q.spec.kind, inputs, data, settings, f"test-q-{method}"))
        assert post.diagnostics["method"] == method
        if method == "exact":
            got[method] = adapter.exact_summaries(inputs, post.draws, scenarios)
        else:
            got[method] = st.summaries(adapter.evaluate(inputs, post.draws, scenarios))
    for e, n in zip(got["exact"], got["nuts"], strict=True):
        assert e["mcse"] <= 1e-6 < 1e-3 < n["mcse"]
        assert abs(e["probability"] - n["probability"]) <= 4 * n["mcse"], (e, n)


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
