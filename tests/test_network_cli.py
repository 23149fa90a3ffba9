"""forecast check / run on a network: located problems, JSON, --given and --do."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from forecast.cli import app
from tests.test_network_spec import GOOD, event, write


def _net(tmp_path: Path, status: str = "open") -> Path:
    event(tmp_path, "the-question", status=status)
    return write(tmp_path, GOOD)


def test_check_validates_and_compares_without_sampling(tmp_path: Path) -> None:
    path = _net(tmp_path)
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 0, result.output
    assert "ok  " in result.stdout
    assert "coherence the-question: own 30." in result.stdout  # Beta(3, 7), by quadrature
    result = CliRunner().invoke(app, ["check", str(path), "--format", "json"])
    line = json.loads(result.stdout.splitlines()[0])
    assert line["ok"] and line["coherence"]["gaps"][0]["node"] == "the-question"


def test_check_names_an_unknown_question_at_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD)  # the-question.yaml is missing
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 1
    assert "net.yaml:11:15 nodes[1].question: no question 'the-question'" in result.output


def test_run_json_says_what_was_asked(tmp_path: Path) -> None:
    path = _net(tmp_path)
    runner = CliRunner()
    seen = runner.invoke(app, ["run", str(path), "--format", "json", "--given", "the-question=yes"])
    done = runner.invoke(app, ["run", str(path), "--format", "json", "--do", "the-question=yes"])
    assert seen.exit_code == 0 and done.exit_code == 0, seen.output + done.output
    s, d = json.loads(seen.stdout), json.loads(done.stdout)
    assert s["question"]["kind"] == "network" and s["network"]["asked"] == "conditioning"
    assert d["network"]["asked"] == "intervention"
    # P(a | the-question = yes) by Bayes' rule on the tables' means; do() leaves a at 0.3.
    p = 0.3 * 0.6 / (0.3 * 0.6 + 0.7 * 0.1)
    a_seen = next(n for n in s["network"]["nodes"] if n["id"] == "a")["marginal"][0]
    a_done = next(n for n in d["network"]["nodes"] if n["id"] == "a")["marginal"][0]
    assert abs(a_seen["probability"] - p) < 1e-9
    assert abs(a_done["probability"] - 0.3) < 1e-9
    # The headline is the target's: the-question, set to yes.
    assert d["probability"] == 1.0


def test_a_condition_on_an_unknown_node_is_one_clean_error(tmp_path: Path) -> None:
    path = _net(tmp_path)
    result = CliRunner().invoke(app, ["run", str(path), "--given", "the-questoin=yes"])
    assert result.exit_code == 1
    assert "no node is called 'the-questoin' (did you mean 'the-question'?)" in result.output
    assert "Traceback" not in result.output
    result = CliRunner().invoke(app, ["run", str(path), "--do", "a"])
    assert result.exit_code == 2 and "write NODE=STATE" in result.output


def test_a_resolved_question_is_evidence(tmp_path: Path) -> None:
    path = _net(tmp_path, status="yes")
    result = CliRunner().invoke(app, ["run", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    net = json.loads(result.stdout)["network"]
    assert net["evidence"] == {"the-question": "yes"}
    a = next(n for n in net["nodes"] if n["id"] == "a")["marginal"][0]["probability"]
    assert abs(a - 0.3 * 0.6 / (0.3 * 0.6 + 0.7 * 0.1)) < 1e-9


def test_markdown_report_has_the_network_sections(tmp_path: Path) -> None:
    path = _net(tmp_path)
    result = CliRunner().invoke(app, ["run", str(path), "--format", "markdown"])
    assert result.exit_code == 0, result.output
    for title in ("### Graph", "### Marginals", "### Coherence", "### Cells that move"):
        assert title in result.stdout
    assert "the\\-question" in result.stdout or "the-question" in result.stdout


def test_show_lists_the_cells_and_their_fits(tmp_path: Path) -> None:
    path = _net(tmp_path)
    text = CliRunner().invoke(app, ["show", str(path)], env={"COLUMNS": "160"})
    assert text.exit_code == 0, text.output
    assert "the-question[a=yes]" in text.stdout and "Beta(12, 8)" in text.stdout
    data = json.loads(CliRunner().invoke(app, ["show", str(path), "--format", "json"]).stdout)
    cells = {c["cell"]: c for c in data["cells"]}
    assert cells["the-question[a=no]"]["mean"][0] == 0.1


def test_the_html_report_draws_the_graph(tmp_path: Path) -> None:
    path = _net(tmp_path)
    out = tmp_path / "reports"
    result = CliRunner().invoke(app, ["report", str(path), "--format", "html", "--out", str(out)])
    assert result.exit_code == 0, result.output
    html = next(out.glob("*.html")).read_text(encoding="utf-8")
    assert "<svg" in html and html.count("<rect") == 2 and "<line" in html


def test_record_keeps_the_network_and_each_open_question_node(tmp_path: Path) -> None:
    path = _net(tmp_path)
    ledger = tmp_path / "ledger.sqlite"
    args = ["run", str(path), "--record", "--ledger", str(ledger), "--format", "json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    rec = json.loads(result.stdout)["record"]
    assert rec["recorded"] and [a["question"] for a in rec["also"]] == ["the-question"]
    history = CliRunner().invoke(
        app, ["history", "the-question", "--ledger", str(ledger), "--format", "json"]
    )
    assert history.exit_code == 0, history.output
    assert '"network"' in history.stdout


def test_watch_of_a_network_says_nothing_of_sampling(tmp_path: Path) -> None:
    from forecast import engine
    from forecast.cli.watch import Watcher, sampled_note
    from forecast.inference import SamplerSettings

    path = _net(tmp_path)
    shown: list[Any] = []
    models = engine.CompiledModels()
    w = Watcher(path, lambda q: models.run(q, SamplerSettings(seed=1)), show=shown.append)
    outcome = w.tick()
    assert outcome is not None and outcome.kind == "forecast", outcome
    made = next(x for x in shown if hasattr(x, "diagnostics"))
    assert made.kind == "network" and sampled_note(SamplerSettings(), made) is None
    # a sampled forecast of a kind NUTS samples still gets the note
    assert made.diagnostics.method == "exact"  # the enumeration, no sampler
    drivers = replace(made, kind="drivers", diagnostics=replace(made.diagnostics, method="nuts"))
    note = sampled_note(SamplerSettings(), drivers) or ""
    assert "watch sampling: 4 chains × 1000 draws" in note


def _node(data: dict[str, Any], node: str) -> dict[str, Any]:
    return next(n for n in data["network"]["nodes"] if n["id"] == node)


def test_a_question_resolved_in_the_ledger_is_observed_and_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import datetime as dt

    from forecast.ledger import Resolution, open_ledger

    path = _net(tmp_path)
    runner = CliRunner()
    monkeypatch.delenv("FORECAST_LEDGER", raising=False)
    given = runner.invoke(app, ["run", str(path), "-f", "json", "--given", "the-question=yes"])
    assert given.exit_code == 0, given.output
    ledger = tmp_path / "ledger.sqlite"
    with open_ledger(ledger) as book:
        when = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)
        book.resolve(Resolution("the-question", "yes", dt.date(2026, 3, 1), when))
    monkeypatch.setenv("FORECAST_LEDGER", str(ledger))
    seen = runner.invoke(app, ["run", str(path), "--format", "json"])
    assert seen.exit_code == 0, seen.output
    data, ref = json.loads(seen.stdout), json.loads(given.stdout)
    q = _node(data, "the-question")
    assert q["observed"] == "yes" and q["observed_from"] == (
        f"resolved in the ledger ({ledger}) on 2026-03-01"
    )
    # observing it is conditioning on it: A's forecast is the one --given makes
    assert _node(data, "a")["marginal"] == _node(ref, "a")["marginal"]
    rich = runner.invoke(app, ["run", str(path)], env={"COLUMNS": "200"})
    assert "observed yes (resolved in the ledger" in rich.stdout
    # the file's own status wins over the ledger
    event(tmp_path, "the-question", status="no")
    filed = json.loads(runner.invoke(app, ["run", str(path), "--format", "json"]).stdout)
    assert _node(filed, "the-question")["observed_from"] == "status in the-question.yaml"
    assert _node(filed, "the-question")["observed"] == "no"
