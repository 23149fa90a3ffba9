"""Cases files may not reach outside the priors file's folder, and errors quote little.

Recipes: ``cases: /etc/passwd`` (a literal ``{v!r}`` in the message), an absolute
``.csv`` path, ``../`` and a symlink out of the folder (the file's contents were
echoed in problems), and a cell of a kilobyte quoted whole.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from forecast.errors import InputError
from forecast.questions.cases import CASES_PATH_ENV
from forecast.questions.loader import load_question
from tests.hostile.test_files import DRIVERS

SECRET = "pressure,outcome\nhunter2-password-do-not-print,1\n"


def _drivers(folder: Path, cases: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "q.yaml"
    path.write_text(DRIVERS.replace("CASES", cases), "utf-8")
    return path


def _refused(path: Path) -> str:
    with pytest.raises(InputError) as info:
        load_question(path)
    return "\n".join(str(p) + (p.hint or "") for p in info.value.problems)


def test_a_name_without_csv_is_quoted_not_left_as_a_template(tmp_path: Path) -> None:
    said = _refused(_drivers(tmp_path, "/etc/passwd"))
    assert "{v!r}" not in said and "'/etc/passwd'" in said


@pytest.mark.parametrize("how", ["absolute", "dotdot", "symlink"])
def test_a_cases_file_outside_the_folder_is_refused_unread(tmp_path: Path, how: str) -> None:
    private = tmp_path / "private" / "secrets.csv"
    private.parent.mkdir()
    private.write_text(SECRET, "utf-8")
    questions = tmp_path / "questions"
    if how == "absolute":
        path = _drivers(questions, str(private))
    elif how == "dotdot":
        path = _drivers(questions, "../private/secrets.csv")
    else:
        questions.mkdir()
        (questions / "cases.csv").symlink_to(private)
        path = _drivers(questions, "cases.csv")
    said = _refused(path)
    assert "outside the folder of the priors file" in said
    assert "hunter2" not in said


def test_a_folder_named_in_the_setting_is_allowed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "shared" / "cases.csv"
    shared.parent.mkdir()
    shared.write_text("pressure,outcome\n1,1\n0,0\n", "utf-8")
    path = _drivers(tmp_path / "questions", str(shared))
    monkeypatch.setenv(CASES_PATH_ENV, str(shared.parent))
    q = load_question(path)
    assert len(q.spec.coded_cases()) == 2  # type: ignore[attr-defined]


def test_a_long_cell_is_quoted_as_a_short_fragment(tmp_path: Path) -> None:
    questions = tmp_path / "questions"
    path = _drivers(questions, "cases.csv")
    cell = "s3cret" * 200
    (questions / "cases.csv").write_text(f"pressure,outcome,{cell}\n{cell},1,x\n", "utf-8")
    said = _refused(path)
    assert cell not in said and "s3crets3cret" in said
    for line in said.splitlines():
        assert line.count("s3cret") <= 8  # a column name (field) and a quoted fragment
