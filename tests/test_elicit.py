"""``forecast elicit``: scripted through CliRunner, from a file, and at a real terminal."""

from __future__ import annotations

import fcntl
import os
import select
import signal
import subprocess
import sys
import termios
import textwrap
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from forecast.cli import app
from forecast.elicit.answers import Invalid, parse_probability
from forecast.elicit.bins import default_edges
from forecast.questions.loader import load_question
from tests.conftest import ROOT

NEW_QUESTION = [
    "e",
    "Türkiye joins the format by 2028",
    "Resolves yes if a summit declaration admits Türkiye as a full participant.",
    "2028-12-31",
    "turkiye, Regional formats",
    "Tashkent declaration, November 2025 https://example.org/declaration",
]
STATED = {0.01: 0.02, 0.25: 0.08, 0.5: 0.15, 0.75: 0.25, 0.99: 0.6}
"""The quartiles of QUARTILES with its lowest and highest as the 1% and 99% points."""
QUARTILES = ["Regional analyst", "q", "0.02", "0.6", "0.15", "0.08", "0.25", "y", "n"]

EXISTING = """\
# A hand-written question; this comment must survive.
format: 1
kind: event
title: An existing question
resolution: Resolves yes if the test event happens, as the test says.
deadline: 2030-01-01
experts:
  - name: First expert   # the first one
    judgement: {probability: 0.2, strength: 10}
base_rate: {successes: 1, trials: 8, weight: 0.5, reference_class: test}
"""


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _invoke(args: list[str], lines: list[str]):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, args, input="\n".join(lines) + "\n")


def test_new_question_from_stdin_writes_a_valid_file(tmp_path: Path) -> None:
    result = _invoke(["elicit", "new-q", "--dir", str(tmp_path)], NEW_QUESTION + QUARTILES)
    assert result.exit_code == 0, result.output
    assert "wrote" in result.stdout and "Regional analyst" in result.stdout
    q = load_question(tmp_path / "new-q.yaml")
    spec = q.spec
    assert spec.title == NEW_QUESTION[1]  # type: ignore[attr-defined]
    assert str(spec.deadline) == "2028-12-31"
    (e,) = spec.experts  # type: ignore[attr-defined]
    assert e.judgement.quantiles == STATED  # what the expert said, extremes included
    assert spec.tags == ["turkiye", "regional-formats"]  # type: ignore[attr-defined]
    (source,) = spec.sources  # type: ignore[attr-defined]
    assert source.title == "Tashkent declaration, November 2025"
    assert source.url == "https://example.org/declaration"
    assert (tmp_path / "new-q.yaml").stat().st_mode & 0o777 == 0o666 & ~_umask()
    # the fitted feedback went to stderr, with the implications in plain words
    assert "You are saying" in result.stderr and "Fitted Beta" in result.stderr
    check = CliRunner().invoke(app, ["check", str(tmp_path / "new-q.yaml")])
    assert check.exit_code == 0, check.output


def test_adding_an_expert_keeps_the_file_and_its_comments(tmp_path: Path) -> None:
    path = tmp_path / "old-q.yaml"
    path.write_text(EXISTING, encoding="utf-8")
    lines = ["Second expert", "r", "0", "0.5", "", "0 1 3 5 4 3 2 1 1 0", "y", "n"]
    result = _invoke(["elicit", "old-q", "--dir", str(tmp_path)], lines)
    assert result.exit_code == 0, result.output
    text = path.read_text(encoding="utf-8")
    assert "# A hand-written question; this comment must survive." in text
    assert "# the first one" in text
    assert "base_rate: {successes: 1, trials: 8, weight: 0.5, reference_class: test}" in text
    spec = load_question(path).spec
    names = [e.name for e in spec.experts]  # type: ignore[attr-defined]
    assert names == ["First expert", "Second expert"]
    r = spec.experts[1].judgement.roulette  # type: ignore[attr-defined]
    assert r.chips == [0, 1, 3, 5, 4, 3, 2, 1, 1, 0]
    assert r.bins == default_edges(0, 0.5)


