"""The ledger's record is built from the Forecast object, and says what its JSON says.

:func:`record_from` reads the typed forecast; :func:`record_of` reads the forecast's
JSON object. Both must give the same record (the JSON object is the documented, stable
form, so it is the reference), and the record stores that JSON object as its report.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from forecast.ledger import open_ledger, record_forecast, record_from, record_of
from forecast.results import ExpertView, Forecast, Step
from tests.test_ledger import PRIORS

AT = dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC)


@pytest.fixture
def forecast_and_question(write_priors: Any) -> tuple[Forecast, Any]:
    """A real event forecast, summarised from draws made here (no sampling)."""
    import numpy as np
    from arviz_base import from_dict

    from forecast.inference import SamplerSettings
    from forecast.kinds.event import model as event
    from forecast.kinds.event import summary as event_summary
    from forecast.questions.loader import load_question

    q = load_question(write_priors(PRIORS))
    rng = np.random.default_rng(1)
    p = rng.beta(3.0, 9.0, size=(2, 200))
    idata = from_dict(
        {
            "posterior": {"p": p, "q": p, "llr": rng.normal(0.5, 0.2, size=(2, 200, 1))},
            "sample_stats": {"diverging": np.zeros((2, 200), dtype=bool)},
        }
    )
    inputs = event.prepare(q.spec)  # type: ignore[arg-type]
    f = event_summary.summarise(q, inputs, idata, SamplerSettings(draws=200, chains=2, seed=11))
    return f, q


def _both(f: Forecast, **kw: Any) -> tuple[Any, Any]:
    common = {"priors_text": "text", "recorded_at": AT, **kw}
    return record_from(f, **common), record_of(f.to_dict(), **common)


def test_the_record_from_the_forecast_is_the_record_its_json_gives(
    forecast_and_question: tuple[Forecast, Any],
) -> None:
    f, _ = forecast_and_question
    typed, from_json = _both(f, priors_path="q.yaml", tags=["a"], pool="logarithmic", analyst="A")
    assert typed == from_json  # every field but the document, which compares apart
    assert typed.document == from_json.document == f.to_dict()
    # and what it says, read from the forecast directly
    assert typed.probability == f.probability and typed.kind == "event"
    assert typed.intervals == {"80": (f.interval(0.8).lo, f.interval(0.8).hi), "95": (
        f.interval(0.95).lo, f.interval(0.95).hi)}  # fmt: skip
    assert [(e.name, e.probability) for e in typed.experts] == [
        (e.name, e.implies["mean"]) for e in f.experts
    ]
    assert [c.after for c in typed.contributions] == [s.after for s in f.steps]
    assert typed.seed == 11 and typed.deadline == f.deadline and typed.pool == "logarithmic"


def test_experts_without_an_implied_mean_and_the_default_pool(
    forecast_and_question: tuple[Forecast, Any],
) -> None:
    f, _ = forecast_and_question
    first = f.experts[0]
    timed = ExpertView("Chen", "median", 1.0, first.fitted, {"median": 3.0})
    g = dataclasses.replace(
        f,
        kind="time-to-event",
        experts=(first, timed),
        steps=(*f.steps, Step("evidence: more", "evidence", 0.3, 0.35)),
    )
    typed, from_json = _both(g)
    assert typed == from_json
    assert [e.name for e in typed.experts] == [first.name]  # Chen implies no mean
    assert typed.pool == "linear" and typed.contributions[-1].delta == pytest.approx(0.05)


def test_a_forecast_under_a_scenario_is_refused_both_ways(
    forecast_and_question: tuple[Forecast, Any],
) -> None:
    f, _ = forecast_and_question
    from forecast.effects import Chosen

    under = dataclasses.replace(f.result, scenario=Chosen("sanctions", {}))
    g = dataclasses.replace(f, result=under)
    with pytest.raises(ValueError, match="scenario"):
        record_from(g, priors_text="")
    with pytest.raises(ValueError, match="scenario"):
        record_of({**f.to_dict(), "scenario": "sanctions"}, priors_text="")


def test_recording_a_forecast_stores_its_json_as_the_report(
    forecast_and_question: tuple[Forecast, Any], tmp_path: Path
) -> None:
    f, q = forecast_and_question
    with open_ledger(tmp_path / "ledger.sqlite") as book:
        record_forecast(book, f, q, analyst="Aigerim")
        (r,) = book.forecasts()
    expected = json.loads(json.dumps(f.to_dict(), default=str))
    assert r.document == expected
    assert r.analyst == "Aigerim" and r.priors_text == q.text and r.tags == ("alpha", "beta")
