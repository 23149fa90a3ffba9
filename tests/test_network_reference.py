"""The network kind against independent references: pgmpy, closed forms, SBC."""

from __future__ import annotations

import itertools
import warnings
from typing import Any

import numpy as np
import pytest
from scipy import stats

from forecast.kinds.network.cells import build_cells
from forecast.kinds.network.infer import Query, analyse, conditionals, prepare
from forecast.kinds.network.spec import NetworkQuestion

STRONG = 1e6


def point(p: float) -> list[dict[str, Any]]:
    return [{"name": "x", "judgement": {"probability": p, "strength": STRONG}}]


def node(name: str, parents: list[str] | None = None, **rest: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"id": name, "title": name.upper(), "resolution": f"{name} reported."}
    if parents:
        out["parents"] = parents
    out.update(rest)
    return out


def network(*nodes: dict[str, Any]) -> NetworkQuestion:
    return NetworkQuestion.model_validate(
        {
            "format": 1,
            "kind": "network",
            "title": "t",
            "resolution": "r",
            "deadline": "2030-01-01",
            "nodes": list(nodes),
        }
    )


def rows(parents: list[str], probs: dict[tuple[str, ...], float]) -> list[dict[str, Any]]:
    return [
        {"when": dict(zip(parents, k, strict=True)), "experts": point(p)} for k, p in probs.items()
    ]


YN = ("yes", "no")

# A five-node network: a categorical node, a noisy OR and a table independent of a parent.
P_A = 0.3
P_M = {"yes": (0.6, 0.3, 0.1), "no": (0.2, 0.3, 0.5)}  # mood | a over warm, cool, cold
P_B = {("warm",): 0.7, ("cool",): 0.4, ("cold",): 0.1}
LEAK, CAUSE_A, CAUSE_B = 0.05, 0.5, 0.3
P_D = {("yes",): 0.8, ("no",): 0.25}  # d | c, independent of b


def five() -> NetworkQuestion:
    mood_rows = [
        {
            "when": {"a": s},
            "experts": [
                {
                    "name": "x",
                    "distribution": {
                        "probabilities": dict(zip(("warm", "cool", "cold"), P_M[s], strict=True)),
                        "strength": STRONG,
                    },
                }
            ],
        }
        for s in YN
    ]
    return network(
        node("a", experts=point(P_A)),
        node("mood", ["a"], states=["warm", "cool", "cold"], table=mood_rows),
        node("b", ["mood"], table=rows(["mood"], P_B)),
        node(
            "c",
            ["a", "b"],
            noisy_or={"leak": point(LEAK), "causes": {"a": point(CAUSE_A), "b": point(CAUSE_B)}},
        ),
        node("d", ["b", "c"], independent_of=["b"], table=rows(["c"], P_D)),
    )


