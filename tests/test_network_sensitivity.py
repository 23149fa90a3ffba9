"""A network's sensitivity against closed forms: power-scaled Betas, pools, drop-one.

The chain a -> b with b observed yes and target a: P(a | b = yes) =
E[θ β1] / E[θ β1 + (1 - θ) β0] over the cells θ = P(a), β1 = P(b | a), β0 = P(b | not a).
The cells are independent Betas, so with the prior raised to α (each Beta(s, t)
becomes Beta(α(s - 1) + 1, α(t - 1) + 1)) the forecast is the same ratio at the new
means, and with the likelihood L = θ β1 + (1 - θ) β0 squared it is
E[θ β1 L] / E[L²], a ratio of products of the Betas' first two moments.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from forecast.kinds.network.cells import build_cells
from forecast.kinds.network.infer import Query, analyse, prepare
from forecast.kinds.network.sensitivity import cell_log_prior, pools, power_scaling
from tests.test_network_reference import network, node

A, B1, B0 = (3.0, 5.0), (8.0, 2.0), (2.0, 8.0)


def beta(a: float, b: float, name: str = "x") -> list[dict[str, Any]]:
    return [{"name": name, "judgement": {"probability": a / (a + b), "strength": a + b}}]


def chain(observed: str | None = "yes", b1: Any = None) -> Any:
    b = node(
        "b",
        ["a"],
        table=[
            {"when": {"a": "yes"}, "experts": b1 or beta(*B1)},
            {"when": {"a": "no"}, "experts": beta(*B0)},
        ],
    )
    if observed:
        b["observed"] = observed
    return network(node("a", experts=beta(*A)), b)


def _mean(s: float, t: float) -> float:
    return s / (s + t)


def _scaled(bt: tuple[float, float], alpha: float) -> float:
    return _mean(alpha * (bt[0] - 1) + 1, alpha * (bt[1] - 1) + 1)


def _ratio(ma: float, m1: float, m0: float) -> float:
    return ma * m1 / (ma * m1 + (1 - ma) * m0)


def _moments(bt: tuple[float, float]) -> tuple[float, float]:
    s, t = bt
    m = s / (s + t)
    return m, m * (s + 1) / (s + t + 1)  # E[x], E[x²]


def _likelihood_doubled() -> float:
    (ta, ta2), (t1, t12), (t0, t02) = _moments(A), _moments(B1), _moments(B0)
    ta_1m = ta - ta2  # E[θ(1 - θ)]
    one_m2 = 1 - 2 * ta + ta2  # E[(1 - θ)²]
    num = ta2 * t12 + ta_1m * t1 * t0
    den = ta2 * t12 + 2 * ta_1m * t1 * t0 + one_m2 * t02
    return num / den


def _run(spec: Any, draws: int = 40_000, seed: int = 3) -> Any:
    observed = {n.name: n.observed for n in spec.nodes if n.observed is not None}
    prep = prepare(spec, build_cells(spec), observed, draws=draws, seed=seed)
    return prep, analyse(prep, Query())


def test_the_strength_form_makes_the_betas_of_the_closed_form() -> None:
    cells = {c.name: c for c in build_cells(chain())}
    assert cells["a"].alphas[0] == pytest.approx(A)
    assert cells["b[a=yes]"].alphas[0] == pytest.approx(B1)


def test_power_scaling_moves_the_forecast_as_the_scaled_betas_do() -> None:
    prep, analysis = _run(chain())
    base = _ratio(_mean(*A), _mean(*B1), _mean(*B0))
    assert analysis.probability("a") == pytest.approx(base, abs=1e-12)
    s = power_scaling(prep, analysis, "a", seed=1)
    assert s.has_data
    moves = {m.label: m for m in s.moves}
    half = moves["the tables' priors counted half"]
    double = moves["the tables' priors counted double"]
    want_half = _ratio(*(_scaled(b, 0.5) for b in (A, B1, B0)))
    want_double = _ratio(*(_scaled(b, 2.0) for b in (A, B1, B0)))
    # Direction: a weaker prior lets b = yes pull a up less here (the rows' means fall
    # toward 1/2), a stronger one more; size within the draws' Monte Carlo error.
    assert want_half < base < want_double
    assert half.forecast == pytest.approx(want_half, abs=0.006)
    assert double.forecast == pytest.approx(want_double, abs=0.006)
    assert half.delta == pytest.approx(want_half - base, abs=0.006)
    lik = next(m for m in s.moves if m.label.startswith("evidence") and "double" in m.label)
    assert lik.forecast == pytest.approx(_likelihood_doubled(), abs=0.006)
    assert lik.forecast > base  # b = yes counted twice pulls a further up


def test_no_evidence_has_no_likelihood_to_scale() -> None:
    prep, analysis = _run(chain(observed=None), draws=500)
    s = power_scaling(prep, analysis, "a")
    assert not s.has_data and not s.moves
    assert "no node is observed" in s.verdict


def test_a_cells_log_prior_is_the_beta_mixture_density() -> None:
    from scipy import stats

    two = [
        {"name": "x", "judgement": {"pseudo_counts": {"successes": 2, "trials": 6}}, "weight": 1},
        {"name": "y", "judgement": {"pseudo_counts": {"successes": 5, "trials": 7}}, "weight": 3},
    ]
    cell = next(c for c in build_cells(chain(b1=two)) if c.name == "b[a=yes]")
    p = np.array([0.1, 0.4, 0.8])
    want = np.log(0.25 * stats.beta.pdf(p, 3, 5) + 0.75 * stats.beta.pdf(p, 6, 3))
    got = cell_log_prior(cell, np.stack([p, 1 - p], axis=1))
    assert got == pytest.approx(want, rel=1e-10)


def test_pools_and_drop_one_are_the_closed_forms() -> None:
    two = [
        {"name": "x", "judgement": {"pseudo_counts": {"successes": 2, "trials": 6}}, "weight": 1},
        {"name": "y", "judgement": {"pseudo_counts": {"successes": 5, "trials": 7}}, "weight": 3},
    ]
    spec = chain(b1=two)
    prep, _ = _run(spec, draws=200)
    compared = pools(prep, Query(), "a")
    assert compared is not None
    got = compared.to_dict()
    rows = {r["label"]: r for r in got["alternatives"]}
    ma, m0 = _mean(*A), _mean(*B0)
    linear = 0.25 * _mean(3, 5) + 0.75 * _mean(6, 3)
    logarithmic = _mean(1 + 0.25 * 2 + 0.75 * 5, 1 + 0.25 * 4 + 0.75 * 2)
    assert got["reference"] == pytest.approx(_ratio(ma, linear, m0), abs=1e-12)
    assert rows["linear pool"]["chosen"]
    assert rows["logarithmic pool"]["forecast"] == pytest.approx(
        _ratio(ma, logarithmic, m0), abs=1e-12
    )
    assert rows["without x"]["forecast"] == pytest.approx(_ratio(ma, _mean(6, 3), m0), abs=1e-12)
    assert rows["without y"]["forecast"] == pytest.approx(_ratio(ma, _mean(3, 5), m0), abs=1e-12)
    assert rows["without y"]["delta"] < 0 < rows["without x"]["delta"]


def test_one_expert_per_cell_has_no_pool_comparison() -> None:
    prep, _ = _run(chain(), draws=100)
    assert pools(prep, Query(), "a") is None


def test_the_kinds_log_densities_are_the_betas_and_the_evidence() -> None:
    from scipy import stats

    from forecast.kinds.network import KIND
    from forecast.kinds.network.load import LoadedNetwork

    spec = chain()
    prep, _ = _run(spec, draws=50)
    lp, ll = KIND.log_densities(LoadedNetwork(spec), prep)
    a, b1, b0 = (prep.draws[k][:, 0] for k in ("a", "b[a=yes]", "b[a=no]"))
    want = stats.beta.logpdf(a, *A) + stats.beta.logpdf(b1, *B1) + stats.beta.logpdf(b0, *B0)
    assert lp.shape == (1, 50) and lp[0] == pytest.approx(want, rel=1e-9)
    assert ll is not None and ll[0] == pytest.approx(np.log(a * b1 + (1 - a) * b0), rel=1e-9)


def _captured(monkeypatch: pytest.MonkeyPatch) -> dict[str, np.ndarray]:
    """What power_scaling hands to the shared assessment: per-draw forecast and densities."""
    import forecast.kinds.network.sensitivity as sens

    seen: dict[str, np.ndarray] = {}
    real = sens.assess

    def spy(posterior: Any, forecast: Any, lp: Any, ll: Any, **kw: Any) -> Any:
        seen.update(forecast=np.asarray(forecast)[0], lp=np.asarray(lp)[0], ll=np.asarray(ll)[0])
        return real(posterior, forecast, lp, ll, **kw)

    monkeypatch.setattr(sens, "assess", spy)
    return seen


def _closed_forms(draws: dict[str, np.ndarray]) -> tuple[np.ndarray, ...]:
    """At each draw of the chain's cells: P(a | b = yes), log P(b = yes), the log prior."""
    from scipy import stats

    a, b1, b0 = (draws[k][:, 0] for k in ("a", "b[a=yes]", "b[a=no]"))
    z = a * b1 + (1 - a) * b0
    lp = stats.beta.logpdf(a, *A) + stats.beta.logpdf(b1, *B1) + stats.beta.logpdf(b0, *B0)
    return a * b1 / z, np.log(z), lp


