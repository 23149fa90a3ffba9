"""The HTML report's sensitivity footnote says how this forecast's rows were computed:
on the quadrature grid for an exact forecast, by reweighting draws for a sampled one."""

from __future__ import annotations

from forecast import engine
from forecast.inference import SamplerSettings
from forecast.questions.loader import load_question
from tests.conftest import PRIORS


def test_the_html_footnote_says_how_this_forecast_was_computed(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from forecast.render.html import page
    from tests.test_report_parity import _forecast

    q = load_question(PRIORS / "turkmenistan-joins-ots.yaml")
    exact = page(engine.run(q, SamplerSettings(draws=200, chains=2, seed=3)))
    assert "quadrature grid" in exact and "reweighting the posterior draws" not in exact
    sampled = page(_forecast(tmp_path, "event"))  # from NUTS draws
    assert "reweighting the posterior draws" in sampled and "quadrature grid" not in sampled
