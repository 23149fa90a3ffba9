"""The quantity kind through the protocol: loading, check, summary of fabricated draws,
reports and JSON. Draws are made from the exact posterior (closed form), so every sampled
number has an independent value to be compared with."""

from __future__ import annotations

import io
import json
import math
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from arviz_base import from_dict
from rich.console import Console
from scipy import stats
from typer.testing import CliRunner

from forecast import kinds
from forecast.cli import app
from forecast.errors import InputError
from forecast.inference import SamplerSettings
from forecast.kinds.quantity.inputs import prepare
from forecast.questions.loader import load_question
from tests.conftest import PRIORS

SHIPPED = PRIORS / "us-finance-kazakhstan-tungsten.yaml"

HEADER = """\
format: 1
kind: quantity
title: An amount
resolution: The amount as reported.
deadline: 2027-12-31
unit: USD million
"""

NORMAL_FILE = (
    HEADER
    + """\
support: real
family: normal
thresholds: [120, 100]
experts:
  - name: A
    judgement: {quantiles: {0.25: 86.5102, 0.75: 113.4898}}
data:
  values: [130, 150]
  measurement: {scale: natural, sd: 15}
"""
)


def _fabricated(draws: np.ndarray) -> object:
    return from_dict({"posterior": {"x": draws}, "sample_stats": {"diverging": draws < -1e300}})


def _forecast(path: Path, seed: int = 0) -> tuple[object, object]:
    q = load_question(path)
    kind = kinds.of(q.spec)
    inputs = kind.prepare(q)
    post = inputs.exact_posterior
    x = post.ppf(np.random.default_rng(seed).uniform(size=(4, 2000)))
    f = kind.summarise(q, inputs, _fabricated(np.asarray(x)), SamplerSettings(seed=seed))
    return f, inputs


def test_quantity_is_registered_and_imports_no_modelling_library() -> None:
    assert "quantity" in kinds.names()
    assert kinds.get("quantity").spec.model_fields["kind"].annotation is not None


def test_normal_prior_summary_matches_the_conjugate_posterior(
    write_priors: Callable[[str, str], Path],
) -> None:
    f, inputs = _forecast(write_priors(NORMAL_FILE, "n"))
    prior = inputs.prior.components[0]  # type: ignore[attr-defined]
    # The two quartiles make Normal(100, 20) exactly (SHELF's closed form).
    assert (prior.a, prior.b) == pytest.approx((100.0, 20.0), abs=1e-3)
    prec = 1 / 20**2 + 2 / 15**2
    mean, sd = (100 / 20**2 + 280 / 15**2) / prec, 1 / math.sqrt(prec)
    r = f.result
    assert r.exact_method == "conjugate"
    assert r.exact.median == pytest.approx(mean, rel=1e-4)
    band = r.exact.interval(0.95)
    assert (band.lower, band.upper) == pytest.approx((mean - 1.96 * sd, mean + 1.96 * sd), abs=0.01)
    p = stats.norm.sf(120, mean, sd)
    assert f.probability == pytest.approx(p, abs=4 * f.mcse)  # type: ignore[attr-defined]
    assert r.posterior.median == pytest.approx(mean, abs=4 * sd / math.sqrt(8000) * 1.3)
    assert [e.threshold for e in r.exact.exceedances] == [120.0, 100.0]
    assert f.prior_probability == pytest.approx(stats.norm.sf(120, 100, 20), abs=1e-6)  # type: ignore[attr-defined]


def test_json_carries_the_quantity_and_every_familys_fit_error() -> None:
    f, _ = _forecast(SHIPPED)
    d = json.loads(json.dumps(f.to_dict()))  # type: ignore[attr-defined]
    q = d["quantity"]
    assert q["unit"] == "USD million" and q["support"] == "positive"
    assert [b["level"] for b in q["intervals"]] == [0.5, 0.8, 0.95]
    assert [e["threshold"] for e in q["exceedance"]] == [1000.0, 500.0, 900.0]
    assert d["probability"] == q["exceedance"][0]["probability"]
    for e in q["experts"]:
        assert {x["family"] for x in e["families"]} == {"gamma", "lognormal", "logt"}
        assert e["fit_error"] == min(x["fit_error"] for x in e["families"])
    assert len(q["cdf"]["x"]) == len(q["cdf"]["p"]) == 101
    assert np.all(np.diff(q["cdf"]["p"]) >= 0)
    kinds_of_rows = {r["kind"] for r in q["sensitivity"]}
    assert kinds_of_rows == {"power-scaling", "pool", "drop-one"}


def test_terminal_and_plain_sections_show_the_same_numbers() -> None:
    f, _ = _forecast(SHIPPED)
    kind = kinds.get("quantity")
    console = Console(file=io.StringIO(), width=100, color_system=None)
    for part in kind.rich_sections(f, 100):  # type: ignore[arg-type]
        console.print(part)
    text = console.file.getvalue()  # type: ignore[attr-defined]
    assert "the forecast's CDF" in text and "▲" in text
    assert "P(X > 1000)" in text and "logt error" in text
    sections = kind.sections(f)  # type: ignore[arg-type]
    titles = [s.title for s in sections]
    assert "Thresholds" in titles and "Observed values" in titles
    thresholds = next(s for s in sections if s.title == "Thresholds")
    for row in thresholds.rows:
        assert row[2] in text


def test_the_report_plot_is_a_png() -> None:
    from forecast.kinds.quantity.report import plots

    f, _ = _forecast(SHIPPED)
    (plot,) = plots(f)
    assert plot.png.startswith(b"\x89PNG")


