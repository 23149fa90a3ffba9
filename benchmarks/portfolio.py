"""`forecast run DIR` on a portfolio of 100 questions of every kind, against a loop of
bare PyMC scripts over the same questions.

The portfolio: the shipped examples (event, time-to-event, drivers, quantity, network)
and a hazard time-to-event question, copied under other ids until there are 100 (the
network's copies link the shipped questions). `forecast run DIR -q` forecasts them all
in one process, each by the method `auto` chooses. The baseline is
`benchmarks/bare_pymc_model.py` on each question (a fresh process that builds the
question's PyMC model and samples it with PyMC's defaults); the loop is timed on a
sample of 5 questions, one of each kind, and extrapolated to the 100 by kind. The
portfolio and the sample are timed in alternating pairs (portfolio first, then the
sample first), with warm caches (a first, untimed run of each); the verdict is on the
median of the per-pair ratios. Target: <= 0.03x. The machine's load (`uptime`) is
printed before and after.

What the extrapolation is: the 100 questions are 6 kinds (event, scheduled
time-to-event, hazard time-to-event, drivers, quantity, network); the sample is the
first file of each kind (the shipped example, or the hazard question), each timed as
its own bare script, and the loop's time is the sum over kinds of that kind's time
times its count. The copies are byte-for-byte their originals under another name, so a
copy costs a bare script what its original costs; `forecast run DIR` keeps nothing by a
file's content across questions except the fitted judgements (the on-disk fit cache
every run uses) and a network's linked questions' own forecasts (which a portfolio's
networks share). Where the portfolio's time goes, by kind, is measured after the pairs
in one process that forecasts each question as `forecast run DIR` does.

    python benchmarks/portfolio.py [--repeat N] [--jobs N]   (N pairs, default 5)
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from _util import BIN, ROOT, wall

QUESTIONS = 100

HAZARD = """\
format: 1
kind: time-to-event
title: A hazard question for the portfolio benchmark
resolution: Resolves yes if the test event happens, as the benchmark says.
as_of: 2025-12-01
created: 2025-12-01
deadline: 2028-12-01
horizon: 2035-12-01
hazard:
  since: 2020-12-01
  shape: {median: 1.2, interval: [0.8, 1.8], mass: 0.9}
  experts:
    - name: a
      median_years: {median: 8, interval: [3.5, 18.3], mass: 0.9}
    - name: b
      median_years: {median: 12, interval: [5, 30], mass: 0.9}
drivers:
  - id: push
    description: makes the event likelier from now on
    odds_ratio: {median: 2, interval: [1.2, 4], mass: 0.8}
    level: 0.5
