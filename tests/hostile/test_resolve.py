"""``resolve`` keeps the ledger and the priors file in agreement, and refuses bad ids.

Recipes: kill -9 between the two writes; a full disk at the ledger write; a refusal
that used to leave an empty ledger behind; ``resolve ../evil``.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from forecast.ledger import open_ledger
from forecast.ledger.sqlite import SQLiteLedger
from forecast.questions.loader import load_question
from tests.conftest import PRIORS as SHIPPED
from tests.hostile.conftest import assert_clean, cli
from tests.test_ledger import make

QUESTION = SHIPPED / "turkmenistan-joins-ots.yaml"


@pytest.fixture
def priors(tmp_path: Path) -> Path:
    path = tmp_path / "priors" / QUESTION.name
    path.parent.mkdir()
    path.write_text(QUESTION.read_text("utf-8"), "utf-8")
    return path


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    path = tmp_path / "ledger.sqlite"
    with open_ledger(path) as book:
        book.record(make(question="turkmenistan-joins-ots"))
    return path


def test_a_failed_ledger_write_puts_the_priors_file_back(
    priors: Path, ledger: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = priors.read_bytes()

    def full(self: SQLiteLedger, fn: object) -> None:
        exc = sqlite3.OperationalError("database or disk is full")
        exc.sqlite_errorcode = sqlite3.SQLITE_FULL  # type: ignore[attr-defined]
        raise exc

    monkeypatch.setattr(SQLiteLedger, "_write", full)
    result = cli("resolve", priors, "yes", "--date", "2025-01-01", "--ledger", ledger)
    assert_clean(result, contains="the disk is full")
    assert priors.read_bytes() == before
    with open_ledger(ledger, write=False) as book:
        assert book.resolutions() == {}


KILLED = textwrap.dedent(
    """
    import os, sys
    from forecast.ledger.sqlite import SQLiteLedger
    from forecast.cli import app

    def die(self, fn):
        os.kill(os.getpid(), 9)  # between the priors file and the ledger

    SQLiteLedger._write = die
    app(sys.argv[1:])
    """
)


def test_kill_9_between_the_writes_is_detected_by_list_and_repaired_by_resolving_again(
    priors: Path, ledger: Path
) -> None:
    args = ["resolve", str(priors), "yes", "--date", "2025-01-01", "--ledger", str(ledger)]
    proc = subprocess.run(
        [sys.executable, "-c", KILLED, *args], capture_output=True, text=True, timeout=50
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert load_question(priors).spec.status == "yes"  # the file went first
    listed = cli("list", priors.parent, "--ledger", ledger)
    assert "the priors file says status: yes but the ledger has no outcome" in listed.stderr
    again = cli(*args)
    assert again.exit_code == 0, again.stderr
    with open_ledger(ledger, write=False) as book:
        assert book.resolutions()["turkmenistan-joins-ots"].outcome == "yes"
    assert "says status" not in cli("list", priors.parent, "--ledger", ledger).stderr


def test_a_refused_resolve_creates_no_ledger(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    result = cli("resolve", "no-such-question", "yes", "--ledger", path, "--priors-dir", tmp_path)
    assert_clean(result, contains="nothing was recorded")
    assert not path.exists()
    assert sorted(os.listdir(tmp_path)) == []


@pytest.mark.parametrize("bad", ["../evil", "a/../../b", "x" * 300, "has space"])
def test_resolve_refuses_what_is_not_a_question_id(tmp_path: Path, bad: str) -> None:
    path = tmp_path / "ledger.sqlite"
    result = cli("resolve", bad, "yes", "--force", "--ledger", path)
    stderr = assert_clean(result, 2, contains="is not a question id")
    assert len(stderr.splitlines()[0]) < 120
    assert not path.exists()