def test_bad_answers_get_a_reason_and_the_question_again(tmp_path: Path) -> None:
    lines = [
        *NEW_QUESTION[:3],
        "last year",  # not a date
        "2001-01-01",  # in the past
        *NEW_QUESTION[3:],
        "Analyst",
        "maybe",  # not a method
        "q",
        "abc",  # text where a number belongs
        "1.3",  # not a probability
        "0.02",
        "0.01",  # highest below lowest
        "0.6",
        "0.7",  # median outside the plausible range
        "15%",
        "0.2",  # lower quartile above the median
        "0.08",
        "0.1",  # upper quartile below the median
        "0.25",
        "y",
        "n",
    ]
    result = _invoke(["elicit", "q", "--dir", str(tmp_path)], lines)
    assert result.exit_code == 0, result.output
    reasons = [ln for ln in result.stderr.splitlines() if ln.strip().startswith("✗")]
    assert len(reasons) == 9, reasons
    joined = "\n".join(reasons)
    assert "'abc' is not a number" in joined
    assert "must be between 0 and 1 (got 1.3)" in joined
    assert "below the median 0.15 (got 0.2)" in joined
    assert "above the median 0.15" in joined and "(got 0.1)" in joined
    assert "is not a date" in joined and "after today" in joined
    assert "Traceback" not in result.output
    spec = load_question(tmp_path / "q.yaml").spec
    assert spec.experts[0].judgement.quantiles == STATED  # type: ignore[attr-defined]


def test_revise_keeps_earlier_answers_as_defaults(tmp_path: Path) -> None:
    lines = [*NEW_QUESTION, *QUARTILES[:7], "r", "", "", "", "0.1", "", "y", "n"]
    result = _invoke(["elicit", "q", "--dir", str(tmp_path)], lines)
    assert result.exit_code == 0, result.output
    spec = load_question(tmp_path / "q.yaml").spec
    # Enter kept the extremes, the median and the upper quartile; the lower one changed.
    quantiles = spec.experts[0].judgement.quantiles  # type: ignore[attr-defined]
    assert quantiles == {**STATED, 0.25: 0.1}


def test_end_of_input_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    path = tmp_path / "old-q.yaml"
    path.write_text(EXISTING, encoding="utf-8")
    before = path.stat().st_mtime_ns
    result = _invoke(["elicit", "old-q", "--dir", str(tmp_path)], ["Second", "q", "0.02"])
    assert result.exit_code == 1
    assert "nothing was written" in result.stderr
    assert path.read_text(encoding="utf-8") == EXISTING
    assert path.stat().st_mtime_ns == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old-q.yaml"]  # no temp files


