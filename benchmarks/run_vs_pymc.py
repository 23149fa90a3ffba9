"""`forecast run` on an event question against a bare PyMC script of the same model.

Both are timed as fresh processes with warm caches (PyTensor's compile cache and the
judgement-fit cache are filled by a first, untimed run of each). The runs come in pairs,
in alternating order (ours first, then bare first) so that drift in a shared machine's
load falls on both sides; the verdict is on the median of the per-pair ratios, with
their range, for wall time and for CPU time. Target: ratio <= 1.1. Then a warm and a
cold `forecast run` (`--timings`) show where the time goes.

    python benchmarks/run_vs_pymc.py [--repeat N]   (N pairs, default 7)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from _util import BIN, ROOT, median_wall, wall_and_cpu

QUESTION = ROOT / "benchmarks" / "data" / "event-question.yaml"
DRAWS, TUNE, CHAINS, SEED = 1000, 1000, 4, 7


def _config(path: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from forecast.kinds.event import model as event
    from forecast.questions.loader import load_question

    q = load_question(QUESTION)
    inputs = event.prepare(q.spec)  # type: ignore[arg-type]
    applied = [e for e in inputs.applied if not e.fitted.fixed]
    br = inputs.base_rate
    assert br is not None and len(applied) == len(inputs.applied)
    cfg = {
        "alpha": [f.params["alpha"] for f in inputs.experts],
        "beta": [f.params["beta"] for f in inputs.experts],
        "w": list(inputs.prior.weights),
        "base_rate": list(br),
        "mu": [e.fitted.params["mu"] for e in applied],
        "sigma": [e.fitted.params["sigma"] for e in applied],
        "draws": DRAWS,
        "tune": TUNE,
        "chains": CHAINS,
        "seed": SEED,
    }
    path.write_text(json.dumps(cfg))


def main() -> None:
    """Warm up, time both in alternating pairs, print the ratio and breakdowns."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="timed pairs (default 7)")
    repeat = parser.parse_args().repeat
    with tempfile.TemporaryDirectory() as tmp:
        cfg = Path(tmp) / "model.json"
        env = {**os.environ, "FORECAST_CACHE_DIR": str(Path(tmp) / "cache")}
        os.environ["FORECAST_CACHE_DIR"] = env["FORECAST_CACHE_DIR"]
        _config(cfg)
        ours = [
            str(BIN / "forecast"),
            "run",
            str(QUESTION),
            "--seed",
            str(SEED),
            "--draws",
            str(DRAWS),
            "--tune",
            str(TUNE),
            "--chains",
            str(CHAINS),
        ]
        bare = [sys.executable, str(ROOT / "benchmarks" / "bare_event_pymc.py"), str(cfg)]
        median_wall(ours, 1, env=env)
        median_wall(bare, 1, env=env)
        t_ours: list[tuple[float, float]] = []
        t_bare: list[tuple[float, float]] = []
        for i in range(repeat):
            pair = [(ours, t_ours), (bare, t_bare)]
            for cmd, times in pair if i % 2 == 0 else pair[::-1]:
                times.append(wall_and_cpu(cmd, env=env))
        for k, what in enumerate(("wall", "CPU")):
            o = [t[k] for t in t_ours]
            b = [t[k] for t in t_bare]
            ratios = sorted(x / y for x, y in zip(o, b, strict=True))
            mid = statistics.median(ratios)
            print(
                f"{what:>4}: bare PyMC {statistics.median(b):6.2f} s   forecast run"
                f" {statistics.median(o):6.2f} s   per-pair ratio median {mid:5.2f}x"
                f" (range {ratios[0]:.2f}-{ratios[-1]:.2f}, {repeat} pairs)"
                f"   target <= 1.10x   {'ok' if mid <= 1.1 else 'OVER'}"
            )
        proc = subprocess.run(
            [*ours, "--timings"], capture_output=True, text=True, env=env, check=True
        )
        print("warm forecast run, where the time goes:")
        _phases(proc.stderr)
        cold_env = {**env, "FORECAST_CACHE_DIR": str(Path(tmp) / "cold-cache")}
        proc = subprocess.run(
            [*ours, "--timings"], capture_output=True, text=True, env=cold_env, check=True
        )
        print("cold forecast run (empty fit cache), where the time goes:")
        _phases(proc.stderr)


def _phases(stderr: str) -> None:
    """Print the ``--timings`` lines of a run's standard error."""
    for line in stderr.splitlines():
        if " s " in line:
            print("  " + line.strip())


if __name__ == "__main__":
    main()
