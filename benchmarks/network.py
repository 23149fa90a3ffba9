"""The network kind against one event question, and a node-state sweep against one run.

1. A 12-node network (4,096 joint states), 4,000 draws of its cells, as fresh processes:
   * the benchmark's network job (a script): `run_network` (every node's marginal with
     its intervals, the conditionals at the means, tornado, coherence) plus every
     single-node conditional over the draws (each node given each state of each other
     node, with its 80% interval);
   * `forecast run NET --seed 1` on the same file (the report a user sees);
   against one `forecast run EVENT --seed 1` of benchmarks/data/event-question.yaml by
   its default method (exact) and one `forecast run EVENT --seed 1 --method nuts`.
   Every command is warmed by an untimed first run (the fit cache in a temporary
   FORECAST_CACHE_DIR, PyTensor's compile cache for NUTS), then timed in rounds whose
   order alternates (network first, then the event runs first), so drift in a shared
   machine's load falls on both sides; each ratio is the median of the per-round
   ratios, with their range. The target "network < 2x one event run" was set against
   the NUTS event run; the exact event run is shown as well. The load (`uptime`) is
   printed before and after.
2. A sweep of 1,000 scenarios over node states (given and do) on the same network
   against one run of it (marginals, conditionals and tornado), in one process, both
   from loading the file. Target: ratio <= 1.5.

    python benchmarks/network.py [--repeat N]   (N rounds, default 5; medians)
"""

from __future__ import annotations

import argparse
import itertools
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from _util import BIN, ROOT, wall

EVENT = ROOT / "benchmarks" / "data" / "event-question.yaml"
NODES = 12


def network_text() -> str:
    """Twelve yes/no nodes, each with up to two parents, judgements in several forms."""
    out = [
        "format: 1",
        "kind: network",
        "title: A benchmark network",
        "resolution: Each node resolves as its own criterion says.",
        "deadline: 2030-01-01",
        "nodes:",
    ]
    forms = [
        "{{probability: {p}, strength: 30}}",
        "{{probability: {p}, interval: [{lo}, {hi}], mass: 0.8}}",
        "{{pseudo_counts: {{successes: {k}, trials: 10}}}}",
    ]
    for i in range(NODES):
        parents = [f"n{j}" for j in (i - 1, i - 3) if j >= 0]
        out += [f"  - id: n{i}", f"    title: Node {i}", "    resolution: As reported."]
        rows = list(itertools.product(("yes", "no"), repeat=len(parents)))
        if parents:
            out.append(f"    parents: [{', '.join(parents)}]")
            out.append("    table:")
        for r, combo in enumerate(rows):
            p = round(0.15 + 0.7 * ((i * 7 + r * 3) % 10) / 10, 2)
            form = forms[(i + r) % 3].format(
                p=p, lo=round(p / 2, 3), hi=round((1 + p) / 2, 3), k=round(p * 10)
            )
            experts = (
                f"[{{name: a, judgement: {form}}}, {{name: b, judgement: {forms[0].format(p=p)}}}]"
            )
            if parents:
                when = ", ".join(f"{q}: {s}" for q, s in zip(parents, combo, strict=True))
                out += [f"      - when: {{{when}}}", f"        experts: {experts}"]
            else:
                out.append(f"    experts: {experts}")
    return "\n".join(out) + "\n"


SCRIPT = textwrap.dedent(
    """
    import sys
    from forecast.questions.loader import load_question
    from forecast.kinds.network.kind import KIND
    from forecast.kinds.network.run import run_network
    from forecast.kinds.network.scenarios import conditionals_over_draws
    q = load_question(sys.argv[1])
    nf = run_network(KIND.prepare(q), draws=4000, seed=1, sample=False)
    everything = conditionals_over_draws(nf.prep)
    assert len(everything) == 2 * {nodes}
    """
).format(nodes=NODES)


