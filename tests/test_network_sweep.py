"""forecast sweep on a network: node states and cells, against the exact enumeration."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from forecast.cli import app
from forecast.kinds.network.infer import Query, analyse
from forecast.kinds.network.kind import KIND
from forecast.kinds.network.run import run_network
from forecast.questions.loader import load_question
from tests.test_network_spec import GOOD, event, write


def test_sweep_rows_are_the_exact_forecasts_within_their_error(tmp_path: Path) -> None:
    event(tmp_path, "the-question", status="open")
    path = write(tmp_path, GOOD)
    args = [
        "sweep",
        str(path),
        "--grid",
        "node.a=yes,no",
        "--grid",
        "cell.the-question[a=yes]=0.2,0.9",
    ]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    rows = {r["name"]: r for r in map(json.loads, result.stdout.splitlines())}
    assert len(rows) == 4
    # Given a = yes the target is the cell itself, a known number.
    assert rows["node.a=yes, cell.the-question[a=yes]=0.2"]["probability"] == pytest.approx(0.2)
    assert rows["node.a=yes, cell.the-question[a=yes]=0.9"]["probability"] == pytest.approx(0.9)
    # Given a = no the cell does not matter: the row is P(the-question | a = no).
    prep = run_network(KIND.prepare(load_question(path)), sample=False, draws=500).prep
    exact = analyse(prep, Query(given={"a": "no"})).probability("the-question")
    for v in ("0.2", "0.9"):
        row = rows[f"node.a=no, cell.the-question[a=yes]={v}"]
        assert abs(row["probability"] - exact) <= 4 * row["mcse"] + 1e-9
        assert row["lo80"] <= exact <= row["hi80"]


def test_do_and_given_rows_differ_as_the_enumeration_says(tmp_path: Path) -> None:
    event(tmp_path, "the-question", status="open")
    text = GOOD.replace(
        "  - question: the-question\n", "  - id: b\n    title: B\n    resolution: B.\n"
    )
    text += "  - question: the-question\n    parents: [a, b]\n    independent_of: [a]\n"
    for state, p in (("yes", 0.7), ("no", 0.2)):
        text += "    table:\n" if state == "yes" else ""
        text += f"      - when: {{b: {state}}}\n"
        text += f"        experts: [{{name: a, judgement: {{probability: {p}, strength: 30}}}}]\n"
    path = write(tmp_path, text)
    result = CliRunner().invoke(
        app, ["sweep", str(path), "--grid", "do.b=yes", "--grid", "node.a=no"]
    )
    assert result.exit_code == 0, result.output
    [row] = map(json.loads, result.stdout.splitlines())
    prep = run_network(KIND.prepare(load_question(path)), sample=False, draws=500).prep
    exact = analyse(prep, Query(given={"a": "no"}, do={"b": "yes"})).probability("the-question")
    assert abs(row["probability"] - exact) <= 4 * row["mcse"] + 1e-9
