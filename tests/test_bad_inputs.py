"""The bad-input corpus in tests/bad/: every broken file gives its exact, located message.

Each file states what it must give in its first lines (see tests/bad/README.md); the
same expectations are checked through the library, through ``forecast check`` (text
and JSON) and, for a few files, through a real subprocess. A drivers question's broken
cases file (``NAME.csv``) lies next to the priors file that names it.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from forecast import yamlio
from forecast.cli import app
from forecast.errors import InputError, Problem
from forecast.questions.loader import load_question

BAD = Path(__file__).resolve().parent / "bad"
FILES = sorted(p for p in BAD.iterdir() if p.suffix == ".yaml")
runner = CliRunner()

_EXPECT = re.compile(
    r"^(?:(?P<file>[\w.-]+\.csv):)?(?P<loc>\d+(?::\d+)?|-) (?:(?P<field>\S+): )?(?P<message>.+)$"
)


@dataclass(frozen=True)
class Expected:
    """One problem a file must give: where, which field, a part of the message and hint.

    ``file`` names the file next to the priors file that the problem is in (its cases
    file), or is empty for the priors file itself.
    """

    line: int | None
    column: int | None
    field: str
    message: str
    hint: str | None = None
    file: str = ""

    @classmethod
    def parse(cls, text: str, hint: str | None = None) -> Expected:
        m = _EXPECT.match(text)
        assert m, f"bad expectation {text!r}"
        loc = m["loc"]
        line, _, column = loc.partition(":")
        return cls(
            None if loc == "-" else int(line),
            int(column) if column else None,
            m["field"] or "",
            m["message"],
            hint,
            m["file"] or "",
        )

    def target(self, path: Path) -> Path:
        """The file the problem is in: ``path`` or the file it names next to it."""
        return path.parent / self.file if self.file else path

    def location(self) -> str:
        if self.line is None:
            return ""
        return f":{self.line}" if self.column is None else f":{self.line}:{self.column}"


SIDECAR: dict[str, list[Expected]] = {
    "empty.yaml": [Expected(1, 1, "", "file is empty", "start from an example in priors/")],
    "binary-junk.yaml": [
        Expected(1, 1, "", "not UTF-8 text (byte 0x89 at offset 0)", "priors files are UTF-8")
    ],
}
"""Expectations of the files that cannot hold a comment."""


def expectations(path: Path) -> list[Expected]:
    """The problems ``path`` must give, from its header comments or the sidecar table."""
    if path.name in SIDECAR:
        return SIDECAR[path.name]
    out: list[Expected] = []
    for raw in path.read_bytes().split(b"\n"):
        line = raw.decode("utf-8", errors="replace")
        if line.startswith("# expect: "):
            out.append(Expected.parse(line.removeprefix("# expect: ")))
        elif line.startswith("# hint: "):
            last = out.pop()
            out.append(
                Expected(last.line, last.column, last.field, last.message, line[8:], last.file)
            )
        else:
            break
    assert out, f"{path.name} states no expectation"
    return out


def shown(path: Path) -> str:
    """How the tool names ``path`` in messages (relative to the working directory)."""
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def assert_matches(problem: Problem, want: Expected, path: Path) -> None:
    got = f"{problem}\n  hint: {problem.hint}"
    assert problem.path == shown(want.target(path)), got
    assert (problem.line, problem.column) == (want.line, want.column), got
    assert problem.field == want.field, got
    assert want.message in problem.message, got
    if want.hint is not None:
        assert problem.hint is not None and want.hint in problem.hint, got


def test_the_corpus_is_large_enough() -> None:
    assert len(FILES) >= 40
    assert {p.name for p in FILES} >= set(SIDECAR)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_bad_file_gives_its_message(path: Path) -> None:
    with pytest.raises(InputError) as info:
        load_question(path)
    problems = info.value.problems
    wanted = expectations(path)
    assert len(problems) == len(wanted), "\n".join(info.value.lines())
    for problem, want in zip(problems, wanted, strict=True):
        assert_matches(problem, want, path)


def test_every_cases_file_is_named_by_a_broken_priors_file() -> None:
    named = {p.with_suffix(".csv").name for p in FILES}
    csvs = {p.name for p in BAD.iterdir() if p.suffix == ".csv"}
    assert csvs <= named, csvs - named
    assert "cases-missing-file.csv" not in csvs


def test_all_problems_of_a_file_are_reported() -> None:
    path = BAD / "three-problems.yaml"
    with pytest.raises(InputError) as info:
        load_question(path)
    fields = [p.field for p in info.value.problems]
    assert fields == ["deadline", "experts[0].judgement.quantiles", "base_rate.successes"]


def test_a_directory_is_not_a_priors_file(tmp_path: Path) -> None:
    folder = tmp_path / "question.yaml"
    folder.mkdir()
    with pytest.raises(InputError) as info:
        load_question(folder)
    [problem] = info.value.problems
    assert problem.message == "is a directory, not a priors file"
    assert (problem.line, problem.field) == (None, "")


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        load_question(tmp_path / "nope.yaml")


def test_a_50_mb_file_is_refused_before_parsing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "huge.yaml"
    with path.open("wb") as fh:
        line = b"- {probability: 0.2, strength: 10}\n"
        fh.write(b"format: 1\nkind: event\nexperts:\n")
        fh.write(line * (50_000_000 // len(line) + 1))
    assert path.stat().st_size > 50_000_000

    def no_parsing(*args: object, **kwargs: object) -> None:
        raise AssertionError("a file over the limit was read")

    monkeypatch.setattr(yamlio, "_Loader", no_parsing)
    monkeypatch.setattr(Path, "read_bytes", no_parsing)
    with pytest.raises(InputError) as info:
        load_question(path)
    [problem] = info.value.problems
    assert problem.message.startswith("file is 50.0 MB; a priors file may be at most 2 MB")
    assert problem.hint and "not data" in problem.hint


# --- through the command line ---------------------------------------------------------


def expected_line(path: Path, want: Expected) -> str:
    field = f"{want.field}: " if want.field else ""
    return f"{shown(want.target(path))}{want.location()} {field}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_check_reports_the_message(path: Path) -> None:
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.stdout + result.stderr
    lines = result.stdout.splitlines()
    for want in expectations(path):
        start = expected_line(path, want)
        assert any(ln.startswith(start) and want.message in ln for ln in lines), result.stdout
        if want.hint is not None:
            assert any(ln.startswith("  hint: ") and want.hint in ln for ln in lines)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_check_json_parses(path: Path) -> None:
    result = runner.invoke(app, ["check", "--format", "json", str(path)])
    assert result.exit_code == 1, result.output
    [record] = [json.loads(line) for line in result.stdout.splitlines()]
    assert record["ok"] is False
    assert record["file"] == shown(path)
    wanted = expectations(path)
    assert len(record["problems"]) == len(wanted)
    for got, want in zip(record["problems"], wanted, strict=True):
        assert (got["line"], got["column"], got["field"]) == (want.line, want.column, want.field)
        assert got["file"] == shown(want.target(path))
        assert want.message in got["message"]


def test_check_of_many_files_reports_each(tmp_path: Path) -> None:
    paths = [BAD / "quantiles-decreasing.yaml", BAD / "empty.yaml", BAD / "latin1.yaml"]
    result = runner.invoke(app, ["check", *map(str, paths)])
    assert result.exit_code == 1
    for path in paths:
        assert f"{shown(path)}:" in result.stdout


def test_check_of_an_empty_directory(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(tmp_path)])
    assert result.exit_code == 1
    assert "no priors files" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr


SUBPROCESS = [
    "python-object-tag.yaml",
    "binary-junk.yaml",
    "alias-bomb.yaml",
    "three-problems.yaml",
    "cases-value-not-0-or-1.yaml",
]


def test_check_in_a_subprocess() -> None:
    paths = [BAD / name for name in SUBPROCESS]
    proc = subprocess.run(
        [sys.executable, "-c", "from forecast.cli import main; main()", "check", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stdout + proc.stderr
    for path in paths:
        for want in expectations(path):
            assert expected_line(path, want) + want.message in proc.stdout
