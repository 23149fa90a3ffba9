"""The exact time-to-event path imports no sampler, no ArviZ and none of SciPy's
statistics or optimisers."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

HEAVY = ("pymc", "pytensor", "arviz", "arviz_stats", "xarray", "preliz")
SCIPY = ("scipy.optimize", "scipy.special", "scipy.stats")

HAZARD = """\
format: 1
kind: time-to-event
title: A hazard question
resolution: Resolves yes if the test event happens, as the test says.
as_of: 2025-12-01
deadline: 2028-12-01
horizon: 2035-12-01
hazard:
  since: 2020-12-01
  shape: {median: 1.2, interval: [0.8, 1.8], mass: 0.9}
  experts:
    - name: a
      median_years: {median: 8, interval: [3.5, 18.3], mass: 0.9}
    - name: b
      median_years: {median: 5, interval: [2, 12], mass: 0.9}
"""

CODE = """\
import atexit, sys
heavy, scipy = {heavy!r}, {scipy!r}
def report():
    tops = sorted({{m.split('.')[0] for m in sys.modules if m.split('.')[0] in heavy}})
    subs = sorted(m for m in scipy if m in sys.modules)
    print('LOADED', tops, subs, file=sys.stderr)
atexit.register(report)
from forecast.cli import main
main()
"""


@pytest.mark.parametrize(
    ("question", "scipy_loaded"),
    [
        ("priors/turkiye-joins-consultative-meeting.yaml", "[]"),
        ("hazard", "['scipy.special']"),  # the experts' LogNormal pool's log-sum-exp
    ],
)
def test_exact_time_to_event_run_loads_no_sampler_arviz_or_scipy_stats(
    tmp_path: Path, question: str, scipy_loaded: str
) -> None:
    """`forecast run` of a scheduled question (two uncertain driver ratios, a 2-D grid:
    no SciPy at all) and of a hazard question, with the judgements' fit cache warm in
    the test's folder."""
    q = ROOT / question
    if question == "hazard":
        q = tmp_path / "hazard.yaml"
        q.write_text(HAZARD, encoding="utf-8")
    env = {"FORECAST_CACHE_DIR": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"}
    code = CODE.format(heavy=HEAVY, scipy=SCIPY)
    args = [sys.executable, "-c", code, "run", str(q), "--format", "json"]
    first = subprocess.run(args, capture_output=True, text=True, cwd=tmp_path, env=env)
    assert first.returncode == 0, first.stderr
    proc = subprocess.run(args, capture_output=True, text=True, cwd=tmp_path, env=env)
    assert proc.returncode == 0, proc.stderr
    assert '"method": "exact"' in proc.stdout
    assert f"LOADED [] {scipy_loaded}" in proc.stderr, proc.stderr


def test_the_kind_imports_no_scipy_stats_optimize_or_arviz() -> None:
    """No module of the time-to-event kind imports SciPy's statistics or optimisers or
    ArviZ, at its top or inside a function (the sampled path reaches ArviZ through the
    shared sensitivity module only)."""
    banned = {"scipy.stats", "scipy.optimize", "arviz", "arviz_stats"}
    found = []
    for path in sorted((ROOT / "forecast" / "kinds" / "tte").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            found += [f"{path.name}: {n}" for n in names if n in banned]
    assert found == []
