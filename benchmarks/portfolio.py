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
printed before and after, and a profile of one portfolio run shows where its time goes.

    python benchmarks/portfolio.py [--repeat N]   (N pairs, default 5)
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
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


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def main() -> None:
    """Write the portfolio, time both in alternating pairs, print the ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed pairs (default 5)")
    repeat = parser.parse_args().repeat
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "priors"
        folder.mkdir()
        env = {**os.environ, "FORECAST_CACHE_DIR": str(Path(tmp) / "cache")}
        by_kind = portfolio(folder)
        counts = Counter({k: len(v) for k, v in by_kind.items()})
        sample = {k: v[0] for k, v in by_kind.items()}
        print(f"load before: {_uptime()}")
        print("portfolio: " + ", ".join(f"{n} {k}" for k, n in sorted(counts.items())))
        ours = [str(BIN / "forecast"), "run", str(folder), "-q"]
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
        print(f"forecast run DIR ({QUESTIONS} questions): median {ours_median:.1f} s")
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
        print(f"load after: {_uptime()}")


if __name__ == "__main__":
    main()
