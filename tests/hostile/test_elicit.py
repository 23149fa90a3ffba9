"""``elicit`` with hostile ids and a full disk.

Recipes: a 300-character question id (a traceback from the file system's name limit);
a full disk when the priors file is written at the end.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from tests.hostile.conftest import assert_clean, cli

ANSWERS = """\
title: A question from a file of answers
resolution: Resolves yes if it happens, as a stranger could check.
deadline: 2031-06-30
expert: Scripted analyst
method: roulette
lowest: 0.0
highest: 0.4
chips: [0, 2, 6, 5, 3, 2, 1, 1]  # one count per default bin (round edges, 0.05 apart)
"""


@pytest.fixture
def answers(tmp_path: Path) -> Path:
    path = tmp_path / "answers.yaml"
    path.write_text(ANSWERS, "utf-8")
    return path


@pytest.mark.parametrize("qid", ["x" * 300, "../evil", "a/b"])
def test_an_id_that_cannot_be_a_file_name_is_one_clean_line(
    tmp_path: Path, answers: Path, qid: str
) -> None:
    result = cli("elicit", qid, "--dir", tmp_path, "--answers", answers)
    stderr = assert_clean(result, 2, contains="is not a question id")
    assert len(stderr.splitlines()[0]) < 120
    assert sorted(p.name for p in tmp_path.iterdir()) == ["answers.yaml"]


def test_a_full_disk_at_the_end_is_said_and_leaves_nothing(
    tmp_path: Path, answers: Path, full_disk: None
) -> None:
    result = cli("elicit", "new-question", "--dir", tmp_path, "--answers", answers)
    assert_clean(result, contains=os.strerror(errno.ENOSPC))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["answers.yaml"]
