"""Dates the calendar has overtaken: warnings from check, run, list and watch."""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from forecast import staleness
from forecast.cli import app
from forecast.errors import UsageError
from forecast.kinds.event import summary as event_summary
from forecast.questions.loader import load_question
from tests.conftest import PRIORS, TODAY

runner = CliRunner()

EVENT = """\
format: 1
kind: event
title: A test question
resolution: Resolves yes if the test event happens, as the test says.
deadline: {deadline}
{extra}
experts:
  - name: Analyst
    judgement: {{probability: 0.2, strength: 10}}
"""

SCHEDULED = """\
format: 1
kind: time-to-event
title: A scheduled question
resolution: Resolves yes if the test event happens at a meeting.
deadline: 2028-12-31
horizon: 2030-12-31
as_of: {as_of}
{extra}
opportunities:
  dates: [2024-06-01, 2025-06-01, 2026-06-01]
  every_months: 12
experts:
  - name: Analyst
    judgement: {{probability: 0.1, strength: 20}}
"""


def _write(tmp_path: Path, text: str, name: str = "q") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _event(tmp_path: Path, deadline: str = "2030-01-01", extra: str = "", name: str = "q") -> Path:
    return _write(tmp_path, EVENT.format(deadline=deadline, extra=extra), name)


def _kinds(path: Path, on: str = TODAY, days: int | None = None) -> list[str]:
    q = load_question(path)
    return [w.kind for w in staleness.warnings_for(q, on=dt.date.fromisoformat(on), days=days)]


def test_today_is_the_clock_unless_pinned(monkeypatch: pytest.MonkeyPatch) -> None:
    assert staleness.today() == dt.date.fromisoformat(TODAY)
    monkeypatch.delenv("FORECAST_TODAY")
    assert staleness.today() == dt.date.today()
    monkeypatch.setenv("FORECAST_TODAY", "2026-02-30")
    with pytest.raises(UsageError, match="FORECAST_TODAY must be a date"):
        staleness.today()


def test_a_fresh_file_has_no_warning(tmp_path: Path) -> None:
    assert _kinds(_event(tmp_path, extra="created: 2026-11-01")) == []
    assert _kinds(_event(tmp_path)) == []  # nothing dated: nothing to be old


def test_passed_deadline_of_an_open_question(tmp_path: Path) -> None:
    path = _event(tmp_path, deadline="2026-11-30")
    assert _kinds(path) == ["deadline-passed"]
    assert _kinds(path, on="2026-11-30") == []  # the deadline day itself is not past
    resolved = _write(tmp_path, path.read_text().replace("deadline:", "status: 'no'\ndeadline:"))
    assert _kinds(resolved) == []


