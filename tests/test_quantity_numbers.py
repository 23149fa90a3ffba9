"""A quantity report's numbers read alike: an interval's two ends and a median's move to
the digits of the amount beside them, one minus sign (the ASCII one, as percentage points
use), the stacked sensitivity giving the same change as the table; a closed form says so
rather than "quadrature error 0e+00"; every table column has a heading."""

from __future__ import annotations

import io

import pytest
from rich.console import Console

from forecast import engine
from forecast.inference import Diagnostics, SamplerSettings
from forecast.kinds.quantity.report import amounts, signed
from forecast.questions.loader import load_question
from forecast.render import fmt
from forecast.render.report import Report
from tests.conftest import PRIORS


@pytest.mark.parametrize(
    ("lo", "hi", "text"),
    [
        (684.8, 4793.0, "685 – 4793"),
        (1702.0, 2792.0, "1702 – 2792"),
        (0.354, 12.41, "0.35 – 12.41"),
        (850_000.0, 2_300_000.0, "850 k – 2.3 M"),
        (21_000.0, 25_000.0, "21 k – 25 k"),
        (-65.43, 12.0, "-65.43 – 12.00"),
    ],
)
def test_both_ends_of_an_interval_have_the_same_digits(lo: float, hi: float, text: str) -> None:
    assert amounts(lo, hi) == text


@pytest.mark.parametrize(
    ("delta", "ref", "text"),
    [
        (43.12, 2226.0, "+43"),
        (-2.457, 2181.0, "-2"),
        (-0.5741, 2182.0, "-1"),
        (0.3, 2183.0, "±0"),
        (-65.4, 742.2, "-65.4"),
        (1_300.0, 23_000.0, "+1 k"),
    ],
)
def test_a_move_has_the_digits_of_the_amount_it_moves(delta: float, ref: float, text: str) -> None:
    assert signed(delta, ref) == text


def _report(f: object, width: int = 100) -> str:
    buf = io.StringIO()
    Console(file=buf, width=width, color_system=None).print(Report(f))  # type: ignore[arg-type]
    return buf.getvalue()


@pytest.fixture(scope="module")
def tungsten() -> object:
    q = load_question(PRIORS / "us-finance-kazakhstan-tungsten.yaml")
    return engine.run(q, SamplerSettings(draws=200, chains=2, seed=3))


def test_the_report_uses_one_minus_sign_and_agrees_with_itself(tungsten: object) -> None:
    text = _report(tungsten, width=70)  # the sensitivity of the amount is stacked
    assert "−" not in text
    from forecast.kinds.quantity.result import QuantityResult

    r = tungsten.result  # type: ignore[attr-defined]
    assert isinstance(r, QuantityResult)
    for row in r.moves:
        if row.delta is not None and row.note != "the pool used":
            assert fmt.pp(row.delta) in text, row.label


def test_every_sensitivity_column_has_a_heading(tungsten: object) -> None:
    text = _report(tungsten, width=160)
    head = next(line for line in text.splitlines() if line.lstrip().startswith("if "))
    assert [h.strip() for h in head.split("┃")] == ["if", "forecast", "change", "note"]


def test_a_closed_form_says_so() -> None:
    nan = float("nan")
    closed = Diagnostics(
        nan, nan, nan, 0, 1000, 4, 0.0, method="exact", quadrature_error=0.0, grid_points=4097
    )
    grid = Diagnostics(
        nan, nan, nan, 0, 1000, 4, 0.0, method="exact", quadrature_error=3e-8, grid_points=4097
    )
    assert closed.error_note(0.0) == "exact (closed form)"
    assert "0e+00" not in closed.summary() and "closed form" in closed.summary()
    assert grid.error_note(0.0) == "exact (quadrature error 3e-08)"
