"""`forecast run` on an event question against a bare PyMC script of the same model.

Both are timed as fresh processes with warm caches (PyTensor's compile cache and the
judgement-fit cache are filled by a first, untimed run of each). The runs come in pairs,
in alternating order (ours first, then bare first) so that drift in a shared machine's
load falls on both sides; the verdict is on the median of the per-pair ratios, with
their range, for wall time and for CPU time. `forecast run` forecasts the event
question exactly (the default method); `forecast run --method nuts` samples it as the
bare script does, and is timed in the same pairs. Target: exact <= 0.15x the bare
script, with |P - exact| <= 1e-4, the exact value computed here by SciPy's adaptive
quadrature from the model's definition (not by forecast). Then a warm and a cold
`forecast run` (`--timings`) show where the time goes. The machine's load (`uptime`)
is printed before and after.

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
from typing import Any

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


def scipy_exact(cfg: dict[str, Any]) -> float:
    """P(event) of the benchmark's model by SciPy's adaptive quadrature over p, the
    evidence's Normal log likelihood ratios summed and integrated by quad too."""
    import numpy as np
    from scipy import integrate, special, stats

    a, b, w = (np.asarray(cfg[k], dtype=float) for k in ("alpha", "beta", "w"))
    k, n, wt = cfg["base_rate"]
    mu = float(sum(cfg["mu"]))
    sd = float(np.sqrt(sum(s * s for s in cfg["sigma"])))

    def post(p: float) -> float:
        prior = float(np.sum(w * stats.beta.pdf(p, a, b)))
        return prior * float(np.exp(wt * (k * np.log(p) + (n - k) * np.log1p(-p))))

    def q_given(p: float) -> float:
        x = float(special.logit(p))
        return integrate.quad(
            lambda s: special.expit(x + s) * stats.norm.pdf(s, mu, sd), mu - 12 * sd, mu + 12 * sd
        )[0]

    opts: dict[str, Any] = {"limit": 400, "epsabs": 1e-13, "epsrel": 1e-11}
    z = integrate.quad(post, 0, 1, **opts)[0]
    return integrate.quad(lambda p: post(p) * q_given(p), 0, 1, **opts)[0] / z


def _uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


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
        nuts = [*ours, "--method", "nuts"]
        exact = scipy_exact(json.loads(cfg.read_text()))
        proc = subprocess.run(
            [*ours, "--format", "json"], capture_output=True, text=True, env=env, check=True
        )
        got = float(json.loads(proc.stdout.splitlines()[0])["probability"])
        print(f"load before: {_uptime()}")
        print(
            f"P: forecast run {got:.10f}   SciPy quadrature {exact:.10f}   "
            f"|P - exact| {abs(got - exact):.1e}   target <= 1e-4   "
            f"{'ok' if abs(got - exact) <= 1e-4 else 'OVER'}"
        )
        median_wall(ours, 1, env=env)
        median_wall(nuts, 1, env=env)
        median_wall(bare, 1, env=env)
        timed: dict[str, list[tuple[float, float]]] = {"exact": [], "nuts": [], "bare": []}
        runs = {"exact": ours, "nuts": nuts, "bare": bare}
        for i in range(repeat):
            order = ["exact", "nuts", "bare"] if i % 2 == 0 else ["bare", "nuts", "exact"]
            for name in order:
                timed[name].append(wall_and_cpu(runs[name], env=env))
        for k, what in enumerate(("wall", "CPU")):
            b = [t[k] for t in timed["bare"]]
            for name, target in (("exact", 0.15), ("nuts", None)):
                o = [t[k] for t in timed[name]]
                ratios = sorted(x / y for x, y in zip(o, b, strict=True))
                mid = statistics.median(ratios)
                verdict = (
                    f"   target <= {target:.2f}x   {'ok' if mid <= target else 'OVER'}"
                    if target
                    else ""
                )
                print(
                    f"{what:>4}: bare PyMC {statistics.median(b):6.2f} s   forecast run "
                    f"--method {name:<5} {statistics.median(o):6.2f} s   per-pair ratio median "
                    f"{mid:5.3f}x (range {ratios[0]:.3f}-{ratios[-1]:.3f}, {repeat} pairs)"
                    + verdict
                )
        print(f"load after: {_uptime()}")
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
