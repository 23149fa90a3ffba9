"""From saving an edited judgement to the new report: ``forecast watch`` against a cold run.

Both forecast the same event question with the same sampler settings in this run:

* cold: a ``forecast run`` subprocess (start-up, imports, fit, compile, sample, report);
* warm: a watcher in this process that has already forecast the file once (as
  ``forecast watch`` does: the model compiled once, each save's numbers swapped in);
  the judgement is edited and saved, and the time is taken until the new report is
  printed (and, separately, until the exact forecast by quadrature is shown).

The sampler settings default to the watch's (2 chains × 500 draws after 500 tuning).

Target: a warm save-to-report within 2 s. Usage: python benchmarks/watch.py [--repeat 3]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--draws", type=int, default=500)
    parser.add_argument("--tune", type=int, default=500)
    parser.add_argument("--chains", type=int, default=2)
    args = parser.parse_args()
    sampler = ["--draws", str(args.draws), "--tune", str(args.tune), "--chains", str(args.chains)]

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
                    *sampler,
                ],
                check=True,
                capture_output=True,
                cwd=ROOT,
            )
            cold.append(time.perf_counter() - start)

        from rich.console import Console

        from forecast import engine
        from forecast.cli.watch import Watcher
        from forecast.inference import SamplerSettings
        from forecast.render.report import Report

        settings = SamplerSettings(draws=args.draws, tune=args.tune, chains=args.chains)
        console = Console(file=io.StringIO(), width=100)
        marks: dict[str, float] = {}
        models = engine.CompiledModels()
        diagnostics: list[Any] = []

        def run_forecast(q: Any) -> Any:
            forecast = models.run(q, engine.settings_for(q, settings, 1))
            diagnostics.append(forecast.diagnostics)
            return forecast

        def show(renderable: Any) -> None:
            if hasattr(renderable, "diagnostics"):
                console.print(Report(renderable))
                marks.setdefault("report", time.perf_counter())
            else:
                console.print(renderable)
                if "exact forecast" in str(renderable):
                    marks.setdefault("exact", time.perf_counter())

        watcher = Watcher(path, run_forecast, show=show)
        watcher.tick()  # the first forecast: imports and compiles, as a session's start would
        warm: list[float] = []
        exact: list[float] = []
        for i in range(args.repeat):
            marks.clear()
            saved = time.perf_counter()
            path.write_text(QUESTION.format(p=[0.15, 0.10, 0.20][i % 3]), encoding="utf-8")
            st = path.stat()
            os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + (i + 1) * 1_000_000_000))
            outcome = watcher.tick()
            assert outcome is not None and outcome.kind == "forecast", outcome
            warm.append(marks["report"] - saved)
            exact.append(marks["exact"] - saved)

    c, w, e = statistics.median(cold), statistics.median(warm), statistics.median(exact)
    print(
        f"sampler: {args.chains} chains × {args.draws} draws (tune {args.tune}); "
        f"median of {args.repeat}"
    )
    print(f"cold `forecast run` subprocess        {c:7.2f} s")
    print(f"watch: save → new sampled report      {w:7.2f} s   ({c / w:.1f}× faster)")
    print(f"watch: save → exact forecast shown    {e:7.2f} s   ({c / e:.1f}× faster)")
    print(f"target save → report ≤ 2 s: {'met' if w <= 2.0 else 'not met'}")
    ess = min(min(d.ess_bulk_min, d.ess_tail_min) for d in diagnostics)
    clean = all(d.ok for d in diagnostics)
    print(
        f"watch: model compiled {models.builds}× for {len(diagnostics)} forecasts; "
        f"lowest ESS {ess:.0f}; diagnostics {'clean' if clean else 'NOT clean'}"
    )


if __name__ == "__main__":
    main()
