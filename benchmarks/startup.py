"""Start-up cost of the command line: `forecast --help` and `forecast --version` against
`python -c pass`.

Prints the median wall time of each (interleaved runs, so machine noise hits all of
them alike) and the ratios, with the machine's load. Targets: `forecast --help` <= 0.25 s,
`forecast --version` <= 0.1 s.
"""

from __future__ import annotations

import os
import statistics
import sys

from _util import BIN, wall

REPEAT = 15


def main() -> None:
    """Interleave the runs and print the medians and ratios."""
    runs = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "forecast --version": [str(BIN / "forecast"), "--version"],
        "forecast --help": [str(BIN / "forecast"), "--help"],
        "forecast check priors": [str(BIN / "forecast"), "check", "priors"],
    }
    targets = {"forecast --version": 0.10, "forecast --help": 0.25}
    print(f"load before: {os.getloadavg()[0]:.2f}")
    times: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(REPEAT):
        for name, cmd in runs.items():
            times[name].append(wall(cmd))
    base = statistics.median(times["python -c pass"])
    for name in runs:
        t = statistics.median(times[name])
        line = f"{name:<22}{t * 1000:8.1f} ms   ratio {t / base:5.1f}x"
        if name in targets:
            ok = "ok" if t <= targets[name] else "OVER"
            line += f"   target <= {targets[name] * 1000:.0f} ms   {ok}"
        print(line)
    print(f"load after: {os.getloadavg()[0]:.2f}  ({REPEAT} interleaved runs each; medians)")


if __name__ == "__main__":
    main()