def test_a_resolved_question_needs_no_newer_facts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Old facts and a passed meeting matter while the question is open; once resolved,
    only a date that is wrong in itself (created after the deadline) is worth a word."""
    old = _event(tmp_path, extra="as_of: 2025-01-01\nstatus: 'yes'", name="old")
    assert _kinds(old) == []
    path = _write(tmp_path, SCHEDULED.format(as_of="2025-06-01", extra="status: 'no'"))
    assert _kinds(path, on="2027-07-01") == []
    wrong = _event(tmp_path, extra="created: 2030-02-01\nstatus: annulled", name="wrong")
    assert _kinds(wrong, on="2031-01-01") == ["created-after-deadline"]
    monkeypatch.setenv("FORECAST_LEDGER", str(tmp_path / "none.sqlite"))
    due = runner.invoke(app, ["list", str(tmp_path), "--due"]).stdout.split()
    assert "old" not in due and "q" not in due and "wrong" in due


def test_created_after_the_deadline(tmp_path: Path) -> None:
    path = _event(tmp_path, deadline="2030-01-01", extra="created: 2030-02-01")
    assert "created-after-deadline" in _kinds(path, on="2029-06-01")


def test_facts_older_than_the_threshold(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = _event(tmp_path, extra="as_of: 2026-06-01")  # 183 days before 2026-12-01
    assert _kinds(path) == ["facts-old"]
    assert _kinds(path, days=200) == []
    monkeypatch.setenv("FORECAST_STALE_DAYS", "200")
    assert _kinds(path) == []
    monkeypatch.setenv("FORECAST_STALE_DAYS", "0")
    with pytest.raises(UsageError, match="FORECAST_STALE_DAYS"):
        _kinds(path)


def test_facts_date_falls_back_to_created_then_sources(tmp_path: Path) -> None:
    created = load_question(_event(tmp_path, extra="created: 2026-01-02\nas_of: 2026-03-04"))
    assert staleness.facts_as_of(created.spec) == (dt.date(2026, 3, 4), "as_of")
    created = load_question(_event(tmp_path, extra="created: 2026-01-02"))
    assert staleness.facts_as_of(created.spec) == (dt.date(2026, 1, 2), "created")
    sourced = "sources:\n  - {title: a, date: 2025-01-01}\n  - {title: b, date: 2025-05-01}"
    q = load_question(_event(tmp_path, extra=sourced))
    assert staleness.facts_as_of(q.spec) == (dt.date(2025, 5, 1), "sources")


def test_each_opportunity_between_as_of_and_today(tmp_path: Path) -> None:
    path = _write(tmp_path, SCHEDULED.format(as_of="2025-06-01", extra=""))
    q = load_question(path)
    found = staleness.warnings_for(q, on=dt.date(2027, 7, 1), days=10_000)
    # The listed 2026-06-01 and the repeated 2027-06-01; not 2025-06-01 (on as_of, data).
    assert [(w.kind, w.date) for w in found] == [
        ("opportunity-passed", dt.date(2026, 6, 1)),
        ("opportunity-passed", dt.date(2027, 6, 1)),
    ]
    listed, repeated = found
    assert (listed.field, listed.line) == ("opportunities.dates[2]", 10)
    assert repeated.field == "opportunities.every_months"
    assert "move as_of past 2026-06-01" in (listed.hint or "")
    assert "forecast resolve q yes" in (listed.hint or "")
    assert staleness.warnings_for(q, on=dt.date(2026, 6, 1), days=10_000) == []


def test_a_known_gap_gives_the_files_reason(tmp_path: Path) -> None:
    gaps = textwrap.dedent(
        """\
        known_gaps:
          - kind: opportunity-passed
            date: 2026-06-01
            why: The 2026 meeting has not been reported.
        """
    )
    path = _write(tmp_path, SCHEDULED.format(as_of="2025-06-01", extra=gaps))
    found = staleness.warnings_for(load_question(path), on=dt.date(2027, 7, 1), days=10_000)
    whys = {w.date: w.why for w in found}
    assert whys == {
        dt.date(2026, 6, 1): "The 2026 meeting has not been reported.",
        dt.date(2027, 6, 1): None,  # the gap names one opportunity, not the next
    }
    assert found[0].lines()[1] == "  the file says: The 2026 meeting has not been reported."


def test_a_known_gap_of_an_unknown_kind_is_refused(tmp_path: Path) -> None:
    path = _event(tmp_path, extra="known_gaps: [{kind: old, why: x}]")
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 1
    assert "known_gaps[0].kind: must be 'opportunity-passed'" in result.stdout


def test_check_warns_on_stderr_and_in_json(tmp_path: Path) -> None:
    path = _event(tmp_path, deadline="2026-01-31", extra="created: 2026-03-01")
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 0
    assert result.stdout.startswith("ok  ")
    assert f"warning: {path}:5:11 deadline: the deadline 2026-01-31 has passed" in result.stderr
    assert "created 2026-03-01 is after the deadline 2026-01-31" in result.stderr
    result = runner.invoke(app, ["check", str(path), "--format", "json"])
    (row,) = [json.loads(line) for line in result.stdout.splitlines()]
    kinds = [w["kind"] for w in row["warnings"]]
    assert kinds == ["deadline-passed", "created-after-deadline", "facts-old"]
    assert row["warnings"][0]["line"] == 5 and row["warnings"][0]["date"] == "2026-01-31"


def test_stale_after_option(tmp_path: Path) -> None:
    path = _event(tmp_path, extra="as_of: 2026-10-01")
    assert "facts-old" not in runner.invoke(app, ["check", str(path)]).stderr
    result = runner.invoke(app, ["check", str(path), "--stale-after", "30"])
    assert "the facts are as of 2026-10-01, 61 days ago (more than 30)" in result.stderr


def test_list_due_shows_only_what_needs_attention(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORECAST_LEDGER", str(tmp_path / "none.sqlite"))
    _event(tmp_path, name="fresh", extra="created: 2026-11-01")
    _event(tmp_path, name="overdue", deadline="2026-06-30")
    result = runner.invoke(app, ["list", str(tmp_path), "--due"])
    assert result.exit_code == 0
    assert "overdue" in result.stdout and "fresh" not in result.stdout
    assert "deadline: the deadline 2026-06-30 has passed" in result.stdout
    assert "forecast resolve overdue" in result.stdout
    result = runner.invoke(app, ["list", str(tmp_path), "--format", "json"])
    rows = {r["id"]: r for r in map(json.loads, result.stdout.splitlines())}
    assert rows["fresh"]["warnings"] == []
    assert [w["kind"] for w in rows["overdue"]["warnings"]] == ["deadline-passed"]
    assert "warning: " in result.stderr  # the plain list warns on stderr
    result = runner.invoke(app, ["list", str(tmp_path), "--due", "--format", "json"])
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == ["overdue"]


def test_list_due_with_nothing_due(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORECAST_LEDGER", str(tmp_path / "none.sqlite"))
    _event(tmp_path, name="fresh", extra="created: 2026-11-01")
    result = runner.invoke(app, ["list", str(tmp_path), "--due"])
    assert result.exit_code == 0
    assert result.stdout.startswith("nothing due")


def test_watch_warns_on_each_pass(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from forecast.cli.watch import Watcher

    path = _event(tmp_path, deadline="2026-06-30")
    shown: list[object] = []

    class Fake:
        probability = 0.2

    watcher = Watcher(path, lambda q: Fake(), show=shown.append)
    watcher.tick()
    assert "deadline: the deadline 2026-06-30 has passed" in capsys.readouterr().err


def test_shipped_files_say_why_for_every_warning() -> None:
    """What `make demo` and `forecast check priors/` warn about, each file explains."""
    for path in sorted(PRIORS.glob("*.yaml")):
        for w in staleness.warnings_for(load_question(path)):
            assert w.why, f"{path.name}: {w.kind} ({w.message}) without a known_gaps reason"


def test_shipped_scheduled_question_has_no_placeholder_in_the_future() -> None:
    """The 2026 meeting has no reported date: the file says so rather than list one."""
    q = load_question(PRIORS / "turkiye-joins-consultative-meeting.yaml")
    found = staleness.warnings_for(q)
    assert [w.kind for w in found] == ["opportunity-passed", "facts-old"]
    assert found[0].date == dt.date(2026, 11, 16) and "no reported date" in (found[0].why or "")


def _fabricated(tmp_path: Path, extra: str, deadline: str = "2030-01-01"):  # type: ignore[no-untyped-def]
    """A forecast summarised from fabricated draws (no sampling)."""
    import numpy as np
    from arviz_base import from_dict

    from forecast.inference import SamplerSettings
    from forecast.kinds.event import model as event

    q = load_question(_event(tmp_path, deadline=deadline, extra=extra))
    p = np.random.default_rng(0).beta(2.0, 8.0, size=(2, 500))
    idata = from_dict(
        {"posterior": {"p": p, "q": p}, "sample_stats": {"diverging": np.zeros((2, 500), bool)}}
    )
    inputs = event.prepare(q.spec)  # type: ignore[arg-type]
    return event_summary.summarise(q, inputs, idata, SamplerSettings(draws=500, chains=2, seed=1))


def test_every_report_header_says_how_old_the_facts_are(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    from rich.console import Console

    from forecast.render.html import page
    from forecast.render.markdown import render
    from forecast.render.report import Report

    monkeypatch.setattr(event_summary, "check_against_exact", lambda diag, *_: diag)
    f = _fabricated(tmp_path, "as_of: 2026-03-04")
    buf = io.StringIO()
    Console(file=buf, width=100, color_system=None).print(Report(f))
    header = buf.getvalue().split("\n\n")[0]
    assert "facts as of 2026-03-04" in header
    assert "facts as of 2026-03-04" in render(f).split("\n\n")[1]
    assert "deadline 2030-01-01 · open · facts as of 2026-03-04</p>" in page(f)
    assert f.to_dict()["question"]["facts_as_of"] == "2026-03-04"
    assert "facts undated" in render(_fabricated(tmp_path, ""))


def test_run_json_carries_the_warnings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from forecast import engine

    monkeypatch.setattr(event_summary, "check_against_exact", lambda diag, *_: diag)
    fabricated = _fabricated(tmp_path, "as_of: 2026-03-04", deadline="2026-10-31")
    monkeypatch.setattr(engine, "run", lambda *a, **k: fabricated)
    result = runner.invoke(app, ["run", str(tmp_path / "q.yaml"), "--format", "json"])
    assert result.exit_code == 0, result.output
    (obj,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert [w["kind"] for w in obj["warnings"]] == ["deadline-passed", "facts-old"]
    assert "warning: " in result.stderr and "has passed" in result.stderr
