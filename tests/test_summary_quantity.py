"""A quantity question's row in the run summary: the amount's 95% interval with its
unit, never its probability twice (a zero-width probability interval reads as
certainty)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from forecast.cli import app
from tests.conftest import PRIORS

runner = CliRunner()
FILES = [
    str(PRIORS / "us-finance-kazakhstan-tungsten.yaml"),
    str(PRIORS / "turkmenistan-joins-ots.yaml"),
]


def test_the_json_summary_gives_a_quantity_its_amount_interval() -> None:
    result = runner.invoke(app, ["run", *FILES, "--format", "json"])
    assert result.exit_code == 0, result.output
    *forecasts, last = (json.loads(line) for line in result.stdout.splitlines())
    assert last["schema"] == "forecast.run-summary/2"
    qty, event = last["questions"]
    own = next(f for f in forecasts if f["question"]["id"] == qty["id"])["quantity"]
    band = next(b for b in own["intervals"] if b["level"] == 0.95)
    assert qty["interval"] is None
    assert qty["amount_interval"] == [band["lower"], band["upper"]]
    assert band["lower"] < own["median"] < band["upper"]
    assert qty["unit"] == own["unit"] == "USD million"
    assert event["amount_interval"] is None and event["unit"] is None
    lo, hi = event["interval"]
    assert lo < event["probability"] < hi


def test_the_table_shows_the_amount_interval_with_its_unit() -> None:
    from forecast.kinds.quantity.report import amounts

    result = runner.invoke(app, ["run", *FILES], env={"COLUMNS": "130"})
    assert result.exit_code == 0, result.output
    tail = result.stdout[result.stdout.rindex("Summary") :]
    row = next(line for line in tail.splitlines() if "us-finance-kazakhstan-tungsten" in line)
    data = runner.invoke(app, ["run", FILES[0], "--format", "json"]).stdout
    band = next(b for b in json.loads(data)["quantity"]["intervals"] if b["level"] == 0.95)
    assert f"{amounts(band['lower'], band['upper'])} USD million" in row
    assert "15.0% – 15.0%" not in row
