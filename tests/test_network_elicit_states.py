"""``forecast elicit NET --cell CELL`` on a categorical node: each state's probability.

The session asks P(state) for every state of the row (refusing, and asking again, a set
that does not sum to 1), then a strength; the file gets the expert's ``distribution``
in that row, keeps its comments, and reads back as Dirichlet(strength · p). The
feedback's 80% intervals are the Dirichlet's marginal Betas (SciPy's quantiles).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from forecast.cli import app
from forecast.kinds.network.cells import build_cells
from forecast.kinds.network.load import load_network
from tests.test_network_spec import cell, write

MOOD = f"""
nodes:
  - id: a
    title: A happens
    resolution: A is reported.
    experts: {cell(0.3)}
  # the mood depends on a
  - id: mood
    title: The mood after A
    resolution: As reported.
    states: [warm, cool, cold]
    parents: [a]
    table:
      - when: {{a: yes}}
        experts:
          - name: x
            distribution: {{probabilities: {{warm: 0.5, cool: 0.3, cold: 0.2}}, strength: 10}}
      - when: {{a: no}}
        experts:
          - name: x
            distribution: {{counts: {{warm: 1, cool: 2, cold: 3}}}}
"""

# Name, three probabilities summing to 0.9 (refused), three that sum to 1, strength,
# accept, no other expert.
ANSWERS = ["Area analyst", "0.5", "0.2", "0.2", "0.6", "25%", "0.15", "20", "y", "n"]


def _invoke(args: list[str], lines: list[str]):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, args, input="\n".join(lines) + "\n")


def test_a_categorical_cell_asks_each_state_and_writes_a_distribution(tmp_path: Path) -> None:
    from scipy import stats

    path = write(tmp_path, MOOD)
    args = ["elicit", "net", "--dir", str(tmp_path), "--cell", "mood[a=yes]"]
    result = _invoke(args, ANSWERS)
    assert result.exit_code == 0, result.output
    err = result.stderr
    assert "P(mood = each of warm, cool, cold | a=yes)" in err
    assert "the probabilities sum to 0.9, not 1 (warm 0.5, cool 0.2, cold 0.2)" in err
    # The feedback: each state's 80% interval under Dirichlet(20 · p), a Beta marginal.
    lo, hi = stats.beta.ppf([0.1, 0.9], 20 * 0.6, 20 * 0.4)
    assert f"{lo:.1%} – {hi:.1%}" in err
    text = path.read_text(encoding="utf-8")
    assert "# the mood depends on a" in text
    spec = load_network(path).spec
    row = spec.node("mood").table[0]  # type: ignore[index]
    assert [e.name for e in row.experts] == ["x", "Area analyst"]
    added = row.experts[1]
    assert added.judgement is None and added.distribution is not None
    assert added.distribution.probabilities == {"warm": 0.6, "cool": 0.25, "cold": 0.15}
    assert added.distribution.strength == 20
    assert added.date is not None
    other = spec.node("mood").table[1]  # type: ignore[index]
    assert [e.name for e in other.experts] == ["x"]
    cells = {c.name: c for c in build_cells(spec)}
    assert cells["mood[a=yes]"].alphas[1] == pytest.approx((12.0, 5.0, 3.0))
    check = CliRunner().invoke(app, ["check", str(path)])
    assert check.exit_code == 0, check.output


def test_a_categorical_root_cell_and_a_revision_keeping_earlier_answers(tmp_path: Path) -> None:
    body = """
    nodes:
      - id: mood
        title: The mood
        resolution: As reported.
        states: [warm, cold]
        experts: [{name: x, distribution: {counts: {warm: 1, cold: 1}}}]
    """
    path = write(tmp_path, body)
    # Two states are a categorical node too when they are not yes and no. A revision
    # keeps the first state's answer on Enter and changes the second and the strength.
    lines = ["Area analyst", "0.7", "0.3", "10", "r", "", "0.3", "5", "y", "n"]
    args = ["elicit", "net", "--dir", str(tmp_path), "--cell", "mood", "--format", "json"]
    result = _invoke(args, lines)
    assert result.exit_code == 0, result.output
    [expert] = json.loads(result.stdout)["experts"]
    assert expert["judgement"] == {"probabilities": {"warm": 0.7, "cold": 0.3}, "strength": 5}
    added = (load_network(path).spec.node("mood").experts or [])[1]
    assert added.distribution is not None
    assert added.distribution.probabilities == {"warm": 0.7, "cold": 0.3}
    assert added.distribution.strength == 5


def test_from_a_mapping_of_answers_a_sum_other_than_1_is_an_error_naming_the_key(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, MOOD)
    before = path.read_text(encoding="utf-8")
    answers = tmp_path / "answers.yaml"
    answers.write_text(
        "expert: Area analyst\nprobability: [0.5, 0.3, 0.3]\nstrength: 10\naccept: yes\n"
        "another: no\n",
        encoding="utf-8",
    )
    args = ["elicit", "net", "--dir", str(tmp_path), "--cell", "mood[a=no]"]
    result = CliRunner().invoke(app, [*args, "--answers", str(answers)])
    assert result.exit_code == 1
    assert f"{answers}: probability: the probabilities sum to 1.1, not 1" in result.stderr
    assert path.read_text(encoding="utf-8") == before  # nothing written


def test_a_probability_of_0_or_1_is_refused_and_asked_again(tmp_path: Path) -> None:
    path = write(tmp_path, MOOD)
    lines = ["Area analyst", "0", "0.5", "0.3", "0.2", "10", "y", "n"]
    result = _invoke(["elicit", "net", "--dir", str(tmp_path), "--cell", "mood[a=no]"], lines)
    assert result.exit_code == 0, result.output
    assert "must be above 0 and below 1 (got 0)" in result.stderr
    row = load_network(path).spec.node("mood").table[1]  # type: ignore[index]
    added = row.experts[1].distribution
    assert added is not None and added.probabilities == {"warm": 0.5, "cool": 0.3, "cold": 0.2}
