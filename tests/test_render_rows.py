"""One row model behind the terminal, markdown and HTML reports' tables; ledger tables that
never cut a number."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from typer.testing import CliRunner

from forecast.cli import app
from forecast.kinds.event import summary as event_summary
from forecast.ledger import Resolution, open_ledger
from forecast.render import rows
from forecast.render.html import page
from forecast.render.markdown import render as markdown
from forecast.render.report import Report
from forecast.render.rows import Cell, Rows
from forecast.render.safe import md
from tests.test_ledger import make, when
from tests.test_report_parity import _forecast


@pytest.fixture(autouse=True)
def _fabricated_draws_are_not_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(event_summary, "check_against_exact", lambda diag, *_: diag)


def _terminal(f: Any, width: int = 200) -> str:
    buf = io.StringIO()
    Console(file=buf, width=width, color_system=None).print(Report(f))
    return buf.getvalue()


def _visible(text: str) -> str:
    text = re.sub(r"<style>.*?</style>", " ", text, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", text)))


def test_only_keeps_the_named_columns_and_which_hold_numbers() -> None:
    r = Rows(("a", "b", "c"), ((Cell("1"), Cell("2", "up"), Cell("3")),), (1, 2))
    picked = r.only("c", "a")
    assert picked.head == ("c", "a") and picked.numeric == (0,)
    assert picked.texts() == [["3", "1"]]
    assert r.only("b").rows[0][0].tone == "up"


@pytest.mark.parametrize("kind", ["event", "drivers", "scheduled"])
def test_every_renderer_shows_the_cells_of_the_one_row_model(tmp_path: Path, kind: str) -> None:
    f = _forecast(tmp_path, kind)
    terminal, web, mark = _terminal(f), _visible(page(f)), markdown(f)
    shown = {
        "terminal": (terminal, {"signal", "implies"}),
        "html": (web, set()),
        "markdown": (mark, {"judgement", "implies"}),
    }
    tables = [rows.moves(f), rows.experts(f), rows.headline(f)]
    if f.evidence:
        tables.append(rows.evidence(f))
    for table in tables:
        assert table.rows, table.head
        for where, (text, left_out) in shown.items():
            if where == "markdown" and table.head == ("", ""):
                continue  # the markdown headline is a list of its own words
            for row in table.rows:
                for head, cell in zip(table.head, row, strict=True):
                    if head in left_out or not cell.text:
                        continue
                    want = cell.short if where == "markdown" and cell.short else cell.text
                    if where == "markdown":
                        want = md(want)
                    flat = " ".join(want.split())
                    assert flat in " ".join(text.split()), (where, head, want)


def test_the_base_rate_row_names_its_cases_and_markdown_keeps_the_short_name(
    tmp_path: Path,
) -> None:
    f = _forecast(tmp_path, "event")
    (base,) = [row for row in rows.moves(f).rows if (row[0].short or "") == "base rate"]
    assert base[0].text == "base rate 1/8, weight 0.5 (as 4 cases)"
    assert "| base rate |" in markdown(f) and base[0].text in _terminal(f)
    assert base[0].text in _visible(page(f))


def test_a_fall_and_a_rise_are_toned_in_every_renderer(tmp_path: Path) -> None:
    f = _forecast(tmp_path, "drivers")
    tones = {row[1].text: row[1].tone for row in rows.moves(f).rows if row[1].text}
    assert {"up", "down"} <= set(tones.values())
    web = page(f)
    for change, tone in tones.items():
        assert f'<span class="{tone}">{html.escape(change)}</span>' in web
    buf = io.StringIO()
    Console(file=buf, width=200, color_system="truecolor", force_terminal=True).print(Report(f))
    coloured = buf.getvalue()
    for change, tone in tones.items():
        colour = "32" if tone == "up" else "31"  # green, red
        assert re.search(rf"\x1b\[{colour}m *{re.escape(change)}", coloured), (change, tone)


def _scored_ledger(path: Path) -> Path:
    records = [
        make(question=f"s{q}", at=when(1 + j, 1 + q), residual=(q % 5) / 10 - 0.2, analyst=who)
        for q in range(12)
        for j, who in enumerate(("Aigerim", "Bekzat"))
    ]
    log = [Resolution(f"s{q}", "yes" if q % 3 else "no", dt.date(2026, 12, 31), when(12)) for q in
           range(12)]  # fmt: skip
    with open_ledger(path) as book:
        book.merge(records, log)
    return path


@pytest.mark.parametrize("width", ["60", "72"])
def test_score_and_history_cut_no_number_on_a_narrow_terminal(tmp_path: Path, width: str) -> None:
    ledger = str(_scored_ledger(tmp_path / "ledger.sqlite"))
    runner = CliRunner()
    env = {"COLUMNS": width}
    for args in (["score", "--by", "analyst"], ["history", "s3"]):
        result = runner.invoke(app, [*args, "--ledger", ledger], env=env)
        assert result.exit_code == 0, result.output
        assert "…" not in result.stdout, args
        assert max(len(line) for line in result.stdout.splitlines()) <= int(width), args
    text = runner.invoke(app, ["score", "--format", "json", "--ledger", ledger]).stdout
    import json

    brier = json.loads(text)["brier"]
    narrow = runner.invoke(app, ["score", "--ledger", ledger], env=env).stdout
    assert f"{brier:.4g}" in narrow
