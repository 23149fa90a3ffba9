"""Hostile YAML: big plain lists, huge keys, ``!!binary``.

Recipes: a plain list of 300,000 items (it used to be blamed on aliases); a 1 MB key
(PyYAML's bare "could not find expected ':'"); ``!!binary`` values, which passed as text.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from forecast.errors import InputError
from forecast.questions.loader import load_question
from tests.conftest import EVENT_HEADER


def _problems(path: Path) -> list[str]:
    with pytest.raises(InputError) as info:
        load_question(path)
    return [f"{p.message} | {p.hint}" for p in info.value.problems]


def test_a_long_plain_list_is_not_blamed_on_aliases(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(EVENT_HEADER + "tags: [" + ",".join(["a"] * 300_000) + "]\n", "utf-8")
    [said] = _problems(path)
    assert "more than 100000 values" in said and "alias" not in said


def test_an_alias_bomb_is_still_blamed_on_aliases(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 7)]
    path = tmp_path / "q.yaml"
    path.write_text(EVENT_HEADER + "\n".join(lines) + "\n", "utf-8")
    [said] = _problems(path)
    assert "once aliases are expanded" in said


def test_a_one_megabyte_key_is_named_as_such(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(EVENT_HEADER + "k" * 1_000_000 + ": 1\n", "utf-8")
    [said] = _problems(path)
    assert "a key may be at most 1024 characters" in said
    assert len(said) < 200


def test_a_missing_colon_is_not_called_a_long_key(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(EVENT_HEADER + "experts\n  - name: A\n", "utf-8")
    assert not any("1024" in s for s in _problems(path))


def test_binary_values_are_refused_not_read_as_text(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    text = EVENT_HEADER.replace("title: A test question", "title: !!binary aGVsbG8=")
    expert = "experts:\n  - name: A\n    judgement: {probability: 0.3, strength: 10}\n"
    path.write_text(text + expert, "utf-8")
    said = _problems(path)
    assert any("tag !!binary is not allowed" in s for s in said)
