"""`forecast run --given/--do` on a question that is not a network: refused in the
user's words, before anything is sampled."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from forecast.cli import app
from tests.conftest import PRIORS

runner = CliRunner()


@pytest.mark.parametrize(
    ("stem", "kind", "option"),
    [
        ("turkmenistan-joins-ots", "an event", "--given"),
        ("turkiye-joins-consultative-meeting", "a time-to-event", "--do"),
        ("us-finance-kazakhstan-tungsten", "a quantity", "--given"),
    ],
)
def test_given_or_do_on_a_question_that_is_not_a_network(stem: str, kind: str, option: str) -> None:
    path = PRIORS / f"{stem}.yaml"
    result = runner.invoke(app, ["run", str(path), option, "x=yes"])
    assert result.exit_code == 1
    first = result.stderr.splitlines()[0]
    assert first == (
        f"Error: {path}: --given and --do apply to a network question; {stem} is {kind} question"
    )
    assert "given:" not in result.stderr and "do:" not in result.stderr  # no internal encoding
    assert f"without {option}" in result.stderr
    assert result.stdout == ""  # nothing was forecast