def in_process(path: Path, repeat: int) -> tuple[float, float]:
    """Median seconds of one network run and of a 1,000-scenario node-state sweep."""
    sys.path.insert(0, str(ROOT))
    from forecast.kinds.network.cells import build_cells
    from forecast.kinds.network.infer import Query, prepare
    from forecast.kinds.network.kind import KIND
    from forecast.kinds.network.run import run_network
    from forecast.kinds.network.scenarios import sweep_states
    from forecast.questions.loader import load_question

    names = [f"n{i}" for i in range(NODES)]
    scenarios = []
    for i in range(1000):
        a, b = names[i % NODES], names[(i * 5 + 3) % NODES]
        s1, s2 = ("yes", "no")[i % 2], ("yes", "no")[(i // 2) % 2]
        if a == b:
            scenarios.append(Query(given={a: s1}))
        elif i % 3 == 0:
            scenarios.append(Query(do={a: s1}, given={b: s2}))
        else:
            scenarios.append(Query(given={a: s1, b: s2}))
    runs, sweeps = [], []
    for _ in range(repeat):
        t = time.perf_counter()
        run_network(KIND.prepare(load_question(path)), draws=4000, seed=1, sample=False)
        runs.append(time.perf_counter() - t)
        t = time.perf_counter()
        spec = KIND.prepare(load_question(path)).spec
        prep = prepare(spec, build_cells(spec), {}, draws=4000, seed=1)
        rows = sweep_states(prep, scenarios)
        sweeps.append(time.perf_counter() - t)
        assert rows.shape[0] == 1000
    return statistics.median(runs), statistics.median(sweeps)


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def _ratio_line(label: str, num: list[float], den: list[float], target: float | None) -> str:
    ratios = sorted(x / y for x, y in zip(num, den, strict=True))
    mid = statistics.median(ratios)
    verdict = f"   target < {target:.0f}x   {'ok' if mid < target else 'OVER'}" if target else ""
    return (
        f"  {label:<52} {mid:6.2f}x (range {ratios[0]:.2f}-{ratios[-1]:.2f}, "
        f"{len(ratios)} rounds){verdict}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed rounds (default 5)")
    args = parser.parse_args()
    if args.repeat < 5:
        print(f"{args.repeat} rounds: fewer than the 5 a measurement takes", file=sys.stderr)
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "FORECAST_CACHE_DIR": str(Path(tmp) / "cache")}
        os.environ["FORECAST_CACHE_DIR"] = env["FORECAST_CACHE_DIR"]
        path = Path(tmp) / "bench-network.yaml"
        path.write_text(network_text(), encoding="utf-8")
        script = Path(tmp) / "network_all.py"
        script.write_text(SCRIPT, encoding="utf-8")
        event = [str(BIN / "forecast"), "run", str(EVENT), "--seed", "1"]
        commands = {
            "job": [str(BIN / "python"), str(script), str(path)],
            "run": [str(BIN / "forecast"), "run", str(path), "--seed", "1"],
            "exact": event,
            "nuts": [*event, "--method", "nuts"],
        }
        print(f"load before: {_uptime()}")
        for cmd in commands.values():
            wall(cmd, env=env)  # warm the fit cache and PyTensor's compile cache
        timed: dict[str, list[float]] = {k: [] for k in commands}
        for i in range(args.repeat):
            order = list(commands) if i % 2 == 0 else list(reversed(commands))
            for name in order:
                timed[name].append(wall(commands[name], env=env))
        run, sweep = in_process(path, args.repeat)
        print(f"load after: {_uptime()}")
    med = {k: statistics.median(v) for k, v in timed.items()}
    print(f"12-node network, 4000 draws (medians of {args.repeat} alternating rounds):")
    for name, label in (
        ("job", "network job (all marginals + every single-node conditional)"),
        ("run", "forecast run NET"),
        ("exact", "forecast run EVENT (default method, exact)"),
        ("nuts", "forecast run EVENT --method nuts"),
    ):
        print(f"  {label:<62} {med[name]:6.2f} s")
    print("per-round ratios:")
    for num, label in (("job", "network job"), ("run", "forecast run NET")):
        for den, event, target in (
            ("exact", "forecast run EVENT (exact)", None),
            ("nuts", "forecast run EVENT --method nuts", 2.0),
        ):
            print(_ratio_line(f"{label} / {event}", timed[num], timed[den], target))
    print(
        f"one network run (in process): {run:.2f} s; 1,000-scenario node-state sweep: {sweep:.2f} s"
    )
    print(f"ratio sweep / run: {sweep / run:.2f} (target <= 1.5)")


if __name__ == "__main__":
    main()