"""


def _kind(path: Path) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("kind:"):
            kind = line.split(":", 1)[1].strip()
            return "hazard" if kind == "time-to-event" and "hazard:" in path.read_text() else kind
    return "event"


def portfolio(folder: Path) -> dict[str, list[Path]]:
    """Write the 100 questions into ``folder``; their files by kind."""
    for f in (ROOT / "priors").iterdir():
        if f.is_file():
            shutil.copy(f, folder / f.name)
    (folder / "hazard-question.yaml").write_text(HAZARD, encoding="utf-8")
    bases = sorted(folder.glob("*.yaml"))
    i = 0
    while len(list(folder.glob("*.yaml"))) < QUESTIONS:
        base = bases[i % len(bases)]
        shutil.copy(base, folder / f"copy-{i:03d}-{base.name}")
        i += 1
    by_kind: dict[str, list[Path]] = {}
    for f in sorted(folder.glob("*.yaml")):
        by_kind.setdefault(_kind(f), []).append(f)
    return by_kind


def by_kind_seconds(folder: Path) -> None:
    """Forecast each question in this process as `forecast run DIR` does (one process,
    compiled models kept per structure); print the seconds by kind and method."""
    sys.path.insert(0, str(ROOT))
    from forecast import engine
    from forecast.inference import SamplerSettings
    from forecast.portfolio.runner import forecast_question
    from forecast.questions.loader import load_question

    start = time.perf_counter()
    loaded = [load_question(f) for f in sorted(folder.glob("*.yaml"))]
    print(f"  loading {len(loaded)} files: {time.perf_counter() - start:.1f} s")
    seconds: Counter[tuple[str, str]] = Counter()
    count: Counter[tuple[str, str]] = Counter()
    for q in loaded:
        t = time.perf_counter()
        made = forecast_question(q, engine.settings_for(q, SamplerSettings(), None), reuse=True)
        kind = _kind(q.path)
        seconds[kind, made.provenance.method] += time.perf_counter() - t
        count[kind, made.provenance.method] += 1
    for (kind, method), secs in sorted(seconds.items(), key=lambda kv: -kv[1]):
        n = count[kind, method]
        print(f"  {kind:<14} {method:<10} {n:3d} questions {secs:6.1f} s  ({secs / n:.2f} s each)")
    print(f"  in all: {time.perf_counter() - start:.1f} s")


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def main() -> None:
    """Write the portfolio, time both in alternating pairs, print the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed pairs (default 5)")
    parser.add_argument("--jobs", type=int, default=1, help="forecast run --jobs (default 1)")
    args = parser.parse_args()
    repeat = args.repeat
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "priors"
        folder.mkdir()
        env = {**os.environ, "FORECAST_CACHE_DIR": str(Path(tmp) / "cache")}
        by_kind = portfolio(folder)
        counts = Counter({k: len(v) for k, v in by_kind.items()})
        sample = {k: v[0] for k, v in by_kind.items()}
        print(f"load before: {_uptime()}")
        print("portfolio: " + ", ".join(f"{n} {k}" for k, n in sorted(counts.items())))
        print(
            "bare-script sample (one of each kind): "
            + ", ".join(f"{k} {p.name}" for k, p in sorted(sample.items()))
        )
        ours = [str(BIN / "forecast"), "run", str(folder), "-q", "--jobs", str(args.jobs)]
        bare = {k: [sys.executable, str(ROOT / "benchmarks" / "bare_pymc_model.py"), str(p)]
                for k, p in sample.items()}  # fmt: skip
        wall(ours, env=env)
        for cmd in bare.values():
            wall(cmd, env=env)
        pairs: list[tuple[float, float, dict[str, float]]] = []
        for i in range(repeat):
            per: dict[str, float] = {}

            def loop(per: dict[str, float] = per) -> None:
                for k, cmd in bare.items():
                    per[k] = wall(cmd, env=env)

            if i % 2 == 0:
                t_ours = wall(ours, env=env)
                loop()
            else:
                loop()
                t_ours = wall(ours, env=env)
            extrapolated = sum(per[k] * counts[k] for k in counts)
            pairs.append((t_ours, extrapolated, per))
        ratios = sorted(o / b for o, b, _ in pairs)
        med = statistics.median(ratios)
        ours_median = statistics.median(o for o, _, _ in pairs)
        print(
            f"forecast run DIR -q --jobs {args.jobs} ({QUESTIONS} questions): median "
            f"{ours_median:.1f} s  (each pair: " + ", ".join(f"{o:.1f}" for o, _, _ in pairs) + ")"
        )
        for k in sorted(counts):
            times = [p[k] for _, _, p in pairs]
            print(f"  bare PyMC script, {k}: median {statistics.median(times):.1f} s x {counts[k]}")
        print(
            f"loop of bare PyMC scripts, extrapolated: median "
            f"{statistics.median(b for _, b, _ in pairs):.0f} s"
        )
        print(
            f"ratio (median of {repeat} pairs): {med:.4f}x  range {ratios[0]:.4f}-{ratios[-1]:.4f}"
            f"   target <= 0.03x   {'ok' if med <= 0.03 else 'OVER'}"
        )
        print(f"load after the pairs: {_uptime()}")
        print("where the portfolio's time goes, by kind and method (one process):")
        by_kind_seconds(folder)
        print(f"load after: {_uptime()}")


if __name__ == "__main__":
    main()