def test_answers_file_as_a_mapping_and_as_a_list(tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text(
        textwrap.dedent(
            """\
            title: A question from a file of answers
            resolution: Resolves yes if it happens, as a stranger could check.
            deadline: 2031-06-30
            expert: Scripted analyst
            method: roulette
            lowest: 0.0
            highest: 0.4
            chips: [0, 2, 6, 5, 3, 2, 1, 1]
            """
        ),
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        app, ["elicit", "from-map", "--dir", str(tmp_path), "--answers", str(answers)]
    )
    assert result.exit_code == 0, result.output
    spec = load_question(tmp_path / "from-map.yaml").spec
    assert spec.experts[0].judgement.form == "roulette"  # type: ignore[attr-defined]

    listed = tmp_path / "list.yaml"
    listed.write_text(
        "\n".join(f"- {v!r}" for v in [*NEW_QUESTION, *QUARTILES]) + "\n", encoding="utf-8"
    )
    result = CliRunner().invoke(
        app, ["elicit", "from-list", "--dir", str(tmp_path), "--answers", str(listed)]
    )
    assert result.exit_code == 0, result.output
    assert load_question(tmp_path / "from-list.yaml").spec.experts[0].name == "Regional analyst"  # type: ignore[attr-defined]

    bad = tmp_path / "bad.yaml"
    bad.write_text(answers.read_text().replace("highest: 0.4", "highest: 1.3"), encoding="utf-8")
    result = CliRunner().invoke(
        app, ["elicit", "from-bad", "--dir", str(tmp_path), "--answers", str(bad)]
    )
    assert result.exit_code == 1
    assert "highest: a probability must be between 0 and 1 (got 1.3)" in result.stderr
    assert not (tmp_path / "from-bad.yaml").exists()


def test_default_bins_have_round_edges() -> None:
    assert default_edges(0, 0.5) == [0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5]
    inner = [round(0.05 * k, 2) for k in range(1, 12)]
    assert default_edges(0.02, 0.6) == [0.02, *inner, 0.6]
    assert default_edges(0.01, 0.2) == [0.01, *(round(0.02 * k, 2) for k in range(1, 10)), 0.2]


def test_a_bad_question_id_is_a_usage_error(tmp_path: Path) -> None:
    result = _invoke(["elicit", "Not An Id", "--dir", str(tmp_path)], [])
    assert result.exit_code == 2
    assert "not a question id" in result.stderr


@pytest.mark.parametrize(
    ("raw", "value"), [("0.12", 0.12), ("12%", 0.12), (" 0,5 ", 0.5), ("0", 0.0), ("100%", 1.0)]
)
def test_probability_answers(raw: str, value: float) -> None:
    assert parse_probability(raw) == pytest.approx(value)


@pytest.mark.parametrize("raw", ["", "abc", "1.3", "-0.1", "120%", "nan"])
def test_bad_probability_answers(raw: str) -> None:
    with pytest.raises(Invalid):
        parse_probability(raw)


# --- a real pseudo-terminal -----------------------------------------------------------


def _spawn(args: list[str], cwd: Path) -> tuple[subprocess.Popen[bytes], int]:
    master, slave = os.openpty()

    def controlling_tty() -> None:  # the pty becomes the child's terminal: Ctrl-C works
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    env = dict(os.environ, COLUMNS="100", TERM="xterm", PYTHONPATH=str(ROOT))
    proc = subprocess.Popen(
        [sys.executable, "-c", "from forecast.cli import main; main()", *args],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        cwd=cwd,
        env=env,
        start_new_session=True,
        preexec_fn=controlling_tty,
    )
    os.close(slave)
    return proc, master


def _read_until(master: int, needle: str, timeout: float = 60.0) -> str:
    seen = b""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
            if needle.encode() in seen:
                return seen.decode(errors="replace")
    raise AssertionError(f"{needle!r} never appeared; saw:\n{seen.decode(errors='replace')}")


def test_at_a_real_terminal_prompts_answers_and_writes(tmp_path: Path) -> None:
    (tmp_path / "priors").mkdir()
    proc, master = _spawn(["elicit", "pty-q"], tmp_path)
    try:
        answers = iter(NEW_QUESTION + QUARTILES)
        prompts = [
            "Kind",
            "Title",
            "Resolution",
            "Deadline",
            "Tags",
            "A source",
            "Who is the expert",
            "[q]uartiles or",
            "your 1% point",
            "your 99% point",
            "Median",
            "Lower quartile",
            "Upper quartile",
            "Accept this judgement",
            "another expert",
        ]
        for prompt in prompts:
            _read_until(master, prompt)
            os.write(master, (next(answers) + "\r").encode())
        assert proc.wait(timeout=60) == 0
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
    spec = load_question(tmp_path / "priors" / "pty-q.yaml").spec
    assert spec.experts[0].name == "Regional analyst"  # type: ignore[attr-defined]


def test_ctrl_c_at_a_real_terminal_leaves_the_file_as_it_was(tmp_path: Path) -> None:
    (tmp_path / "priors").mkdir()
    path = tmp_path / "priors" / "old-q.yaml"
    path.write_text(EXISTING, encoding="utf-8")
    proc, master = _spawn(["elicit", "old-q"], tmp_path)
    try:
        _read_until(master, "Who is the expert")
        os.write(master, b"Second\r")
        _read_until(master, "[q]uartiles or")
        os.write(master, b"q\r")
        _read_until(master, "Lowest plausible")
        os.write(master, b"\x03")  # Ctrl-C, through the terminal's line discipline
        tail = _read_until(master, "Interrupted")
        assert proc.wait(timeout=30) == 130
        assert "Traceback" not in tail
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
    assert path.read_text(encoding="utf-8") == EXISTING


# --- drivers and time-to-event questions ----------------------------------------------


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("us-kazakhstan-critical-minerals", "by 2027-12-31 with every driver off"),
        (
            "turkiye-joins-consultative-meeting",
            "the event at one opportunity with every driver off, as if none had passed; the "
            "opportunities that passed are data. The first after the file's facts (as of "
            "2025-11-25), 2026-11-16, is already past today (2026-12-01), and the file does "
            "not say whether the event happened then",
        ),
        ("central-asian-state-recognises-trnc", "The probability to judge: the event by 20"),
    ],
)
def test_experts_are_added_to_drivers_and_scheduled_questions(
    tmp_path: Path, name: str, says: str
) -> None:
    original = (ROOT / "priors" / f"{name}.yaml").read_text(encoding="utf-8")
    path = tmp_path / f"{name}.yaml"
    path.write_text(original, encoding="utf-8")
    before = [e.name for e in load_question(path).spec.experts]  # type: ignore[attr-defined]
    result = _invoke(["elicit", name, "--dir", str(tmp_path)], QUARTILES)
    assert result.exit_code == 0, result.output
    shown = " ".join(result.stderr.split())
    assert "The probability to judge: " in shown and says in shown
    spec = load_question(path).spec
    assert [e.name for e in spec.experts] == [*before, "Regional analyst"]  # type: ignore[attr-defined]
    assert spec.experts[-1].judgement.quantiles == STATED  # type: ignore[attr-defined]
    # everything else in the file, comments and long lines included, is kept as it was
    assert path.read_text(encoding="utf-8").startswith(original.split("experts:")[0])


