"""Reports rendered from fabricated posteriors (no sampling)."""

from __future__ import annotations

import dataclasses
import io
import json
import textwrap

import numpy as np
import pytest
from arviz_base import from_dict
from rich.console import Console

from forecast.inference import SamplerSettings
from forecast.kinds.event import model as event
from forecast.kinds.event import summary as event_summary
from forecast.questions.loader import load_question
from forecast.render import fmt
from forecast.render.markdown import render as render_markdown
from forecast.render.report import Report
from forecast.results import SCHEMA
from tests.conftest import EVENT_HEADER

BODY = """
experts:
  - name: Alpha
    judgement: {probability: 0.2, strength: 10}
  - name: Beta
    judgement: {pseudo_counts: {successes: 1, trials: 9}}
base_rate: {successes: 1, trials: 8, weight: 0.5, reference_class: eight comparable years}
evidence:
  - id: signal
    description: a signal
    likelihood_ratio: 2
  - id: known
    description: known to the experts
    likelihood_ratio: 4
    in_judgements: true
"""


@pytest.fixture(autouse=True)
def _fabricated_draws_are_not_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fabricated draws are not the model's posterior: leave out the check that a sampled
    forecast matches the exact one (tests/test_diagnostics.py tests it)."""

    monkeypatch.setattr(event_summary, "check_against_exact", lambda diag, *_: diag)


def _forecast(write_priors, *, shift: float = 0.0, diverging: int = 0):  # type: ignore[no-untyped-def]
    q = load_question(write_priors(EVENT_HEADER + textwrap.dedent(BODY)))
    inputs = event.prepare(q.spec)  # type: ignore[arg-type]
    rng = np.random.default_rng(0)
    p = rng.beta(2.5, 14.5, size=(2, 500))
    p[1] = np.clip(p[1] + shift, 1e-6, 1 - 1e-6)
    q_draws = 1 / (1 + (1 - p) / (2 * p))
    div = np.zeros((2, 500), dtype=bool)
    div.flat[:diverging] = True
    idata = from_dict({"posterior": {"p": p, "q": q_draws}, "sample_stats": {"diverging": div}})
    settings = SamplerSettings(draws=500, chains=2, seed=5)
    return event_summary.summarise(q, inputs, idata, settings)


def _text(renderable: object, width: int = 100) -> str:
    buf = io.StringIO()
    Console(file=buf, width=width, force_terminal=False, color_system=None).print(renderable)
    return buf.getvalue()


def test_report_shows_forecast_intervals_moves_and_provenance(write_priors) -> None:  # type: ignore[no-untyped-def]
    f = _forecast(write_priors)
    text = _text(Report(f))
    assert "A test question" in text
    assert fmt.pct(f.probability) in text
    i80, i95 = f.interval(0.8), f.interval(0.95)
    assert fmt.interval(i80.lo, i80.hi) in text
    assert fmt.interval(i95.lo, i95.hi) in text
    assert "base rate 1/8, weight 0.5 (as 4 cases)" in text
    assert "evidence: signal" in text
    assert "already in the judgements" in text
    assert "Alpha" in text and "Beta(2, 8)" in text
    assert "✓ converged" in text
    assert f"seed {f.provenance.seed}" in text
    assert "\x1b[" not in text  # no escape codes when not a terminal


def test_report_fits_narrow_terminals(write_priors) -> None:  # type: ignore[no-untyped-def]
    text = _text(Report(_forecast(write_priors)), width=60)
    assert max(len(line) for line in text.splitlines()) <= 60


def test_quiet_is_just_the_number(write_priors) -> None:  # type: ignore[no-untyped-def]
    f = _forecast(write_priors)
    assert _text(Report(f, quiet=True)).strip() == fmt.pct(f.probability)


def test_bad_diagnostics_are_visible_with_advice(write_priors) -> None:  # type: ignore[no-untyped-def]
    f = _forecast(write_priors, shift=0.2, diverging=3)
    assert not f.diagnostics.ok
    assert f.diagnostics.divergences == 3
    assert f.diagnostics.rhat_max > 1.01
    text = _text(Report(f))
    assert "⚠ check" in text
    assert "R-hat" in text and "3 divergent transitions" in text


def test_steps_chain_closes_on_the_forecast(write_priors) -> None:  # type: ignore[no-untyped-def]
    f = _forecast(write_priors)
    assert f.steps[0].after == pytest.approx(f.prior_probability)
    assert f.steps[-1].after == pytest.approx(f.probability, abs=1e-12)
    # The fixed LR of 2 doubles the odds of every draw.
    p = f.steps[-1].before
    assert f.steps[-1].after > p


def test_json_object_is_versioned_and_strict(write_priors) -> None:  # type: ignore[no-untyped-def]
    d = _forecast(write_priors).to_dict()
    text = json.dumps(d, allow_nan=False, default=str)
    back = json.loads(text)
    assert back["schema"] == SCHEMA
    for key in ("question", "probability", "interval", "diagnostics", "provenance"):
        assert key in back
    lo, hi = back["interval"]
    assert lo <= back["probability"] <= hi
    assert back["question"]["id"] == "q"
    assert back["provenance"]["seed"] == 5


def test_markdown_report(write_priors) -> None:  # type: ignore[no-untyped-def]
    f = _forecast(write_priors)
    md = render_markdown(f)
    assert md.startswith("## A test question")
    assert f"**Forecast: {fmt.pct(f.probability)}**" in md
    assert "| base rate |" in md
    assert md.count("### Sensitivity: how far the forecast moves") == 1
    assert "counted half" in md


def test_markdown_report_file_has_the_sensitivity_once(write_priors) -> None:  # type: ignore[no-untyped-def]
    from forecast.render.html import markdown_page

    page = markdown_page(_forecast(write_priors))
    assert page.count("### Sensitivity: how far the forecast moves") == 1


@pytest.mark.parametrize(
    ("p", "text"),
    [
        (0.103, "10.3%"),
        (0.0042, "0.42%"),
        (0.99942, "99.942%"),
        (0.5, "50.0%"),
        (0.0, "0%"),
        (1e-9, "<0.001%"),
    ],
)
def test_percent_format(p: float, text: str) -> None:
    assert fmt.pct(p) == text


def test_odds_format() -> None:
    assert fmt.odds(0.2) == "1:4"
    assert fmt.odds(0.8) == "4:1"


def test_performance_weights_are_explained_in_every_format(write_priors) -> None:  # type: ignore[no-untyped-def]
    from forecast.ledger.weights import Weighting, record_of
    from forecast.render.html import page

    f = _forecast(write_priors)
    alpha = record_of("Alpha", [(0.8, 1), (0.3, 0)])
    w = Weighting("ledger.sqlite", (alpha, record_of("Beta", [])), resolved=2)
    f = dataclasses.replace(f, weighting=w)
    said = "Weights earned on 2 resolved event question(s) in ledger.sqlite"
    alpha_line = "Alpha: 2 resolved, gave what happened 74.8% (geometric mean), Brier 0.065"
    for text in (_text(Report(f), width=160), render_markdown(f), page(f)):
        flat = " ".join(text.split())
        assert said in flat and alpha_line in flat and "Beta: none resolved" in flat
    assert "performance weights" in _text(Report(f), width=160)
