"""The network file: every problem located at path:line:col, collected before raising."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from forecast.errors import InputError
from forecast.kinds.network.checks import find_cycle, topological
from forecast.kinds.network.load import load_network
from tests.conftest import EVENT_HEADER

HEADER = """\
format: 1
kind: network
title: A test network
resolution: Each node resolves as its own criterion says.
deadline: 2030-01-01
"""


def cell(p: float, n: float = 20) -> str:
    return f"[{{name: a, judgement: {{probability: {p}, strength: {n}}}}}]"


def write(tmp_path: Path, body: str, name: str = "net") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(HEADER + textwrap.dedent(body).lstrip(), encoding="utf-8")
    return path


def event(tmp_path: Path, name: str, status: str = "open") -> None:
    text = EVENT_HEADER + f"status: '{status}'\nexperts:\n  - name: e\n"
    text += "    judgement: {probability: 0.3, strength: 10}\n"
    (tmp_path / f"{name}.yaml").write_text(text, encoding="utf-8")


def problems(path: Path) -> list[str]:
    with pytest.raises(InputError) as info:
        load_network(path)
    return [str(p).replace(str(path.parent) + "/", "") for p in info.value.problems]


GOOD = f"""
nodes:
  - id: a
    title: A happens
    resolution: A is reported.
    experts: {cell(0.3)}
  - question: the-question
    parents: [a]
    table:
      - when: {{a: yes}}
        experts: {cell(0.6)}
      - when: {{a: no}}
        experts: {cell(0.1)}
