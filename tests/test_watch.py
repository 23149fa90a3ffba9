"""``forecast watch``: re-runs on save, reports the change, survives an invalid save."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

from forecast import engine, kinds
from forecast.cli import app
from forecast.cli.watch import Watcher
from forecast.inference import SamplerSettings
from forecast.kinds.event import model as event
from forecast.questions.loader import load_question
from tests.conftest import EVENT_HEADER

BODY = """\
experts:
  - name: a
    judgement: {probability: 0.2, strength: 10}
"""


class FakeForecast:
    def __init__(self, p: float) -> None:
        self.probability = p


def _save(path: Path, text: str, bump: int) -> None:
    path.write_text(text, encoding="utf-8")
    st = path.stat()
    # Saves within one clock tick must still look new to the poller.
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + bump * 1_000_000_000))


def _watcher(path: Path) -> tuple[Watcher, io.StringIO, list[Any]]:
    buf = io.StringIO()
    console = Console(file=buf, width=100, color_system=None)
    seen: list[Any] = []

    def run_forecast(q: Any) -> FakeForecast:
        seen.append(q)
        # The forecast of a one-expert file without data is that expert's mean.
        j = q.spec.experts[0].judgement
        return FakeForecast(j.probability)

    return Watcher(path, run_forecast, show=console.print), buf, seen


def test_reruns_on_save_and_reports_the_change(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    _save(path, EVENT_HEADER + BODY, 0)
    w, buf, seen = _watcher(path)
    first = w.tick()
    assert first is not None and first.kind == "forecast" and first.probability == 0.2
    assert w.tick() is None  # nothing saved since
    _save(path, EVENT_HEADER + BODY.replace("0.2", "0.35"), 1)
    second = w.tick()
    assert second is not None and second.probability == 0.35
    assert len(seen) == 2
    assert "+15.0 pp since the last run (20.0% → 35.0%)" in buf.getvalue()


def test_an_invalid_save_shows_problems_and_keeps_watching(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "q.yaml"
    _save(path, EVENT_HEADER + BODY, 0)
    w, buf, seen = _watcher(path)
    w.tick()
    _save(path, EVENT_HEADER + BODY.replace("0.2", "1.3"), 1)
    bad = w.tick()
    assert bad is not None and bad.kind == "invalid"
    errors = capsys.readouterr().err
    assert "q.yaml:" in errors and "experts[0].judgement" in errors
    assert "not re-run" in buf.getvalue()
    _save(path, EVENT_HEADER + BODY.replace("0.2", "0.1"), 2)
    good = w.tick()
    assert good is not None and good.kind == "forecast"
    # The change is measured from the last good forecast.
    assert "-10.0 pp since the last run (20.0% → 10.0%)" in buf.getvalue()
    assert len(seen) == 2


def test_run_stops_after_max_runs_and_timeout(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    _save(path, EVENT_HEADER + BODY, 0)
    w, _, seen = _watcher(path)
    w.run(interval=0.05, max_runs=1)
    assert len(seen) == 1
    w.run(interval=0.05, timeout=0.2)  # no save: stops when idle
    assert len(seen) == 1


def test_the_watch_shows_the_exact_forecast_of_a_conjugate_question(write_priors) -> None:  # type: ignore[no-untyped-def]
    from forecast import engine
    from forecast.inference import SamplerSettings

    path = write_priors(
        EVENT_HEADER
        + BODY
        + "base_rate: {successes: 3, trials: 12, weight: 1, reference_class: test}\n"
    )
    shown: list[Any] = []
    models = engine.CompiledModels()
    w = Watcher(path, lambda q: models.run(q, SamplerSettings(seed=1)), show=shown.append)
    outcome = w.tick()
    # Beta(2, 8) and 3 of 12: Beta(5, 17), mean 5/22, exactly; one number, no sampling.
    assert outcome is not None and outcome.method == "exact"
    assert outcome.probability == pytest.approx(5 / 22, abs=1e-9)
    assert models.builds == 0
    assert "Forecast 22.7% (exact)" in [str(x) for x in shown if not hasattr(x, "diagnostics")]


def test_watch_of_a_missing_file_is_an_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["watch", str(tmp_path / "nope.yaml"), "--max-runs", "1"])
    assert result.exit_code == 1
    assert "no such file" in result.stderr


@pytest.mark.slow
def test_watch_command_runs_the_real_forecast_once(write_priors) -> None:  # type: ignore[no-untyped-def]
    path = write_priors(EVENT_HEADER + BODY)
    result = CliRunner().invoke(
        app,
        ["watch", str(path), "--max-runs", "1", "--draws", "300", "--tune", "300", "--seed", "1"],
    )
    assert result.exit_code == 0, result.output
    assert "Forecast 20.0% (exact)" in result.stdout and "Diagnostics" in result.stdout
    assert "watch sampling" not in result.stdout
    result = CliRunner().invoke(
        app,
        [
            "watch",
            str(path),
            "--max-runs",
            "1",
            "--draws",
            "300",
            "--tune",
            "300",
            "--seed",
            "1",
            "--method",
            "nuts",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "(exact)" not in result.stdout and "Diagnostics" in result.stdout
    assert "watch sampling: 2 chains × 300 draws after 300 tuning" in result.stdout


EDITABLE = """\
experts:
  - name: a
    judgement: {{probability: {p}, strength: 12}}
    weight: 1
  - name: b
    judgement: {{probability: 0.3, interval: [0.1, 0.6], mass: 0.9}}
    weight: {w}
