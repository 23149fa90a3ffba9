"""The safe YAML reader: marks, duplicate keys, size limit, BOM, suggestions for typos."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from forecast import yamlio
from forecast.errors import InputError
from forecast.questions.loader import load_question
from tests.conftest import EVENT_HEADER

WritePriors = Callable[..., Path]

EXPERT = "experts:\n  - name: a\n    judgement: {probability: 0.2, strength: 10}\n"


def _problems(text: str) -> list[str]:
    with pytest.raises(InputError) as info:
        yamlio.loads(textwrap.dedent(text), "q.yaml")
    return [str(p) for p in info.value.problems]


def test_marks_of_nested_lists_and_mappings() -> None:
    text = textwrap.dedent("""\
        experts:
          - name: a
            judgement:
              interval: [0.1, 0.4]
          - name: b
            grid:
              - [1, 2]
              - [3, [4, 5]]
        """)
    data, marks = yamlio.loads(text, "q.yaml")
    assert data["experts"][1]["grid"][1][1] == [4, 5]
    assert marks.find(()) == (1, 1)
    assert marks.find(("experts",)) == (2, 3)
    assert marks.find(("experts", 0)) == (2, 5)
    assert marks.find(("experts", 0, "judgement", "interval")) == (4, 17)
    assert marks.find(("experts", 0, "judgement", "interval", 1)) == (4, 23)
    assert marks.find(("experts", 1, "grid", 0, 1)) == (7, 13)
    assert marks.find(("experts", 1, "grid", 1, 1, 0)) == (8, 14)


def test_marks_of_keys_and_of_values() -> None:
    _, marks = yamlio.loads("a:\n  bogus:   3\n", "q.yaml")
    assert marks.find(("a", "bogus")) == (2, 12)
    assert marks.find(("a", "bogus"), key=True) == (2, 3)


def test_marks_fall_back_to_the_nearest_ancestor() -> None:
    _, marks = yamlio.loads("a:\n  b: {c: 1}\n", "q.yaml")
    assert marks.find(("a", "b", "missing", 3)) == (2, 6)
    assert marks.find(("nope",)) == (1, 1)


def test_marks_match_number_keys_by_their_text() -> None:
    _, marks = yamlio.loads("q: {0.1: 0.2, 0.9: 0.5}\n", "q.yaml")
    assert marks.find(("q", 0.9)) == (1, 20)
    assert marks.locate(1, 20) == ("q", "0.9")


def test_marks_add_and_find_directly() -> None:
    marks = yamlio.Marks()
    assert marks.find(("a",)) is None
    node = yaml.compose("x: 1\n")
    assert isinstance(node, yaml.MappingNode)
    key, value = node.value[0]
    marks.add(("x",), value, key)
    assert marks.find(("x", 0)) == (1, 4)
    assert marks.find(("x",), key=True) == (1, 1)


def test_dotted_locations() -> None:
    assert yamlio.dotted(("experts", 1, "judgement", "quantiles")) == (
        "experts[1].judgement.quantiles"
    )
    assert yamlio.dotted(()) == ""
    assert yamlio.dotted((0, "a")) == "[0].a"


def test_duplicate_keys_are_located_at_the_second() -> None:
    assert _problems("a: 1\nb:\n  c: 1\n  c: 2\na: 3\n") == [
        "q.yaml:4:3 b.c: duplicate key (first given at 3:3)",
        "q.yaml:5:1 a: duplicate key (first given at 1:1)",
    ]


def test_duplicate_keys_in_flow_mappings() -> None:
    [problem] = _problems("j: {p: 0.2, s: 3, p: 0.3}\n")
    assert problem == "q.yaml:1:19 j.p: duplicate key (first given at 1:5)"


@pytest.mark.parametrize(("size", "ok"), [(yamlio.MAX_BYTES, True), (yamlio.MAX_BYTES + 1, False)])
def test_size_limit(tmp_path: Path, size: int, ok: bool) -> None:
    path = tmp_path / "big.yaml"
    head = b"note: "
    path.write_bytes(head + b"x" * (size - len(head) - 1) + b"\n")
    assert path.stat().st_size == size
    if ok:
        assert yamlio.read_text(path).startswith("note: x")
    else:
        with pytest.raises(InputError, match="a priors file may be at most 2 MB"):
            yamlio.read_text(path)


def test_a_byte_order_mark_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + (EVENT_HEADER + EXPERT).encode("utf-8"))
    question = load_question(path)
    assert question.spec.title == "A test question"
    assert question.marks.find(("format",)) == (1, 9)
    assert not question.text.startswith("\ufeff")


def test_a_byte_order_mark_does_not_shift_columns(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    text = EVENT_HEADER + "experts:\n  - name: a\n    judgement: {probability: 1.5, strength: 3}\n"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    with pytest.raises(InputError) as info:
        load_question(path)
    [problem] = info.value.problems
    assert (problem.line, problem.column) == (8, 30)


def test_unsafe_tags_are_refused() -> None:
    [problem] = _problems("a: !!python/object/apply:os.system [echo]\n")
    assert "tag !!python/object/apply:os.system is not allowed" in problem


def test_empty_text() -> None:
    assert _problems("") == ["q.yaml:1:1 file is empty"]
    assert _problems("# only a comment\n") == ["q.yaml:1:1 file is empty"]


def test_a_bad_date_is_located_on_its_key() -> None:
    assert _problems("x:\n  - when: 2027-02-30\n") == [
        "q.yaml:2:11 x[0].when: '2027-02-30' is not a valid date (day is out of range for month)"
    ]


@pytest.mark.parametrize(
    ("body", "field", "suggestion"),
    [
        ("dedline: 2030-01-01\n", "dedline", "deadline"),
        (
            "experts:\n  - name: a\n    judgment: {probability: 0.2, strength: 3}\n",
            "judgment",
            "judgement",
        ),
        (
            EXPERT + "base_rate: {successes: 1, trials: 4, referenceclass: x}\n",
            "referenceclass",
            "reference_class",
        ),
        (
            EXPERT
            + "evidence:\n  - id: e\n    description: d\n"
            + "    likelihood_ratio: {median: 2, interval: [1, 3], mas: 0.8}\n",
            "mas",
            "mass",
        ),
        (
            "experts:\n  - name: a\n    judgement: {probability: 0.2, strenght: 3}\n",
            "strenght",
            "strength",
        ),
    ],
)
def test_unknown_keys_suggest_the_key_meant(
    write_priors: WritePriors, body: str, field: str, suggestion: str
) -> None:
    header = (
        EVENT_HEADER
        if not body.startswith("dedline")
        else EVENT_HEADER.replace("deadline: 2030-01-01\n", "")
    )
    path = write_priors(header + body)
    with pytest.raises(InputError) as info:
        load_question(path)
    [problem] = [p for p in info.value.problems if p.field.endswith(field)]
    assert f"unknown key {field!r} (did you mean {suggestion!r}?)" == problem.message
    assert problem.hint and problem.hint.startswith("valid keys here: ")
    assert problem.column is not None


def test_unknown_key_far_from_any_field_has_no_suggestion(write_priors: WritePriors) -> None:
    path = write_priors(EVENT_HEADER + EXPERT + "zzzz: 1\n")
    with pytest.raises(InputError) as info:
        load_question(path)
    [problem] = info.value.problems
    assert problem.message == "unknown key 'zzzz'"


@pytest.mark.parametrize("word", ["yes", "no", "on", "off", "true"])
def test_yes_and_no_are_not_numbers(write_priors: WritePriors, word: str) -> None:
    path = write_priors(
        EVENT_HEADER
        + f"experts:\n  - name: a\n    judgement: {{probability: {word}, strength: 3}}\n"
    )
    with pytest.raises(InputError) as info:
        load_question(path)
    [problem] = info.value.problems
    assert problem.field == "experts[0].judgement.probability"
    assert problem.message.startswith("must be a number (got ")
    assert problem.hint and "true or false" in problem.hint


def test_a_number_is_not_a_date(write_priors: WritePriors) -> None:
    path = write_priors(EVENT_HEADER.replace("2030-01-01", "0") + EXPERT)
    with pytest.raises(InputError) as info:
        load_question(path)
    [problem] = info.value.problems
    assert (problem.field, problem.message) == (
        "deadline",
        "must be a date such as 2027-12-31 (got 0)",
    )


def test_yaml_exponents_still_read_as_numbers(write_priors: WritePriors) -> None:
    # YAML 1.1 reads 1e-3 as text; the specification still takes it as the number it is.
    path = write_priors(
        EVENT_HEADER + "experts:\n  - name: a\n    judgement: {probability: 1e-3, strength: 300}\n"
    )
    question = load_question(path)
    assert question.spec.experts[0].judgement.probability == pytest.approx(0.001)  # type: ignore[attr-defined]
