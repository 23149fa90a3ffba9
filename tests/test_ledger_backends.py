"""One suite, every backend: what any ledger (SQLite file, PostgreSQL database) promises.

Each test runs against a new SQLite file and against a new database on a real
PostgreSQL server the session starts (marked ``postgres``).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import multiprocessing
import sqlite3
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from forecast.cli import app
from forecast.ledger import ForecastRecord, LedgerError, Resolution, open_ledger
from forecast.ledger.store import is_url
from tests.test_ledger import PRIORS, make, when


def _sql(url: str, statement: str) -> None:
    """Run one statement on the ledger's database behind forecast's back."""
    if is_url(url):
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(statement)  # type: ignore[arg-type]
    else:
        conn = sqlite3.connect(url)
        conn.execute(statement)
        conn.commit()
        conn.close()


def _bump(url: str) -> None:
    """Make the ledger look as if a newer forecast had upgraded it."""
    if is_url(url):
        _sql(url, "UPDATE forecast_ledger SET schema_version = schema_version + 1")
    else:
        from forecast.ledger.sqlite import SCHEMA_VERSION

        _sql(url, f"PRAGMA user_version = {SCHEMA_VERSION + 1}")


def test_a_record_reads_back_whole(ledger_url: str) -> None:
    r = make(analyst="Aigerim")
    with open_ledger(ledger_url) as book:
        rid = book.record(r)
        (back,) = book.forecasts()
    assert back.id == rid
    assert back == r.__class__(**{**r.__dict__, "id": rid})
    assert back.document == r.document and back.priors_text == PRIORS
    assert back.recorded_at == r.recorded_at and back.recorded_at.tzinfo is not None


def test_forecasts_come_back_in_time_order_by_question_with_the_latest(ledger_url: str) -> None:
    with open_ledger(ledger_url) as book:
        book.record(make(at=when(3), residual=0.3))
        book.record(make(at=when(1)))
        book.record(make(question="q2", at=when(2), text=PRIORS + "# other\n"))
        assert [r.recorded_at for r in book.forecasts("q1")] == [when(1), when(3)]
        assert [r.question_id for r in book.forecasts()] == ["q1", "q2", "q1"]
        latest = book.latest()
    assert set(latest) == {"q1", "q2"}
    assert latest["q1"].recorded_at == when(3)
    assert latest["q1"].probability == pytest.approx(make(residual=0.3).probability)
    assert latest["q2"].priors_text == PRIORS + "# other\n"


def test_a_corrected_resolution_counts_and_the_earlier_one_is_kept(ledger_url: str) -> None:
    first = Resolution("q9", "yes", dt.date(2026, 5, 1), when(5))
    fixed = Resolution("q9", "annulled", dt.date(2026, 5, 2), when(5, 2))
    other = Resolution("q8", "no", dt.date(2026, 4, 1), when(5, 1))
    with open_ledger(ledger_url) as book:
        book.resolve(first)
        book.resolve(other)
        book.resolve(fixed)
        assert book.resolutions() == {"q9": fixed, "q8": other}
        assert book.resolution_log() == [first, other, fixed]
        assert book.resolution_log("q9") == [first, fixed]


def test_reading_an_empty_ledger_is_empty_and_creates_nothing(ledger_url: str) -> None:
    with open_ledger(ledger_url, write=False) as book:
        assert book.forecasts() == [] and book.resolutions() == {} and book.latest() == {}
        assert book.resolution_log() == []
        with pytest.raises(LedgerError, match="opened to read"):
            book.record(make())
    with open_ledger(ledger_url, write=False) as book:
        assert book.forecasts() == []


def test_a_ledger_of_a_newer_schema_is_refused_and_left_alone(ledger_url: str) -> None:
    with open_ledger(ledger_url) as book:
        book.record(make())
    _bump(ledger_url)
    for write in (True, False):
        with pytest.raises(LedgerError, match="newer") as info:
            open_ledger(ledger_url, write=write)
        assert "upgrade forecast" in (info.value.hint or "")
    _sql(ledger_url, "CREATE TABLE probe (x INTEGER)")  # still writable by its owner: untouched


def test_someone_elses_database_is_refused(ledger_url: str) -> None:
    _sql(ledger_url, "CREATE TABLE notes (x INTEGER)")
    for write in (True, False):
        with pytest.raises(LedgerError, match="not a forecast ledger"):
            open_ledger(ledger_url, write=write)


def test_merging_adds_only_what_is_missing(ledger_url: str) -> None:
    ours = make(at=when(1), analyst="Aigerim")
    theirs = [ours, make(at=when(2), analyst="Bekzat"), make(question="q2", at=when(2))]
    early = Resolution("q1", "no", dt.date(2026, 3, 1), when(3))
    late = Resolution("q1", "yes", dt.date(2026, 3, 2), when(4))
    with open_ledger(ledger_url) as book:
        book.record(ours)
        book.resolve(late)
        assert book.merge(theirs, [early, late]) == (2, 1)
        assert book.merge(theirs, [early, late]) == (0, 0)  # idempotent
        got = book.forecasts()
        assert [(r.question_id, r.analyst) for r in got] == [
            ("q1", "Aigerim"),
            ("q1", "Bekzat"),
            ("q2", None),
        ]
        assert book.resolutions()["q1"] == late  # the newest logged outcome stays current
        assert book.resolution_log("q1") == [late, early]


def _write_many(url: str, writer: int, n: int) -> list[int]:
    """One process's share: ``n`` forecasts, each committed on its own."""
    ids = []
    with open_ledger(url) as book:
        for i in range(n):
            ids.append(book.record(make(question=f"w{writer}", at=when(1 + i % 12), seed=i)))
    return ids


