"""The quantity model's sampler against the closed-form posterior, and its calibration.

The normal prior with normal error (and the lognormal prior with normal error on the
log scale) has a conjugate posterior; the sampled posterior mean must lie within 3
Monte Carlo standard errors (ArviZ) of it. Simulation-based calibration (Talts et al.
2018): draw the quantity from the prior and values given it, sample, and rank the true
value among the posterior draws; over 100 replications the ranks are uniform.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from forecast.inference import SamplerSettings, quiet_pymc, sample
from forecast.kinds.quantity import model
from forecast.kinds.quantity.families import Dist, Support
from forecast.kinds.quantity.fit import FamilyFit, JudgementFit
from forecast.kinds.quantity.inputs import QuantityInputs
from forecast.kinds.quantity.update import Observations

pytestmark = pytest.mark.slow


def _inputs(dists: tuple[Dist, ...], data: Observations | None) -> QuantityInputs:
    fits = tuple(JudgementFit((FamilyFit(d, 0.0),), d.family, ()) for d in dists)
    names = tuple(f"e{i}" for i in range(len(dists)))
    return QuantityInputs(names, fits, (1.0,) * len(dists), "linear", dists[0].support, (), data)


def _mcse_mean(x: np.ndarray) -> float:
    import arviz_stats as azs

    return float(azs.mcse(x, chain_axis=0, draw_axis=1, method="mean"))


@pytest.mark.parametrize(
    ("prior", "data", "log"),
    [
        (Dist("normal", 100.0, 20.0, Support()), Observations((130.0, 150.0), 15.0, False), False),
        (Dist("lognormal", 20.0, 0.5, Support(0.0)), Observations((6e8, 9e8), 0.4, True), True),
    ],
)
def test_sampled_posterior_matches_the_conjugate_update(
    prior: Dist, data: Observations, log: bool
) -> None:
    y = data.transformed
    prec = 1 / prior.b**2 + len(y) / data.sd**2
    mean = (prior.a / prior.b**2 + y.sum() / data.sd**2) / prec
    idata = sample(model.build(_inputs((prior,), data)), SamplerSettings(1000, 1000, 2, seed=3))
    x = np.asarray(idata["posterior"]["x"].values, dtype=float)
    v = np.log(x) if log else x
    assert abs(v.mean() - mean) <= 3 * _mcse_mean(v)
    assert v.std() == pytest.approx(1 / math.sqrt(prec), rel=0.08)


def test_simulation_based_calibration() -> None:
    import pymc as pm

    rng = np.random.default_rng(2026)
    prior = Dist("gamma", 3.0, 0.004, Support(0.0))
    sd, n = 0.3, 2
    inputs = _inputs((prior,), Observations((500.0,) * n, sd, True))
    m = model.build(inputs, swappable=True)
    with quiet_pymc(), m:
        step = pm.NUTS(target_accept=0.9)
    state = step.sampling_state
    ranks = []
    for rep in range(100):
        truth = float(prior.ppf(rng.uniform()))
        model.set_values(m, math.log(truth) + rng.normal(0, sd, size=n))
        step.sampling_state = state
        idata = sample(m, SamplerSettings(draws=200, tune=300, chains=1, seed=rep), step=step)
        x = np.asarray(idata["posterior"]["x"].values, dtype=float).reshape(-1)[::2]  # thinned
        ranks.append(int(np.sum(x < truth)))
    counts = np.histogram(ranks, bins=10, range=(0, 101))[0]
    assert stats.chisquare(counts).pvalue > 0.01, counts
