"""Input mistakes an analyst makes in the first hour, each with a hint that fixes it."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from forecast.cli import app
from forecast.errors import InputError
from forecast.questions.loader import load_question
from tests.conftest import EVENT_HEADER

runner = CliRunner()


def _problems(path: Path) -> list[tuple[str, str | None]]:
    with pytest.raises(InputError) as info:
        load_question(path)
    return [(p.message, p.hint) for p in info.value.problems]


@pytest.mark.parametrize(
    ("written", "meant"),
    [("15%", "0.15"), ("2.5 %", "0.025"), ("100%", "1"), ("15", "0.15"), ("1.5", "0.015")],
)
def test_a_percentage_says_which_number_to_write(write_priors, written: str, meant: str) -> None:  # type: ignore[no-untyped-def]
    path = write_priors(
        EVENT_HEADER
        + f"experts:\n  - name: A\n    judgement: {{probability: {written}, strength: 10}}\n"
    )
    ((message, hint),) = _problems(path)
    assert hint is not None and f"write {meant}" in hint, (message, hint)


def test_a_number_that_cannot_be_a_percentage_gets_no_guess(write_priors) -> None:  # type: ignore[no-untyped-def]
    path = write_priors(
        EVENT_HEADER + "experts:\n  - name: A\n    judgement: {probability: 150, strength: 10}\n"
    )
    assert _problems(path) == [("must be <= 1.0 (got 150)", None)]


def test_a_missing_file_is_path_colon_message(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.yaml"
    result = runner.invoke(app, ["check", str(missing)])
    assert result.exit_code == 1
    assert f"{missing}: no such file" in result.output.splitlines()


def test_an_empty_directory_names_both_extensions(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr.strip() == f"{tmp_path}: no priors files (*.yaml or *.yml) found"


def test_an_impossible_date_hides_no_other_problem(write_priors) -> None:  # type: ignore[no-untyped-def]
    path = write_priors(
        EVENT_HEADER.replace("2030-01-01", "2028-02-30")
        + "created: 2027-13-01\n"
        + "experts:\n  - name: A\n    judgement: {probability: 1.5, strenght: 10}\n"
    )
    messages = [m for m, _ in _problems(path)]
    assert messages == [
        "'2028-02-30' is not a valid date (day is out of range for month)",
        "'2027-13-01' is not a valid date (month must be in 1..12)",
        "must be <= 1.0 (got 1.5)",
        "unknown key 'strenght' (did you mean 'strength'?)",
    ]


def test_an_impossible_date_in_free_text_is_still_reported(write_priors) -> None:  # type: ignore[no-untyped-def]
    """A value that could not be read is refused even where any text would do."""
    path = write_priors(
        EVENT_HEADER
        + "note: 2026-02-30\n"
        + "experts: [{name: A, judgement: {probability: 0.2, strength: 10}}]\n"
    )
    assert [m for m, _ in _problems(path)] == [
        "'2026-02-30' is not a valid date (day is out of range for month)"
    ]
