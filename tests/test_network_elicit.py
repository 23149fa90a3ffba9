"""``forecast elicit NET --cell CELL``: scripted answers into one table cell."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from forecast.cli import app
from forecast.kinds.network.load import load_network
from tests.test_elicit import QUARTILES, STATED
from tests.test_network_spec import GOOD, cell, event, write

COMMENTED = GOOD.replace(
    "  - question: the-question\n", "  # the linked question\n  - question: the-question\n"
)


def _invoke(args: list[str], lines: list[str]):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, args, input="\n".join(lines) + "\n")


def _net(tmp_path: Path) -> Path:
    event(tmp_path, "the-question")
    return write(tmp_path, COMMENTED)


def test_a_table_cell_gets_the_expert_with_the_same_feedback(tmp_path: Path) -> None:
    path = _net(tmp_path)
    before = path.read_text(encoding="utf-8")
    result = _invoke(
        ["elicit", "net", "--dir", str(tmp_path), "--cell", "the-question[a=yes]"], QUARTILES
    )
    assert result.exit_code == 0, result.output
    assert "P(the-question = yes | a=yes)" in result.stderr
    assert "You are saying" in result.stderr and "Fitted Beta" in result.stderr
    text = path.read_text(encoding="utf-8")
    assert "# the linked question" in text
    assert text.startswith(before.split("nodes:")[0])
    spec = load_network(path).spec
    row = spec.node("the-question").table[0]  # type: ignore[index]
    assert [e.name for e in row.experts] == ["a", "Regional analyst"]
    assert row.experts[1].judgement is not None
    assert row.experts[1].judgement.quantiles == STATED
    other = spec.node("the-question").table[1]  # type: ignore[index]
    assert [e.name for e in other.experts] == ["a"]  # the other row is untouched
    check = CliRunner().invoke(app, ["check", str(path)])
    assert check.exit_code == 0, check.output


def test_a_root_cell_by_its_sweep_name(tmp_path: Path) -> None:
    path = _net(tmp_path)
    result = _invoke(["elicit", "net", "--dir", str(tmp_path), "--cell", "cell.a"], QUARTILES)
    assert result.exit_code == 0, result.output
    assert [e.name for e in load_network(path).spec.node("a").experts or []] == [
        "a",
        "Regional analyst",
    ]


def test_a_name_already_in_the_cell_is_refused_and_asked_again(tmp_path: Path) -> None:
    _net(tmp_path)
    result = _invoke(["elicit", "net", "--dir", str(tmp_path), "--cell", "a"], ["a", *QUARTILES])
    assert result.exit_code == 0, result.output
    assert "✗" in result.stderr


def test_without_a_cell_or_with_an_unknown_one_a_usage_error_names_the_cells(
    tmp_path: Path,
) -> None:
    path = _net(tmp_path)
    before = path.read_text(encoding="utf-8")
    none = _invoke(["elicit", "net", "--dir", str(tmp_path)], QUARTILES)
    assert none.exit_code == 2
    assert "--cell" in none.stderr and "the-question[a=yes]" in none.stderr
    bad = _invoke(
        ["elicit", "net", "--dir", str(tmp_path), "--cell", "the-question[a=maybe]"], QUARTILES
    )
    assert bad.exit_code == 2 and "did you mean" in bad.stderr
    assert path.read_text(encoding="utf-8") == before


def test_a_cell_of_an_event_question_is_refused(tmp_path: Path) -> None:
    event(tmp_path, "plain")
    result = _invoke(["elicit", "plain", "--dir", str(tmp_path), "--cell", "a"], QUARTILES)
    assert result.exit_code == 2 and "not a network" in result.stderr


NOISY = f"""
nodes:
  - id: a
    title: A happens
    resolution: A is reported.
    experts: {cell(0.3)}
  - id: b
    title: B happens
    resolution: B is reported.
    parents: [a]
    noisy_or:
      leak: {cell(0.1)}
      causes:
        a: {cell(0.5)}
"""


def test_a_noisy_ors_leak_and_cause_cells(tmp_path: Path) -> None:
    path = write(tmp_path, NOISY)
    for name in ("b[leak]", "b[cause=a]"):
        result = _invoke(["elicit", "net", "--dir", str(tmp_path), "--cell", name], QUARTILES)
        assert result.exit_code == 0, result.output
    assert "with every parent at no" in result.stderr or "by itself" in result.stderr
    noisy = load_network(path).spec.node("b").noisy_or
    assert noisy is not None
    assert [e.name for e in noisy.leak] == ["a", "Regional analyst"]
    assert [e.name for e in noisy.causes["a"]] == ["a", "Regional analyst"]