"""


def test_a_good_network_loads_with_its_question(tmp_path: Path) -> None:
    event(tmp_path, "the-question", status="yes")
    net = load_network(write(tmp_path, GOOD))
    assert net.order == ["a", "the-question"]
    assert set(net.questions) == {"the-question"}
    assert net.observed() == {"the-question": "yes"}
    assert net.spec.target_node == "the-question"


def test_an_unknown_question_is_refused_with_close_ids(tmp_path: Path) -> None:
    event(tmp_path, "the-question")
    path = write(tmp_path, GOOD.replace("question: the-question", "question: the-questoin"))
    [line] = problems(path)
    assert line.startswith("net.yaml:11:15 nodes[1].question: no question 'the-questoin'")
    assert "did you mean 'the-question'?" in line


def test_a_cycle_is_named_node_by_node(tmp_path: Path) -> None:
    body = f"""
    nodes:
      - id: a
        title: A
        resolution: A is reported.
        parents: [c]
        table:
          - when: {{c: yes}}
            experts: {cell(0.3)}
          - when: {{c: no}}
            experts: {cell(0.3)}
      - id: b
        title: B
        resolution: B is reported.
        parents: [a]
        noisy_or: {{leak: {cell(0.1)}, causes: {{a: {cell(0.5)}}}}}
      - id: c
        title: C
        resolution: C is reported.
        parents: [b]
        independent_of: [b]
        table:
          - experts: {cell(0.2)}
    """
    lines = problems(write(tmp_path, body))
    assert any("the network has a cycle: " in ln for ln in lines)
    cyc = next(ln for ln in lines if "cycle" in ln)
    assert "a -> b -> c -> a" in cyc or "b -> c -> a -> b" in cyc or "c -> a -> b -> c" in cyc


def test_a_missing_combination_is_refused_unless_a_default_is_stated(tmp_path: Path) -> None:
    event(tmp_path, "the-question")
    body = GOOD.replace(f"      - when: {{a: no}}\n        experts: {cell(0.1)}\n", "")
    [line] = problems(write(tmp_path, body))
    assert "nodes[1].table: no row for a=no" in line
    assert line.startswith("net.yaml:14:7 ")
    independent = body.replace("parents: [a]", "parents: [a]\n    independent_of: [a]")
    independent = independent.replace("when: {a: yes}\n", "when: {}\n")
    assert load_network(write(tmp_path, independent)).spec.nodes[1].independent_of == ["a"]


def test_a_categorical_row_that_cannot_sum_to_one(tmp_path: Path) -> None:
    body = """
    nodes:
      - id: mood
        title: The mood
        resolution: As reported.
        states: [warm, cool, cold]
        experts:
          - name: a
            distribution:
              probabilities: {warm: 0.5, cool: 0.3, cold: 0.3}
              strength: 10
    """
    [line] = problems(write(tmp_path, body))
    assert line.startswith("net.yaml:14:26 nodes[0].experts[0].distribution.probabilities:")
    assert "sum to 1.1, not 1" in line


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    body = f"""
    nodes:
      - id: a
        title: A
        resolution: A is reported.
        experts: {cell(0.3)}
      - id: b
        title: B
        resolution: B is reported.
        parents: [aa]
        table:
          - when: {{aa: yes}}
            experts: {cell(0.3)}
      - id: c
        resolution: C is reported.
        experts: {cell(0.3)}
    target: bb
    """
    lines = problems(write(tmp_path, body))
    text = "\n".join(lines)
    assert len(lines) == 3
    assert "nodes[1].parents[0]: no node is called 'aa' (did you mean 'a'?)" in text
    assert "nodes[2].title: required but missing" in text
    assert "target: no node is called 'bb' (did you mean 'b'?)" in text
    # Field problems are all reported together (before the whole-graph checks).
    bad = body.replace("probability: 0.3", "probability: 1.3").replace(
        "strength: 20", "strength: 0"
    )
    text = "\n".join(problems(write(tmp_path, bad)))
    assert text.count("judgement.probability: must be <= 1") == 3
    assert text.count("judgement.strength: must be >= 1") == 3


def test_a_yes_no_node_needs_judgements_and_states_exist(tmp_path: Path) -> None:
    body = f"""
    nodes:
      - id: a
        title: A
        resolution: A is reported.
        experts: [{{name: x, distribution: {{counts: {{yes: 1, no: 2}}}}}}]
      - id: b
        title: B
        resolution: B is reported.
        parents: [a]
        table:
          - when: {{a: maybe}}
            experts: {cell(0.3)}
          - when: {{a: no}}
            experts: {cell(0.3)}
    """
    text = "\n".join(problems(write(tmp_path, body)))
    assert "nodes[0].experts[0].distribution: 'a' is yes/no" in text
    assert "nodes[1].table[0].when.a: 'maybe' is not a state of 'a'" in text


def test_cycle_finder_and_order() -> None:
    assert find_cycle({"a": [], "b": ["a"], "c": ["b"]}) is None
    assert topological({"c": ["b"], "b": ["a"], "a": []}) == ["a", "b", "c"]
    cyc = find_cycle({"a": ["c"], "b": ["a"], "c": ["b"]})
    assert cyc is not None and cyc[0] == cyc[-1] and len(cyc) == 4


def test_noisy_or_needs_a_cause_per_parent_and_yes_no_nodes(tmp_path: Path) -> None:
    body = f"""
    nodes:
      - id: a
        title: A
        resolution: A is reported.
        experts: {cell(0.3)}
      - id: b
        title: B
        resolution: B is reported.
        states: [low, high]
        experts: [{{name: x, distribution: {{counts: {{low: 3, high: 1}}}}}}]
      - id: c
        title: C
        resolution: C is reported.
        parents: [a, b]
        noisy_or: {{leak: {cell(0.1)}, causes: {{aa: {cell(0.5)}}}}}
    """
    text = "\n".join(problems(write(tmp_path, body)))
    assert "nodes[2].noisy_or: noisy_or is for a yes/no node whose parents are all yes/no" in text
    assert "nodes[2].noisy_or.causes.aa: 'aa' is not a parent of 'c' (did you mean 'a'?)" in text
    assert "give a cause for each parent: missing a, b" in text


def test_a_row_given_twice_or_incomplete_and_a_network_too_large(tmp_path: Path) -> None:
    event(tmp_path, "the-question")
    twice = GOOD.replace("when: {a: no}", "when: {a: yes}")
    text = "\n".join(problems(write(tmp_path, twice)))
    assert "nodes[1].table[1].when: this combination is already given in table[0]" in text
    assert "no row for a=no" in text
    five = ", ".join(["one", "two", "three", "four", "five"])
    nodes = "".join(
        f"  - id: n{i}\n    title: N\n    resolution: R.\n    states: [{five}]\n"
        "    experts: [{name: x, distribution: {counts: "
        "{one: 1, two: 1, three: 1, four: 1, five: 1}}}]\n"
        for i in range(6)
    )
    text = "\n".join(problems(write(tmp_path, "nodes:\n" + nodes)))
    assert "the nodes have 15625 joint states; at most 4096" in text