HAZARD = """\
format: 1
kind: time-to-event
title: A hazard question
resolution: Resolves yes if the test event happens, as the test says.
deadline: 2028-12-01
horizon: 2035-12-01
as_of: 2025-12-01
hazard:
  since: 2020-12-01  # the clock starts here
  experts:
    - name: a
      median_years: {median: 8, interval: [3.5, 18.3], mass: 0.9}
"""


def test_a_hazard_question_gets_median_times_in_years(tmp_path: Path) -> None:
    path = tmp_path / "h.yaml"
    path.write_text(HAZARD, encoding="utf-8")
    # a probability-style answer is refused for a time, then the quartiles in years
    lines = ["Hazard analyst", "-2", "2", "40", "9", "6", "14", "y", "n"]
    result = _invoke(["elicit", "h", "--dir", str(tmp_path)], lines)
    assert result.exit_code == 0, result.output
    shown = " ".join(result.stderr.split())
    assert "The median time in years to judge: years from 2020-12-01 to the event" in shown
    assert "give a positive number (got '-2')" in shown
    assert "Fitted LogNormal" in shown and "You are saying: about 9.09 years (median)" in shown
    assert "roulette" not in shown  # no chips for a time
    spec = load_question(path).spec
    (first, b) = spec.hazard.experts  # type: ignore[attr-defined]
    assert first.name == "a"
    assert b.name == "Hazard analyst"
    assert b.median_years.quantiles == {0.01: 2, 0.25: 6, 0.5: 9, 0.75: 14, 0.99: 40}
    text = path.read_text(encoding="utf-8")
    assert "# the clock starts here" in text and "experts:" not in text.split("hazard:")[0]


def test_a_time_answer_must_be_a_positive_number() -> None:
    from forecast.elicit.answers import parse_positive

    assert parse_positive("2,5") == 2.5
    for bad in ("0", "-1", "nan", "inf", "soon"):
        with pytest.raises(Invalid):
            parse_positive(bad)


# --- the file it writes runs ----------------------------------------------------------


@pytest.mark.slow
def test_the_written_file_runs(tmp_path: Path) -> None:
    lines = [*NEW_QUESTION, *QUARTILES[:-1], "y", "Second analyst", "r", "0", "0.5", ""]
    lines += ["0 1 3 5 4 3 2 1 1 0", "y", "n"]
    result = _invoke(["elicit", "q", "--dir", str(tmp_path)], lines)
    assert result.exit_code == 0, result.output
    run = CliRunner().invoke(
        app,
        [
            "run",
            str(tmp_path / "q.yaml"),
            "--format",
            "json",
            "--draws",
            "300",
            "--tune",
            "300",
            "--chains",
            "2",
            "--seed",
            "1",
            "--pool",
            "logarithmic",
        ],
    )
    assert run.exit_code == 0, run.output
    import json

    out = json.loads(run.stdout.splitlines()[-1])
    assert 0.05 < out["probability"] < 0.4
    assert [e["name"] for e in out["experts"]] == ["Regional analyst", "Second analyst"]
    assert out["pools"]["method"] == "logarithmic"


