"""Words an analyst knows: percentage points for differences and the Monte Carlo error,
one name for the experts' prior, a glossary the reports point to, and a verdict that
says how it and a differing diagnosis both hold (fabricated posteriors, no sampling)."""

from __future__ import annotations

import io
import re
from pathlib import Path

from rich.console import Console

from forecast import sensitivity
from forecast.render.html import page
from forecast.render.markdown import render as markdown
from forecast.render.report import Report
from tests.conftest import ROOT
from tests.test_drivers import _fabricated
from tests.test_report_parity import FILES, _forecast, _visible


def _terminal(f: object) -> str:
    buf = io.StringIO()
    Console(file=buf, width=120, color_system=None).print(f)
    return buf.getvalue()


def _all(f: object) -> dict[str, str]:
    return {
        "terminal": _terminal(Report(f)),  # type: ignore[arg-type]
        "markdown": markdown(f),  # type: ignore[arg-type]
        "html": _visible(page(f)),  # type: ignore[arg-type]
    }


def test_the_monte_carlo_error_is_in_percentage_points(tmp_path: Path) -> None:
    f = _forecast(tmp_path, "event")
    want = f"±{100 * f.mcse:.2g} pp"
    for where, text in _all(f).items():
        assert f"Monte Carlo error {want}" in text, where
        assert not re.search(r"Monte Carlo error ±[\d.]+%", text), where


def test_one_name_for_the_experts_prior(tmp_path: Path) -> None:
    # An event question: the experts' prior is the number before the data.
    f = _forecast(tmp_path, "event")
    experts = f.steps[0].after
    assert f.prior_probability == experts
    for where, text in _all(f).items():
        assert "Experts' prior" in text, where
        assert "Prior → posterior" not in text and "prior → posterior" not in text, where
    # With drivers, the number before the data is not the experts' prior: it says so.
    g = _fabricated(tmp_path)
    assert abs(g.prior_probability - g.steps[0].after) > 0.005
    for where, text in _all(g).items():
        assert "Before the data" in text, where
        assert "with the drivers at their levels" in text, where
        assert "Experts' prior →" not in text, where


def test_the_glossary_is_in_the_readme_and_every_report_points_to_it(tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    glossary = readme.split("## Glossary", 1)[1].split("\n## ", 1)[0]
    for term in ("percentage points", "propensity", "power-scaling", "fit error", "Murphy"):
        assert f"**{term}" in glossary, term
    for kind in FILES:
        for where, text in _all(_forecast(tmp_path, kind)).items():
            assert "Glossary" in text and "README" in text, (kind, where)


def test_a_differing_diagnosis_gets_a_sentence_saying_how_both_hold() -> None:
    q = sensitivity.Quantity("q", "forecast", 0.2, 0.01, sensitivity.PRIOR_DRIVEN)
    p = sensitivity.Quantity("p", "propensity before evidence", 0.2, 0.08, sensitivity.CONFLICT)
    said = sensitivity._how_both_hold(q, [p, q], "base rate 1/8")
    assert said.startswith(" How both hold: ArviZ judges each quantity on its own")
    both = "propensity before evidence is shaped by both the experts' prior and the base rate"
    assert both in said
    assert "while the forecast is shaped by the experts' prior, hardly by the data" in said
    same = sensitivity.Quantity("p", "propensity", 0.2, 0.01, sensitivity.PRIOR_DRIVEN)
    assert sensitivity._how_both_hold(q, [same, q], "base rate") == ""
