"""From saving an edited judgement to the new report: ``forecast watch`` against a cold run.

All forecast the same event question in this run:

* cold: a ``forecast run`` subprocess (start-up, imports, fit, quadrature, report);
* watch, exact (the default method): a watcher in this process that has already
  forecast the file once; the judgement is edited and saved, and the time is taken
  until the new full report is printed;
* watch, ``--method nuts``: the same with the sampled report (the model compiled once,
  each save's numbers swapped in), 2 chains × 500 draws after 500 tuning by default.

Target: a warm save-to-report within 0.5 s for the exact method. The machine's load
(``uptime``) is printed with the figures. Usage: python benchmarks/watch.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUESTION = """\
format: 1
kind: event
title: A benchmark question
resolution: Resolves yes if the benchmark event happens, as the benchmark says.
deadline: 2030-01-01
experts:
  - name: a
    judgement: {{probability: {p}, interval: [0.03, 0.30], mass: 0.9}}
  - name: b
    judgement: {{quantiles: {{0.1: 0.05, 0.5: 0.18, 0.9: 0.40}}}}
  - name: c
    judgement: {{probability: 0.08, strength: 25}}
base_rate: {{successes: 1, trials: 8, weight: 0.5, reference_class: benchmark}}
evidence:
  - id: signal
    description: a signal
    likelihood_ratio: {{median: 0.7, interval: [0.4, 1.1], mass: 0.9}}
"""


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def _warm(path: Path, method: str, args: Any, repeat: int) -> tuple[list[float], Any]:
    """Seconds from each save to its full report, for a watcher using ``method``."""
    from rich.console import Console

    from forecast import engine
    from forecast.cli.watch import Watcher
    from forecast.inference import SamplerSettings
    from forecast.render.report import Report

    settings = SamplerSettings(draws=args.draws, tune=args.tune, chains=args.chains, method=method)
    console = Console(file=io.StringIO(), width=100)
    marks: dict[str, float] = {}
    models = engine.CompiledModels()
    seen: list[Any] = []

    def run_forecast(q: Any) -> Any:
        forecast = models.run(q, engine.settings_for(q, settings, 1))
        seen.append(forecast)
        return forecast

    def show(renderable: Any) -> None:
        console.print(Report(renderable) if hasattr(renderable, "diagnostics") else renderable)
        if hasattr(renderable, "diagnostics"):
            marks.setdefault("report", time.perf_counter())

    path.write_text(QUESTION.format(p=0.12), encoding="utf-8")
    watcher = Watcher(path, run_forecast, show=show)
    watcher.tick()  # the first forecast: imports (and compiles), as a session's start would
    warm: list[float] = []
    for i in range(repeat):
        marks.clear()
        saved = time.perf_counter()
        path.write_text(QUESTION.format(p=[0.15, 0.10, 0.20][i % 3]), encoding="utf-8")
        st = path.stat()
        os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + (i + 1) * 1_000_000_000))
        outcome = watcher.tick()
        assert outcome is not None and outcome.kind == "forecast", outcome
        warm.append(marks["report"] - saved)
    return warm, (models, seen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--draws", type=int, default=500)
    parser.add_argument("--tune", type=int, default=500)
    parser.add_argument("--chains", type=int, default=2)
    args = parser.parse_args()

    print(f"load before: {_uptime()}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.yaml"
        path.write_text(QUESTION.format(p=0.12), encoding="utf-8")
        os.environ.setdefault("FORECAST_CACHE_DIR", str(Path(tmp) / "cache"))
        cold: list[float] = []
        for _ in range(args.repeat):
            start = time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    "-c",
                    "from forecast.cli import main; main()",
                    "run",
                    str(path),
                    "--seed",
                    "1",
                    "-q",
                ],
                check=True,
                capture_output=True,
                cwd=ROOT,
            )
            cold.append(time.perf_counter() - start)
        exact, (_, seen_exact) = _warm(path, "auto", args, args.repeat)
        nuts, (models, seen_nuts) = _warm(path, "nuts", args, args.repeat)

    c, e, n = statistics.median(cold), statistics.median(exact), statistics.median(nuts)
    print(f"median of {args.repeat} saves each")
    print(f"cold `forecast run` subprocess (exact)        {c:7.3f} s")
    print(f"watch, exact: save → full report              {e:7.3f} s   ({c / e:.1f}× faster)")
    print(
        f"watch, nuts ({args.chains}×{args.draws}, tune {args.tune}): save → report "
        f"{n:7.3f} s   (exact is {n / e:.1f}× faster)"
    )
    print(f"target save → exact report ≤ 0.5 s: {'met' if e <= 0.5 else 'not met'}")
    methods = {f.diagnostics.method for f in seen_exact}
    clean = all(f.diagnostics.ok for f in seen_nuts)
    print(
        f"exact watch methods: {sorted(methods)}; nuts watch: model compiled "
        f"{models.builds}× for {len(seen_nuts)} forecasts, diagnostics "
        f"{'clean' if clean else 'NOT clean'}"
    )
    print(f"load after: {_uptime()}")


if __name__ == "__main__":
    main()
