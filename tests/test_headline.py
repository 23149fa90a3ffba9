"""The sensitivity table measures every row from the headline forecast, in every format.

The pool comparison is exact (checked here against closed forms), the headline is
sampled; a row for the pool in use must show the headline, and each other row the
headline plus its exact change."""

from __future__ import annotations

import io
import math
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from arviz_base import from_dict
from rich.console import Console
from scipy.special import betaln

from forecast import sensitivity
from forecast.inference import SamplerSettings
from forecast.kinds.event import model as event
from forecast.kinds.event import summary as event_summary
from forecast.questions.loader import load_question
from forecast.render import fmt

QUESTION = """\
format: 1
kind: event
title: A test question
resolution: Resolves yes if the test event happens, as the test says.
deadline: 2030-01-01
experts:
  - name: Alpha
    judgement: {probability: 0.2, strength: 10}
  - name: Beta
    judgement: {pseudo_counts: {successes: 1, trials: 9}}
base_rate: {successes: 1, trials: 8, weight: 0.5, reference_class: eight comparable years}
"""


@pytest.fixture(autouse=True)
def _fabricated_draws_are_not_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fabricated draws are not the posterior: leave out the sampled-vs-exact check."""
    monkeypatch.setattr(event_summary, "check_against_exact", lambda diag, *_: diag)


def _forecast(tmp_path: Path) -> Any:
    """A forecast whose (fabricated) draws miss the exact value by about 3 points, as a
    sampled headline misses it by its Monte Carlo error."""
    path = tmp_path / "q.yaml"
    path.write_text(textwrap.dedent(QUESTION), encoding="utf-8")
    q = load_question(path)
    inputs = event.prepare(q.spec)  # type: ignore[arg-type]
    p = np.random.default_rng(0).beta(2.5, 14.5, size=(2, 500))
    idata = from_dict(
        {"posterior": {"p": p, "q": p}, "sample_stats": {"diverging": np.zeros((2, 500), bool)}}
    )
    return event_summary.summarise(q, inputs, idata, SamplerSettings(draws=500, chains=2, seed=5))


def _posterior_mean(a: float, b: float) -> float:
    """Mean of Beta(a, b) after the power-prior base rate 1 of 8 at weight 0.5."""
    return (a + 0.5) / (a + b + 4.0)


def _linear(weights: list[float], betas: list[tuple[float, float]]) -> float:
    """Posterior mean of a linear pool of Betas under the same base rate (closed form:
    each component updates, its weight times its marginal likelihood)."""
    logm = [
        math.log(w) + betaln(a + 0.5, b + 3.5) - betaln(a, b)
        for w, (a, b) in zip(weights, betas, strict=True)
    ]
    top = max(logm)
    post = [math.exp(v - top) for v in logm]
    means = [_posterior_mean(a, b) for a, b in betas]
    return sum(w * m for w, m in zip(post, means, strict=True)) / sum(post)


ALPHA, BETA = (2.0, 8.0), (2.0, 9.0)  # 0.2 with strength 10; 1 in 9 as Beta(k+1, n-k+1)
EXACT = {
    "linear pool": _linear([0.5, 0.5], [ALPHA, BETA]),
    # log pool of Betas, weights 1/2: Beta(sum w(a-1) + 1, sum w(b-1) + 1) = Beta(2, 8.5)
    "logarithmic pool": _posterior_mean(2.0, 8.5),
    "without Alpha": _posterior_mean(*BETA),
    "without Beta": _posterior_mean(*ALPHA),
}


def test_the_exact_comparison_matches_closed_forms(tmp_path: Path) -> None:
    pools = _forecast(tmp_path).to_dict()["pools"]
    exact = {a["label"]: a["forecast"] for a in pools["alternatives"]}
    assert pools["reference"] == pytest.approx(EXACT["linear pool"], abs=1e-6)
    for label, value in EXACT.items():
        assert exact[label] == pytest.approx(value, abs=1e-6), label


def test_every_row_is_measured_from_the_headline(tmp_path: Path) -> None:
    f = _forecast(tmp_path)
    assert abs(f.probability - EXACT["linear pool"]) > 0.02  # the two baselines differ
    table = sensitivity.table(f)
    assert table is not None and table.reference == f.probability
    rows = {r.label: r for r in table.rows}
    used = rows["linear pool"]
    assert (used.forecast, used.delta, used.note) == (f.probability, 0.0, "the pool used")
    for r in table.rows:
        assert r.forecast == pytest.approx(f.probability + r.delta, abs=1e-12), r.label
    for label, value in EXACT.items():  # each change is the exact one, free of MC error
        assert rows[label].delta == pytest.approx(value - EXACT["linear pool"], abs=1e-6)
    data = f.to_dict()["pools"]
    assert data["headline"] == f.probability
    chosen = [a for a in data["alternatives"] if a["chosen"]]
    assert [a["from_headline"] for a in chosen] == [f.probability]
    for a in data["alternatives"]:
        assert a["from_headline"] == pytest.approx(f.probability + a["delta"], abs=1e-12)


def test_terminal_and_html_show_the_headline_on_the_pool_row(tmp_path: Path) -> None:
    from forecast.render.html import page
    from forecast.render.report import Report

    f = _forecast(tmp_path)
    buf = io.StringIO()
    Console(file=buf, width=120, color_system=None).print(Report(f))
    line = next(x for x in buf.getvalue().splitlines() if "linear pool" in x and "used" in x)
    assert fmt.pct(f.probability) in line
    html = page(f).split("<h2>Sensitivity", 1)[1].split("<h2>", 1)[0]
    used = html.split("linear pool <strong>(used)</strong>", 1)[1].split("</tr>", 1)[0]
    assert f'<td class="n">{fmt.pct(f.probability)}</td>' in used
    assert fmt.pct(EXACT["linear pool"]) not in html  # the exact value is not a row


def test_the_plot_axis_and_bars_agree(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    from forecast.render.plots import sensitivity as plot

    f = _forecast(tmp_path)
    fig = plot(f)
    assert fig is not None
    (ax,) = fig.axes
    assert ax.get_xlabel() == f"change in percentage points from {fmt.pct(f.probability)}"
    table = sensitivity.table(f)
    assert table is not None
    shown = [r for r in table.rows if r.note != "the pool used"]
    widths = sorted(round(bar.get_width(), 9) for bar in ax.patches)
    assert widths == sorted(round(100 * r.delta, 9) for r in shown)
    labels = {t.get_text().strip() for t in ax.texts}
    assert labels == {fmt.pp(r.delta) for r in shown}
