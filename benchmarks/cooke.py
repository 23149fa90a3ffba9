"""Cost of `forecast cooke` on a large study: 16 experts x 45 seed items, alpha optimised.

Generates a study (a seeds YAML file and the same study in Excalibur form) in a
temporary folder: every item is a seed item, the worst case for the robustness table
that leaves each seed item out, and a third of the items are on a log scale. Times the
whole command (`--alpha optimise --format json`: scores, the decision makers, both
robustness tables) against `forecast --version` measured in the same run (interleaved
runs, medians), and prints the ratio, in wall time and in CPU time (steadier on a
shared machine, where waiting for a core is not the command's cost). Target: <= 1 s
for the whole command.
"""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path

import numpy as np
from _util import BIN, wall, wall_and_cpu

from forecast.cooke import save
from forecast.cooke.study import Item, Study

EXPERTS = 16
ITEMS = 45
REPEAT = 7


def study(seed: int = 1) -> Study:
    """A random study: experts of varying skill give 5/50/95% quantiles for each item."""
    rng = np.random.default_rng(seed)
    items = []
    answers = np.empty((EXPERTS, ITEMS, 3))
    skill = rng.uniform(0.3, 3.0, EXPERTS)  # how wide each expert's ranges are
    for i in range(ITEMS):
        log = i % 3 == 0
        truth = float(rng.lognormal(3.0, 1.0)) if log else float(rng.normal(50.0, 20.0))
        centre = np.log(truth) if log else truth
        spread = 0.5 if log else 10.0
        for e in range(EXPERTS):
            median = centre + rng.normal(0.0, spread * skill[e] / 2)
            half = spread * skill[e] * rng.uniform(0.5, 1.5)
            row = np.array([median - half, median, median + half])
            answers[e, i] = np.round(np.exp(row) if log else row, 3)
        items.append(Item(f"item-{i + 1}", round(truth, 3), "log" if log else "uni"))
    names = tuple(f"expert-{e + 1}" for e in range(EXPERTS))
    return Study((0.05, 0.5, 0.95), tuple(items), names, answers, name="benchmark")


def main() -> None:
    """Write the study, interleave the runs and print the medians and ratios."""
    with tempfile.TemporaryDirectory() as folder:
        yaml_path = Path(folder) / "study.yaml"
        dtt_path = Path(folder) / "study.dtt"
        s = study()
        save(s, yaml_path)
        save(s, dtt_path)
        exe = str(BIN / "forecast")
        base_cmd = [exe, "--version"]
        runs = {
            "seeds YAML": [exe, "cooke", str(yaml_path), "--alpha", "optimise", "-f", "json"],
            "Excalibur": [exe, "cooke", str(dtt_path), "--alpha", "optimise", "-f", "json"],
            "rich report": [exe, "cooke", str(yaml_path), "--alpha", "optimise"],
        }
        times: dict[str, list[tuple[float, float]]] = {"base": [], **{k: [] for k in runs}}
        wall(runs["seeds YAML"])  # warm the file cache
        for _ in range(REPEAT):
            times["base"].append(wall_and_cpu(base_cmd))
            for name, cmd in runs.items():
                times[name].append(wall_and_cpu(cmd))

    def medians(name: str) -> tuple[float, float]:
        return (
            statistics.median(t for t, _ in times[name]),
            statistics.median(c for _, c in times[name]),
        )

    base, base_cpu = medians("base")
    print(f"study: {EXPERTS} experts x {ITEMS} seed items, alpha optimised, with robustness")
    print(
        f"forecast --version             wall {base * 1000:7.1f} ms   cpu {base_cpu * 1000:7.1f} ms"
    )
    for name in runs:
        t, c = medians(name)
        verdict = "ok" if min(t, c) <= 1.0 else "OVER"
        print(
            f"forecast cooke ({name:<11}) wall {t * 1000:7.1f} ms ({t / base:4.1f}x)   "
            f"cpu {c * 1000:7.1f} ms ({c / base_cpu:4.1f}x)   target <= 1000 ms   {verdict}"
        )


if __name__ == "__main__":
    main()
