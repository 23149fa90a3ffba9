"""Power-scaling sensitivity, checked against closed forms and against ArviZ itself."""

from __future__ import annotations

import io
import json
import textwrap
from types import SimpleNamespace

import numpy as np
import pytest
from arviz_base import from_dict
from rich.console import Console

from forecast import engine, sensitivity
from forecast.elicit.distributions import Fitted, Mixture
from forecast.inference import SamplerSettings
from forecast.models import event
from forecast.render.report import Report
from forecast.spec import load_question
from tests.conftest import EVENT_HEADER


def _inputs(a: float, b: float, base_rate: tuple[int, int, float] | None) -> SimpleNamespace:
    f = Fitted("beta", {"alpha": a, "beta": b}, "strength")
    return SimpleNamespace(
        experts=(f,), weights=(1.0,), prior=Mixture((f,), (1.0,)), base_rate=base_rate
    )


def _text(renderable: object, width: int = 100) -> str:
    buf = io.StringIO()
    Console(file=buf, width=width, force_terminal=False, color_system=None).print(renderable)
    return buf.getvalue()


def test_power_scaled_forecasts_match_the_beta_binomial_closed_form() -> None:
    # Beta(a, b) prior, base rate k of n at weight w: the posterior is Beta(a + wk, b + w(n-k)).
    # Raising the likelihood to c gives Beta(a + cwk, ...); raising the prior to c gives
    # Beta(c(a - 1) + 1, c(b - 1) + 1) before the data.
    a, b, k, n, w = 2.0, 8.0, 1, 8, 0.5
    rng = np.random.default_rng(1)
    p = rng.beta(a + w * k, b + w * (n - k), size=(4, 2000))
    s = sensitivity.for_event(_inputs(a, b, (k, n, w)), p, p)
    base = (a + w * k) / (a + b + w * n)

    def mean(alpha: float, beta: float) -> float:
        return alpha / (alpha + beta)

    expected = {
        "experts' prior counted half": mean(0.5 * (a - 1) + 1 + w * k, 0.5 * (b - 1) + 1 + w * 7),
        "experts' prior counted double": mean(2 * (a - 1) + 1 + w * k, 2 * (b - 1) + 1 + w * 7),
        "base rate 1/8 (as 4 cases) counted half": mean(a + 0.5 * w * k, b + 0.5 * w * 7),
        "base rate 1/8 (as 4 cases) counted double": mean(a + 2 * w * k, b + 2 * w * 7),
    }
    got = {m.label: m for m in s.moves}
    assert set(got) == set(expected)
    for label, value in expected.items():
        assert got[label].reliable
        # Monte Carlo error of 8000 reweighted draws: well under half a point.
        assert got[label].delta == pytest.approx(value - base, abs=0.004), label
    assert s.has_data


def test_sensitivity_values_and_labels_are_arviz_psense_summary() -> None:
    import arviz_stats as azs

    rng = np.random.default_rng(2)
    inputs = _inputs(2.0, 8.0, (3, 10, 1.0))
    p = rng.beta(5.0, 15.0, size=(2, 1500))
    q = 1 / (1 + (1 - p) / (1.5 * p))
    s = sensitivity.for_event(inputs, p, q)
    log_prior, log_lik = sensitivity.event_log_densities(inputs, p)
    assert log_lik is not None
    dt = from_dict(
        {
            "posterior": {"p": p, "q": q},
            "log_prior": {"p": log_prior},
            "log_likelihood": {"base_rate": log_lik},
        }
    )
    summary = azs.psense_summary(dt, var_names=["p", "q"], round_to=10)
    for x in s.quantities:
        row = summary.loc[x.name]
        assert x.prior == pytest.approx(float(row["prior"]), abs=1e-9)
        assert x.likelihood == pytest.approx(float(row["likelihood"]), abs=1e-9)
        assert x.diagnosis == str(row["diagnosis"]).replace("potential ", "").replace("✓", "")


def test_log_prior_is_the_pooled_density_of_p() -> None:
    from scipy import stats

    a1, b1, a2, b2 = 2.0, 8.0, 5.0, 3.0
    f1 = Fitted("beta", {"alpha": a1, "beta": b1}, "strength")
    f2 = Fitted("beta", {"alpha": a2, "beta": b2}, "strength")
    inputs = SimpleNamespace(
        experts=(f1, f2), weights=(1.0, 3.0), prior=Mixture((f1, f2), (1.0, 3.0)), base_rate=None
    )
    x = np.linspace(0.01, 0.99, 50)
    log_prior, log_lik = sensitivity.event_log_densities(inputs, x)
    exact = np.log(0.25 * stats.beta.pdf(x, a1, b1) + 0.75 * stats.beta.pdf(x, a2, b2))
    assert log_lik is None
    # The pool's density is unnormalised: equal up to a constant.
    diff = log_prior - exact
    assert np.ptp(diff) < 1e-8


def test_no_base_rate_says_so_and_computes_nothing() -> None:
    rng = np.random.default_rng(3)
    p = rng.beta(2, 8, size=(2, 500))
    s = sensitivity.for_event(_inputs(2.0, 8.0, None), p, p)
    assert not s.has_data
    assert s.verdict == "no data: the forecast is the experts' prior moved by evidence"
    assert s.moves == () and s.quantities == ()