@pytest.mark.skipif(sys.platform == "win32", reason="uses fork")
def test_eight_concurrent_writers_lose_nothing(ledger_url: str) -> None:
    writers, each = 8, 100
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(writers) as pool:
        # every writer starts on a new ledger, so creating the schema races too
        results = pool.starmap(_write_many, [(ledger_url, w, each) for w in range(writers)])
    ids = [i for r in results for i in r]
    assert len(ids) == len(set(ids)) == writers * each
    with open_ledger(ledger_url, write=False) as book:
        rows = book.forecasts()
    assert sorted(r.id for r in rows if r.id is not None) == sorted(ids)
    for w in range(writers):
        seeds = sorted(r.seed for r in rows if r.question_id == f"w{w}" and r.seed is not None)
        assert seeds == list(range(each))


def test_a_second_writer_on_a_new_ledger_finds_the_schema_made(ledger_url: str) -> None:
    with open_ledger(ledger_url) as a, open_ledger(ledger_url) as b:
        a.record(make(at=when(1)))
        b.record(make(at=when(2)))
        assert len(a.forecasts()) == len(b.forecasts()) == 2


def _same(a: list[ForecastRecord], b: list[ForecastRecord]) -> None:
    """The same forecasts (their ids are each ledger's own), reports included."""
    assert [dataclasses.replace(r, id=None) for r in a] == [
        dataclasses.replace(r, id=None) for r in b
    ]
    assert [r.document for r in a] == [r.document for r in b]


def test_ledger_copy_moves_a_personal_ledger_in_and_back_idempotently(
    ledger_url: str, tmp_path: Path
) -> None:
    personal = tmp_path / "mine.sqlite"
    with open_ledger(personal) as book:
        book.record(make(at=when(1), analyst="Aigerim"))
        book.record(make(question="q2", at=when(2), analyst="Aigerim", text=PRIORS + "# b\n"))
        book.resolve(Resolution("q2", "no", dt.date(2026, 3, 1), when(3)))
    with open_ledger(ledger_url) as team:  # the team's ledger holds someone else's work
        team.record(make(at=when(1, 15), analyst="Bekzat"))
    runner = CliRunner()
    first = runner.invoke(app, ["ledger", "copy", str(personal), ledger_url, "--format", "json"])
    assert first.exit_code == 0, first.output
    got = json.loads(first.stdout)
    assert got["forecasts"] == {"copied": 2, "there_already": 0}
    assert got["outcomes"] == {"copied": 1, "there_already": 0}
    again = runner.invoke(app, ["ledger", "copy", str(personal), ledger_url])
    assert again.exit_code == 0, again.output
    assert "copied 0 forecasts and 0 outcomes" in " ".join(again.stdout.split())
    back = tmp_path / "back.sqlite"
    assert runner.invoke(app, ["ledger", "copy", ledger_url, str(back)]).exit_code == 0
    assert runner.invoke(app, ["ledger", "copy", ledger_url, str(back)]).exit_code == 0
    with open_ledger(ledger_url, write=False) as team, open_ledger(back, write=False) as mine:
        assert [r.analyst for r in team.forecasts()] == ["Aigerim", "Bekzat", "Aigerim"]
        _same(team.forecasts(), mine.forecasts())
        assert team.resolutions() == mine.resolutions()
        assert team.resolution_log() == mine.resolution_log()
    with open_ledger(personal, write=False) as book:  # FROM was only read
        assert len(book.forecasts()) == 2


def test_ledger_copy_from_nowhere_writes_nothing(ledger_url: str, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["ledger", "copy", str(tmp_path / "typo.sqlite"), ledger_url])
    assert result.exit_code == 1 and "nothing to copy" in result.stderr
    with open_ledger(ledger_url, write=False) as book:
        assert book.forecasts() == []


def test_a_light_read_has_what_scoring_needs(ledger_url: str) -> None:
    with open_ledger(ledger_url) as book:
        book.record(make(at=when(1), analyst="Aigerim"))
        (full,) = book.forecasts()
        (light,) = book.forecasts(light=True)
    assert light.document is None and light.priors_text == "" and light.contributions == ()
    for name in ("id", "question_id", "recorded_at", "probability", "deadline", "tags"):
        assert getattr(light, name) == getattr(full, name)
    assert (light.experts, light.analyst, light.kind) == (full.experts, "Aigerim", "event")


