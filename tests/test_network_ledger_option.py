"""A network reads its question nodes' outcomes from the ledger ``--ledger`` names, and
from the configured one without it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from forecast.cli import app
from forecast.ledger import Resolution, open_ledger
from tests.test_network_spec import GOOD, event, write


def _ledger(path: Path, outcome: str) -> Path:
    with open_ledger(path) as book:
        when = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
        book.resolve(Resolution("the-question", outcome, dt.date(2026, 3, 1), when))
    return path


def _node(data: dict, node: str) -> dict:  # type: ignore[type-arg]
    return next(n for n in data["network"]["nodes"] if n["id"] == node)  # type: ignore[no-any-return]


def test_run_reads_the_ledger_named_by_the_option(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    event(tmp_path, "the-question")
    path = write(tmp_path, GOOD)
    named = _ledger(tmp_path / "named.sqlite", "yes")
    monkeypatch.delenv("FORECAST_LEDGER", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))  # no default ledger there
    runner = CliRunner()
    plain = json.loads(runner.invoke(app, ["run", str(path), "-f", "json"]).stdout)
    assert _node(plain, "the-question")["observed"] is None
    result = runner.invoke(app, ["run", str(path), "-f", "json", "--ledger", str(named)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    q = _node(data, "the-question")
    assert q["observed"] == "yes"
    assert q["observed_from"] == f"resolved in the ledger ({named}) on 2026-03-01"
    # P(a | the-question = yes) by Bayes' rule on the tables' means (0.3; 0.6 and 0.1)
    want = 0.3 * 0.6 / (0.3 * 0.6 + 0.7 * 0.1)
    assert _node(data, "a")["marginal"][0]["probability"] == pytest.approx(want, abs=1e-9)
    # the option wins over the configured ledger, which says no
    monkeypatch.setenv("FORECAST_LEDGER", str(_ledger(tmp_path / "env.sqlite", "no")))
    env = json.loads(runner.invoke(app, ["run", str(path), "-f", "json"]).stdout)
    assert _node(env, "the-question")["observed"] == "no"
    both = runner.invoke(app, ["run", str(path), "-f", "json", "--ledger", str(named)])
    assert _node(json.loads(both.stdout), "the-question")["observed"] == "yes"


def test_a_ledger_that_does_not_exist_yet_observes_nothing(tmp_path: Path) -> None:
    event(tmp_path, "the-question")
    path = write(tmp_path, GOOD)
    missing = tmp_path / "none.sqlite"
    result = CliRunner().invoke(app, ["run", str(path), "-f", "json", "--ledger", str(missing)])
    assert result.exit_code == 0, result.output
    assert _node(json.loads(result.stdout), "the-question")["observed"] is None
    assert not missing.exists()  # only read, never created
