"""Output reads well at any width: no number, identifier or name is split, and layouts
fold or stack instead (the width comes from COLUMNS, as off a terminal)."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from forecast.cli import app
from forecast.questions.loader import load_many
from tests.conftest import PRIORS

runner = CliRunner()


def _words(text: str) -> set[str]:
    """Every run of non-blank characters between box-drawing and spaces."""
    return set(re.split(r"[\s│┃━╇─┼]+", text))


@pytest.mark.parametrize("width", [100, 120, 160])
def test_list_is_a_table_from_100_columns_with_titles_whole(width: int) -> None:
    result = runner.invoke(app, ["list", str(PRIORS)], env={"COLUMNS": str(width)})
    assert result.exit_code == 0, result.output
    assert "latest forecast" in result.stdout and "┃" in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= width
    words = _words(result.stdout)
    questions, _ = load_many([PRIORS])
    for q in questions:
        assert q.id in words, q.id
        for word in q.spec.title.split():
            assert word in words, (q.id, word)


def test_list_below_100_columns_is_three_lines_a_question() -> None:
    result = runner.invoke(app, ["list", str(PRIORS)], env={"COLUMNS": "99"})
    assert "┃" not in result.stdout and "· deadline " in result.stdout


# ---------------------------------------------------------------- reports


def _tokens(f) -> set[str]:  # type: ignore[no-untyped-def]
    """Numbers, identifiers and names a report of ``f`` shows, each of which must stay whole."""
    from forecast.render import fmt

    out = {fmt.pct(f.probability), fmt.odds(f.probability), fmt.mc_error(f.mcse), f.question_id}
    for mass in (0.8, 0.95):
        out |= {fmt.pct(f.interval(mass).lo), fmt.pct(f.interval(mass).hi)}
    for s in f.steps:
        out.add(fmt.pct(s.after))
        if s.kind != "experts":
            out.add(fmt.pp(s.delta))
    for e in f.experts:
        out |= {e.name, e.fitted.describe(), fmt.pct(e.implies["mean"])}
    for e in f.evidence:
        out.add(e.id)
    for p in f.to_dict().get("curve", ()):
        out |= {p["date"], fmt.pct(p["probability"]), fmt.pct(p["lo"]), fmt.pct(p["hi"])}
    for s in f.to_dict().get("scenarios", ()):
        out |= {s["name"], fmt.pct(s["probability"])}
    for s in f.to_dict().get("swings", ()):
        out |= {s["driver"], fmt.pp(s["swing"]), fmt.pct(s["off"]), fmt.pct(s["on"])}
    from forecast import sensitivity

    table = sensitivity.table(f)
    for row in table.rows if table is not None else ():
        out |= {row.label, fmt.pct(row.forecast)}
    return {t for t in out if t}


@pytest.mark.parametrize("width", [60, 80, 120])
@pytest.mark.parametrize("kind", ["event", "drivers", "scheduled", "hazard"])
def test_every_report_keeps_every_number_whole(tmp_path, kind: str, width: int) -> None:  # type: ignore[no-untyped-def]
    import io

    from rich.console import Console

    from forecast.render.report import Report
    from tests.test_report_parity import _forecast

    f = _forecast(tmp_path, kind)
    buf = io.StringIO()
    Console(file=buf, width=width, color_system=None).print(Report(f))
    text = buf.getvalue()
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= width
    for token in _tokens(f):
        assert any(token in line for line in lines), (kind, width, token)
    # rich's ellipsis marks a cut cell: none (the tornado's axis "a … b" is spaced)
    assert not re.search(r"\S…", text), (kind, width)
    if width == 60:  # stacked: no table's header rule
        assert "╇" not in text


def test_messages_on_stderr_are_not_wrapped(capsys: pytest.CaptureFixture[str]) -> None:
    from forecast.cli._common import err

    message = "warning: " + " ".join(f"word{i}" for i in range(60))
    err().print(message, markup=False, highlight=False)
    assert capsys.readouterr().err == message + "\n"


@pytest.mark.parametrize("width", [60, 80, 120])
def test_show_keeps_names_and_fits_whole(width: int) -> None:
    questions, _ = load_many([PRIORS])
    for q in questions:
        result = runner.invoke(app, ["show", str(q.path)], env={"COLUMNS": str(width)})
        assert result.exit_code == 0, result.output
        lines = result.stdout.splitlines()
        assert max(len(line) for line in lines) <= width, q.id
        assert not re.search(r"\S…", result.stdout), (q.id, width)
        shown = runner.invoke(app, ["show", str(q.path), "--format", "json"])
        import json

        data = json.loads(shown.stdout)
        for e in data.get("experts", ()):
            assert any(e["name"] in line for line in lines), (q.id, width, e["name"])
        for e in data.get("positive_judgements", ()):
            assert any(e["id"] in line for line in lines), (q.id, width, e["id"])