def test_a_light_read_gives_the_records_the_constructor_gives(ledger_url: str) -> None:
    from forecast.ledger.rows import light_records, record_from_row

    with open_ledger(ledger_url) as book:
        book.record(make(at=when(1), analyst="Aigerim", question="a"))
        book.record(dataclasses.replace(make(at=when(2), question="b"), seed=None, deadline=None))
        light = book.forecasts(light=True)
    assert [r.question_id for r in light] == ["a", "b"]
    names = ["id", "question_id", "recorded_at", "probability", "kind", "pool", "seed", "version",
             "priors_sha256", "priors_path", "title", "deadline", "tags", "prior_probability",
             "experts", "analyst"]  # fmt: skip
    for r in light:
        # the same record, field for field, as the dataclass's own constructor makes it
        row = [getattr(r, n) for n in names]
        row[2], row[11] = r.recorded_at.isoformat(), r.deadline and r.deadline.isoformat()
        row[12] = json.dumps(list(r.tags))
        row[14] = json.dumps([dataclasses.asdict(e) for e in r.experts])
        (fast,) = light_records(names, [row])
        slow = record_from_row(dict(zip(names, row, strict=True)), light=True)
        assert fast == slow == r
        assert vars(fast) == vars(slow)


def test_a_damaged_light_row_is_named() -> None:
    from forecast.ledger.rows import Unreadable, light_records

    names = ["id", "question_id", "recorded_at", "probability", "kind", "pool", "seed", "version",
             "priors_sha256", "priors_path", "title", "deadline", "tags", "prior_probability",
             "experts"]  # fmt: skip
    row = [7, "q", "2026-01-01T00:00:00+00:00", "0.3", "event", "linear", None, "v", "s", None,
           "t", None, "[]", None, "[]"]  # fmt: skip
    with pytest.raises(Unreadable, match="forecast #7"):
        light_records(names, [row])


def test_a_url_without_psycopg_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "psycopg", None)  # as if the extra were not installed
    with pytest.raises(LedgerError, match="needs the psycopg package") as info:
        open_ledger("postgresql://ana@127.0.0.1:1/team")
    assert "geoforecast[postgres]" in (info.value.hint or "")


def test_a_resolved_value_is_kept_logged_and_copied(ledger_url: str, tmp_path: Path) -> None:
    first = Resolution("amount", "no", dt.date(2028, 1, 5), when(5), "resolved at 850", 850.0)
    fixed = Resolution("amount", "yes", dt.date(2028, 1, 6), when(6), None, 1250.5)
    event = Resolution("q1", "yes", dt.date(2026, 3, 1), when(3))
    with open_ledger(ledger_url) as book:
        for r in (first, event, fixed):
            book.resolve(r)
        assert book.resolutions()["amount"].value == 1250.5
        assert book.resolutions()["q1"].value is None
        assert [r.value for r in book.resolution_log("amount")] == [850.0, 1250.5]
    copy = tmp_path / "copy.sqlite"
    assert CliRunner().invoke(app, ["ledger", "copy", ledger_url, str(copy)]).exit_code == 0
    with open_ledger(copy, write=False) as book:
        assert book.resolutions()["amount"] == fixed
        assert book.resolution_log("amount") == [first, fixed]
    with open_ledger(ledger_url) as book:  # and merged back: nothing new, values intact
        assert book.merge([], [first, fixed, event]) == (0, 0)
        assert book.resolutions()["amount"] == fixed


def _as_version_4(url: str) -> None:
    """Make the ledger look as if a forecast from before values were kept had written it."""
    for table in ("resolutions", "resolution_log"):
        _sql(url, f"ALTER TABLE {table} DROP COLUMN value")
    if is_url(url):
        _sql(url, "UPDATE forecast_ledger SET schema_version = 4")
    else:
        _sql(url, "PRAGMA user_version = 4")


def test_a_ledger_from_before_values_reads_and_upgrades(ledger_url: str) -> None:
    old = Resolution("q1", "no", dt.date(2026, 3, 1), when(3), "before values")
    with open_ledger(ledger_url) as book:
        book.resolve(old)
    _as_version_4(ledger_url)
    with open_ledger(ledger_url, write=False) as book:  # read as it is
        assert book.resolutions() == {"q1": old} and book.resolution_log() == [old]
    new = Resolution("amount", "yes", dt.date(2028, 1, 5), when(5), None, 1200.0)
    with open_ledger(ledger_url) as book:  # opened to write: upgraded, nothing lost
        book.resolve(new)
        assert book.resolutions() == {"q1": old, "amount": new}
        assert book.resolution_log() == [old, new]
