"""Sweeps of event and time-to-event questions read their rows off the exact posterior:
they agree with exact runs of each scenario, and the exact posterior's draws agree with
NUTS's within the Monte Carlo error."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from forecast.cli import app
from forecast.inference import SamplerSettings
from forecast.questions.loader import load_question
from forecast.sweep import strategies as st
from tests.conftest import ROOT

TTE = ROOT / "priors" / "turkiye-joins-consultative-meeting.yaml"
EVENT = ROOT / "benchmarks" / "data" / "event-question.yaml"


def _rows(path: Path, *grid: str) -> list[dict[str, Any]]:
    args = ["sweep", str(path), "--draws", "1000", "--chains", "2"]
    for g in grid:
        args += ["--grid", g]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_time_to_event_rows_agree_with_exact_runs_of_each_scenario() -> None:
    from forecast.kinds.tte import model as tte
    from forecast.kinds.tte.quadrature import ExactTte

    q = load_question(TTE)
    inputs = tte.prepare(q.spec)  # type: ignore[arg-type]
    rows = _rows(TTE, "driver.guest-invitation=0,0.5,1", "driver.russia-opposes=0,1")
    assert len(rows) == 6
    for row in rows:
        assert row["strategy"] == "vectorised" and row["ok"] and row["rhat_max"] is None
        s = row["settings"]
        levels = [float(s["driver.guest-invitation"]), float(s["driver.russia-opposes"])]
        exact = ExactTte.of(inputs, levels, q.spec.deadline)
        assert abs(row["probability"] - exact.probability) <= 1e-12, (row, exact)
        assert row["mcse"] <= exact.error, (row, exact)


def test_event_rows_agree_with_exact_runs_of_each_scenario() -> None:
    """Base-rate weights and prior strengths, each a new exact posterior: the rows are its
    numbers, to rounding."""
    from forecast.kinds.event import model as event
    from forecast.kinds.event.sweep import EventAdapter
    from forecast.methods.exact import ExactEvent

    q = load_question(EVENT)
    inputs = event.prepare(q.spec)  # type: ignore[arg-type]
    rows = _rows(EVENT, "base_rate.weight=0.25,1", "prior.strength=0.5,2")
    assert {r["strategy"] for r in rows} == {"resampled"}
    for row in rows:
        s = row["settings"]
        changed = EventAdapter.with_prior(inputs, {"prior.strength": s["prior.strength"]})
        k, n, _ = changed.base_rate
        changed = dataclasses.replace(changed, base_rate=(k, n, float(s["base_rate.weight"])))
        exact = ExactEvent.of(changed)
        assert abs(row["probability"] - exact.probability) <= 1e-12, (row, exact)
        assert row["mcse"] <= exact.error, (row, exact)


def test_a_sweep_of_an_exact_question_imports_no_pymc(tmp_path: Path) -> None:
    import subprocess
    import sys

    code = (
        "import atexit, sys\n"
        "atexit.register(lambda: print('LOADED', sorted({m.split('.')[0] for m in sys.modules"
        " if m.split('.')[0] in ('pymc', 'pytensor')}), file=sys.stderr))\n"
        "from forecast.cli import main\n"
        "main()\n"
    )
    args = ["sweep", str(TTE), "--grid", "driver.russia-opposes=0,1"]
    proc = subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    assert "LOADED []" in proc.stderr


HEAVY = ("scipy", "pymc", "pytensor", "arviz", "arviz_base", "arviz_stats", "preliz")


def test_an_evidence_and_data_sweep_of_an_event_question_loads_no_heavy_module(
    tmp_path: Path,
) -> None:
    """`forecast sweep` of an event question over evidence and base-rate settings, its fits
    cached by a first sweep in the same cache folder, loads none of ``HEAVY``: the rows
    come from the exact posterior and the evidence on its draws."""
    import subprocess
    import sys

    question = tmp_path / "q.yaml"
    question.write_text(EVENT.read_text("utf-8"), encoding="utf-8")
    code = (
        "import atexit, sys\n"
        f"heavy = {HEAVY!r}\n"
        "atexit.register(lambda: print('LOADED', sorted({m.split('.')[0] for m in sys.modules}"
        " & set(heavy)), file=sys.stderr))\n"
        "from forecast.cli import main\n"
        "main()\n"
    )
    args = ["sweep", str(question), "--seed", "3", "--grid", "base_rate.weight=0.25,1"]
    args += ["--grid", "evidence.no-guest-invitation-2026.lr=0.5,2"]
    args += ["--grid", "evidence.azerbaijan-precedent=on,off"]
    env = {"FORECAST_CACHE_DIR": str(tmp_path / "cache"), "PATH": "/usr/bin:/bin"}
    runs = [
        subprocess.run(
            [sys.executable, "-c", code, *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=env,
            check=False,
        )
        for _ in range(2)
    ]
    first, second = runs
    assert first.returncode == 0, first.stderr
    # fitting the judgements (a cache miss) needs SciPy: the check sees it
    assert "'scipy'" in first.stderr, first.stderr
    assert second.returncode == 0, second.stderr
    rows = [json.loads(line) for line in second.stdout.splitlines()]
    assert len(rows) == 8 and second.stdout == first.stdout
    assert "LOADED []" in second.stderr, second.stderr


@pytest.mark.slow
@pytest.mark.parametrize("path", [TTE, EVENT])
def test_exact_draws_agree_with_nuts_draws_within_the_monte_carlo_error(path: Path) -> None:
    """The same scenarios on the exact posterior's draws and on NUTS's (the sampled path
    a sweep took before), within 3 combined Monte Carlo errors."""
    from forecast import kinds

    q = load_question(path)
    kind = kinds.of(q.spec)
    inputs = kind.prepare(q)
    adapter_cls = kind.sweep_adapter
    adapter = adapter_cls(q.spec, inputs, 3)
    params = {p.name for p in kind.sweep_params(q.spec)}
    if "driver.guest-invitation" in params:
        scenarios: list[dict[str, Any]] = [
            {"driver.guest-invitation": v, "driver.russia-opposes": 1.0} for v in (0.0, 1.0)
        ]
    else:
        eid = next(e.id for e in inputs.evidence)
        scenarios = [{f"evidence.{eid}": v} for v in ("on", "off")]
    means = {}
    for method in ("exact", "nuts"):
        settings = SamplerSettings(draws=2000, tune=1000, chains=4, seed=3, method=method)
        job = st.Job(q.spec.kind, inputs, (), settings, f"test-{path.name}-{method}")
        post = st.sample_job(job)
        assert post.diagnostics.get("method", "nuts") == method
        per = adapter.evaluate(inputs, post.draws, scenarios)
        means[method] = [st.summary(v) for v in per]
    for e, s in zip(means["exact"], means["nuts"], strict=True):
        err = math.hypot(e["mcse"], s["mcse"])
        assert abs(e["probability"] - s["probability"]) <= 3 * err, (e, s)
    assert np.isfinite(err)
