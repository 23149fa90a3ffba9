"""Each shipped example question: `forecast run FILE` (the method its kind admits first,
exact for an event question) against `forecast run FILE --method nuts` (how every
question was forecast before the methods existed), in one run.

Both are timed as fresh processes with warm caches (a first, untimed run of each). The
runs come in pairs, in alternating order, so that drift in a shared machine's load falls
on both sides; the table gives the median of each and the median of the per-pair ratios.
Target: <= 0.25x for each example. The machine's load (`uptime`) is printed before and
after.

    python benchmarks/priors_methods.py [--repeat N] [FILE ...]   (N pairs, default 5)
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
from pathlib import Path

from _util import BIN, ROOT, wall


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def _forecast(cmd: list[str], env: dict[str, str]) -> tuple[float, str]:
    proc = subprocess.run(
        [*cmd, "--format", "json"], capture_output=True, text=True, env=env, check=True
    )
    obj = json.loads(proc.stdout.splitlines()[0])
    return float(obj["probability"]), str(obj["diagnostics"].get("method", "nuts"))


def main() -> None:
    """Warm up, time each file's pair of commands, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed pairs (default 5)")
    parser.add_argument("files", nargs="*", type=Path)
    args = parser.parse_args()
    files = args.files or sorted((ROOT / "priors").glob("*.yaml"))
    print(f"load before: {_uptime()}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "FORECAST_CACHE_DIR": str(Path(tmp) / "cache")}
        for path in files:
            now = [str(BIN / "forecast"), "run", str(path), "--seed", "1"]
            before = [*now, "--method", "nuts"]
            p_now, method = _forecast(now, env)
            p_before, _ = _forecast(before, env)
            times: dict[str, list[float]] = {"now": [], "before": []}
            for i in range(args.repeat):
                pair = [("now", now), ("before", before)]
                for name, cmd in pair if i % 2 == 0 else pair[::-1]:
                    times[name].append(wall(cmd, env=env))
            ratios = sorted(a / b for a, b in zip(times["now"], times["before"], strict=True))
            rows.append(
                (
                    path.stem,
                    method,
                    statistics.median(times["before"]),
                    statistics.median(times["now"]),
                    statistics.median(ratios),
                    p_before,
                    p_now,
                )
            )
    print(f"{'question':<44} {'method':<10} {'nuts s':>7} {'now s':>7} {'ratio':>6}  P nuts → now")
    for stem, method, b, n, r, pb, pn in rows:
        verdict = "ok" if r <= 0.25 else "OVER"
        print(
            f"{stem:<44} {method:<10} {b:7.2f} {n:7.2f} {r:6.3f}  {pb:.4f} → {pn:.4f}  "
            f"target <= 0.25x {verdict}"
        )
    print(f"({args.repeat} alternating pairs per question; medians)")
    print(f"load after: {_uptime()}")


if __name__ == "__main__":
    main()
