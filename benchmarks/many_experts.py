"""`forecast run` with 200 experts against the same question with 3 experts.

The pool comparison (the forecast under each pool and without each expert) once grew as
the cube of the number of experts: 50 took 41 s, 100 took 393 s. Both files here are
the same event question (a base rate and one uncertain evidence item) whose experts
give a mix of point + strength and pseudo-count judgements, drawn with a fixed seed.

Each is timed as a fresh process with warm caches (a first, untimed run of each fills
PyTensor's compile cache and the judgement-fit cache); runs come in pairs in
alternating order so that a shared machine's load falls on both. Then the pool
comparison alone is timed in this process (median of 5). Goal: ratio <= 3.

    python benchmarks/many_experts.py [--repeat N] [--experts N]   (defaults 3, 200)
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from _util import BIN, ROOT, wall_and_cpu

HEADER = """\
format: 1
kind: event
title: A question judged by many experts
resolution: Resolves yes if the test event happens, as the benchmark says.
deadline: 2030-01-01
experts:
"""
TAIL = """\
base_rate: {successes: 1, trials: 8, weight: 0.5, reference_class: eight comparable years}
evidence:
  - id: signal
    description: a signal
    likelihood_ratio: {median: 1.6, interval: [1.0, 2.8], mass: 0.9}
"""


def write_question(path: Path, n: int) -> Path:
    """A priors file with ``n`` experts (seeded, so every run times the same file)."""
    rng = np.random.default_rng(1)
    lines = []
    for i in range(n):
        p = round(float(rng.uniform(0.05, 0.4)), 3)
        if i % 3 == 1:
            k, t = int(rng.integers(1, 5)), int(rng.integers(10, 30))
            judgement = f"{{pseudo_counts: {{successes: {k}, trials: {t}}}}}"
        else:
            judgement = f"{{probability: {p}, strength: {int(rng.integers(2, 40))}}}"
        lines += [f"  - name: Expert {i}", f"    judgement: {judgement}"]
    path.write_text(HEADER + "\n".join(lines) + "\n" + TAIL, encoding="utf-8")
    return path


def _compare_seconds(path: Path) -> float:
    """Median seconds of the pool comparison alone, in this process."""
    sys.path.insert(0, str(ROOT))
    from forecast.kinds.event import model as event
    from forecast.questions.loader import load_question

    inputs = event.prepare(load_question(path).spec)  # type: ignore[arg-type]
    shifts = np.random.default_rng(0).normal(0.47, 0.3, 4000)
    times = []
    for _ in range(5):
        t = time.perf_counter()
        event.compare_pools(inputs, shifts)
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main() -> None:
    """Warm up, time both in alternating pairs, print the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="timed pairs (default 3)")
    parser.add_argument("--experts", type=int, default=200, help="the many (default 200)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "FORECAST_CACHE_DIR": str(Path(tmp) / "cache")}
        few = write_question(Path(tmp) / "few.yaml", 3)
        many = write_question(Path(tmp) / "many.yaml", args.experts)
        cmd = {q: [str(BIN / "forecast"), "run", str(q), "--format", "json"] for q in (few, many)}
        for q in (few, many):
            wall_and_cpu(cmd[q], env=env)
        walls: dict[Path, list[float]] = {few: [], many: []}
        cpus: dict[Path, list[float]] = {few: [], many: []}
        for i in range(args.repeat):
            for q in (few, many) if i % 2 == 0 else (many, few):
                secs, cpu = wall_and_cpu(cmd[q], env=env)
                walls[q].append(secs)
                cpus[q].append(cpu)
        os.environ["FORECAST_CACHE_DIR"] = env["FORECAST_CACHE_DIR"]
        c_few, c_many = _compare_seconds(few), _compare_seconds(many)
    w_few, w_many = statistics.median(walls[few]), statistics.median(walls[many])
    u_few, u_many = statistics.median(cpus[few]), statistics.median(cpus[many])
    n = args.experts
    print(f"forecast run, 3 experts:    {w_few:6.2f} s wall  {u_few:6.2f} s CPU")
    print(f"forecast run, {n} experts: {w_many:6.2f} s wall  {u_many:6.2f} s CPU")
    print(f"pool comparison alone:      {c_few:6.3f} s vs {c_many:6.3f} s")
    print(
        f"ratio {n} vs 3 experts: wall {w_many / w_few:.2f}x, CPU {u_many / u_few:.2f}x, "
        f"comparison alone {c_many / c_few:.1f}x (goal: run <= 3x)"
    )


if __name__ == "__main__":
    main()