def pgmpy_model(do: dict[str, str] | None = None) -> Any:
    """The five-node network in pgmpy; ``do`` cuts a node's parents and fixes its state
    (the mutilated network, built by hand)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pgmpy.factors.discrete import TabularCPD
        from pgmpy.models import DiscreteBayesianNetwork

    sn = {
        "a": list(YN),
        "mood": ["warm", "cool", "cold"],
        "b": list(YN),
        "c": list(YN),
        "d": list(YN),
    }
    do = do or {}
    edges = [("a", "mood"), ("mood", "b"), ("a", "c"), ("b", "c"), ("b", "d"), ("c", "d")]
    model = DiscreteBayesianNetwork([e for e in edges if e[1] not in do])

    def cpd(var: str, values: list[list[float]], parents: list[str]) -> Any:
        return TabularCPD(
            var,
            len(sn[var]),
            values,
            evidence=parents or None,
            evidence_card=[len(sn[p]) for p in parents] or None,
            state_names={v: sn[v] for v in [var, *parents]},
        )

    c_yes = []
    for a, b in itertools.product(YN, YN):
        no = (1 - LEAK) * (1 - CAUSE_A) ** (a == "yes") * (1 - CAUSE_B) ** (b == "yes")
        c_yes.append(1 - no)
    d_yes = [P_D[(c,)] for b, c in itertools.product(YN, YN)]
    cpds = {
        "a": cpd("a", [[P_A], [1 - P_A]], []),
        "mood": cpd("mood", [list(r) for r in zip(P_M["yes"], P_M["no"], strict=True)], ["a"]),
        "b": cpd(
            "b", [[P_B[(m,)] for m in sn["mood"]], [1 - P_B[(m,)] for m in sn["mood"]]], ["mood"]
        ),
    }
    for n, state in do.items():
        cpds[n] = cpd(n, [[1.0 if s == state else 0.0] for s in sn[n]], [])
    model.add_cpds(
        *cpds.values(),
        cpd("c", [c_yes, [1 - v for v in c_yes]], ["a", "b"]),
        cpd("d", [d_yes, [1 - v for v in d_yes]], ["b", "c"]),
    )
    model.check_model()
    return model


def _prep(
    spec: NetworkQuestion, observed: dict[str, str] | None = None, draws: int = 2000, seed: int = 1
) -> Any:
    return prepare(spec, build_cells(spec), observed or {}, draws=draws, seed=seed)


@pytest.mark.parametrize("evidence", [{}, {"d": "yes"}, {"b": "no", "d": "yes"}, {"mood": "cold"}])
def test_marginals_and_conditionals_equal_pgmpy_variable_elimination(
    evidence: dict[str, str],
) -> None:
    from pgmpy.inference import VariableElimination

    ve = VariableElimination(pgmpy_model())
    prep = _prep(five(), evidence)
    result = analyse(prep)
    for name in ("a", "mood", "b", "c", "d"):
        if name in evidence:
            continue
        ref = ve.query([name], evidence=evidence or None, show_progress=False)
        for est in result.marginals[name]:
            want = ref.values[ref.state_names[name].index(est.state)]
            assert est.probability == pytest.approx(want, abs=1e-6)
            # The draws' estimate of the same number agrees within its Monte Carlo error.
            assert abs(est.mc - want) <= 4 * est.mcse + 1e-9
    for (g, t), probs in conditionals(prep).items():
        if g in evidence:
            continue
        for j, (name, state) in enumerate(prep.graph.columns):
            if name == g or name in evidence:
                continue
            ref = ve.query([name], evidence={**evidence, g: t}, show_progress=False)
            assert probs[j] == pytest.approx(
                ref.values[ref.state_names[name].index(state)], abs=1e-6
            )


def test_do_on_a_confounded_graph_is_the_truncated_factorisation() -> None:
    pz, px = 0.3, {"yes": 0.8, "no": 0.2}
    py = {("yes", "yes"): 0.9, ("yes", "no"): 0.5, ("no", "yes"): 0.6, ("no", "no"): 0.1}
    spec = network(
        node("z", experts=point(pz)),
        node("x", ["z"], table=rows(["z"], {(k,): v for k, v in px.items()})),
        node("y", ["z", "x"], table=rows(["z", "x"], py)),
    )
    prep = _prep(spec)
    for x in YN:
        do = analyse(prep, Query(do={"x": x})).probability("y")
        closed = pz * py[("yes", x)] + (1 - pz) * py[("no", x)]  # sum_z P(z) P(y | x, z)
        assert do == pytest.approx(closed, abs=1e-9)
        seen = analyse(prep, Query(given={"x": x})).probability("y")
        pxz = {z: (px[z] if x == "yes" else 1 - px[z]) * (pz if z == "yes" else 1 - pz) for z in YN}
        assert seen == pytest.approx(
            sum(pxz[z] * py[(z, x)] for z in YN) / sum(pxz.values()), abs=1e-9
        )
        assert abs(seen - do) > 0.01  # confounding: seeing is not doing
        # do() leaves the cause where it was; conditioning moves it.
        assert analyse(prep, Query(do={"x": x})).probability("z") == pytest.approx(pz, abs=1e-9)


def beta_cell(a: float, b: float) -> list[dict[str, Any]]:
    return [
        {"name": "x", "judgement": {"pseudo_counts": {"successes": a - 1, "trials": a + b - 2}}}
    ]


def test_two_node_chain_with_uncertain_cells_matches_the_beta_closed_form() -> None:
    (a, b), (a1, b1), (a0, b0) = (3, 5), (7, 3), (2, 6)
    spec = network(
        node("a", experts=beta_cell(a, b)),
        node(
            "b",
            ["a"],
            table=[
                {"when": {"a": "yes"}, "experts": beta_cell(a1, b1)},
                {"when": {"a": "no"}, "experts": beta_cell(a0, b0)},
            ],
        ),
    )
    m, m1, m0 = a / (a + b), a1 / (a1 + b1), a0 / (a0 + b0)

    def second(x: float, y: float) -> float:  # E[theta^2] under Beta(x, y)
        return x * (x + 1) / ((x + y) * (x + y + 1))

    e_ab = a * b / ((a + b) * (a + b + 1))  # E[theta (1 - theta)]
    mean = m * m1 + (1 - m) * m0
    var = (
        second(a, b) * second(a1, b1) + 2 * e_ab * m1 * m0 + second(b, a) * second(a0, b0) - mean**2
    )
    prep = _prep(spec, draws=8000, seed=3)
    per = analyse(prep).per_draw[:, prep.graph.column("b", "yes")]
    assert abs(per.mean() - mean) <= 3 * per.std() / np.sqrt(per.size)
    dev = (per - per.mean()) ** 2
    assert abs(dev.mean() - var) <= 3 * dev.std() / np.sqrt(per.size)
    # Evidence b = yes: the posterior mean of theta_a, E[theta (theta m1 + (1 - theta) m0)] / E[.].
    post = analyse(_prep(spec, {"b": "yes"}, draws=8000, seed=4))
    theta = _prep(spec, draws=8000, seed=4).draws["a"][:, 0]
    closed = (second(a, b) * m1 + e_ab * m0) / mean
    w = post.weights
    est = float(w @ theta)
    mcse = float(np.sqrt(np.sum(w**2 * (theta - est) ** 2)))
    assert abs(est - closed) <= 3 * mcse
    assert post.probability("a") == pytest.approx(m * m1 / mean, abs=1e-12)


def test_simulation_based_calibration_of_a_small_network() -> None:
    """Draw cells from the prior, states from the cells, observe b: ranks are uniform."""
    spec = network(
        node("a", experts=beta_cell(2, 3)),
        node(
            "b",
            ["a"],
            table=[
                {"when": {"a": "yes"}, "experts": beta_cell(4, 2)},
                {"when": {"a": "no"}, "experts": beta_cell(2, 5)},
            ],
        ),
        node("c", ["b"], table=rows(["b"], {("yes",): 0.7, ("no",): 0.2})),
    )
    cells = build_cells(spec)
    rng = np.random.default_rng(20261201)
    ranks = []
    for rep in range(100):
        truth = {c.name: c.draw(1, rng)[0] for c in cells}
        a = "yes" if rng.random() < truth["a"][0] else "no"
        b = "yes" if rng.random() < truth[f"b[a={a}]"][0] else "no"
        c = "yes" if rng.random() < (0.7 if b == "yes" else 0.2) else "no"
        prep = prepare(spec, cells, {"b": b, "c": c}, draws=1000, seed=rep)
        w = analyse(prep).weights
        for name in ("a", "b[a=yes]", "b[a=no]"):
            ranks.append((name, float(w @ (prep.draws[name][:, 0] < truth[name][0]))))
    for name in ("a", "b[a=yes]", "b[a=no]"):
        u = [r for n, r in ranks if n == name]
        assert stats.kstest(u, "uniform").pvalue > 0.001, name


def test_every_conditional_over_draws_and_a_sweep_of_states_equal_pgmpy() -> None:
    from pgmpy.inference import VariableElimination

    from forecast.kinds.network.scenarios import conditionals_over_draws, sweep_states

    ve = VariableElimination(pgmpy_model())
    prep = _prep(five(), {"d": "yes"}, draws=400)
    everything = conditionals_over_draws(prep)
    for (g, t), got in everything.items():
        if g == "d":
            continue
        for j, name in enumerate(prep.graph.names):
            if name in (g, "d"):
                continue
            ref = ve.query([name], evidence={"d": "yes", g: t}, show_progress=False)
            first = prep.graph.states[name][0]
            assert got["probability"][j] == pytest.approx(
                ref.values[ref.state_names[name].index(first)], abs=1e-6
            )
            lo, hi = got["interval"][j]
            assert 0.0 <= lo <= hi <= 1.0
    scenarios = [
        Query(given={"a": "no"}),
        Query(do={"b": "yes"}),
        Query(do={"mood": "cold"}, given={"c": "no"}),
    ]
    swept = sweep_states(prep, scenarios)
    for s, row in zip(scenarios, swept, strict=True):
        # An intervention is conditioned on in the mutilated network (pgmpy's own
        # CausalInference.query reads evidence otherwise), which is built by hand here.
        cut = VariableElimination(pgmpy_model(s.do))
        for name in ("a", "c"):
            if name in s.given:
                continue
            ev = {"d": "yes", **s.given}
            ref = cut.query([name], evidence=ev, show_progress=False)
            want = ref.values[ref.state_names[name].index("yes")]
            assert row[prep.graph.column(name, "yes")] == pytest.approx(want, abs=1e-6)
            assert analyse(prep, s).probability(name) == pytest.approx(want, abs=1e-6)
