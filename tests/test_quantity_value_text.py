"""A quantity's amounts as reports and elicit print them: each unit word is its power of ten."""

import pytest

from forecast.kinds.quantity.report import value


@pytest.mark.parametrize(
    ("v", "text"),
    [
        (0.35, "0.35"),
        (742.2, "742.2"),
        (2183.0, "2183"),
        (9940.0, "9940"),
        (9999.0, "10 k"),
        (10_000.0, "10 k"),
        (23_000.0, "23 k"),
        (25_000.0, "25 k"),
        (123_456.0, "123 k"),
        (999_999.0, "1 M"),
        (2_500_000.0, "2.5 M"),
        (999_600_000.0, "1 bn"),
        (1.2e9, "1.2 bn"),
        (3.4e12, "3.4 tn"),
        (-23_000.0, "-23 k"),
        (None, "–"),
        (float("nan"), "–"),
    ],
)
def test_value_text(v: float | None, text: str) -> None:
    assert value(v) == text


@pytest.mark.parametrize("v", [1.5e4, 2.3e4, 4.56e5, 7.8e6, 9.1e9, 2.2e12])
def test_value_text_reads_back(v: float) -> None:
    """Reading the words back as powers of ten gives the amount to three digits."""
    number, word = value(v).split(" ")
    power = {"k": 1e3, "M": 1e6, "bn": 1e9, "tn": 1e12}[word]
    assert float(number) * power == pytest.approx(v, rel=5e-3)