def test_check_accepts_the_shipped_file_and_locates_a_value_outside_the_support(
    write_priors: Callable[[str, str], Path],
) -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["check", str(SHIPPED)])
    assert ok.exit_code == 0, ok.stderr
    bad = write_priors(
        HEADER
        + "thresholds: [10]\nexperts:\n  - name: A\n    judgement:\n"
        + "      quantiles: {0.25: -5, 0.75: 20}\n",
        "bad",
    )
    result = runner.invoke(app, ["check", str(bad)])
    assert result.exit_code == 1
    assert "bad.yaml:11:18" in result.stdout
    assert (
        "experts[0].judgement.quantiles: -5.0 is not above 0: the quantity is positive"
        in result.stdout
    )


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        (
            "support: positive\nfamily: beta\n",
            "family: family beta does not fit a positive quantity",
        ),
        ("support: bounded\nbounds: [5, 1]\n", "bounds: the lower bound must be below"),
        ("support: bounded\n", "support: give bounds: [lo, hi] with support: bounded"),
        ("thresholds: []\n", "thresholds: must have at least 1 item"),
        (
            "support: real\ndata: {values: [1], measurement: {scale: log, sd: 1}}\n",
            "needs a positive",
        ),
    ],
)
def test_bad_quantity_files_are_refused_at_the_key(
    write_priors: Callable[[str, str], Path], body: str, needle: str
) -> None:
    base = "experts:\n  - name: A\n    judgement: {median: 5, interval: [2, 9]}\n"
    text = HEADER + body + ("" if "thresholds" in body else "thresholds: [4]\n") + base
    with pytest.raises(InputError) as err:
        load_question(write_priors(text, "q"))
    assert needle in str(err.value)


def test_sweep_adapter_answers_thresholds_on_the_draws() -> None:
    q = load_question(SHIPPED)
    kind = kinds.of(q.spec)
    inputs = prepare(q.spec)  # type: ignore[arg-type]
    adapter = kind.sweep_adapter(q.spec, inputs, 0)
    x = np.array([[100.0, 600.0, 1200.0, 2000.0]])
    out = adapter.evaluate(inputs, {"x": x}, [{}, {"threshold": 500.0}, {"threshold": 3000.0}])
    assert out.shape == (3, 1, 4)
    assert out.mean(axis=(1, 2)).tolist() == [0.5, 0.75, 0.0]
    names = {p.name for p in kind.sweep_params(q.spec)}
    assert {"threshold", "data.sd", "pool"} <= names
    lp = adapter.log_prior(inputs, {"x": x})
    assert lp == pytest.approx(np.log(np.exp(inputs.prior.logpdf(x))))


def test_every_report_format_heads_with_the_amount_not_a_propensity() -> None:
    from forecast.render.markdown import render
    from forecast.render.plots import draw
    from forecast.render.report import Report

    f, _ = _forecast(SHIPPED)
    r = f.result
    band = r.posterior.interval(0.8)
    console = Console(file=io.StringIO(), width=120, color_system=None)
    console.print(Report(f))  # type: ignore[arg-type]
    text = console.file.getvalue()  # type: ignore[attr-defined]
    md = render(f)  # type: ignore[arg-type]
    for out in (text, md):
        assert "propensity" not in out.split("What moved it")[0]
        assert "intervals are of the amount" in out
    from forecast.kinds.quantity.report import amounts

    assert f"80% interval: {amounts(band.lower, band.upper)} USD million" in md
    assert "cdf" in [p.name for p in draw(f)]  # type: ignore[arg-type]


def test_pool_override_reaches_a_quantity() -> None:
    from forecast.overrides import with_pool

    q = load_question(SHIPPED)
    (out,), warnings = with_pool([q], "logarithmic", None)
    assert out.spec.pool.method == "logarithmic" and not warnings  # type: ignore[attr-defined]
    (same,), warnings = with_pool([q], None, 1.5)
    assert same.spec.pool.method == "linear" and warnings  # type: ignore[attr-defined]


def test_exact_method_is_the_closed_form_and_auto_takes_it(
    write_priors: Callable[[str, str], Path],
) -> None:
    from forecast import methods

    q = load_question(write_priors(NORMAL_FILE, "n"))
    inputs = kinds.of(q.spec).prepare(q)
    m0, s0 = inputs.prior.components[0].a, inputs.prior.components[0].b  # the fitted normal
    prec = 1 / s0**2 + 2 / 15**2
    mean, sd = (m0 / s0**2 + 280 / 15**2) / prec, 1 / math.sqrt(prec)
    for method in ("exact", "auto"):
        settings = SamplerSettings(draws=500, chains=2, seed=1, method=method)
        f, passed = methods.forecast(q, inputs, settings)
        assert f is not None and f.diagnostics.method == "exact" and passed == ()
        assert f.diagnostics.quadrature_error == 0.0 and f.mcse == 0.0
        assert f.probability == pytest.approx(stats.norm.sf(120, mean, sd), rel=1e-9)
        assert f.result.posterior.median == pytest.approx(mean, rel=1e-6)  # type: ignore[attr-defined]


def test_exact_method_by_quadrature_reports_its_error() -> None:
    from forecast.kinds.quantity.exact import forecast

    q = load_question(SHIPPED)
    inputs = kinds.of(q.spec).prepare(q)
    f = forecast(q, inputs, SamplerSettings(draws=200, chains=2, seed=1))
    err = f.diagnostics.quadrature_error
    assert err is not None and 0 < err < 1e-3
    assert f.diagnostics.grid_points is not None
