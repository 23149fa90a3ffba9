"""nutpie against PyMC's own NUTS on a drivers question with many coded cases (the model
importance sampling leaves to NUTS), in one process.

Each sampler makes 4 chains × 1000 draws after 1000 tuning steps of the same PyMC model
(:func:`forecast.kinds.drivers.model.build`). Timed: the first run (compiling included)
and the median of further runs on the compiled model (PyMC: a NUTS step compiled once;
nutpie: ``compile_pymc_model`` once, then ``sample``), alternating. The posterior means
of the baseline p are printed side by side. nutpie is not a dependency: run with it on
``PYTHONPATH`` (``uv pip install --target DIR nutpie``).

    python benchmarks/nutpie_vs_pymc.py [--repeat N]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _inputs() -> object:
    from forecast.elicit.distributions import Fitted
    from forecast.kinds.drivers.model import DriverInput, DriversInputs

    rng = np.random.default_rng(0)
    x = rng.integers(0, 2, size=(60, 2)).astype(float)
    y = (rng.random(60) < 1 / (1 + np.exp(-(-0.8 + 1.0 * x[:, 0] - 0.5 * x[:, 1])))).astype(float)
    experts = (Fitted("beta", {"alpha": 3.0, "beta": 7.0}, "test"),)
    drivers = (
        DriverInput("a", "", Fitted("lognormal", {"mu": 0.9, "sigma": 0.5}, "test"), 1.0),
        DriverInput("b", "", Fitted("lognormal", {"mu": -0.4, "sigma": 0.5}, "test"), 0.0),
    )
    return DriversInputs(("e",), experts, (1.0,), drivers, x, y)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    import nutpie
    import pymc as pm

    from forecast.inference import quiet_pymc
    from forecast.kinds.drivers.model import build

    up = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
    print(f"load before: {up}")
    model = build(_inputs())  # type: ignore[arg-type]

    t = time.perf_counter()
    with quiet_pymc(), model:
        step = pm.NUTS(target_accept=0.9)
        state = step.sampling_state
        idata = pm.sample(
            1000,
            tune=1000,
            chains=4,
            cores=1,
            step=step,
            random_seed=1,
            progressbar=False,
            compute_convergence_checks=False,
        )
    pymc_first = time.perf_counter() - t
    pymc_mean = float(idata["posterior"]["p"].mean())
    t = time.perf_counter()
    compiled = nutpie.compile_pymc_model(model)
    trace = nutpie.sample(
        compiled, draws=1000, tune=1000, chains=4, cores=1, seed=1, progress_bar=False
    )
    nutpie_first = time.perf_counter() - t
    nutpie_mean = float(trace["posterior"]["p"].mean())

    pymc_t: list[float] = []
    nutpie_t: list[float] = []
    for i in range(args.repeat):

        def run_pymc(seed: int = i) -> None:
            step.sampling_state = state
            with quiet_pymc(), model:
                pm.sample(
                    1000,
                    tune=1000,
                    chains=4,
                    cores=1,
                    step=step,
                    random_seed=seed,
                    progressbar=False,
                    compute_convergence_checks=False,
                )

        def run_nutpie(seed: int = i) -> None:
            nutpie.sample(
                compiled, draws=1000, tune=1000, chains=4, cores=1, seed=seed, progress_bar=False
            )

        pair = [(run_pymc, pymc_t), (run_nutpie, nutpie_t)]
        for fn, times in pair if i % 2 == 0 else pair[::-1]:
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
    p, n = statistics.median(pymc_t), statistics.median(nutpie_t)
    print(
        f"first run (compile + sample): PyMC NUTS {pymc_first:6.2f} s   "
        f"nutpie {nutpie_first:6.2f} s"
    )
    print(
        f"compiled, median of {args.repeat}: PyMC NUTS {p:6.2f} s   nutpie {n:6.2f} s   "
        f"nutpie/PyMC {n / p:.2f}x"
    )
    print(f"posterior mean of p: PyMC {pymc_mean:.4f}   nutpie {nutpie_mean:.4f}")
    up = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
    print(f"load after: {up}")


if __name__ == "__main__":
    main()
