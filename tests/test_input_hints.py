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


def test_a_key_one_level_too_deep_says_where_it_belongs(write_priors) -> None:  # type: ignore[no-untyped-def]
    path = write_priors(
        EVENT_HEADER
        + "experts:\n  - name: A\n    judgement: {probability: 0.2, strength: 10, weight: 2}\n"
    )
    ((message, hint),) = _problems(path)
    assert (
        message
        == "unknown key 'weight' here: 'weight' belongs to the expert (experts[0]), one level up"
    )
    assert hint is not None and "move 'weight:' out of 'judgement'" in hint


@pytest.mark.parametrize(("mass", "meant"), [("1.5", None), ("90", "write 0.9")])
def test_a_mass_above_1_gets_a_mass_hint_not_a_percent_guess(
    write_priors, mass: str, meant: str | None
) -> None:  # type: ignore[no-untyped-def]
    path = write_priors(
        EVENT_HEADER
        + "experts:\n  - name: A\n"
        + f"    judgement: {{probability: 0.2, interval: [0.1, 0.4], mass: {mass}}}\n"
    )
    ((_message, hint),) = _problems(path)
    assert hint is not None
    if meant is None:
        assert "%" not in hint.split(":")[0] and "write 0.015" not in hint
        assert "0.9 for 90% sure" in hint
    else:
        assert meant in hint


def test_a_zero_base_rate_weight_and_an_empty_title_get_hints(write_priors) -> None:  # type: ignore[no-untyped-def]
    path = write_priors(
        EVENT_HEADER.replace("title: A test question", "title:")
        + "experts:\n  - name: A\n    judgement: {probability: 0.2, strength: 10}\n"
        + "base_rate: {successes: 1, trials: 8, weight: 0, reference_class: x}\n"
    )
    got = dict(_problems(path))
    assert got["must be text (got null)"] == (
        "write the question's title after 'title:', on the same line (an empty value reads as null)"
    )
    hint = got["must be > 0.0 (got 0)"]
    assert hint is not None and "in (0, 1]" in hint and "remove base_rate" in hint


def test_an_unclosed_list_says_where_it_opened(write_priors) -> None:  # type: ignore[no-untyped-def]
    path = write_priors(
        EVENT_HEADER
        + "tags: [a, b\n"
        + "experts:\n  - name: A\n    judgement: {probability: 0.2, strength: 10}\n"
    )
    with pytest.raises(InputError) as info:
        load_question(path)
    (p,) = info.value.problems
    assert (p.line, p.column, p.field) == (6, 7, "tags")  # where the list opened
    assert p.message.startswith("the list of 'tags' opened with '[' at 6:7 is not closed")
    assert p.hint == "close it with ']' on line 6, and separate its items with ','"


def test_check_json_gives_the_id_of_an_invalid_file(write_priors) -> None:  # type: ignore[no-untyped-def]
    import json

    path = write_priors(EVENT_HEADER + "experts: []\nstatus: maybe\n")
    result = runner.invoke(app, ["check", str(path), "--format", "json"])
    (obj,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert obj["ok"] is False and obj["id"] == path.stem


def test_a_misspelt_answers_key_is_named_at_its_line(tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text(
        "title: A question from a file of answers\n"
        "resolution: Resolves yes if it happens, as a stranger could check.\n"
        "deadline: 2031-06-30\nexpert: Scripted analyst\nmethod: quartiles\n"
        "lowest: 0.02\nhighest: 0.6\nmedain: 0.15\nlower_quartile: 0.08\nupper_quartile: 0.25\n",
        encoding="utf-8",
    )
    args = ["elicit", "new-q", "--dir", str(tmp_path), "--answers", str(answers)]
    result = runner.invoke(app, args, env={"FORECAST_TODAY": "2026-12-01"})
    assert result.exit_code == 1
    assert f"{answers}:8:1 medain: unknown key 'medain' (did you mean 'median'?)" in result.stderr
    assert not (tmp_path / "new-q.yaml").exists()
