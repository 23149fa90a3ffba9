"""`forecast run` on an event question against a bare PyMC script of the same model.

Both are timed as fresh processes with warm caches (PyTensor's compile cache and the
judgement-fit cache are filled by a first, untimed run of each), interleaved, median of
REPEAT runs. Target: ratio <= 1.1. Then a cold `forecast run` (empty fit cache) shows
where the time goes (`--timings`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from _util import BIN, ROOT, median_wall

QUESTION = ROOT / "benchmarks" / "data" / "event-question.yaml"
REPEAT = 3
DRAWS, TUNE, CHAINS, SEED = 1000, 1000, 4, 7


def _config(path: Path) -> None:
    sys.path.insert(0, str(ROOT))
    from forecast.models import event
    from forecast.spec import load_question

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
    """Warm up, time both interleaved, print the ratio and a cold breakdown."""
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
        t_ours, t_bare = [], []
        for _ in range(REPEAT):
            t_ours.append(median_wall(ours, 1, env=env))
            t_bare.append(median_wall(bare, 1, env=env))
        o, b = sorted(t_ours)[REPEAT // 2], sorted(t_bare)[REPEAT // 2]
        print(f"bare PyMC script (warm)  {b:7.2f} s")
        print(
            f"forecast run (warm)      {o:7.2f} s   ratio {o / b:5.2f}x   target <= 1.10x"
            f"   {'ok' if o / b <= 1.1 else 'OVER'}"
        )
        cold_env = {**env, "FORECAST_CACHE_DIR": str(Path(tmp) / "cold-cache")}
        proc = subprocess.run(
            [*ours, "--timings"], capture_output=True, text=True, env=cold_env, check=True
        )
        print("cold forecast run (empty fit cache), where the time goes:")
        for line in proc.stderr.splitlines():
            if " s " in line:
                print("  " + line.strip())


if __name__ == "__main__":
    main()
