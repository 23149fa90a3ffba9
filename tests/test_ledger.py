"""The ledger library: storage, refusals, history attribution, scoring selection, export."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
import sqlite3
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from forecast import yamlio
from forecast.errors import InputError
from forecast.kinds.event import summary as event_summary
from forecast.ledger import (
    Contribution,
    ExpertEntry,
    ForecastRecord,
    LedgerError,
    Resolution,
    evaluate,
    export,
    history,
    open_ledger,
    record_of,
)
from forecast.ledger.resolve import find_priors, question_id, set_status
from forecast.ledger.sqlite import APPLICATION_ID, SCHEMA_VERSION
from tests.conftest import EVENT_HEADER

UTC = dt.UTC

PRIORS = EVENT_HEADER + textwrap.dedent("""\
    tags: [alpha, beta]
    experts:
      - name: Ana
        judgement: {probability: 0.3, strength: 10}
      - name: Bo
        judgement: {probability: 0.1, strength: 10}
    base_rate: {successes: 1, trials: 8, reference_class: comparable years}
    evidence:
      - id: sig
        description: a signal
        likelihood_ratio: {median: 2, interval: [1, 4], mass: 0.9}
""")


def when(month: int, day: int = 1, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, day, 12, tzinfo=UTC)


def make(
    *,
    question: str = "q1",
    at: dt.datetime | None = None,
    text: str = PRIORS,
    experts: tuple[tuple[str, float, float], ...] = (("Ana", 1.0, 0.3), ("Bo", 1.0, 0.1)),
    base: float = -0.02,
    evidence: tuple[tuple[str, float], ...] = (("sig", 0.05),),
    residual: float = 0.0,
    deadline: dt.date | None = dt.date(2030, 1, 1),
    tags: tuple[str, ...] = ("alpha", "beta"),
    seed: int = 1,
    pool: str = "linear",
    analyst: str | None = None,
) -> ForecastRecord:
    """A fabricated record whose chain is prior -> base rate -> evidence (+ residual)."""
    total_w = sum(w for _, w, _ in experts)
    prior = sum(w / total_w * m for _, w, m in experts)
    steps = [Contribution("experts (pooled prior)", "experts", prior, prior)]
    current = prior + base
    steps.append(Contribution("base rate", "base_rate", prior, current))
    for eid, d in evidence:
        steps.append(Contribution(f"evidence: {eid}", "evidence", current, current + d))
        current += d
    p = current + residual
    return ForecastRecord(
        question_id=question,
        recorded_at=at or when(1),
        probability=p,
        intervals={"80": (p - 0.1, p + 0.1), "95": (max(p - 0.2, 0.0), p + 0.2)},
        kind="event",
        pool=pool,
        seed=seed,
        version="0.1.0",
        priors_sha256=hashlib.sha256(text.encode()).hexdigest(),
        priors_text=text,
        title="A test question",
        deadline=deadline,
        tags=tags,
        prior_probability=prior,
        contributions=tuple(steps),
        experts=tuple(ExpertEntry(n, w, m) for n, w, m in experts),
        priors_path=None,
        analyst=analyst,
        document={"probability": p},
    )


@pytest.fixture
def ledger_path(tmp_path: Path) -> Path:
    return tmp_path / "ledger.sqlite"


# ------------------------------------------------------------------ storage


def test_a_record_reads_back_whole(ledger_path: Path) -> None:
    r = make()
    with open_ledger(ledger_path) as book:
        rid = book.record(r)
        back = book.forecasts("q1")
    assert len(back) == 1
    assert back[0] == ForecastRecord(**{**r.__dict__, "id": rid})
    assert back[0].document == {"probability": r.probability}
    assert back[0].recorded_at.tzinfo is not None


def test_latest_is_the_newest_forecast_of_each_question(ledger_path: Path) -> None:
    with open_ledger(ledger_path, write=False) as book:
        assert book.latest() == {}  # no ledger yet: nothing, and no file made
    assert not ledger_path.exists()
    with open_ledger(ledger_path) as book:
        book.record(make(at=when(3), residual=0.3))
        book.record(make(at=when(1)))
        book.record(make(question="q2", at=when(2)))
        book.record(make(question="q2", at=when(2), residual=0.1))  # same time: the later id
        latest = book.latest()
    assert set(latest) == {"q1", "q2"}
    assert latest["q1"].recorded_at == when(3)
    assert latest["q1"].probability == pytest.approx(make(residual=0.3).probability)
    assert latest["q2"].probability == pytest.approx(make(residual=0.1).probability)
    assert latest["q2"].priors_sha256 == make().priors_sha256


def test_records_come_back_in_time_order_and_by_question(ledger_path: Path) -> None:
    with open_ledger(ledger_path) as book:
        book.record(make(at=when(3)))
        book.record(make(at=when(1)))
        book.record(make(question="q2", at=when(2)))
        assert [r.recorded_at.month for r in book.forecasts("q1")] == [1, 3]
        assert [r.question_id for r in book.forecasts()] == ["q1", "q2", "q1"]
        assert book.forecasts("nope") == []


def test_a_priors_snapshot_is_stored_once(ledger_path: Path) -> None:
    with open_ledger(ledger_path) as book:
        book.record(make(at=when(1)))
        book.record(make(at=when(2)))
    with sqlite3.connect(ledger_path) as conn:
        n = conn.execute("SELECT count(*) FROM snapshots").fetchone()[0]
    conn.close()
    assert n == 1


def test_the_file_is_a_versioned_wal_ledger(ledger_path: Path) -> None:
    with open_ledger(ledger_path) as book:
        book.record(make())
    conn = sqlite3.connect(ledger_path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()


def test_a_corrected_resolution_counts_and_the_earlier_one_is_kept(ledger_path: Path) -> None:
    first = Resolution("q9", "yes", dt.date(2026, 5, 1), when(5))
    fixed = Resolution("q9", "annulled", dt.date(2026, 5, 2), when(5, 2))
    other = Resolution("q8", "no", dt.date(2026, 4, 1), when(5, 1))
    with open_ledger(ledger_path) as book:
        book.resolve(first)
        book.resolve(other)
        book.resolve(fixed)
        assert book.resolutions() == {"q9": fixed, "q8": other}
        assert book.resolution_log() == [first, other, fixed]
        assert book.resolution_log("q9") == [first, fixed]


def test_a_version_1_ledger_is_migrated_with_its_resolutions_logged(ledger_path: Path) -> None:
    from forecast.ledger.sqlite import MIGRATIONS

    conn = sqlite3.connect(ledger_path)
    for statement in MIGRATIONS[1]:
        conn.execute(statement)
    conn.execute(
        "INSERT INTO resolutions VALUES "
        "('q7', 'no', '2026-02-01', '2026-02-02T12:00:00.000000+00:00')"
    )
    conn.execute("PRAGMA user_version = 1")
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.commit()
    conn.close()
    old = Resolution("q7", "no", dt.date(2026, 2, 1), when(2, 2))
    with open_ledger(ledger_path, write=False) as book:  # a reader leaves it as it is
        assert book.resolutions() == {"q7": old}
        assert book.resolution_log() == [old]
    conn = sqlite3.connect(ledger_path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 1
    finally:
        conn.close()
    ledger_path.chmod(0o444)  # (root may write anyway; then this shows nothing more)
    with open_ledger(ledger_path, write=False) as book:
        assert book.resolution_log("q7") == [old]
    ledger_path.chmod(0o644)
    with open_ledger(ledger_path) as book:  # a writer upgrades it
        book.resolve(Resolution("q7", "yes", dt.date(2026, 2, 3), when(2, 3)))
        assert [r.outcome for r in book.resolution_log("q7")] == ["no", "yes"]
    conn = sqlite3.connect(ledger_path)
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 5
    finally:
        conn.close()


def test_an_outcome_must_be_yes_no_or_annulled() -> None:
    with pytest.raises(ValueError, match="yes, no, annulled"):
        Resolution("q", "maybe", dt.date(2026, 1, 1), when(1))


def test_reading_a_missing_ledger_is_empty_and_creates_nothing(ledger_path: Path) -> None:
    with open_ledger(ledger_path, write=False) as book:
        assert book.forecasts() == [] and book.resolutions() == {}
    assert not ledger_path.exists()


def test_the_env_var_names_the_default_ledger(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "env.sqlite"
    monkeypatch.setenv("FORECAST_LEDGER", str(target))
    with open_ledger() as book:
        book.record(make())
        assert book.location == str(target)
    assert target.exists()


def test_record_of_reads_the_forecast_json() -> None:
    doc: dict[str, Any] = {
        "question": {"id": "q1", "title": "T", "kind": "event", "deadline": "2030-01-01"},
        "probability": 0.25,
        "intervals": {"80": [0.1, 0.4], "95": [0.05, 0.5]},
        "prior": {"probability": 0.2, "interval": [0.01, 0.6]},
        "contributions": [
            {"label": "experts (pooled prior)", "kind": "experts", "before": 0.2, "after": 0.2},
            {"label": "evidence: sig", "kind": "evidence", "before": 0.2, "after": 0.25},
        ],
        "experts": [
            {"name": "Ana", "weight": 0.5, "implies": {"mean": 0.3, "median": 0.28}},
            {"name": "Bo", "weight": 0.5, "implies": {"mean": 0.1, "median": 0.08}},
        ],
        "provenance": {"seed": 7, "version": "0.1.0", "sha256": "abc"},
    }
    r = record_of(doc, priors_text="text", tags=["x"])
    assert r.pool == "linear"  # no pool key: the linear pool
    assert r.seed == 7 and r.version == "0.1.0" and r.priors_sha256 == "abc"
    assert r.intervals == {"80": (0.1, 0.4), "95": (0.05, 0.5)}
    assert [(e.name, e.probability) for e in r.experts] == [("Ana", 0.3), ("Bo", 0.1)]
    assert r.contributions[1].delta == pytest.approx(0.05)
    assert r.deadline == dt.date(2030, 1, 1) and r.tags == ("x",)
    assert record_of({**doc, "pool": "logarithmic"}, priors_text="t").pool == "logarithmic"
    assert record_of({**doc, "pool": {"method": "hierarchical"}}, priors_text="t").pool == (
        "hierarchical"
    )
    assert record_of(doc, priors_text="t", pool="logarithmic").pool == "logarithmic"


def test_a_real_forecast_records_with_its_experts_and_contributions(
    write_priors: Any, ledger_path: Path
) -> None:
    import numpy as np
    from arviz_base import from_dict

    from forecast.inference import SamplerSettings
    from forecast.kinds.event import model as event
    from forecast.ledger import record_forecast
    from forecast.questions.loader import load_question

    q = load_question(write_priors(PRIORS))
    inputs = event.prepare(q.spec)  # type: ignore[arg-type]
    rng = np.random.default_rng(0)
    p = rng.beta(2.5, 14.5, size=(2, 300))
    idata = from_dict(
        {
            "posterior": {"p": p, "q": p, "llr": rng.normal(0.7, 0.2, size=(2, 300, 1))},
            "sample_stats": {"diverging": np.zeros((2, 300), dtype=bool)},
        }
    )
    f = event_summary.summarise(q, inputs, idata, SamplerSettings(draws=300, chains=2, seed=3))
    with open_ledger(ledger_path) as book:
        record_forecast(book, f, q)
        (r,) = book.forecasts("q")
    assert r.probability == pytest.approx(f.probability)
    assert r.priors_text == q.text and r.priors_sha256 == q.sha256
    assert r.tags == ("alpha", "beta") and r.seed == 3
    assert [e.name for e in r.experts] == ["Ana", "Bo"]
    assert [e.probability for e in r.experts] == [
        pytest.approx(x.implies["mean"]) for x in f.experts
    ]
    assert [c.label for c in r.contributions] == [s.label for s in f.steps]
    # the experts' shares add up to the pooled prior, so history can split it
    shares = history.contributions(r)
    assert shares["expert: Ana"][1] + shares["expert: Bo"][1] == pytest.approx(
        f.prior_probability, abs=1e-9
    )


# ------------------------------------------------------------------ refusals


def _unchanged(path: Path, before: bytes) -> None:
    assert path.read_bytes() == before
    assert not Path(f"{path}-wal").exists()


def test_a_corrupt_file_is_refused_and_left_alone(ledger_path: Path) -> None:
    ledger_path.write_bytes(b"this is not a database\n" * 100)
    before = ledger_path.read_bytes()
    for write in (True, False):
        with pytest.raises(LedgerError, match="not a forecast ledger"):
            open_ledger(ledger_path, write=write)
    _unchanged(ledger_path, before)


def test_a_damaged_database_is_refused(ledger_path: Path) -> None:
    with open_ledger(ledger_path) as book:
        for i in range(50):
            book.record(make(at=when(1, 1 + i % 28)))
    data = bytearray(ledger_path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # the schema page, past the header
    ledger_path.write_bytes(bytes(data))
    before = ledger_path.read_bytes()
    with pytest.raises(LedgerError, match="cannot be read"), open_ledger(ledger_path) as book:
        book.forecasts()
    assert ledger_path.read_bytes() == before


def test_someone_elses_database_is_refused(ledger_path: Path) -> None:
    conn = sqlite3.connect(ledger_path)
    conn.execute("CREATE TABLE notes (x)")
    conn.commit()
    conn.close()
    before = ledger_path.read_bytes()
    with pytest.raises(LedgerError, match="not a forecast ledger"):
        open_ledger(ledger_path)
    _unchanged(ledger_path, before)


def test_a_ledger_from_a_newer_version_is_refused(ledger_path: Path) -> None:
    with open_ledger(ledger_path) as book:
        book.record(make())
    conn = sqlite3.connect(ledger_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    before = ledger_path.read_bytes()
    for write in (True, False):
        with pytest.raises(LedgerError, match="newer") as info:
            open_ledger(ledger_path, write=write)
        assert info.value.exit_code == 1
        assert "upgrade" in (info.value.hint or "")
    assert ledger_path.read_bytes() == before


def test_a_missing_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(LedgerError, match="does not exist"):
        open_ledger(tmp_path / "nowhere" / "ledger.sqlite")


def test_a_directory_is_not_a_ledger(tmp_path: Path) -> None:
    with pytest.raises(LedgerError, match="is a directory"):
        open_ledger(tmp_path)


def test_an_unwritable_ledger_is_refused_before_anything_happens(
    ledger_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with open_ledger(ledger_path) as book:
        book.record(make())
    before = ledger_path.read_bytes()
    real = os.access
    monkeypatch.setattr(
        os, "access", lambda p, mode, **kw: False if Path(p) == ledger_path else real(p, mode)
    )
    with pytest.raises(LedgerError, match="not writable"):
        open_ledger(ledger_path)
    with open_ledger(ledger_path, write=False) as book:  # reading still works
        assert len(book.forecasts()) == 1
    assert ledger_path.read_bytes() == before


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="root ignores modes")
def test_a_read_only_file_is_refused(ledger_path: Path) -> None:
    with open_ledger(ledger_path) as book:
        book.record(make())
    ledger_path.chmod(0o444)
    try:
        with pytest.raises(LedgerError, match="not writable"):
            open_ledger(ledger_path)
    finally:
        ledger_path.chmod(0o644)


def test_an_unwritable_place_is_refused(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(LedgerError):
        open_ledger(blocker / "ledger.sqlite")
    with pytest.raises(LedgerError):
        open_ledger("/proc/forecast-ledger.sqlite")


# ------------------------------------------------------------------ history


def test_diff_names_experts_evidence_and_base_rate() -> None:
    old = PRIORS
    new = (
        PRIORS.replace("{probability: 0.3, strength: 10}", "{probability: 0.5, strength: 10}")
        .replace(
            "  - name: Bo\n    judgement: {probability: 0.1, strength: 10}\n",
            "  - name: Cy\n    judgement: {probability: 0.2, strength: 5}\n",
        )
        .replace("successes: 1, trials: 8", "successes: 2, trials: 8")
        .replace("median: 2, interval: [1, 4]", "median: 3, interval: [1, 6]")
        .replace("title: A test question", "title: A better question")
        + "  - id: new\n    description: more\n    likelihood_ratio: 0.5\n"
    )
    changes = {(c.section, c.name, c.change): c for c in history.diff_snapshots(old, new)}
    assert set(changes) == {
        ("expert", "Ana", "changed"),
        ("expert", "Bo", "removed"),
        ("expert", "Cy", "added"),
        ("evidence", "sig", "changed"),
        ("evidence", "new", "added"),
        ("base_rate", "base rate", "changed"),
        ("question", "title", "changed"),
    }
    assert changes[("expert", "Ana", "changed")].detail == (
        "judgement {probability: 0.3, strength: 10} → {probability: 0.5, strength: 10}"
    )
    assert "1/8 → 2/8" in changes[("base_rate", "base rate", "changed")].detail
    assert history.diff_snapshots(old, old) == []


def test_diff_of_base_rate_added_and_removed() -> None:
    without = PRIORS.replace(
        "base_rate: {successes: 1, trials: 8, reference_class: comparable years}\n", ""
    )
    assert [c.change for c in history.diff_snapshots(without, PRIORS)] == ["added"]
    assert [c.change for c in history.diff_snapshots(PRIORS, without)] == ["removed"]


def test_a_changed_judgement_explains_its_share_of_the_move() -> None:
    new_text = PRIORS.replace("probability: 0.3,", "probability: 0.5,")
    a = make(at=when(1))
    # Ana 0.3 -> 0.5 with half the pool: +0.10 to the prior; the evidence step moves
    # 0.05 -> 0.06 (+0.01); 0.004 is sampling noise
    b = make(
        at=when(2),
        text=new_text,
        experts=(("Ana", 1.0, 0.5), ("Bo", 1.0, 0.1)),
        evidence=(("sig", 0.06),),
        residual=0.004,
    )
    move = history.explain(a, b)
    rows = {r.input: r for r in move.attributions}
    assert set(rows) == {"expert: Ana", "evidence: sig"}
    assert rows["expert: Ana"].delta == pytest.approx(0.10, abs=1e-12)
    assert rows["expert: Ana"].why == "expert Ana changed"
    assert rows["evidence: sig"].delta == pytest.approx(0.01, abs=1e-12)
    assert rows["evidence: sig"].why.startswith("unchanged")
    assert move.other == pytest.approx(0.004, abs=1e-12)
    assert move.delta == pytest.approx(0.114, abs=1e-12)
    assert sum(r.delta for r in move.attributions) + move.other == pytest.approx(
        move.delta, abs=1e-12
    )


def test_an_added_expert_and_evidence_are_attributed() -> None:
    new_text = PRIORS + "  - id: new\n    description: more\n    likelihood_ratio: 0.5\n"
    new_text = new_text.replace(
        "  - name: Bo\n", "  - name: Cy\n    judgement: {probability: 0.6}\n  - name: Bo\n"
    )
    a = make(at=when(1))
    b = make(
        at=when(2),
        text=new_text,
        experts=(("Ana", 1.0, 0.3), ("Cy", 1.0, 0.6), ("Bo", 1.0, 0.1)),
        evidence=(("sig", 0.05), ("new", -0.03)),
    )
    move = history.explain(a, b)
    rows = {r.input: r for r in move.attributions}
    # shares: Ana 0.3/2 -> 0.3/3, Bo 0.1/2 -> 0.1/3, Cy 0 -> 0.6/3
    assert rows["expert: Cy"].before is None
    assert rows["expert: Cy"].delta == pytest.approx(0.2, abs=1e-12)
    assert rows["expert: Cy"].why == "expert Cy added"
    assert rows["expert: Ana"].delta == pytest.approx(0.1 - 0.15, abs=1e-12)
    assert "share of the pool 50% → 33%" in rows["expert: Ana"].why
    assert rows["evidence: new"].delta == pytest.approx(-0.03, abs=1e-12)
    assert rows["evidence: new"].why == "evidence new added"
    assert sum(r.delta for r in move.attributions) + move.other == pytest.approx(
        move.delta, abs=1e-12
    )
    assert move.other == pytest.approx(0.0, abs=1e-12)


def test_same_priors_moves_are_all_sampling() -> None:
    a = make(at=when(1), seed=1)
    b = make(at=when(2), seed=2, residual=0.003)
    (move,) = history.moves([a, b])
    assert move.changes == () and move.attributions == ()
    assert move.other == pytest.approx(0.003, abs=1e-12)
    assert "same priors file" in move.notes and "seed 1 → 2" in move.notes


def test_other_pools_keep_the_experts_together() -> None:
    r = make(pool="logarithmic")
    c = history.contributions(r)
    assert "experts (pooled prior)" in c and not any(k.startswith("expert:") for k in c)
    assert sum(v for _, v in c.values()) == pytest.approx(r.probability, abs=1e-12)


def test_a_driver_is_one_input_whatever_its_level() -> None:
    text = PRIORS + textwrap.dedent("""\
        drivers:
          - id: rivalry
            description: a rival objects
            odds_ratio: 0.5
            level: 1
    """)
    a = make(at=when(1), text=text)
    b = make(at=when(2), text=text.replace("level: 1", "level: 0.5"))
    steps_a = (*a.contributions, Contribution("driver: rivalry (level on)", "driver", 0.3, 0.2))
    steps_b = (*b.contributions, Contribution("driver: rivalry (level 0.5)", "driver", 0.3, 0.25))
    a = ForecastRecord(**{**a.__dict__, "contributions": steps_a, "probability": 0.2})
    b = ForecastRecord(**{**b.__dict__, "contributions": steps_b, "probability": 0.25})
    move = history.explain(a, b)
    (row,) = move.attributions
    assert row.input == "driver: rivalry" and row.why == "driver rivalry changed"
    assert row.delta == pytest.approx(0.05, abs=1e-12)
    assert "level 1 → 0.5" in move.changes[0].detail


def test_a_scenario_forecast_is_not_recorded() -> None:
    doc = {"question": {"id": "q"}, "probability": 0.5, "scenario": "calm"}
    with pytest.raises(ValueError, match="scenario"):
        record_of(doc, priors_text="")


# ------------------------------------------------------------------ what is scored


def test_the_last_forecast_before_the_cutoff_counts() -> None:
    rows = [
        make(at=when(1), residual=0.0),
        make(at=when(3), residual=0.1),
        make(at=when(6), residual=0.2),  # after the resolution: ignored
    ]
    res = {"q1": Resolution("q1", "yes", dt.date(2026, 4, 1), when(4))}
    (c,), unscored, annulled = evaluate.counted(rows, res)
    assert c.probability == pytest.approx(rows[1].probability)
    assert c.outcome == 1 and c.cutoff == dt.date(2026, 4, 1)
    assert c.horizon_days == (dt.date(2026, 4, 1) - dt.date(2026, 3, 1)).days
    assert unscored == [] and annulled == 0


def test_the_deadline_cuts_off_when_it_comes_first() -> None:
    deadline = dt.date(2026, 2, 1)
    rows = [make(at=when(1), deadline=deadline), make(at=when(3), deadline=deadline, residual=0.3)]
    res = {"q1": Resolution("q1", "no", dt.date(2026, 5, 1), when(5))}
    (c,), _, _ = evaluate.counted(rows, res)
    assert c.probability == pytest.approx(rows[0].probability) and c.outcome == 0


def test_the_time_averaged_forecast() -> None:
    # 0.2 for 31 days (Jan 1 noon -> Feb 1 noon), 0.5 from Feb 1 noon to the end of Feb 10
    a = make(at=when(1), residual=0.2 - make().probability)
    b = make(at=when(2), residual=0.5 - make().probability)
    res = {"q1": Resolution("q1", "yes", dt.date(2026, 2, 10), when(2, 10))}
    (c,), _, _ = evaluate.counted([a, b], res, which="mean")
    first, second = 31 * 24, 9 * 24 + 12  # hours
    assert c.probability == pytest.approx(
        (0.2 * first + 0.5 * second) / (first + second), abs=1e-12
    )
    assert c.forecasts == 2


def test_each_expert_is_scored_on_their_own_probability() -> None:
    a = make(at=when(1))
    b = make(at=when(2), experts=(("Ana", 1.0, 0.6),))  # Bo left the panel
    res = {"q1": Resolution("q1", "yes", dt.date(2026, 2, 10), when(2, 10))}
    (last,), _, _ = evaluate.counted([a, b], res)
    assert last.experts == {"Ana": 0.6, "Bo": 0.1}  # Bo's last word counts for Bo
    rep = evaluate.report([a, b], res, by="expert")
    assert {g.name: g.scores.brier for g in rep.groups} == {
        "Ana": pytest.approx(0.16, abs=1e-12),
        "Bo": pytest.approx(0.81, abs=1e-12),
    }


def test_annulled_unforecast_and_old_questions_are_left_out() -> None:
    rows = [make(question="a", at=when(1)), make(question="b", at=when(1))]
    res = {
        "a": Resolution("a", "annulled", dt.date(2026, 3, 1), when(3)),
        "b": Resolution("b", "no", dt.date(2025, 3, 1), when(3)),  # before any forecast
        "c": Resolution("c", "yes", dt.date(2026, 3, 1), when(3)),  # never forecast
    }
    qs, unscored, annulled = evaluate.counted(rows, res)
    assert qs == [] and sorted(unscored) == ["b", "c"] and annulled == 1
    qs, unscored, _ = evaluate.counted(rows, res, since=dt.date(2026, 1, 1))
    assert unscored == ["c"]


def test_grouping_by_tag_and_horizon() -> None:
    rows = [
        make(question="a", at=when(1), tags=("x",)),
        make(question="b", at=when(1), tags=("x", "y")),
        make(question="c", at=when(1), tags=()),
    ]
    res = {
        "a": Resolution("a", "yes", dt.date(2026, 1, 20), when(1, 20)),
        "b": Resolution("b", "no", dt.date(2026, 3, 1), when(3)),
        "c": Resolution("c", "no", dt.date(2027, 6, 1), when(6, 1, 2027)),
    }
    rep = evaluate.report(rows, res, by="tag")
    assert {g.name: g.scores.n for g in rep.groups} == {"x": 2, "y": 1, "(no tag)": 1}
    assert rep.overall.n == 3
    rep = evaluate.report(rows, res, by="horizon")
    assert [(g.name, g.scores.n) for g in rep.groups] == [
        ("≤30 days", 1),
        ("31–90 days", 1),
        (">365 days", 1),
    ]
    data = rep.to_dict()
    assert data["n"] == 3 and len(data["bins"]) == 10 and data["groups"][0]["group"] == "≤30 days"


# ------------------------------------------------------------------ resolve in the file


def test_setting_the_status_keeps_comments_and_layout(write_priors: Any) -> None:
    text = "# a comment that must stay\n" + PRIORS.replace(
        "deadline: 2030-01-01\n", "deadline: 2030-01-01  # the day\nstatus: open\n"
    )
    path = write_priors(text)
    assert set_status(path, "yes")
    new = path.read_text(encoding="utf-8")
    assert new == text.replace("status: open", 'status: "yes"')
    data, _ = yamlio.loads(new, "x")
    assert data["status"] == "yes"  # a string, not YAML 1.1's boolean
    assert not set_status(path, "yes")


def test_a_missing_status_goes_after_the_deadline(write_priors: Any) -> None:
    path = write_priors(PRIORS)
    set_status(path, "no")
    lines = path.read_text(encoding="utf-8").splitlines()
    at = lines.index("deadline: 2030-01-01")
    assert lines[at + 1] == 'status: "no"'
    assert len(lines) == len(PRIORS.splitlines()) + 1


def test_a_broken_priors_file_is_not_touched(write_priors: Any) -> None:
    path = write_priors(PRIORS.replace("format: 1", "format: 9"))
    before = path.read_bytes()
    with pytest.raises(InputError):
        set_status(path, "yes")
    assert path.read_bytes() == before


def test_finding_a_question_by_id_or_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "priors").mkdir()
    (tmp_path / "priors" / "q1.yaml").write_text(PRIORS)
    assert find_priors("q1") == Path("priors/q1.yaml")
    assert find_priors("other/q1.yaml") == Path("other/q1.yaml")
    assert find_priors("q2") is None
    (tmp_path / "elsewhere.yaml").write_text(PRIORS)
    assert find_priors("elsewhere", known=str(tmp_path / "elsewhere.yaml")) is not None
    assert question_id("priors/q1.yaml") == "q1" and question_id("q1") == "q1"


# ------------------------------------------------------------------ export


def test_csv_export_has_every_forecast_and_resolution(ledger_path: Path, tmp_path: Path) -> None:
    with open_ledger(ledger_path) as book:
        book.record(make(at=when(1)))
        book.record(make(question="q2", at=when(2)))
        book.resolve(Resolution("q1", "no", dt.date(2026, 3, 1), when(3)))
        book.resolve(Resolution("q1", "yes", dt.date(2026, 3, 1), when(3, 2)))
        out = tmp_path / "out.csv"
        assert export.write(book, out, "csv") == 4
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["record"] for r in rows] == ["forecast", "forecast", "superseded", "resolution"]
    assert rows[2]["outcome"] == "no"
    rows.pop(2)
    assert rows[0]["priors"] == PRIORS  # the whole file, newlines and all
    assert float(rows[0]["probability"]) == pytest.approx(make().probability)
    assert rows[2]["outcome"] == "yes" and rows[2]["probability"] == ""
    assert list(rows[0]) == [c for c, _ in export.COLUMNS]


def test_parquet_export(ledger_path: Path, tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    with open_ledger(ledger_path) as book:
        book.record(make())
        book.resolve(Resolution("q1", "no", dt.date(2026, 3, 1), when(3)))
        export.write(book, tmp_path / "out.parquet", "parquet")
    table = pq.read_table(tmp_path / "out.parquet")
    assert table.num_rows == 2
    assert table.column("record").to_pylist() == ["forecast", "resolution"]
    assert table.schema.field("probability").type == "double"


def test_parquet_without_pyarrow_says_what_to_install(
    ledger_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    with open_ledger(ledger_path) as book, pytest.raises(LedgerError, match="install pyarrow"):
        export.write(book, tmp_path / "out.parquet", "parquet")
    assert not (tmp_path / "out.parquet").exists()


def test_the_recording_clock_keeps_a_pinned_day(monkeypatch: pytest.MonkeyPatch) -> None:
    """With FORECAST_TODAY pinned, "now" is on that day, so a forecast recorded and a
    question resolved in the same pinned day are in order whatever the wall clock says."""
    from forecast.ledger.records import utc_now

    monkeypatch.setenv("FORECAST_TODAY", "2031-07-04")
    pinned = utc_now()
    assert pinned.date() == dt.date(2031, 7, 4) and pinned.tzinfo is not None
    monkeypatch.delenv("FORECAST_TODAY")
    assert abs((utc_now() - dt.datetime.now(dt.UTC)).total_seconds()) < 60
