"""A linked question's own forecast: a time-to-event question's exact draws without its
report, and each own forecast made once per process."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from forecast import engine
from forecast.inference import SamplerSettings
from forecast.kinds.network import questions
from forecast.kinds.network.questions import direct_draws, own_forecast
from forecast.questions.loader import LoadedQuestion, load_question
from tests.conftest import PRIORS

TTE = "turkiye-joins-consultative-meeting"
HAZARD = """\
format: 1
kind: time-to-event
title: A hazard question
resolution: Resolves yes if the test event happens.
as_of: 2025-12-01
created: 2025-12-01
deadline: 2028-12-01
horizon: 2035-12-01
hazard:
  since: 2020-12-01
  shape: {median: 1.2, interval: [0.8, 1.8], mass: 0.9}
  experts:
    - name: a
      median_years: {median: 8, interval: [3.5, 18.3], mass: 0.9}
drivers:
  - id: push
    description: makes the event likelier from now on
    odds_ratio: {median: 2, interval: [1.2, 4], mass: 0.8}
    level: 0.5
"""
SMALL = SamplerSettings(draws=150, tune=100, chains=2)


@pytest.fixture(autouse=True)
def _fresh() -> None:
    questions._KEPT.clear()


@pytest.mark.parametrize("form", ["scheduled", "hazard"])
def test_exact_draws_are_those_the_full_forecast_reports(tmp_path: Path, form: str) -> None:
    """The shortcut's draws are the very draws of ``forecast run`` (same seed, same
    posterior), for both forms of a time-to-event question."""
    if form == "scheduled":
        path = tmp_path / f"{TTE}.yaml"
        shutil.copy(PRIORS / f"{TTE}.yaml", path)
    else:
        path = tmp_path / "hazard.yaml"
        path.write_text(HAZARD, encoding="utf-8")
    q = load_question(path)
    how = engine.settings_for(q, SMALL, None)
    direct = direct_draws(q, how)
    full = engine.run(q, how)
    assert full.provenance.method == "exact"
    assert direct is not None and direct[1] == "exact"
    fast = direct[0]
    assert fast.shape == (SMALL.draws * SMALL.chains,)
    np.testing.assert_allclose(fast, np.asarray(full.draws["q"]).reshape(-1), rtol=0, atol=1e-15)
    # and their mean is the exact headline within the draws' Monte Carlo error
    assert abs(fast.mean() - full.probability) < 4 * fast.std() / np.sqrt(fast.size)


def test_a_drivers_questions_importance_draws_are_its_forecasts() -> None:
    """A drivers question's own draws come from its sweep adapter's importance
    posterior: the same resampled draws its forecast summarises (mean, 80% interval)."""
    q = load_question(PRIORS / "us-kazakhstan-critical-minerals.yaml")
    how = engine.settings_for(q, SMALL, None)
    direct = direct_draws(q, how)
    full = engine.run(q, how)
    assert direct is not None and direct[1] == full.provenance.method == "importance"
    assert direct[0].mean() == pytest.approx(full.probability, abs=1e-12)
    lo, hi = np.quantile(direct[0], [0.1, 0.9])
    assert (lo, hi) == pytest.approx((full.interval(0.8).lo, full.interval(0.8).hi), abs=1e-12)


def test_nuts_asked_for_takes_no_shortcut() -> None:
    q = load_question(PRIORS / f"{TTE}.yaml")
    how = engine.settings_for(q, SamplerSettings(method="nuts"), None)
    assert direct_draws(q, how) is None


def test_an_own_forecast_is_made_once_per_file_content_and_settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second network to link a question reuses its own forecast; other settings or
    an edited file make a new one."""
    path = tmp_path / "drivers.yaml"
    shutil.copy(PRIORS / "us-kazakhstan-critical-minerals.yaml", path)
    calls: list[str] = []
    real = questions._own_forecast

    def counted(
        q: LoadedQuestion, *, sample: bool, settings: SamplerSettings | None, n: int
    ) -> questions.OwnForecast | None:
        calls.append(q.id)
        return real(q, sample=sample, settings=settings, n=n)

    monkeypatch.setattr(questions, "_own_forecast", counted)
    q = load_question(path)
    first = own_forecast(q, sample=True, settings=SMALL)
    again = own_forecast(load_question(path), sample=True, settings=SMALL)
    assert first is not None and again is first and len(calls) == 1
    assert not first.draws.flags.writeable  # shared: nobody may change it
    other = own_forecast(q, sample=True, settings=SamplerSettings(draws=120, tune=100, chains=2))
    assert other is not None and other is not first and len(calls) == 2
    path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    edited = own_forecast(load_question(path), sample=True, settings=SMALL)
    assert edited is not None and edited is not first and len(calls) == 3


def test_a_quantitys_indicator_draws_are_not_taken_for_a_propensity() -> None:
    """A quantity's sweep posterior gives 0/1 per draw (X past its threshold or not):
    no propensity to match a Beta to, so its own forecast is its full forecast's."""
    q = load_question(PRIORS / "us-finance-kazakhstan-tungsten.yaml")
    how = engine.settings_for(q, SMALL, None)
    assert direct_draws(q, how) is None
    own = own_forecast(q, sample=True, settings=SMALL)
    full = engine.run(q, how)
    assert own is not None and own.method == full.provenance.method
    assert own.mean == pytest.approx(full.probability, abs=0.05)


def test_without_sampling_only_event_questions_have_an_own_forecast() -> None:
    q = load_question(PRIORS / f"{TTE}.yaml")
    assert own_forecast(q, sample=False) is None
    assert own_forecast(q, sample=True, settings=SMALL) is not None
