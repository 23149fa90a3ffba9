"""The HTML and markdown reports carry every section the terminal report has, for every
kind of question, with the same numbers (fabricated posteriors, no sampling)."""

from __future__ import annotations

import html
import io
import re
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from arviz_base import from_dict
from rich.console import Console

from forecast.inference import SamplerSettings
from forecast.kinds.drivers import summary as drivers_summary
from forecast.kinds.event import summary as event_summary
from forecast.kinds.tte import summary as tte_summary
from forecast.questions.loader import load_question
from forecast.render import fmt
from forecast.render.html import page
from forecast.render.markdown import render as markdown
from forecast.render.report import Report

HEADER = """\
format: 1
title: A test question
resolution: Resolves yes if the test event happens, as the test says.
"""

EXPERTS = """\
experts:
  - name: Ana
    judgement: {probability: 0.2, strength: 10}
  - name: Ben
    judgement: {probability: 0.35, strength: 12}
"""

DRIVERS = """\
drivers:
  - id: push
    description: makes the event likelier
    odds_ratio: 3
    level: 0.4
  - id: block
    description: makes it less likely
    odds_ratio: 0.5
    level: 1
scenarios:
  pushed: {push: 1}
"""

FILES = {
    "event": "kind: event\ndeadline: 2030-01-01\n"
    + EXPERTS
    + "base_rate: {successes: 1, trials: 8, weight: 0.5, reference_class: eight years}\n"
    + "evidence:\n  - id: signal\n    description: a signal\n    likelihood_ratio: 2\n",
    "drivers": "kind: drivers\ndeadline: 2030-01-01\n" + EXPERTS + DRIVERS,
    "scheduled": "kind: time-to-event\nas_of: 2025-12-01\ndeadline: 2027-12-31\n"
    "horizon: 2031-12-31\nopportunities:\n  dates: [2023-06-01, 2024-06-01, 2025-06-01]\n"
    "  every_months: 12\n" + EXPERTS + DRIVERS,
    "hazard": "kind: time-to-event\nas_of: 2025-12-01\ndeadline: 2028-12-01\n"
    "horizon: 2035-12-01\nhazard:\n  since: 2020-12-01\n  experts:\n    - name: Ana\n"
    "      median_years: {median: 8, interval: [3.5, 18.3], mass: 0.9}\n" + DRIVERS,
}

# What a reader looks for in a report; each is in the terminal report of some kind.
SECTIONS = (
    "What moved it",
    "Median time to the event",
    "known as of",
    "P(by date)",
    "Experts",
    "median years to the event",
    "Scenarios",
    "Driver swings",
    "Sensitivity",
    "without Ana",
    "logarithmic pool",
    "Evidence",
    "Diagnostics",
    "Provenance",
)


@pytest.fixture(autouse=True)
def _fabricated_draws_are_not_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(event_summary, "check_against_exact", lambda diag, *_: diag)


def _forecast(tmp_path: Path, kind: str) -> Any:
    path = tmp_path / f"{kind}.yaml"
    path.write_text(HEADER + textwrap.dedent(FILES[kind]), encoding="utf-8")
    q = load_question(path)
    rng = np.random.default_rng(3)
    p = rng.beta(3, 9, size=(2, 500))
    no = {"diverging": np.zeros((2, 500), dtype=bool)}
    settings = SamplerSettings(draws=500, chains=2, seed=5)
    if kind == "event":
        from forecast.kinds.event import model as event

        post = {"p": p, "q": 1 / (1 + (1 - p) / (2 * p))}
        idata = from_dict({"posterior": post, "sample_stats": no})
        return event_summary.summarise(q, event.prepare(q.spec), idata, settings)  # type: ignore[arg-type]
    if kind == "drivers":
        from forecast.kinds.drivers import model as drivers

        idata = from_dict({"posterior": {"p": p}, "sample_stats": no})
        return drivers_summary.summarise(q, drivers.prepare(q.spec), idata, settings)  # type: ignore[arg-type]
    from forecast.kinds.tte import model as tte

    post = {"q": p} if kind == "scheduled" else {"median_years": rng.lognormal(2, 0.4, (2, 500))}
    idata = from_dict({"posterior": post, "sample_stats": no})
    return tte_summary.summarise(q, tte.prepare(q.spec), idata, settings)  # type: ignore[arg-type]


def _terminal(f: Any) -> str:
    buf = io.StringIO()
    Console(file=buf, width=160, color_system=None).print(Report(f))
    return buf.getvalue()


def _visible(page_text: str) -> str:
    text = re.sub(r"<style>.*?</style>", " ", page_text, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", text)))


@pytest.mark.parametrize("kind", list(FILES))
def test_html_and_markdown_have_the_terminal_sections(tmp_path: Path, kind: str) -> None:
    f = _forecast(tmp_path, kind)
    terminal, web, md = _terminal(f), _visible(page(f)), markdown(f)
    for section in SECTIONS:
        there = section in terminal
        assert (section in web) == there, f"{kind}: {section!r} terminal {there}, HTML not"
        assert (section in md) == there, f"{kind}: {section!r} terminal {there}, markdown not"
    if kind in ("scheduled", "hazard"):
        assert "Median time to the event" in terminal and "Sensitivity" in terminal
    if kind in ("drivers", "scheduled", "hazard"):
        assert "Scenarios" in terminal and "Driver swings" in terminal


@pytest.mark.parametrize("kind", ["scheduled", "hazard", "drivers"])
def test_every_date_scenario_and_swing_has_the_same_numbers(tmp_path: Path, kind: str) -> None:
    f = _forecast(tmp_path, kind)
    texts = {"terminal": _terminal(f), "html": _visible(page(f)), "markdown": markdown(f)}
    for where, text in texts.items():
        for point in f.to_dict().get("curve", ()):
            rows = re.findall(re.escape(point["date"]) + r"[^\n]{0,90}", text)
            assert any(fmt.pct(point["probability"]) in r for r in rows), (where, point)
            assert fmt.interval(point["lo"], point["hi"]) in text, (where, point)
        if "curve" in f.to_dict():
            assert f.to_dict()["median_time"] in text and f.to_dict()["as_of"] in text, where
        for s in f.to_dict().get("scenarios", ()):
            assert fmt.interval(*s["intervals"]["95"]) in text, (where, s["name"])
        for s in f.to_dict().get("swings", ()):
            assert fmt.pp(s["swing"]) in text, (where, s["driver"])


@pytest.mark.parametrize("method", ["nuts", "exact", "importance"])
def test_the_provenance_line_names_tuning_only_for_nuts(tmp_path: Path, method: str) -> None:
    import dataclasses

    f = _forecast(tmp_path, "event")
    f = dataclasses.replace(f, provenance=dataclasses.replace(f.provenance, method=method))
    tune = f"(tune {f.provenance.tune})"
    runs = f"{f.provenance.chains}×{f.provenance.draws}"
    for text in (_terminal(f), _visible(page(f))):
        line = " ".join(text[text.index("Provenance") :].split())
        assert runs in line
        assert (tune in line) is (method == "nuts")
