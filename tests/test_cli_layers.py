"""The command line is a thin layer: each command's body is short and the work it asks
for is in the library (scoring a ledger, a question's moves), tested here directly."""

from __future__ import annotations

import ast
import dataclasses
import datetime as dt
import inspect
import textwrap
from pathlib import Path

import pytest

from forecast.cli import app
from forecast.errors import UsageError
from forecast.ledger import Resolution, open_ledger
from forecast.ledger.evaluate import report
from forecast.ledger.history import moves, moves_by_source
from forecast.ledger.scored import check_request, score_ledger
from tests.test_ledger import make, when

MAX_BODY = 25
"""Lines of a command's body, its docstring left out."""


def _body_lines(fn: object) -> int:
    source = textwrap.dedent(inspect.getsource(inspect.unwrap(fn)))  # type: ignore[arg-type]
    (node,) = ast.parse(source).body
    assert isinstance(node, ast.FunctionDef)
    body = node.body[1:] if ast.get_docstring(node) is not None else node.body
    return body[-1].end_lineno - body[0].lineno + 1  # type: ignore[operator]


def _commands() -> dict[str, object]:
    found: dict[str, object] = {}
    for info in app.registered_commands:
        found[info.name or info.callback.__name__] = info.callback  # type: ignore[union-attr]
    for group in app.registered_groups:
        sub = group.typer_instance
        assert sub is not None
        prefix = group.name if isinstance(group.name, str) else sub.info.name
        for info in sub.registered_commands:
            found[f"{prefix} {info.name}"] = info.callback
    return found


def test_every_command_is_registered_and_measured() -> None:
    names = set(_commands())
    assert {"run", "score", "watch", "history", "ledger copy", "check"} <= names


@pytest.mark.parametrize("name", sorted(_commands()))
def test_a_command_body_is_short(name: str) -> None:
    assert _body_lines(_commands()[name]) <= MAX_BODY


def _ledger(tmp_path: Path) -> str:
    path = str(tmp_path / "l.sqlite")
    with open_ledger(path) as book:
        for q, p in (("a", 0.8), ("b", 0.3), ("c", 0.6)):
            book.record(dataclasses.replace(make(question=q, at=when(1)), probability=p))
            book.resolve(Resolution(q, "yes" if q != "b" else "no", dt.date(2026, 6, 1), when(6)))
        net = dataclasses.replace(make(question="a", at=when(2)), kind="network", probability=0.1)
        book.record(net)
    return path


def test_score_ledger_scores_what_report_scores(tmp_path: Path) -> None:
    path = _ledger(tmp_path)
    got = score_ledger(path)
    with open_ledger(path, write=False) as book:
        own = [r for r in book.forecasts(light=True) if r.kind != "network"]
        expected = report(own, book.resolutions())
    assert got.report.to_dict() == expected.to_dict()
    assert got.report.overall.brier == pytest.approx(((0.8 - 1) ** 2 + 0.3**2 + 0.4**2) / 3)
    assert (got.implied, got.kind, got.amounts) == (1, None, [])


def test_score_ledger_of_one_kind_scores_only_its_questions(tmp_path: Path) -> None:
    got = score_ledger(_ledger(tmp_path), kind="network")
    assert [c.question_id for c in got.report.questions] == ["a"]
    assert got.report.overall.brier == pytest.approx(0.9**2)
    assert got.implied == 0


@pytest.mark.parametrize(
    ("by", "extremize", "kind", "message"),
    [(None, 1.5, None, "--by analyst"), ("tag", 2.0, None, "--by analyst"),
     (None, 1.0, "bogus", "--kind must be one of")],
)  # fmt: skip
def test_score_requests_are_checked(
    by: str | None, extremize: float, kind: str | None, message: str
) -> None:
    with pytest.raises(UsageError, match=message):
        check_request(by, extremize, kind)  # type: ignore[arg-type]


def test_a_networks_forecasts_move_apart_from_the_questions_own() -> None:
    own = [make(question="a", at=when(1), residual=0.0), make(question="a", at=when(3), base=0.1)]
    net = [dataclasses.replace(make(question="a", at=when(m)), kind="network") for m in (2, 4)]
    mixed = sorted([*own, *net], key=lambda r: r.recorded_at)
    got = moves_by_source(mixed)
    assert [(m.before.recorded_at, m.after.recorded_at) for m in got] == [
        (when(1), when(3)),
        (when(2), when(4)),
    ]
    assert got[0] == moves(own)[0]
