"""The PyMC model that defines the network agrees with the NumPy enumeration."""

from __future__ import annotations

import numpy as np
import pytest

from forecast.kinds.network.cells import build_cells
from forecast.kinds.network.infer import Query, analyse, per_draw, prepare
from forecast.kinds.network.model import analyse_sampled, build
from tests.test_network_reference import beta_cell, five, network, node


def chain() -> object:
    return network(
        node("a", experts=beta_cell(3, 5)),
        node(
            "b",
            ["a"],
            table=[
                {"when": {"a": "yes"}, "experts": beta_cell(7, 3)},
                {"when": {"a": "no"}, "experts": beta_cell(2, 6)},
            ],
        ),
        node("c", ["b"], noisy_or={"leak": beta_cell(2, 9), "causes": {"b": beta_cell(5, 3)}}),
    )


@pytest.mark.parametrize("query", [Query(), Query(given={"d": "yes"}), Query(do={"b": "no"})])
def test_the_model_evidence_and_probabilities_equal_the_enumeration(query: Query) -> None:
    import pytensor
    from pytensor.graph.replace import graph_replace

    spec = five()
    prep = prepare(spec, build_cells(spec), {"c": "yes"}, draws=5, seed=2)
    model = build(prep, query)
    names = [c.name for c in prep.cells]
    outs = [model.potentials[0]] + [model[f"P({n}={s})"] for n, s in prep.graph.columns]
    # Each cell's random variable replaced by an input: the model's graph at given values.
    inputs = [model[n].type() for n in names]
    pairs = dict(zip([model[n] for n in names], inputs, strict=True))
    replaced = graph_replace(outs, pairs, strict=False)
    fn = pytensor.function(inputs, replaced, on_unused_input="ignore")
    z, cond = per_draw(prep, query)
    for i in range(prep.size):
        got = fn(
            *[
                prep.draws[n][i, 0] if prep.draws[n].shape[1] == 2 else prep.draws[n][i]
                for n in names
            ]
        )
        assert float(got[0]) == pytest.approx(np.log(z[i]), rel=1e-9)
        assert np.allclose(np.asarray(got[1:], dtype=float), cond[i], atol=1e-12)


@pytest.mark.slow
def test_nuts_on_the_model_agrees_with_the_weighted_draws() -> None:
    from forecast.inference import SamplerSettings

    spec = chain()
    prep = prepare(spec, build_cells(spec), {"c": "yes"}, draws=8000, seed=5)
    weighted = analyse(prep)
    sampled = analyse_sampled(
        prep, Query(), SamplerSettings(draws=1000, tune=1000, chains=2, seed=7)
    )
    for n in ("a", "b"):
        w = weighted.marginals[n][0]
        s = sampled.marginals[n][0]
        assert w.probability == s.probability  # the exact forecast does not depend on draws
        # Both estimate the same number from the posterior's draws; NUTS draws are
        # correlated, so allow for an effective size of a quarter of their number.
        assert abs(s.mc - w.probability) <= 3 * 2 * s.mcse + 3 * w.mcse
        for m in (0.8, 0.95):
            assert s.intervals[m] == pytest.approx(w.intervals[m], abs=0.03)
