"""Simulation-based calibration rank histograms of the event, time-to-event and drivers
models (the same replicates as ``tests/test_sbc.py``).

Usage: python benchmarks/sbc_ranks.py [REPLICATES] [KIND ...]

For each ranked quantity prints the counts in equal bins of the rank 0..L, a bar per
bin, the chi-square p-value of uniformity, and the seconds per replicate. A U shape
means the posterior is too narrow, a hump too wide, a slope a bias.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_sbc import BINS, KEEP, PROBLEMS, REPLICATES, ranks, uniformity  # noqa: E402


def main() -> None:
    """Run the replicates of each kind and print the histograms."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("replicates", nargs="?", type=int, default=REPLICATES)
    parser.add_argument(
        "kinds",
        nargs="*",
        choices=list(PROBLEMS),
        metavar="KIND",
        help=f"one or more of {', '.join(PROBLEMS)} (default: all)",
    )
    args = parser.parse_args()
    replicates = args.replicates
    kinds = args.kinds or list(PROBLEMS)
    for kind in kinds:
        with tempfile.TemporaryDirectory() as tmp:
            problem = PROBLEMS[kind](Path(tmp))
            start = time.perf_counter()
            r = ranks(problem, replicates)
            seconds = time.perf_counter() - start
        print(f"\n{kind}: {replicates} replicates, {seconds / replicates:.2f} s each")
        for j, name in enumerate(problem.names):
            counts, p = uniformity(r[:, j])
            print(f"  {name}  (ranks 0..{KEEP} in {BINS} bins; chi-square p = {p:.3f})")
            expected = replicates / BINS
            for b, c in enumerate(counts):
                lo = b * (KEEP + 1) // BINS
                hi = (b + 1) * (KEEP + 1) // BINS - 1
                print(f"    {lo:3d}-{hi:3d} {c:4d} {'#' * int(c)}{'' if c else '.'}")
            print(f"    expected {expected:.1f} per bin")


if __name__ == "__main__":
    main()
