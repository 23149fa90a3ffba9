"""`forecast score`'s tables share one sign for the log score and print amounts without
scientific notation; `report --ledger` draws no calibration plot from fewer resolved
questions than `score` judges calibration from."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import math
from pathlib import Path

import pytest
from rich.console import Console
from scipy import stats
from typer.testing import CliRunner

from forecast.cli import app
from forecast.cli.score import AMOUNTS_NOTE, _amounts_view, amount, ln_density
from forecast.corp import MIN_QUESTIONS
from forecast.ledger import Resolution, open_ledger
from forecast.ledger.render import score_view
from tests.conftest import EVENT_HEADER
from tests.test_ledger import make, when

runner = CliRunner()


def _text(renderable: object) -> str:
    buf = io.StringIO()
    Console(file=buf, width=120, color_system=None).print(renderable)
    return buf.getvalue()


def test_amounts_read_as_numbers_and_their_log_in_the_events_sign() -> None:
    # A normal forecast N(23000, 1500) scored at 24000: ln density from SciPy.
    ln_pdf = float(stats.norm(23000.0, 1500.0).logpdf(24000.0))
    row: dict[str, object] = {
        "question": "kz-u",
        "kind": "quantity",
        "value": 24000.0,
        "median": 22970.3,
        "crps": 1234.4,
        "log_score": -ln_pdf,  # the JSON's: the negative log density, lower is better
    }
    assert ln_density(row) == pytest.approx(ln_pdf)
    shown = _text(_amounts_view([row]))
    assert "24,000" in shown and "22,970" in shown and "1,234" in shown
    assert f"{ln_pdf:.4g}" in shown and ln_pdf < 0  # the sign of the events' ln P
    assert "e+" not in shown and "┏" not in shown  # no scientific notation, no outer edge
    assert "ln density" in AMOUNTS_NOTE and "higher is better" in AMOUNTS_NOTE


@pytest.mark.parametrize(
    ("x", "text"), [(23000.0, "23,000"), (850.0, "850.0"), (0.12301, "0.1230"), (0.0, "0")]
)
def test_amount_has_four_significant_digits(x: float, text: str) -> None:
    assert amount(x) == text
    assert math.isclose(float(text.replace(",", "")), x, rel_tol=5e-4)


def _ledger(path: Path, resolved: int) -> str:
    with open_ledger(path) as book:
        for i in range(resolved):
            q = f"q{i}"
            book.record(dataclasses.replace(make(question=q, at=when(1)), probability=0.3))
            outcome = "yes" if i % 3 == 0 else "no"
            book.resolve(Resolution(q, outcome, dt.date(2026, 6, 1), when(6)))
    return str(path)


def test_the_events_table_says_higher_is_better(tmp_path: Path) -> None:
    from forecast.ledger import evaluate

    with open_ledger(_ledger(tmp_path / "l.sqlite", 3), write=False) as book:
        rep = evaluate.report(book.forecasts(light=True), book.resolutions())
    said = " ".join(_text(score_view(rep)).split())
    assert "log: ln P(what happened), higher is better" in said


@pytest.mark.parametrize("resolved", [MIN_QUESTIONS - 1, MIN_QUESTIONS])
def test_report_draws_calibration_only_from_as_many_as_score_judges(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, resolved: int
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "q.yaml").write_text(
        EVENT_HEADER + "experts:\n  - name: a\n    judgement: {probability: 0.2, strength: 10}\n",
        encoding="utf-8",
    )
    ledger = _ledger(tmp_path / "l.sqlite", resolved)
    args = ["report", "q.yaml", "--ledger", ledger, "--out", "rep", "--method", "exact"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    drawn = (tmp_path / "rep" / "calibration.png").exists()
    assert drawn is (resolved >= 10)
    if not drawn:
        said = " ".join(result.stderr.split())
        assert f"no calibration plot: {resolved} resolved questions" in said
        assert "judged from 10" in said
