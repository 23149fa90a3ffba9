"""Start-up cost of the command line: `forecast --help` against `python -c pass`.

Prints the median wall time of each (interleaved runs, so machine noise hits both) and
the ratio. Target: `forecast --help` <= 0.25 s.
"""

from __future__ import annotations

import statistics
import sys

from _util import BIN, wall

REPEAT = 15


def main() -> None:
    """Interleave the runs and print the medians and ratio."""
    python = [sys.executable, "-c", "pass"]
    help_ = [str(BIN / "forecast"), "--help"]
    check = [str(BIN / "forecast"), "check", "priors"]
    base, helps, checks = [], [], []
    for _ in range(REPEAT):
        base.append(wall(python))
        helps.append(wall(help_))
        checks.append(wall(check))
    b, h, c = (statistics.median(x) for x in (base, helps, checks))
    print(f"python -c pass        {b * 1000:8.1f} ms")
    print(
        f"forecast --help       {h * 1000:8.1f} ms   ratio {h / b:5.1f}x   target <= 250 ms"
        f"   {'ok' if h <= 0.25 else 'OVER'}"
    )
    print(f"forecast check priors {c * 1000:8.1f} ms   ratio {c / b:5.1f}x")


if __name__ == "__main__":
    main()
