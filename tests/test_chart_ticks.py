"""The elicitation chart's axis labels sit at round values."""

from __future__ import annotations

import math

import pytest
from scipy import stats

from forecast.render.chart import density_chart, round_ticks


@pytest.mark.parametrize(("lo", "hi"), [(0.013, 0.47), (0.0, 1.0), (2.3, 41.7), (0.001, 0.02)])
def test_ticks_are_round_and_inside_the_range(lo: float, hi: float) -> None:
    ticks = round_ticks(lo, hi)
    assert 3 <= len(ticks) <= 7
    assert all(lo - 1e-12 <= t <= hi + 1e-12 for t in ticks)
    step = ticks[1] - ticks[0]
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert any(abs(mantissa - m) < 1e-9 for m in (1, 2, 5))
    assert all(abs(t / step - round(t / step)) < 1e-9 for t in ticks)


def test_the_chart_labels_its_axis_at_round_values() -> None:
    chart = density_chart(stats.beta(2, 9).pdf, 0.013, 0.47, width=60)
    labels = chart.plain.splitlines()[-1].split()
    assert labels == ["10.0%", "20.0%", "30.0%", "40.0%"]
