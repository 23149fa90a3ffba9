"""What `forecast resolve` refuses or warns about: an early no, late forecasts, an
unknown outcome word."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from forecast.cli import app
from forecast.ledger import open_ledger
from forecast.questions.loader import load_question
from tests.test_ledger import PRIORS, make, when

runner = CliRunner()


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A priors folder with q1 (deadline 2030-01-01) and q2 (deadline 2026-06-30)."""
    monkeypatch.chdir(tmp_path)
    ledger = tmp_path / "ledger.sqlite"
    monkeypatch.setenv("FORECAST_LEDGER", str(ledger))
    (tmp_path / "priors").mkdir()
    (tmp_path / "priors" / "q1.yaml").write_text(PRIORS, encoding="utf-8")
    past = PRIORS.replace("deadline: 2030-01-01", "deadline: 2026-06-30")
    (tmp_path / "priors" / "q2.yaml").write_text(past, encoding="utf-8")
    return ledger, tmp_path / "priors"


def _said(result: object) -> str:
    return " ".join(result.stderr.split())  # type: ignore[attr-defined]


def test_no_before_the_deadline_is_refused(setup: tuple[Path, Path]) -> None:
    ledger, priors = setup
    result = runner.invoke(app, ["resolve", "q1", "no"])  # today 2026-12-01 < 2030-01-01
    assert result.exit_code == 1
    said = _said(result)
    assert "q1 cannot resolve no on 2026-12-01, before its deadline 2030-01-01" in said
    assert "--force --reason TEXT" in said
    if ledger.exists():
        with open_ledger(ledger, write=False) as book:
            assert book.resolutions() == {}
    assert load_question(priors / "q1.yaml").spec.status == "open"
    forced = runner.invoke(app, ["resolve", "q1", "no", "--force"])
    assert forced.exit_code == 1 and "--force needs --reason TEXT" in _said(forced)
    blank = runner.invoke(app, ["resolve", "q1", "no", "--force", "--reason", "  "])
    assert blank.exit_code == 1


def test_an_early_no_with_a_reason_is_kept_in_the_ledger(setup: tuple[Path, Path]) -> None:
    ledger, priors = setup
    why = "the summit format was dissolved on 2026-10-01"
    result = runner.invoke(app, ["resolve", "q1", "no", "--force", "--reason", why])
    assert result.exit_code == 0, result.output
    with open_ledger(ledger, write=False) as book:
        assert book.resolutions()["q1"].reason == why
        assert [r.reason for r in book.resolution_log("q1")] == [why]
    assert load_question(priors / "q1.yaml").spec.status == "no"
    out = Path("ledger.csv")
    assert runner.invoke(app, ["export", "--format", "csv", "--out", str(out)]).exit_code == 0
    assert why in out.read_text(encoding="utf-8")


def test_no_on_or_after_the_deadline_and_yes_at_any_time(setup: tuple[Path, Path]) -> None:
    assert runner.invoke(app, ["resolve", "q2", "no", "--date", "2026-06-30"]).exit_code == 0
    assert runner.invoke(app, ["resolve", "q1", "yes", "--date", "2026-03-01"]).exit_code == 0
    assert runner.invoke(app, ["resolve", "q1", "annulled"]).exit_code == 0


def test_forecasts_after_the_resolution_date_are_named(setup: tuple[Path, Path]) -> None:
    ledger, _ = setup
    with open_ledger(ledger) as book:
        book.record(make(at=when(2)))  # 2026-02-01
        book.record(make(at=when(5)))  # 2026-05-01
        book.record(make(at=when(6)))  # 2026-06-01
    result = runner.invoke(app, ["resolve", "q1", "yes", "--date", "2026-04-15"])
    assert result.exit_code == 0, result.output
    said = _said(result)
    assert "warning: 2 of the 3 recorded forecasts of q1 were made after 2026-04-15" in said
    assert "(the first on 2026-05-01)" in said and "forecast score leaves them out" in said
    score = runner.invoke(app, ["score", "--format", "json"])
    (data,) = [json.loads(line) for line in score.stdout.splitlines()]
    (counted,) = data["questions"]
    assert counted["forecasts"] == 1  # the two late ones are left out, as the warning says
    quiet = runner.invoke(app, ["resolve", "q1", "yes", "--date", "2026-06-02"])
    assert "warning" not in quiet.stderr


def test_the_late_forecasts_named_are_those_score_leaves_out(setup: tuple[Path, Path]) -> None:
    """Forecasts recorded under an earlier deadline (the file was extended since) stop
    counting at that deadline, in score and in the warning alike."""
    ledger, _ = setup
    with open_ledger(ledger) as book:
        book.record(make(at=when(2), deadline=dt.date(2026, 3, 1)))  # counts
        book.record(make(at=when(3, 15), deadline=dt.date(2026, 3, 1)))  # after that deadline
    result = runner.invoke(app, ["resolve", "q1", "yes", "--date", "2026-04-15"])
    assert result.exit_code == 0, result.output
    said = _said(result)
    assert "1 of the 2 recorded forecasts of q1 were made after 2026-03-01" in said, said
    assert "the deadline they were made for" in said
    score = runner.invoke(app, ["score", "--format", "json"])
    (data,) = [json.loads(line) for line in score.stdout.splitlines()]
    assert [q["forecasts"] for q in data["questions"]] == [1]
    annulled = runner.invoke(app, ["resolve", "q1", "annulled", "--date", "2026-04-15"])
    assert "warning" not in annulled.stderr  # an annulled question is not scored at all


@pytest.mark.parametrize("word", ["maybe", "y", "nope", ""])
def test_an_unknown_outcome_word_is_refused_cleanly(setup: tuple[Path, Path], word: str) -> None:
    result = runner.invoke(app, ["resolve", "q1", word])
    assert result.exit_code == 2
    first = result.stderr.splitlines()[0]
    assert first == f"Error: unknown outcome {word!r}: give yes, no or annulled"
    assert "Value error" not in result.stderr


def test_outcome_words_in_any_case(setup: tuple[Path, Path]) -> None:
    ledger, _ = setup
    assert runner.invoke(app, ["resolve", "q1", "YES", "--date", "2026-03-01"]).exit_code == 0
    with open_ledger(ledger, write=False) as book:
        res = book.resolutions()["q1"]
    assert (res.outcome, res.resolved_on) == ("yes", dt.date(2026, 3, 1))


def test_every_backend_keeps_the_reason(ledger_url: str) -> None:
    from forecast.ledger import Resolution

    why = "the format was dissolved"
    with open_ledger(ledger_url) as book:
        book.resolve(Resolution("q1", "no", dt.date(2026, 3, 1), when(3), why))
        book.resolve(Resolution("q2", "yes", dt.date(2026, 3, 1), when(3)))
        assert book.resolutions()["q1"].reason == why
        assert book.resolutions()["q2"].reason is None
        assert [r.reason for r in book.resolution_log("q1")] == [why]


def test_every_backend_merges_the_reason(ledger_url: str, tmp_path: Path) -> None:
    from forecast.ledger import Resolution

    why = "the format was dissolved"
    source = tmp_path / "source.sqlite"
    with open_ledger(source) as book:
        book.resolve(Resolution("q1", "no", dt.date(2026, 3, 1), when(3), why))
        log = book.resolution_log()
    with open_ledger(ledger_url) as other:
        assert other.merge([], log) == (0, 1)
        assert other.resolutions()["q1"].reason == why
        assert [r.reason for r in other.resolution_log("q1")] == [why]