base_rate: {{successes: {k}, trials: 10, weight: 0.5, reference_class: test}}
evidence:
  - id: signal
    description: a signal
    likelihood_ratio: {{median: {lr}, interval: [0.8, 3.0], mass: 0.9}}
  - id: known
    description: a known fact
    likelihood_ratio: 1.5
"""
ADDED = """\
  - name: c
    judgement: {probability: 0.1, strength: 20}
    weight: 1
"""
SETTINGS = SamplerSettings(draws=1000, tune=500, chains=2, method="nuts")
"""Sampled: these check that NUTS reuses a compiled model (an event is otherwise exact)."""


def _editable(p: float = 0.2, w: float = 1.0, k: int = 2, lr: float = 1.5) -> str:
    return EVENT_HEADER + EDITABLE.format(p=p, w=w, k=k, lr=lr)


def test_structure_holds_through_number_edits_and_changes_with_the_shape(write_priors) -> None:  # type: ignore[no-untyped-def]
    def structure(text: str) -> tuple[Any, ...]:
        return event.structure(event.prepare(load_question(write_priors(text)).spec))

    base = structure(_editable())
    assert structure(_editable(p=0.35, w=2.0, k=4, lr=2.0)) == base
    more = _editable().replace("base_rate:", ADDED.rstrip("\n") + "\nbase_rate:")
    assert structure(more) != base
    assert (
        structure(
            _editable().replace(
                "likelihood_ratio: 1.5",
                "likelihood_ratio: {median: 1.5, interval: [1, 2], mass: 0.9}",
            )
        )
        != base
    )
    assert structure(_editable().replace("\nbase_rate:", "\n#base_rate:")) != base


def _compiled_watcher(path: Path, models: engine.CompiledModels) -> Watcher:
    def run_forecast(q: Any) -> Any:
        return models.run(q, engine.settings_for(q, SETTINGS, 11))

    return Watcher(path, run_forecast, show=lambda _: None)


@pytest.mark.slow
def test_saves_with_the_same_structure_reuse_the_compiled_model(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    _save(path, _editable(), 0)
    models = engine.CompiledModels()
    w = _compiled_watcher(path, models)
    assert w.tick() is not None and models.builds == 1
    first = models.model_for(kinds.get("event"), event.prepare(load_question(path).spec), SETTINGS)[
        0
    ]
    _save(path, _editable(p=0.35, w=2.0, k=4, lr=2.5), 1)
    edited = w.tick()
    assert edited is not None and edited.kind == "forecast" and edited.probability is not None
    assert models.builds == 1
    q = load_question(path)
    assert models.model_for(kinds.get("event"), event.prepare(q.spec), SETTINGS)[0] is first
    # The edited numbers were sampled: the forecast agrees with a fresh run of the file.
    reused = models.run(q, engine.settings_for(q, SETTINGS, 11))
    assert reused.probability == pytest.approx(edited.probability, abs=1e-12)
    fresh = engine.run(q, engine.settings_for(q, SETTINGS, 5))
    tolerance = 3 * (reused.mcse**2 + fresh.mcse**2) ** 0.5
    assert abs(reused.probability - fresh.probability) <= tolerance
    assert reused.diagnostics.ok, reused.diagnostics.warnings


@pytest.mark.slow
def test_a_save_that_adds_an_expert_rebuilds(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    _save(path, _editable(), 0)
    models = engine.CompiledModels()
    w = _compiled_watcher(path, models)
    w.tick()
    _save(path, _editable().replace("base_rate:", ADDED.rstrip("\n") + "\nbase_rate:"), 1)
    outcome = w.tick()
    assert outcome is not None and outcome.kind == "forecast"
    assert models.builds == 2


def test_a_save_of_the_cases_file_reruns_too(tmp_path: Path) -> None:
    head = EVENT_HEADER.replace("kind: event", "kind: drivers")
    drivers = """\
drivers:
  - id: push
    description: a push
    odds_ratio: 2
    level: 0.5
cases: cases.csv
"""
    cases = tmp_path / "cases.csv"
    _save(cases, "push,outcome\n1,1\n", 0)
    path = tmp_path / "q.yaml"
    _save(path, head + BODY + drivers, 0)
    w, _, seen = _watcher(path)
    assert w.tick() is not None and w.tick() is None
    _save(cases, "push,outcome\n1,1\n0,0\n", 1)
    assert w.tick() is not None
    assert [len(q.spec.coded_cases()) for q in seen] == [1, 2]