# --- a new question of every kind -----------------------------------------------------

TODAY = {"FORECAST_TODAY": "2026-12-01"}
BY_KIND = {
    "event": (["e"], QUARTILES, "The probability to judge: the event by 2029-12-31"),
    "scheduled": (
        ["s", "2030-12-31", "2024-08-09 2025-11-16", "12"],
        QUARTILES,
        "the event at the next opportunity",
    ),
    "hazard": (
        ["h", "2032-12-31", "2020-01-01"],
        ["Hazard analyst", "2", "40", "9", "6", "14", "y", "n"],
        "years from 2020-01-01 to the event",
    ),
    "drivers": (
        [
            *("d", "us-priority", "The US keeps it a priority.", "2", "1.2", "4", "0.6", "y"),
            *("neighbours-press", "Neighbours press against it.", "0.6", "0.3", "1.1", "0.3"),
            "n",
        ],
        QUARTILES,
        "with every driver off (us-priority, neighbours-press)",
    ),
}


@pytest.mark.parametrize("kind", list(BY_KIND))
def test_a_new_question_of_every_kind_checks_and_shows(tmp_path: Path, kind: str) -> None:
    first, judgement, says = BY_KIND[kind]
    head = [first[0], "A test question by 2029", "Resolves yes if the test says so.", "2029-12-31"]
    lines = [*head, *first[1:], "test", "", *judgement]
    result = CliRunner().invoke(
        app, ["elicit", "new", "--dir", str(tmp_path)], input="\n".join(lines) + "\n", env=TODAY
    )
    assert result.exit_code == 0, result.output
    assert says in " ".join(result.stderr.split())
    path = tmp_path / "new.yaml"
    check = CliRunner().invoke(app, ["check", str(path)], env=TODAY)
    assert check.exit_code == 0, check.output
    show = CliRunner().invoke(app, ["show", str(path)], env=TODAY)
    assert show.exit_code == 0, show.output
    spec = load_question(path).spec
    expected = {"event": "event", "drivers": "drivers"}.get(kind, "time-to-event")
    assert spec.kind == expected  # type: ignore[attr-defined]
    if kind == "hazard":
        (e,) = spec.hazard.experts  # type: ignore[attr-defined]
        assert e.median_years.quantiles == {0.01: 2, 0.25: 6, 0.5: 9, 0.75: 14, 0.99: 40}
    else:
        (e,) = spec.experts  # type: ignore[attr-defined]
        assert e.judgement.quantiles == STATED
    if kind == "scheduled":
        assert spec.opportunities.every_months == 12  # type: ignore[attr-defined]
        assert [str(d) for d in spec.opportunities.dates] == ["2024-08-09", "2025-11-16"]  # type: ignore[attr-defined]
    if kind == "drivers":
        a, b = spec.drivers  # type: ignore[attr-defined]
        assert (a.id, a.level, b.id, b.odds_ratio.median) == (
            "us-priority",
            0.6,
            "neighbours-press",
            0.6,
        )


def test_a_new_hazard_question_from_an_answers_file(tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text(
        textwrap.dedent(
            """\
            kind: hazard
            title: A hazard question from a file
            resolution: Resolves yes if it happens, as a stranger could check.
            deadline: 2031-06-30
            since: 2021-01-01
            expert: Scripted analyst
            lowest: 1
            highest: 50
            median: 10
            lower_quartile: 5
            upper_quartile: 20
            """
        ),
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        app, ["elicit", "h", "--dir", str(tmp_path), "--answers", str(answers)], env=TODAY
    )
    assert result.exit_code == 0, result.output
    spec = load_question(tmp_path / "h.yaml").spec
    assert spec.hazard.since.isoformat() == "2021-01-01"  # type: ignore[attr-defined]
    assert str(spec.horizon) == "2031-06-30"  # type: ignore[attr-defined]
    assert CliRunner().invoke(app, ["check", str(tmp_path / "h.yaml")], env=TODAY).exit_code == 0
