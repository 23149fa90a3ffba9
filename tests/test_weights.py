"""Performance weights earned on resolved questions: closed forms and properties."""

from __future__ import annotations

import datetime as dt
import json
import math
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from forecast.cli import app
from forecast.ledger import Resolution, open_ledger
from forecast.ledger.weights import NO_SKILL, PSEUDO_QUESTIONS, earn, record_of
from forecast.questions.loader import load_question
from tests.conftest import EVENT_HEADER
from tests.test_ledger import make, when


def test_record_of_is_the_shrunk_geometric_mean_of_what_happened() -> None:
    r = record_of("Ana", [(0.8, 1), (0.3, 0), (0.6, 0)])
    # probabilities given to what happened: 0.8, 0.7, 0.4; two imaginary 50% questions
    assert r.earned == pytest.approx((0.8 * 0.7 * 0.4 * 0.5 * 0.5) ** (1 / 5), rel=1e-12)
    assert r.questions == 3
    assert r.log_score == pytest.approx((math.log(0.8) + math.log(0.7) + math.log(0.4)) / 3)
    assert r.brier == pytest.approx((0.2**2 + 0.3**2 + 0.6**2) / 3)
    assert PSEUDO_QUESTIONS == 2.0


def test_an_expert_without_a_record_weighs_as_a_no_skill_forecaster() -> None:
    r = record_of("New", [])
    assert r.earned == pytest.approx(NO_SKILL)
    assert r.questions == 0 and r.log_score is None and r.brier is None
    assert record_of("Coin", [(0.5, 1), (0.5, 0)] * 5).earned == pytest.approx(NO_SKILL)


def _resolved(qid: str, outcome: str, month: int = 6) -> Resolution:
    return Resolution(qid, outcome, dt.date(2026, month, 1), when(month))


def test_earn_counts_resolved_event_questions_at_their_cutoff() -> None:
    records = [
        # q1 resolved yes: Ana said 0.7 at the last forecast before the cutoff, Bo 0.2
        make(question="q1", at=when(1), experts=(("Ana", 1.0, 0.4), ("Bo", 1.0, 0.2))),
        make(question="q1", at=when(2), experts=(("Ana", 1.0, 0.7), ("Bo", 1.0, 0.2))),
        # recorded after q1 resolved: does not count
        make(question="q1", at=when(8), experts=(("Ana", 1.0, 0.01), ("Bo", 1.0, 0.99))),
        # q2 resolved no: only Ana took part
        make(question="q2", at=when(1), experts=(("Ana", 1.0, 0.1),)),
        # q3 annulled, q4 unresolved: neither counts
        make(question="q3", at=when(1), experts=(("Ana", 1.0, 0.9), ("Bo", 1.0, 0.9))),
        make(question="q4", at=when(1), experts=(("Ana", 1.0, 0.9), ("Bo", 1.0, 0.9))),
    ]
    tte = make(question="q5", at=when(1), experts=(("Bo", 1.0, 0.9),))
    records.append(type(tte)(**{**tte.__dict__, "kind": "time-to-event"}))
    resolutions = {
        "q1": _resolved("q1", "yes"),
        "q2": _resolved("q2", "no"),
        "q3": _resolved("q3", "annulled"),
        "q5": _resolved("q5", "yes"),  # a time-to-event question: its experts judge q
    }
    w = earn(["Ana", "Bo", "Cy"], records, resolutions, ledger="test")
    ana, bo, cy = w.experts
    assert (ana.questions, bo.questions, cy.questions) == (2, 1, 0)
    assert ana.earned == pytest.approx((0.7 * 0.9 * 0.25) ** (1 / 4))
    assert bo.earned == pytest.approx((0.2 * 0.25) ** (1 / 3))
    assert cy.earned == pytest.approx(0.5)
    total = ana.earned + bo.earned + cy.earned
    assert w.weights() == pytest.approx(
        {"Ana": ana.earned / total, "Bo": bo.earned / total, "Cy": 0.5 / total}
    )
    assert w.resolved == 2
    # the question being forecast is left out of its own experts' record
    assert earn(["Ana"], records, resolutions, exclude="q2").experts[0].questions == 1
    d = w.to_dict()
    assert d["method"] == "performance" and d["experts"][0]["name"] == "Ana"


