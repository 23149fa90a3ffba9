"""A sweep's rows are summarised all at once: the same numbers as NumPy's quantiles and
ArviZ's Monte Carlo error scenario by scenario, and the importance error as the run's."""

from __future__ import annotations

import math

import numpy as np

from forecast.psis import array_stats
from forecast.sweep import strategies as st

RNG = np.random.default_rng(11)
PER_DRAW = RNG.beta(2.0, 5.0, (7, 3, 400)).cumsum(axis=-1) % 1.0  # autocorrelated chains


def test_batched_summaries_are_numpys_quantiles_and_arvizs_errors() -> None:
    rows = st.summaries(PER_DRAW)
    for x, row in zip(PER_DRAW, rows, strict=True):
        flat = x.reshape(-1)
        lo80, hi80, lo95, hi95 = np.quantile(flat, [0.1, 0.9, 0.025, 0.975])
        assert row["probability"] == float(flat.mean())
        got = [row["lo80"], row["hi80"], row["lo95"], row["hi95"]]
        np.testing.assert_allclose(got, [lo80, hi80, lo95, hi95], rtol=0, atol=1e-15)
        arviz = float(array_stats().mcse(x, chain_axis=0, draw_axis=1, method="mean"))
        assert math.isclose(row["mcse"], arviz, rel_tol=1e-12)


def test_independent_and_importance_errors() -> None:
    ess = 150.0
    for x, ind, imp in zip(
        PER_DRAW,
        st.summaries(PER_DRAW, independent=True),
        st.summaries(PER_DRAW, importance_ess=ess),
        strict=True,
    ):
        sd, n = float(x.std()), x.size
        assert math.isclose(ind["mcse"], sd / math.sqrt(n), rel_tol=1e-12)
        assert math.isclose(imp["mcse"], sd * math.sqrt(1 / ess + 1 / n), rel_tol=1e-12)


def test_weighted_summaries_are_the_weighted_mean_and_its_error() -> None:
    w = RNG.random(PER_DRAW[0].size)
    w /= w.sum()
    for x, row in zip(PER_DRAW, st.summaries(PER_DRAW, w, 0.5), strict=True):
        flat = x.reshape(-1)
        mean = float(np.sum(w * flat))
        assert math.isclose(row["probability"], mean, rel_tol=1e-12)
        err = math.sqrt(np.sum(w**2 * (flat - mean) ** 2) / 0.5)
        assert math.isclose(row["mcse"], err, rel_tol=1e-12)
        assert row["lo95"] < row["lo80"] < mean < row["hi80"] < row["hi95"]
    assert st.summary(PER_DRAW[2], w, 0.5) == st.summaries(PER_DRAW, w, 0.5)[2]
