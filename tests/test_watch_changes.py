"""``forecast watch`` says what changed since the last run: which expert, evidence item or
base rate, and by how many percentage points (fabricated posteriors, no sampling)."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from arviz_base import from_dict
from rich.console import Console

from forecast.cli.watch import Watcher
from forecast.inference import SamplerSettings
from forecast.kinds.event import model as event
from forecast.kinds.event import summary as event_summary
from tests.conftest import EVENT_HEADER
from tests.test_watch import _save

BODY = """\
experts:
  - name: Ana
    judgement: {probability: 0.2, strength: 10}
  - name: Ben
    judgement: {probability: 0.4, strength: 10}
"""


@pytest.fixture(autouse=True)
def _fabricated_draws_are_not_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(event_summary, "check_against_exact", lambda diag, *_: diag)


def _no_data_posterior(q: Any) -> Any:
    """With no base rate and no evidence the posterior is the pool: draw it directly.

    Each expert's ``probability: m, strength: s`` is Beta(m s, (1 - m) s); the linear
    pool is their equally weighted mixture, so the forecast is the mean of the m.
    """
    inputs = event.prepare(q.spec)
    rng = np.random.default_rng(1)
    betas = [(e.judgement.probability, e.judgement.strength) for e in q.spec.experts]
    which = rng.integers(0, len(betas), size=(2, 4000))
    p = np.empty((2, 4000))
    for i, (m, s) in enumerate(betas):
        mask = which == i
        p[mask] = rng.beta(m * s, (1 - m) * s, size=int(mask.sum()))
    idata = from_dict(
        {"posterior": {"p": p, "q": p}, "sample_stats": {"diverging": np.zeros_like(p, bool)}}
    )
    return event_summary.summarise(q, inputs, idata, SamplerSettings(draws=4000, chains=2, seed=1))


def test_watch_names_the_expert_that_moved_it_and_by_how_much(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    _save(path, EVENT_HEADER + BODY, 0)
    buf = io.StringIO()
    console = Console(file=buf, width=120, color_system=None)
    w = Watcher(path, _no_data_posterior, show=console.print)
    w.tick()
    assert "What changed" not in buf.getvalue()  # nothing to compare the first run with
    _save(path, EVENT_HEADER + BODY.replace("0.4", "0.7"), 1)
    w.tick()
    text = buf.getvalue().split("What changed since the last run")[1]
    # Ben's share of the pooled mean goes from 0.4 / 2 to 0.7 / 2: +15 pp; Ana's stays.
    assert "• expert Ben changed: judgement {probability: 0.4, strength: 10} → " in text
    ben = next(line for line in text.splitlines() if line.strip().startswith("expert: Ben"))
    assert ben.split()[2:5] == ["20.0%", "35.0%", "+15.0"]
    assert "expert Ben changed" in ben
    assert "expert: Ana" not in text
    other = next(line for line in text.splitlines() if "other/sampling" in line)
    assert abs(float(other.split()[1])) < 1.0  # Monte Carlo noise of 8000 draws, in pp


def _resave(tmp_path: Path, run_forecast: Any) -> str:
    path = tmp_path / "q.yaml"
    _save(path, EVENT_HEADER + BODY, 0)
    buf = io.StringIO()
    w = Watcher(path, run_forecast, show=Console(file=buf, width=120, color_system=None).print)
    w.tick()
    _save(path, EVENT_HEADER + BODY, 1)
    w.tick()
    return buf.getvalue()


def test_a_resave_that_gives_the_same_forecast_says_so(tmp_path: Path) -> None:
    """The same draws again (an exact forecast, or the same seed): no move to explain."""
    text = _resave(tmp_path, _no_data_posterior)
    assert "What changed since the last run  (the same file: the same forecast)" in text
    assert "sampling)" not in text


def test_a_resave_sampled_anew_says_the_move_is_sampling(tmp_path: Path) -> None:
    seeds = iter(range(1, 10))

    def resampled(q: Any) -> Any:
        made = _no_data_posterior(q)  # draws with seed 1 ...
        offset = next(seeds) * 1e-3  # ... moved as other draws would move it
        return replace(made, probability=made.probability + offset)

    text = _resave(tmp_path, resampled)
    assert "What changed since the last run  (the same file: the move is sampling)" in text
