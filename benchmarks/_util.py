"""Helpers for benchmarks: wall-clock timing of subprocesses, medians, ratios."""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"


def wall(cmd: list[str], *, env: dict[str, str] | None = None) -> float:
    """Seconds one run of ``cmd`` takes; output discarded; fails loudly on error."""
    t = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, check=False)
    secs = time.perf_counter() - t
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    return secs


def wall_and_cpu(cmd: list[str], *, env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system, the child and its children) of one run.

    CPU time is steadier than wall time on a shared machine, since time spent waiting
    for a core another process holds is not counted.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    secs = wall(cmd, env=env)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return secs, cpu


def median_wall(cmd: list[str], repeat: int, *, env: dict[str, str] | None = None) -> float:
    """Median wall time over ``repeat`` runs."""
    return statistics.median(wall(cmd, env=env) for _ in range(repeat))
