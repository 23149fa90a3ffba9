"""A bare PyMC script for the event model: the baseline `forecast run` is compared with.

Reads the fitted numbers from a JSON file (argv[1]) so it builds exactly the model that
`forecast run` builds, with nothing but PyMC: mixture-of-Betas prior, power-prior base
rate, evidence log likelihood ratios; same draws, tune, chains, seed and sampler
settings; PyMC's own defaults otherwise (so it checks convergence, as `forecast run`
does); prints the posterior mean of q.
"""

from __future__ import annotations

import json
import sys

import numpy as np
import pymc as pm
import pytensor.tensor as pt


def main() -> None:
    """Build, sample, print."""
    with open(sys.argv[1], encoding="utf-8") as fh:
        cfg = json.load(fh)
    with pm.Model():
        a, b = np.array(cfg["alpha"]), np.array(cfg["beta"])
        p = pm.Mixture("p", w=np.array(cfg["w"]), comp_dists=pm.Beta.dist(alpha=a, beta=b))
        k, n, w = cfg["base_rate"]
        pm.CustomDist(
            "base_rate",
            p,
            float(n),
            float(w),
            logp=lambda v, p, n, w: w * (v * pt.log(p) + (n - v) * pt.log1p(-p)),
            observed=float(k),
        )
        llr = pm.Normal(
            "llr", mu=np.array(cfg["mu"]), sigma=np.array(cfg["sigma"]), shape=(len(cfg["mu"]),)
        )
        q = pm.Deterministic("q", pm.math.sigmoid(pt.log(p) - pt.log1p(-p) + llr.sum()))
        idata = pm.sample(
            draws=cfg["draws"],
            tune=cfg["tune"],
            chains=cfg["chains"],
            cores=1,
            random_seed=cfg["seed"],
            target_accept=0.9,
            progressbar=False,
        )
    print(float(idata["posterior"]["q"].mean()))
    del q


if __name__ == "__main__":
    main()
