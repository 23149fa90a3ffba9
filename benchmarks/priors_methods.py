"""Each shipped example question: `forecast run FILE` (the method `auto` chooses)
against `forecast run FILE --method nuts` of today's code, and, with `--before DIR`,
against the `forecast run` of an older checkout on its own copy of the same file, in
one run.

The target (each example <= 0.25x its wall time before inference was chosen per
question) is about the code as it was before that work: the commit before the first one
that touched `forecast/methods`. Today's `--method nuts` is itself much faster than that
code, so it is only a second column. Make the old tree once, in a detached worktree
(no branch of the repository moves), run, then remove it:

    git worktree add --detach /tmp/before-13 4e67499^
    make -C /tmp/before-13 setup
    python benchmarks/priors_methods.py --before /tmp/before-13
    git worktree remove --force /tmp/before-13

Every command is timed as a fresh process with warm caches (a first, untimed run of
each; the old tree has its own cache folder). The runs come in rounds, the order
rotating each round, so that drift in a shared machine's load falls on every side; the
table gives the median of each and the median of the per-round ratios. A file the old
tree does not have (same name in its `priors/`) gets no "before" column. The machine's
load (`uptime`) is printed before and after: on a shared machine, read the ratios with
it.

    python benchmarks/priors_methods.py [--repeat N] [--before DIR] [FILE ...]
    (N rounds, default 5)
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


def _rounds(
    cmds: dict[str, list[str]], repeat: int, envs: dict[str, dict[str, str]]
) -> dict[str, list[float]]:
    """Wall times of each command, ``repeat`` rounds, the order rotating each round."""
    names = list(cmds)
    times: dict[str, list[float]] = {n: [] for n in names}
    for i in range(repeat):
        k = i % len(names)
        for name in names[k:] + names[:k]:
            times[name].append(wall(cmds[name], env=envs[name]))
    return times


def _ratio(times: dict[str, list[float]], top: str, bottom: str) -> float:
    return statistics.median(a / b for a, b in zip(times[top], times[bottom], strict=True))


def main() -> None:
    """Warm up, time each file's commands in rotating rounds, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed rounds (default 5)")
    parser.add_argument(
        "--before", type=Path, default=None, help="an older checkout with its own .venv"
    )
    parser.add_argument("files", nargs="*", type=Path)
    args = parser.parse_args()
    files = args.files or sorted((ROOT / "priors").glob("*.yaml"))
    old_bin = None
    if args.before is not None:
        old_bin = args.before.resolve() / ".venv" / "bin" / "forecast"
        if not old_bin.exists():
            parser.error(f"{old_bin} does not exist: run `make setup` in {args.before}")
    print(f"load before: {_uptime()}")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "FORECAST_CACHE_DIR": str(Path(tmp) / "cache")}
        old_env = {**os.environ, "FORECAST_CACHE_DIR": str(Path(tmp) / "old-cache")}
        for path in files:
            now = [str(BIN / "forecast"), "run", str(path), "--seed", "1"]
            cmds = {"now": now, "nuts": [*now, "--method", "nuts"]}
            envs = {"now": env, "nuts": env, "before": old_env}
            p: dict[str, float] = {}
            p["now"], method = _forecast(cmds["now"], env)
            p["nuts"], _ = _forecast(cmds["nuts"], env)
            old_file = None if args.before is None else args.before / "priors" / path.name
            if old_bin is not None and old_file is not None and old_file.exists():
                cmds["before"] = [str(old_bin), "run", str(old_file.resolve()), "--seed", "1"]
                p["before"], _ = _forecast(cmds["before"], old_env)
            times = _rounds(cmds, args.repeat, envs)
            med = {k: statistics.median(v) for k, v in times.items()}
            rows.append((path.stem, method, med, p, times))
    head = f"{'question':<44} {'method':<10} {'now s':>6} {'nuts s':>6} {'/nuts':>6}"
    if args.before is not None:
        head += f" {'before s':>8} {'/before':>7}  target <= 0.25x before"
    print(head)
    for stem, method, med, _, times in rows:
        line = (
            f"{stem:<44} {method:<10} {med['now']:6.2f} {med['nuts']:6.2f} "
            f"{_ratio(times, 'now', 'nuts'):6.3f}"
        )
        if args.before is not None:
            if "before" in med:
                r = _ratio(times, "now", "before")
                line += f" {med['before']:8.2f} {r:7.3f}  {'ok' if r <= 0.25 else 'OVER'}"
            else:
                line += f" {'-':>8} {'-':>7}  (not in the old tree)"
        print(line)
    print()
    print("P(yes) with --seed 1:")
    for stem, _, _, p, _ in rows:
        said = ", ".join(f"{k} {v:.4f}" for k, v in p.items())
        print(f"  {stem:<44} {said}")
    print(f"({args.repeat} rotating rounds per question; medians of times and of ratios)")
    print(f"load after: {_uptime()}")


if __name__ == "__main__":
    main()
