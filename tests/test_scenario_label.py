"""A forecast under a named scenario says so, with the levels the scenario sets, in every
format (fabricated draws, no sampling)."""

from __future__ import annotations

import io
import json
from pathlib import Path

from rich.console import Console

from forecast.render.html import page
from forecast.render.markdown import render as markdown
from forecast.render.report import Report
from tests.test_drivers import _fabricated

LABEL = "pushed (push on)"


def _text(renderable: object) -> str:
    buf = io.StringIO()
    Console(file=buf, width=120, color_system=None).print(renderable)
    return buf.getvalue()


def test_every_format_labels_the_headline_with_the_scenario(tmp_path: Path) -> None:
    f = _fabricated(tmp_path, scenario="pushed")
    rich = _text(Report(f))
    head = rich[: rich.index("Forecast")]
    assert head.splitlines()[-1].split() == ["Scenario", *LABEL.split()]
    from forecast.render import fmt

    assert _text(Report(f, quiet=True)).strip() == f"{fmt.pct(f.probability)}  scenario {LABEL}"
    assert f"**Forecast under scenario {LABEL}: " in markdown(f)
    assert f"Under scenario <strong>{LABEL}</strong>" in page(f)
    d = json.loads(json.dumps(f.to_dict()))
    assert d["scenario"] == "pushed" and d["scenario_sets"] == {"push": 1.0}


def test_the_base_forecast_names_no_scenario(tmp_path: Path) -> None:
    f = _fabricated(tmp_path)
    assert "Scenario  " not in _text(Report(f))
    assert "scenario" not in _text(Report(f, quiet=True))
    assert "**Forecast: " in markdown(f)
    assert "Under scenario" not in page(f)
    assert f.to_dict()["scenario_sets"] is None
