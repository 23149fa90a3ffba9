"""Tables keep every id, number, date and interval whole at any width: they share their
width so that values stay on one line, and stack when they cannot (README: "a table that
would have to cut a number, an identifier or a name is stacked instead")."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from rich.console import Console, RenderableType
from rich.table import Table

from forecast.portfolio.summary import Row, Summary
from forecast.render.layout import Fit
from forecast.render.summary import summary_table

LONG_IDS = (
    "abraham-accords-second-central-asian-state",
    "central-asian-state-recognises-trnc",
    "turkiye-joins-consultative-meeting",
    "us-kazakhstan-critical-minerals",
)


def _render(thing: RenderableType, width: int) -> list[str]:
    buf = io.StringIO()
    Console(file=buf, width=width, color_system=None).print(thing)
    lines = buf.getvalue().splitlines()
    assert max(len(line) for line in lines) <= width
    return lines


def _whole(lines: list[str], token: str) -> bool:
    return any(token in line for line in lines)


def test_an_interval_and_a_number_with_its_unit_are_one_piece() -> None:
    from forecast.render.layout import pieces, wrap

    assert pieces("4.4% – 29.6%") == ["4.4% – 29.6%"]
    assert pieces("moved -3.9 pp  since") == ["moved", "-3.9 pp", "since"]
    assert pieces("median 23 k tU") == ["median", "23 k", "tU"]
    from rich.text import Text

    assert wrap(Text("a 4.4% – 29.6% b"), 13).plain == "a\n4.4% – 29.6%\nb"


def test_room_goes_first_to_the_columns_that_want_least() -> None:
    from forecast.render.layout import share

    assert share(10, [3, 20, 1, 0]) == [3, 6, 1, 0]
    assert share(100, [3, 4]) == [3, 4]
    assert sum(share(7, [5, 5, 5])) == 7


def _experts() -> Table:
    """The Experts table as a run of turkmenistan-joins-ots prints it."""
    t = Table(show_edge=False, title="Experts (linear pool)")
    numeric = ("weight", "mean", "90% interval", "fit error")
    for h in ("expert", "weight", "judgement", "fit", "mean", "90% interval", "fit error"):
        t.add_column(h, justify="right" if h in numeric else "left", no_wrap=h == "fit")
    t.add_row(
        "OTS specialist", "0.33", "point + strength", "Beta(3, 17)", "15.0%", "4.4% – 29.6%", "0"
    )
    t.add_row(
        "Turkmenistan watcher", "0.33", "interval + mass", "Beta(2.86, 14.1)", "16.8%",
        "4.8% – 33.3%", "0",
    )  # fmt: skip
    t.add_row(
        "Turkish foreign-policy analyst", "0.33", "quantiles", "Beta(1.51, 4.57)", "24.9%",
        "3.7% – 55.9%", "0",
    )  # fmt: skip
    return t


@pytest.mark.parametrize("width", [90, 95, 100, 105, 110])
def test_the_experts_table_keeps_each_interval_on_one_line(width: int) -> None:
    lines = _render(Fit(_experts()), width)
    assert any("┃" in line for line in lines), "a table, not stacked: there is room"
    for interval in ("4.4% – 29.6%", "4.8% – 33.3%", "3.7% – 55.9%"):
        assert _whole(lines, interval), (width, interval)
    for word in ("Beta(1.51, 4.57)", "Turkmenistan", "foreign-policy"):
        assert _whole(lines, word), (width, word)


def test_a_table_that_was_fitted_once_renders_again_at_another_width() -> None:
    f = Fit(_experts())
    _render(f, 90)
    wide = _render(f, 140)
    assert _whole(wide, "Turkish foreign-policy analyst") and _whole(wide, "point + strength")


@pytest.mark.parametrize("width", [40, 60, 75])
def test_a_stacked_table_keeps_each_interval_whole(width: int) -> None:
    lines = _render(Fit(_experts()), width)
    assert not any("┃" in line for line in lines)
    for interval in ("4.4% – 29.6%", "4.8% – 33.3%", "3.7% – 55.9%"):
        assert _whole(lines, interval), (width, interval)


def _summary() -> Summary:
    s = Summary()
    kinds = ("event", "event", "time-to-event", "drivers")
    for qid, kind in zip(LONG_IDS, kinds, strict=True):
        s.rows.append(Row(qid, kind, 0.155, (0.000089, 0.426), "importance", True))
    s.failed("a-file-that-does-not-load-at-all", None, "invalid priors file")
    return s


@pytest.mark.parametrize("width", [50, 61, 80, 100, 111, 120, 160])
def test_the_run_summary_never_cuts_an_id_or_an_interval(width: int) -> None:
    lines = _render(summary_table(_summary()), width)
    for qid in (*LONG_IDS, "a-file-that-does-not-load-at-all"):
        assert _whole(lines, qid), (width, qid)
    assert _whole(lines, "0.0089% – 42.6%")
    table = any("┃" in line for line in lines)
    assert table is (width >= 113), width  # the table needs 113 columns; else stacked
    words = re.sub(r"[│\s]+", " ", "\n".join(lines))
    assert "failed: invalid priors file" in words  # the reason may wrap between its words
    if not table:  # compact: a heading, then the values on as few lines as fit
        assert len(lines) <= 1 + 5 * (3 if width >= 80 else 4)


def test_the_run_summary_at_100_and_80_columns_from_the_cli(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from forecast.cli import app
    from tests.conftest import PRIORS

    runner = CliRunner()
    paths = [
        str(PRIORS / f"{q}.yaml")
        for q in ("abraham-accords-second-central-asian-state", "turkmenistan-joins-ots")
    ]
    for width in (80, 100):
        result = runner.invoke(app, ["run", *paths], env={"COLUMNS": str(width)})
        assert result.exit_code == 0, result.output
        tail = result.stdout[result.stdout.rindex("Summary") :].splitlines()
        assert _whole(tail, "abraham-accords-second-central-asian-state"), width
        assert not re.search(r"│\S", "\n".join(tail))


def test_the_list_keeps_the_latest_forecast_and_its_flag_whole(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from forecast.ledger.records import Latest
    from forecast.questions.loader import load_many
    from forecast.render.questions import QuestionList
    from tests.conftest import PRIORS

    questions, _ = load_many([PRIORS])
    when = dt.datetime(2026, 12, 2, 16, 0, tzinfo=dt.UTC)
    latest = {q.id: Latest(q.id, when, 0.17, "0" * 64, q.text + "\n# edited") for q in questions}
    for width in (100, 110, 130, 99, 70):
        lines = _render(QuestionList(questions, latest), width)
        for q in questions:
            assert _whole(lines, q.id), (width, q.id)
        assert sum("2026-12-02" in line for line in lines) == len(questions), width
        text = re.sub(r"[│ ]+", " ", "\n".join(lines))
        assert text.count("changed") == len(questions) and text.count("since") == len(questions)
        assert not re.search(r"\S…", "\n".join(lines))
