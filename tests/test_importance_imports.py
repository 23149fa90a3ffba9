"""A drivers forecast by importance sampling loads neither PyMC, PyTensor nor ArviZ's data
structures (xarray): only NUTS needs them. With no cases coded it loads neither ArviZ
nor SciPy: its posterior is its prior, so nothing is Pareto-smoothed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

DRIVERS = ROOT / "priors" / "us-kazakhstan-critical-minerals.yaml"

HEAVY = ("pymc", "pytensor", "arviz", "arviz_base", "xarray", "pandas")
NO_CASES_HEAVY = ("arviz_stats", "scipy", "preliz")

CODE = (
    "import sys\n"
    f"heavy = {HEAVY + NO_CASES_HEAVY!r}\n"
    "from forecast.cli._app import app\n"
    "try:\n"
    "    app()\n"
    "except SystemExit as exc:\n"
    "    code = exc.code\n"
    "print('LOADED', sorted({m.split('.')[0] for m in sys.modules"
    " if m.split('.')[0] in heavy}), file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def _loaded(tmp_path: Path, *args: str) -> tuple[str, str]:
    """Run ``forecast ARGS`` in a fresh interpreter (fit cache in ``tmp_path``); its
    output and the heavy packages it had loaded at exit."""
    env = {**os.environ, "FORECAST_CACHE_DIR": str(tmp_path / "cache")}
    proc = subprocess.run(
        [sys.executable, "-c", CODE, *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    line = next(x for x in proc.stderr.splitlines() if x.startswith("LOADED"))
    return proc.stdout, line


def test_an_importance_forecast_imports_no_pymc_pytensor_or_xarray(tmp_path: Path) -> None:
    _loaded(tmp_path, "run", str(DRIVERS), "-q")  # warms the fit cache
    out, loaded = _loaded(tmp_path, "run", str(DRIVERS), "-q", "--method", "importance")
    assert float(out.strip().rstrip("%")) > 0
    assert loaded == "LOADED []"
    out, loaded = _loaded(tmp_path, "run", str(DRIVERS), "-q")  # auto takes importance
    assert loaded == "LOADED []"
    _, loaded = _loaded(tmp_path, "run", str(DRIVERS))  # the full report too
    assert loaded == "LOADED []"


def test_with_cases_the_weights_are_pareto_smoothed_by_arviz(tmp_path: Path) -> None:
    """Coded cases make the weights uneven: ArviZ smooths them (and the check sees it)."""
    text = DRIVERS.read_text("utf-8") + "cases: cases.csv\n"
    (tmp_path / "q.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "cases.csv").write_text(
        "id,outcome,us-minerals-priority,feasibility-study,russia-china-pressure\n"
        "a,1,1,1,0\nb,0,0,1,1\nc,0,1,0,1\nd,1,1,0,0\n",
        encoding="utf-8",
    )
    _, loaded = _loaded(tmp_path, "run", "q.yaml", "-q", "--method", "importance")
    assert "'arviz_stats'" in loaded and "'pymc'" not in loaded


@pytest.mark.slow
def test_the_check_sees_pymc_when_nuts_runs(tmp_path: Path) -> None:
    """The same check on a NUTS run finds PyMC and PyTensor: it can fail."""
    _, loaded = _loaded(
        tmp_path, "run", str(DRIVERS), "-q", "--method", "nuts", "--draws", "100", "--tune", "100"
    )
    assert "'pymc'" in loaded and "'pytensor'" in loaded