probs = st.floats(min_value=0.01, max_value=0.99)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(probs, probs, st.integers(0, 1)), min_size=1, max_size=12))
def test_closer_to_what_happened_never_weighs_less(rows: list[tuple[float, float, int]]) -> None:
    # A gives what happened at least the probability B gives it, on every question.
    a, b = [], []
    for x, y, o in rows:
        got_x, got_y = (x, y) if o else (1 - x, 1 - y)
        hi, lo = max(got_x, got_y), min(got_x, got_y)
        a.append((hi if o else 1 - hi, o))
        b.append((lo if o else 1 - lo, o))
    ra, rb = record_of("A", a), record_of("B", b)
    assert ra.earned >= rb.earned - 1e-12
    assert 0 < rb.earned <= ra.earned <= 1


def test_weights_sum_to_one_and_keep_the_order_of_names() -> None:
    records = [make(question="q1", at=when(1), experts=(("Ana", 1.0, 0.9), ("Bo", 1.0, 0.1)))]
    w = earn(["Bo", "Ana"], records, {"q1": _resolved("q1", "yes")})
    assert [e.name for e in w.experts] == ["Bo", "Ana"]
    assert sum(w.weights().values()) == pytest.approx(1.0)
    assert w.weights()["Ana"] > w.weights()["Bo"]


# --- from the priors file and the command line ------------------------------------------

QUESTION = EVENT_HEADER + textwrap.dedent("""\
    pool: {{weights: {weights}}}
    experts:
      - name: Ana
        judgement: {{pseudo_counts: {{successes: 6, trials: 10}}}}
      - name: Bo
        judgement: {{pseudo_counts: {{successes: 1, trials: 10}}}}
    """)


def _ledger(path: Path) -> None:
    """Ana gave what happened 0.9 and 0.8; Bo 0.2."""
    with open_ledger(path) as book:
        book.record(make(question="r1", at=when(1), experts=(("Ana", 1.0, 0.9), ("Bo", 1.0, 0.2))))
        book.record(make(question="r2", at=when(1), experts=(("Ana", 1.0, 0.2),)))
        book.resolve(_resolved("r1", "yes"))
        book.resolve(_resolved("r2", "no"))


def _question(tmp_path: Path, weights: str) -> Path:
    path = tmp_path / "q.yaml"
    path.write_text(QUESTION.format(weights=weights), encoding="utf-8")
    return path


EARNED = {"Ana": (0.9 * 0.8 * 0.25) ** (1 / 4), "Bo": (0.2 * 0.25) ** (1 / 3)}
SHARE = {k: v / sum(EARNED.values()) for k, v in EARNED.items()}


def test_the_file_asks_for_performance_weights_and_the_command_line_can_refuse(
    tmp_path: Path,
) -> None:
    from forecast.cli.run import WeightsChoice, with_weights

    ledger = tmp_path / "ledger.sqlite"
    _ledger(ledger)
    q = load_question(_question(tmp_path, "performance"))
    (got,) = with_weights([q], ledger)
    assert {e.name: e.weight for e in got.spec.experts} == pytest.approx(SHARE)
    assert got.weighting.ledger == str(ledger)
    (kept,) = with_weights([q], ledger, WeightsChoice.given)
    assert kept is q
    plain = load_question(_question(tmp_path, "given"))
    (same,) = with_weights([plain], ledger)
    assert same is plain and same.weighting is None
    (forced,) = with_weights([plain], ledger, WeightsChoice.performance)
    assert {e.name: e.weight for e in forced.spec.experts} == pytest.approx(SHARE)


def test_a_ledger_that_does_not_exist_gives_every_expert_the_same_weight(tmp_path: Path) -> None:
    from forecast.cli.run import with_weights

    q = load_question(_question(tmp_path, "performance"))
    (got,) = with_weights([q], tmp_path / "none.sqlite")
    assert [e.weight for e in got.spec.experts] == pytest.approx([0.5, 0.5])
    assert not (tmp_path / "none.sqlite").exists()


