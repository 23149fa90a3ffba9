"""Start-up cost of the command line, against Python's own start-up measured in the same run.

Each command runs as a fresh process: `forecast --version`, `forecast --help`,
`forecast check priors`, and the start-up of a sweep: `forecast sweep` of one scenario on
the event question (benchmarks/data/event-question.yaml, its fits cached by an untimed
first run, as an analyst's second sweep finds them), beside `forecast run` of the same
question. The baselines are `python -c pass` (the interpreter) and
`python -c "import numpy"` (the interpreter and NumPy, which every forecast needs).

The commands run in rounds, each round in the opposite order of the one before
(alternating, so a change of the machine's load hits every command alike); the table
gives each command's median wall time and its ratios to both baselines' medians, with
the machine's load before and after. Targets: `forecast --version` <= 0.1 s,
`forecast --help` <= 0.25 s.

Run: .venv/bin/python benchmarks/startup.py [--repeat 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys

from _util import BIN, ROOT, wall

EVENT = ROOT / "benchmarks" / "data" / "event-question.yaml"
SCENARIO = "evidence.no-guest-invitation-2026=on"


def _uptime() -> str:
    """The machine's load as ``uptime`` prints it (the load averages if it is missing)."""
    try:
        out = subprocess.run(["uptime"], capture_output=True, text=True, check=True).stdout
        return out.strip()
    except (OSError, subprocess.CalledProcessError):
        one, five, fifteen = os.getloadavg()
        return f"load average: {one:.2f}, {five:.2f}, {fifteen:.2f}"


def main() -> None:
    """Time the commands in alternating rounds and print the medians and ratios."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=15, help="rounds (each command once a round)")
    args = ap.parse_args()
    forecast = str(BIN / "forecast")
    baselines = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "python -c 'import numpy'": [sys.executable, "-c", "import numpy"],
    }
    runs = {
        **baselines,
        "forecast --version": [forecast, "--version"],
        "forecast --help": [forecast, "--help"],
        "forecast check priors": [forecast, "check", "priors"],
        "forecast run (event)": [forecast, "run", str(EVENT), "--format", "json"],
        "forecast sweep (1 scenario)": [forecast, "sweep", str(EVENT), "--grid", SCENARIO],
    }
    targets = {"forecast --version": 0.10, "forecast --help": 0.25}
    load_before = _uptime()
    for cmd in runs.values():  # untimed: the fit cache and the OS's file cache warm
        wall(cmd)
    times: dict[str, list[float]] = {name: [] for name in runs}
    names = list(runs)
    for i in range(args.repeat):
        for name in names if i % 2 == 0 else reversed(names):
            times[name].append(wall(runs[name]))
    load_after = _uptime()
    medians = {name: statistics.median(ts) for name, ts in times.items()}
    base, numpy = (medians[b] for b in baselines)
    print(f"before: {load_before}")
    print(f"{'command':<30}{'median':>10}{'x pass':>9}{'x numpy':>9}")
    for name in runs:
        t = medians[name]
        line = f"{name:<30}{t * 1000:7.1f} ms{t / base:8.2f}x{t / numpy:8.2f}x"
        if name in targets:
            ok = "ok" if t <= targets[name] else "OVER"
            line += f"   target <= {targets[name] * 1000:.0f} ms {ok}"
        print(line)
    print(f"after:  {load_after}")
    print(
        f"({args.repeat} rounds in alternating order, fresh processes, medians; "
        f"{os.cpu_count()} cores)"
    )


if __name__ == "__main__":
    main()
