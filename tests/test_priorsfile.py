"""The one priors-file writer that ``elicit`` and ``resolve`` share, and the yes/no loop
of the elicitation answers."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from forecast import priorsfile
from forecast.cli import app
from forecast.elicit.answers import ask_yes, repeated
from forecast.errors import InputError
from tests.test_elicit import EXISTING, QUARTILES


class Scripted:
    """A channel that answers from a list and keeps what was refused."""

    def __init__(self, answers: list[str]) -> None:
        self.answers = list(answers)
        self.asked: list[str] = []
        self.refused: list[str] = []

    def ask(self, key: str, text: str, default: str | None) -> str:
        self.asked.append(key)
        if not self.answers:
            raise EOFError
        return self.answers.pop(0)

    def reject(self, key: str, reason: str) -> None:
        self.refused.append(reason)

    def show(self, renderable: object) -> None:
        pass


def test_write_keeps_comments_and_gives_a_new_file_the_usual_mode(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    doc = priorsfile.load(EXISTING)
    doc["title"] = "A renamed question"
    text = priorsfile.dump(doc)
    mask = os.umask(0o022)
    try:
        priorsfile.write(path, text)
    finally:
        os.umask(mask)
    written = path.read_text(encoding="utf-8")
    assert "# A hand-written question; this comment must survive." in written
    assert "  - name: First expert   # the first one" in written
    assert "title: A renamed question" in written
    assert path.stat().st_mode & 0o777 == 0o644


def test_write_refuses_an_invalid_file_and_leaves_the_old_one(tmp_path: Path) -> None:
    path = tmp_path / "q.yaml"
    path.write_text(EXISTING, encoding="utf-8")
    broken = EXISTING.replace("deadline: 2030-01-01", "deadline: someday")
    with pytest.raises(InputError) as caught:
        priorsfile.write(path, broken)
    assert "deadline" in "\n".join(caught.value.lines())
    assert path.read_text(encoding="utf-8") == EXISTING
    assert [p.name for p in tmp_path.iterdir()] == ["q.yaml"]  # no temporary file left


def test_flow_writes_a_mapping_on_one_line() -> None:
    doc = priorsfile.load("a: 1\n")
    doc["j"] = priorsfile.flow({"quantiles": {0.25: 0.1, 0.75: 0.3}, "bins": [0, 0.5, 1]})
    assert (
        priorsfile.dump(doc) == "a: 1\nj: {quantiles: {0.25: 0.1, 0.75: 0.3}, bins: [0, 0.5, 1]}\n"
    )


def test_elicit_and_resolve_both_write_through_the_one_writer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("FORECAST_LEDGER", str(tmp_path / "ledger.sqlite"))
    (tmp_path / "priors").mkdir()
    path = tmp_path / "priors" / "q.yaml"
    path.write_text(EXISTING, encoding="utf-8")
    seen: list[Path] = []
    real = priorsfile.write

    def spy(where: Path, text: str) -> None:
        seen.append(where)
        real(where, text)

    monkeypatch.setattr(priorsfile, "write", spy)
    runner = CliRunner()
    result = runner.invoke(
        app, ["elicit", "q", "--dir", "priors"], input="\n".join(QUARTILES) + "\n"
    )
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["resolve", "q", "yes", "--date", "2026-01-02"])
    assert result.exit_code == 0, result.output
    assert [p.resolve() for p in seen] == [path, path]
    text = path.read_text(encoding="utf-8")
    assert 'status: "yes"' in text and "name: Regional analyst" in text
    assert "# A hand-written question; this comment must survive." in text


def test_ask_yes_takes_words_letters_and_the_default() -> None:
    channel = Scripted(["yes", "N", "", "maybe", "y"])
    assert ask_yes(channel, "k", "?") is True
    assert ask_yes(channel, "k", "?") is False
    assert ask_yes(channel, "k", "?") is False  # Enter: the default, no
    assert ask_yes(channel, "k", "?") is True  # after refusing "maybe"
    assert len(channel.refused) == 1 and "maybe" in channel.refused[0]


def test_repeated_asks_again_while_the_answer_is_yes_and_passes_what_came_before() -> None:
    channel = Scripted(["a", "y", "b", "yes", "c", "n"])
    seen: list[list[str]] = []

    def once(so_far: list[str]) -> str:
        seen.append(list(so_far))
        return channel.ask("item", "item?", None)

    assert repeated(channel, "another", "Another?", once) == ["a", "b", "c"]
    assert seen == [[], ["a"], ["a", "b"]]
    assert channel.asked == ["item", "another"] * 3


def test_repeated_stops_when_input_ends() -> None:
    channel = Scripted(["a", "y"])
    with pytest.raises(EOFError):
        repeated(channel, "another", "Another?", lambda _: channel.ask("item", "?", None))
