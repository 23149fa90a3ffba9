"""Output reads well at any width: no number, identifier or name is split, and layouts
fold or stack instead (the width comes from COLUMNS, as off a terminal)."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from forecast.cli import app
from forecast.spec import load_many
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