def test_a_strong_prior_and_weak_data_is_flagged_in_plain_words() -> None:
    a, b, k, n, w = 60.0, 240.0, 1, 2, 0.2
    rng = np.random.default_rng(4)
    p = rng.beta(a + w * k, b + w * (n - k), size=(4, 1000))
    s = sensitivity.for_event(_inputs(a, b, (k, n, w)), p, p)
    assert s.prior_driven and not s.conflict
    assert s.verdict.startswith("Driven by the prior")
    assert {x.diagnosis for x in s.quantities} == {"strong prior / weak likelihood"}


def test_data_far_outside_the_prior_is_a_conflict() -> None:
    a, b, k, n, w = 2.0, 38.0, 15, 20, 1.0
    rng = np.random.default_rng(5)
    p = rng.beta(a + w * k, b + w * (n - k), size=(4, 1000))
    s = sensitivity.for_event(_inputs(a, b, (k, n, w)), p, p)
    assert s.conflict
    assert "disagree" in s.verdict


def test_round_trip_through_json() -> None:
    rng = np.random.default_rng(6)
    p = rng.beta(3, 9, size=(2, 500))
    s = sensitivity.for_event(_inputs(2.0, 8.0, (1, 4, 1.0)), p, p)
    back = sensitivity.Sensitivity.from_dict(json.loads(json.dumps(s.to_dict())))
    assert back == s


BODY = """
experts:
  - name: Alpha
    judgement: {probability: 0.2, strength: 10}
  - name: Beta
    judgement: {pseudo_counts: {successes: 1, trials: 9}}
"""


def _forecast(write_priors, body: str):  # type: ignore[no-untyped-def]
    q = load_question(write_priors(EVENT_HEADER + textwrap.dedent(body)))
    inputs = event.prepare(q.spec)  # type: ignore[arg-type]
    rng = np.random.default_rng(0)
    p = rng.beta(2.5, 14.5, size=(2, 500))
    idata = from_dict(
        {
            "posterior": {"p": p, "q": p},
            "sample_stats": {"diverging": np.zeros((2, 500), dtype=bool)},
        }
    )
    return engine.summarise_event(q, inputs, idata, SamplerSettings(draws=500, chains=2, seed=5))


def test_every_event_run_carries_its_sensitivity_and_one_table(write_priors) -> None:  # type: ignore[no-untyped-def]
    base_rate = "base_rate: {successes: 1, trials: 8, weight: 0.5, reference_class: eight years}\n"
    f = _forecast(write_priors, BODY + base_rate)
    d = json.loads(json.dumps(f.to_dict(), allow_nan=False))
    assert d["sensitivity"]["has_data"] is True
    table = sensitivity.table(f)
    assert table is not None
    kinds = [r.kind for r in table.rows]
    assert kinds.count("power-scaling") == 4
    if "pools" in f.extra:
        assert "pool" in kinds and "drop-one" in kinds
    text = _text(Report(f))
    assert "Sensitivity: how far the forecast moves" in text
    assert "base rate 1/8 (as 4 cases) counted double" in text
    assert "power-scaling (ArviZ)" in text


def test_report_without_data_says_plainly(write_priors) -> None:  # type: ignore[no-untyped-def]
    f = _forecast(write_priors, BODY)
    text = _text(Report(f), width=80)
    assert "no data: the forecast is the experts' prior moved by evidence" in text
    assert "counted double" not in text
    assert max(len(line) for line in text.splitlines()) <= 80


@pytest.mark.slow
def test_log_densities_are_the_event_models() -> None:
    """The NumPy densities equal PyMC's log prior and log likelihood of the same model."""
    import pymc as pm

    from forecast.inference import quiet_pymc

    f1 = Fitted("beta", {"alpha": 2.0, "beta": 8.0}, "strength")
    f2 = Fitted("beta", {"alpha": 4.0, "beta": 4.0}, "strength")
    inputs = event.EventInputs(("a", "b"), (f1, f2), (1.0, 2.0), (2, 9, 0.5), ())
    model = event.build(inputs)
    rng = np.random.default_rng(7)
    p = rng.beta(3, 9, size=(2, 50))
    idata = from_dict({"posterior": {"p": p, "q": p}})
    with quiet_pymc(), model:
        pm.compute_log_prior(idata, var_names=["p"], progressbar=False)
        pm.compute_log_likelihood(idata, progressbar=False)
    log_prior, log_lik = sensitivity.event_log_densities(inputs, p)
    ref_prior = np.asarray(idata["log_prior"]["p"].values)
    ref_lik = np.asarray(idata["log_likelihood"]["base_rate"].values)
    assert np.ptp(log_prior - ref_prior) < 1e-6  # equal up to the normalising constant
    assert log_lik is not None
    assert np.ptp(log_lik - ref_lik) < 1e-9


def test_a_value_that_cannot_be_computed_is_null_in_json() -> None:
    s = sensitivity.Sensitivity(
        has_data=True,
        quantities=(sensitivity.Quantity("q", "forecast", float("nan"), 0.1, ""),),
        moves=(sensitivity.Move("x", "power-scaling", float("nan"), float("inf")),),
    )
    d = json.loads(json.dumps(s.to_dict(), allow_nan=False))
    assert d["quantities"][0]["prior"] is None and d["moves"][0]["delta"] is None
    back = sensitivity.Sensitivity.from_dict(d)
    assert np.isnan(back.quantities[0].prior) and back.quantities[0].likelihood == 0.1
