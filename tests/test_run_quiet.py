"""``forecast run -q`` over several files: one line a question, its id first, failures
included (sampling replaced by a stub, so nothing is sampled)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from forecast.cli import app
from forecast.effects import Chosen
from forecast.errors import SamplingError
from tests.test_cli import GOOD


def test_quiet_lines_name_each_question_failures_included(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from forecast import engine
    from forecast.portfolio import runner

    def fake_run(q, settings, timer=None, *, scenario=None, **_):  # type: ignore[no-untyped-def]
        if q.id == "b":
            raise SamplingError("b: the sampler failed")
        under = Chosen(scenario, {"push": 1.0}) if scenario else None
        ok = SimpleNamespace(ok=True, warnings=())
        return SimpleNamespace(probability=0.25, scenario=under, diagnostics=ok)

    monkeypatch.setattr(runner, "forecast_question", fake_run)
    monkeypatch.setattr(engine, "check_scenario", lambda q, s: None)
    for name in "abd":
        (tmp_path / f"{name}.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "c.yaml").write_text(GOOD.replace("0.3", "1.5"), encoding="utf-8")
    result = CliRunner().invoke(app, ["run", "-q", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "c\tfailed: invalid priors file",
        "a\t25.0%",
        "b\tfailed: sampling",
        "d\t25.0%",
    ]
    assert "b: the sampler failed" in result.stderr and "c.yaml" in result.stderr
    under = CliRunner().invoke(
        app,
        ["run", "-q", str(tmp_path / "a.yaml"), str(tmp_path / "d.yaml"), "--scenario", "pushed"],
    )
    assert under.stdout.splitlines() == [
        "a\t25.0%\tscenario pushed (push on)",
        "d\t25.0%\tscenario pushed (push on)",
    ]