def test_power_scaling_pairs_each_posterior_draw_with_its_own_enumeration(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The per-draw forecast, likelihood and prior are taken from the analysis at the
    resampled draws: each must belong to the same draw of the cells (closed forms)."""
    import forecast.kinds.network.infer as infer
    from forecast.kinds.network.sensitivity import posterior_draws

    prep, analysis = _run(chain(), draws=3000, seed=5)
    enumerated: list[int] = []
    real_joint = infer.joint

    def counted(t: Any, g: Any) -> Any:
        out = real_joint(t, g)
        enumerated.append(int(out.shape[0]))
        return out

    monkeypatch.setattr(infer, "joint", counted)
    seen = _captured(monkeypatch)
    power_scaling(prep, analysis, "a", seed=2)
    assert enumerated == []  # the analysis' enumeration is reused, not redone
    post = posterior_draws(prep, analysis, 2)
    assert not np.array_equal(post.draws["a"], prep.draws["a"])  # resampled
    forecast, ll, lp = _closed_forms(post.draws)
    assert seen["forecast"] == pytest.approx(forecast, rel=1e-10)
    assert seen["ll"] == pytest.approx(ll, rel=1e-10)
    assert seen["lp"] == pytest.approx(lp, rel=1e-10)


def test_power_scaling_on_sampled_draws_reads_them_in_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Draws that are the posterior already (NUTS's) are used as they are, unweighted."""
    from dataclasses import replace

    prep, _ = _run(chain(), draws=400, seed=8)
    rng = np.random.default_rng(1)
    given = {k: v[rng.permutation(v.shape[0])] for k, v in prep.draws.items()}
    sampled = replace(prep, draws=given)
    analysis = analyse(sampled, Query(), posterior=True)
    seen = _captured(monkeypatch)
    power_scaling(sampled, analysis, "a", sampled=True)
    forecast, ll, lp = _closed_forms(given)
    assert seen["forecast"] == pytest.approx(forecast, rel=1e-10)
    assert seen["ll"] == pytest.approx(ll, rel=1e-10)
    assert seen["lp"] == pytest.approx(lp, rel=1e-10)


def test_the_prior_read_off_the_same_enumeration_is_the_tables_alone() -> None:
    """With b observed, one pass gives P(a | b = yes) and the tables' own P(a): the
    Beta's mean, and its 80% interval from the same draws (SciPy's Beta quantiles)."""
    from scipy import stats

    from forecast.kinds.network.infer import analyse_with_prior

    prep, _ = _run(chain(), draws=40_000, seed=6)
    analysis, prior = analyse_with_prior(prep, Query())
    assert prior is not None and not prior.evidence
    assert analysis.probability("a") == pytest.approx(
        _ratio(_mean(*A), _mean(*B1), _mean(*B0)), abs=1e-12
    )
    assert prior.probability("a") == pytest.approx(_mean(*A), abs=1e-12)
    lo, hi = next(e for e in prior.marginals["a"] if e.state == "yes").intervals[0.8]
    assert (lo, hi) == pytest.approx(stats.beta.ppf([0.1, 0.9], *A), abs=0.006)
    assert prior.uniform and not analysis.uniform
    _, none = analyse_with_prior(_run(chain(observed=None), draws=100)[0], Query())
    assert none is None  # nothing observed, nothing asked: the analysis is the prior
