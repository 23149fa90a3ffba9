"""The library functions under the commands: overrides of a file's pool and weights, the
command line's choices read from the specification, a file's state against the ledger,
the rules of an outcome, the progress bar and a sweep's scenarios."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any, get_args

import pytest
from rich.console import Console

from forecast import filestate, outcomes, overrides
from forecast.cli import options
from forecast.errors import ForecastError, UsageError
from forecast.ledger.records import OUTCOMES, Latest
from forecast.questions.choices import PoolMethod, WeightsMethod
from forecast.questions.loader import load_question
from forecast.render.progress import progress_bar
from forecast.sweep.places import ExecutorName
from tests.conftest import PRIORS

EVENT = PRIORS / "turkmenistan-joins-ots.yaml"
DRIVERS = PRIORS / "us-kazakhstan-critical-minerals.yaml"


def test_the_command_line_offers_exactly_the_words_a_file_may_use() -> None:
    assert [c.value for c in options.PoolChoice] == list(get_args(PoolMethod))
    # Cooke weights need the file's seeds: --weights offers the others, in order.
    assert [c.value for c in options.WeightsChoice] == [
        w for w in get_args(WeightsMethod) if w != "cooke"
    ]
    assert [c.value for c in options.ExecutorChoice] == list(get_args(ExecutorName))
    from forecast.questions.experts import Pool

    # The specification's own field is typed by the same Literal.
    assert Pool.model_fields["method"].annotation == PoolMethod


def test_choices_makes_a_str_enum_less_the_words_left_out() -> None:
    made = options.choices("Made", PoolMethod, without=("hierarchical",))
    assert [m.value for m in made] == ["linear", "logarithmic"]
    assert made("linear") == "linear" and isinstance(made("linear"), str)


def test_with_pool_replaces_the_method_and_warns_about_other_kinds() -> None:
    event, drivers = load_question(EVENT), load_question(DRIVERS)
    (pooled, kept), warnings = overrides.with_pool([event, drivers], "logarithmic", 1.5)
    assert pooled.spec.pool.method == "logarithmic"  # type: ignore[attr-defined]
    assert pooled.spec.pool.extremize == 1.5  # type: ignore[attr-defined]
    assert kept is drivers
    assert warnings == [
        f"--pool and --extremize apply to event questions; {drivers.id} pool their experts linearly"
    ]
    # Only what was given changes; the rest of the file's pool stays.
    (again,), none = overrides.with_pool([event], None, 2.0)
    assert again.spec.pool.method == event.spec.pool.method  # type: ignore[attr-defined]
    assert again.spec.pool.extremize == 2.0 and none == []  # type: ignore[attr-defined]
    assert overrides.with_pool([event], None, None) == ([event], [])


def test_with_weights_leaves_the_ledger_alone_when_nothing_asks_for_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import forecast.ledger.weights as weights

    def refuse(*_: Any, **__: Any) -> Any:
        raise AssertionError("the ledger was consulted")

    monkeypatch.setattr(weights, "apply", refuse)
    q = load_question(EVENT)
    assert overrides.with_weights([q], None, None) == ([q], [])
    assert overrides.with_weights([q], None, "given") == ([q], [])
    calls: list[bool] = []

    def fake(loaded: Any, ledger: Any, *, force: bool) -> Any:
        calls.append(force)
        return list(loaded), ("a warning",)

    monkeypatch.setattr(weights, "apply", fake)
    assert overrides.with_weights([q], "x.sqlite", "performance") == ([q], ["a warning"])
    assert calls == [True]


def _latest(q: Any, text: str) -> Latest:
    return Latest(q.id, dt.datetime(2026, 1, 1, tzinfo=dt.UTC), 0.3, "other", text)


def test_a_file_changed_since_its_forecast_other_than_in_its_status() -> None:
    q = load_question(EVENT)
    same = Latest(q.id, dt.datetime(2026, 1, 1, tzinfo=dt.UTC), 0.3, q.sha256, "")
    assert not filestate.changed_since(q, same)
    assert not filestate.changed_since(q, _latest(q, q.text.replace("status: open", "status: no")))
    assert filestate.changed_since(q, _latest(q, q.text + "\n# an edit\n"))


def test_a_resolved_file_the_ledger_has_no_outcome_for_is_named() -> None:
    q = load_question(EVENT)
    resolved = type(q)(**{**q.__dict__, "spec": q.spec.model_copy(update={"status": "yes"})})
    latest = {q.id: _latest(q, q.text)}
    (said,) = filestate.status_disagreements([resolved], latest, {})
    assert said.startswith(f"{q.id}: the priors file says status: yes but the ledger has no")
    assert f"forecast resolve {q.id} yes --date DAY" in said
    (said,) = filestate.status_disagreements([resolved], latest, {q.id: "no"})
    assert "the ledger records no" in said
    assert filestate.status_disagreements([resolved], latest, {q.id: "yes"}) == []
    assert filestate.status_disagreements([q], latest, {}) == []  # open: nothing to agree
    assert filestate.status_disagreements([resolved], {}, {}) == []  # never recorded


def test_an_outcome_is_one_of_the_ledger_s_words_in_any_case() -> None:
    assert [outcomes.outcome_of(w.upper() + " ") for w in OUTCOMES] == list(OUTCOMES)
    with pytest.raises(UsageError, match="unknown outcome 'maybe'"):
        outcomes.outcome_of("maybe")


def test_an_early_no_needs_force_and_a_reason() -> None:
    day, deadline = dt.date(2026, 1, 1), dt.date(2027, 1, 1)
    # Bad input (exit 1), not a usage error (exit 2): the command line was right.
    with pytest.raises(ForecastError, match="before its deadline") as caught:
        outcomes.check_early_no("q", "no", day, deadline, False, None)
    assert not isinstance(caught.value, UsageError) and caught.value.exit_code == 1
    assert "--force --reason" in (caught.value.hint or "")
    with pytest.raises(ForecastError) as caught:
        outcomes.check_early_no("q", "no", day, deadline, True, "  ")
    assert (caught.value.hint or "").startswith("--force needs --reason")
    outcomes.check_early_no("q", "no", day, deadline, True, "the body was dissolved")
    outcomes.check_early_no("q", "yes", day, deadline, False, None)
    outcomes.check_early_no("q", "no", deadline, deadline, False, None)


def _console(terminal: bool) -> Console:
    return Console(file=io.StringIO(), force_terminal=terminal, width=100)


def test_the_progress_bar_is_drawn_only_on_a_terminal_and_for_enough_items() -> None:
    piped = _console(False)
    with progress_bar(piped, "run", 50, "questions") as tick:
        assert tick is None
    assert piped.file.getvalue() == ""  # type: ignore[attr-defined]
    few = _console(True)
    with progress_bar(few, "run", 3, "questions", at_least=4) as tick:
        assert tick is None
    assert few.file.getvalue() == ""  # type: ignore[attr-defined]
    shown = _console(True)
    with progress_bar(shown, "run", 4, "questions", at_least=4) as tick:
        assert tick is not None
        for _ in range(4):
            tick(1)
    text = shown.file.getvalue()  # type: ignore[attr-defined]
    assert "run" in text and "4/4" in text


def test_a_sweep_takes_a_grid_or_a_scenarios_file_not_both(tmp_path: Path) -> None:
    from forecast.sweep.batch import scenarios_of

    with pytest.raises(UsageError, match="give --grid"):
        scenarios_of([], None)
    with pytest.raises(UsageError, match="give --grid"):
        scenarios_of(["prior.strength=1"], tmp_path / "s.yaml")
    planned = scenarios_of(["prior.strength=0.5,1", "pool=linear,logarithmic"], None)
    assert planned.names == ["prior.strength", "pool"]
    first, again = list(planned.each()), list(planned.each())  # once per question
    assert len(first) == len(again) == 4


def test_a_resolution_asks_for_one_question_and_an_outcome_or_a_value(tmp_path: Path) -> None:
    assert outcomes.requested("q", "Yes", None) == "yes"
    assert outcomes.requested("q", None, 850.0) == ""  # the value decides
    with pytest.raises(UsageError, match="is a directory"):
        outcomes.requested(str(tmp_path), "yes", None)
    for word, value in (("yes", 1.0), (None, None)):
        with pytest.raises(UsageError, match="not both"):
            outcomes.requested("q", word, value)
    assert outcomes.requested("x" * 5000, "no", None) == "no"  # too long for a path


def test_a_resolution_day_is_today_or_before() -> None:
    from forecast import staleness

    today = staleness.today()
    assert outcomes.resolution_day(None) == today
    assert outcomes.resolution_day(today - dt.timedelta(days=3)) == today - dt.timedelta(days=3)
    with pytest.raises(UsageError, match="is in the future"):
        outcomes.resolution_day(today + dt.timedelta(days=1))