@pytest.mark.slow
def test_run_pools_with_the_earned_weights(tmp_path: Path) -> None:
    # No base rate and no evidence: P(event) under a linear pool is the weighted mean of
    # the experts' means.
    ledger = tmp_path / "ledger.sqlite"
    _ledger(ledger)
    path = _question(tmp_path, "given")
    args = ["run", str(path), "--format", "json", "--ledger", str(ledger), "--seed", "3"]
    result = CliRunner().invoke(app, [*args, "--weights", "performance", "--draws", "1000"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    # pseudo-counts on a uniform start, Beta(k + 1, n - k + 1): means 7/12 and 2/12
    assert [e["implies"]["mean"] for e in out["experts"]] == pytest.approx([7 / 12, 2 / 12])
    truth = SHARE["Ana"] * 7 / 12 + SHARE["Bo"] * 2 / 12
    # exact by quadrature (no Monte Carlo error): to rounding; sampled: within 4 MCSE
    tolerance = 4 * out["mcse"] if out["mcse"] > 0 else 1e-12
    assert abs(out["probability"] - truth) <= tolerance, (out["probability"], truth)
    assert [e["weight"] for e in out["experts"]] == pytest.approx([SHARE["Ana"], SHARE["Bo"]])
    w = out["weighting"]
    assert w["method"] == "performance" and w["resolved_questions"] == 2
    assert [e["questions"] for e in w["experts"]] == [2, 1]
    text = CliRunner().invoke(app, [*args[:2], "--ledger", str(ledger), "--weights", "performance"])
    shown = " ".join(text.stdout.split())
    assert "performance weights" in shown and "Ana: 2 resolved, gave what happened 84.9%" in shown


def test_show_gives_the_earned_weights_and_the_pool_they_make(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.sqlite"
    _ledger(ledger)
    path = _question(tmp_path, "performance")
    result = CliRunner().invoke(app, ["show", str(path), "--ledger", str(ledger), "-f", "json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert [e["weight"] for e in out["experts"]] == pytest.approx([SHARE["Ana"], SHARE["Bo"]])
    assert out["pooled"]["mean"] == pytest.approx(SHARE["Ana"] * 7 / 12 + SHARE["Bo"] * 2 / 12)
    assert out["weighting"]["experts"][1]["questions"] == 1
    text = CliRunner().invoke(app, ["show", str(path), "--ledger", str(ledger)]).stdout
    shown = " ".join(text.split())
    assert "Weights earned on 2 resolved event question(s)" in shown
    assert "Bo: 1 resolved, gave what happened 20.0%" in shown


def test_earned_factors_multiply_the_given_weights_and_no_record_keeps_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from forecast.cli.run import with_weights

    text = (
        QUESTION.format(weights="performance")
        .replace(
            "judgement: {pseudo_counts: {successes: 1",
            "weight: 1\n    judgement: {pseudo_counts: {successes: 1",
        )
        .replace(
            "judgement: {pseudo_counts: {successes: 6",
            "weight: 3\n    judgement: {pseudo_counts: {successes: 6",
        )
    )
    path = tmp_path / "q.yaml"
    path.write_text(text, encoding="utf-8")
    q = load_question(path)
    assert [e.weight for e in q.spec.experts] == [3, 1]  # type: ignore[attr-defined]
    (none,) = with_weights([q], tmp_path / "none.sqlite")
    assert [e.weight for e in none.spec.experts] == pytest.approx([0.75, 0.25])
    assert "none of its experts has a resolved event question" in capsys.readouterr().err
    ledger = tmp_path / "ledger.sqlite"
    _ledger(ledger)
    (got,) = with_weights([q], ledger)
    raw = {"Ana": 3 * EARNED["Ana"], "Bo": 1 * EARNED["Bo"]}
    want = [raw["Ana"] / sum(raw.values()), raw["Bo"] / sum(raw.values())]
    assert [e.weight for e in got.spec.experts] == pytest.approx(want)
    assert "× given weight 3" in " ".join(fmt_lines(got))


def fmt_lines(q) -> list[str]:  # type: ignore[no-untyped-def]
    from forecast.render import fmt

    return fmt.weighting(q.weighting)


def test_a_pool_from_the_command_line_keeps_performance_weights(tmp_path: Path) -> None:
    from forecast.cli.run import PoolChoice, with_pool, with_weights

    ledger = tmp_path / "ledger.sqlite"
    _ledger(ledger)
    q = load_question(_question(tmp_path, "performance"))
    (got,) = with_weights(with_pool([q], PoolChoice.logarithmic, 1.5), ledger)
    assert got.spec.pool.method == "logarithmic" and got.spec.pool.weights == "performance"
    assert {e.name: e.weight for e in got.spec.experts} == pytest.approx(SHARE)
