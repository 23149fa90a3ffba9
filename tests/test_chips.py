"""Roulette chips drawn as a text histogram."""

from __future__ import annotations

import io

from rich.console import Console

from forecast.render.chips import chips_histogram


def _render(edges: list[float], chips: list[int]) -> list[str]:
    console = Console(file=io.StringIO(), width=80, color_system=None)
    console.print(chips_histogram(edges, chips))
    return console.file.getvalue().splitlines()  # type: ignore[attr-defined]


def test_each_bin_gets_a_bar_in_proportion_to_its_chips() -> None:
    lines = _render([0, 0.05, 0.1, 0.2, 0.4], [2, 8, 4, 0])
    assert len(lines) == 4
    bars = [line.count("█") for line in lines]
    assert bars == [10, 40, 20, 0]  # 40 characters for the most chips, the rest in proportion
    assert lines[1].split()[0] == "0.05–0.1" and lines[1].split()[-2:] == ["8", "57%"]
    assert lines[3].split() == ["0.2–0.4", "0", "0%"]
    assert all(len(line) <= 80 for line in lines)


def test_a_bin_with_one_chip_is_never_empty() -> None:
    lines = _render([0, 0.5, 1], [1, 100])
    assert [line.count("█") for line in lines] == [1, 40]
