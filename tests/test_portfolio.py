"""``forecast run DIR``: the ordered pool, the compiled models kept per structure, the
progress bar, the closing summary, and a Dask cluster on 127.0.0.1."""

from __future__ import annotations

import concurrent.futures as cf
import io
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from forecast.cli import app
from forecast.errors import ForecastError, SamplingError, UsageError
from forecast.portfolio import pool, runner
from forecast.portfolio.summary import SCHEMA, Summary
from tests.test_cli import GOOD

cli = CliRunner()
SMALL = ["--draws", "100", "--tune", "100", "--chains", "2", "--seed", "3"]


def test_ordered_yields_in_order_whatever_finishes_first() -> None:
    done: list[int] = []
    events = [threading.Event() for _ in range(3)]

    def job(i: int) -> int:
        if i < 2:
            events[i + 1].wait(5)  # each waits for the one after it
        done.append(i)
        events[i].set()
        return i * 10

    with cf.ThreadPoolExecutor(max_workers=3) as threads:
        assert list(pool.ordered(threads, job, [0, 1, 2])) == [0, 10, 20]
    assert done == [2, 1, 0]


def test_stopping_early_cancels_the_jobs_not_started() -> None:
    ran: list[int] = []
    release = threading.Event()

    def job(i: int) -> int:
        ran.append(i)
        if i == 1:
            release.wait(5)
        return i

    threads = cf.ThreadPoolExecutor(max_workers=1)
    results = pool.ordered(threads, job, [0, 1, 2])
    assert next(results) == 0
    results.close()  # job 1 may be running (it waits); job 2 has not started
    release.set()
    threads.shutdown(wait=True)
    assert ran in ([0], [0, 1])


def test_a_pool_that_fails_a_job_ends_the_work_with_one_clean_error() -> None:
    class Broken(cf.ThreadPoolExecutor):
        def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> cf.Future[Any]:
            f: cf.Future[Any] = cf.Future()
            f.set_exception(MemoryError("the worker was killed"))
            return f

    with Broken() as broken, pytest.raises(ForecastError, match="a worker failed: MemoryError"):
        list(pool.ordered(broken, str, [1]))


def test_a_watch_ends_a_wait_for_a_result_that_does_not_come() -> None:
    seen: list[tuple[float, int]] = []

    def watch(alone: float, waiting: int) -> float:
        seen.append((alone, waiting))
        if len(seen) == 3:
            raise ForecastError("no worker for a while")
        return alone + 1

    class Stuck(cf.ThreadPoolExecutor):
        def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> cf.Future[Any]:
            return cf.Future()  # never done

    with Stuck() as stuck, pytest.raises(ForecastError, match="no worker for a while"):
        list(pool.ordered(stuck, str, [1, 2], watch=watch, poll=0.01))
    assert seen == [(0.0, 2), (1.0, 2), (2.0, 2)]


def test_the_executor_is_chosen_as_the_options_say() -> None:
    with (
        pytest.raises(UsageError, match="needs --scheduler"),
        pool.executor("dask", 1, None, size=5),
    ):
        pass
    with (
        pytest.raises(UsageError, match="--scheduler is for --executor dask"),
        pool.executor("local", 2, "tcp://127.0.0.1:1", size=5),
    ):
        pass
    for jobs, size in ((1, 5), (4, 1)):
        with pool.executor("local", jobs, None, size=size) as here:
            assert here is None
    with pool.executor("local", 4, None, size=2) as there:
        assert there is not None and isinstance(there.pool, cf.ProcessPoolExecutor)
        assert there.pool._max_workers == 2  # type: ignore[attr-defined]
        assert there.watch is None


def test_a_failure_is_data_that_becomes_the_same_error_again() -> None:
    sampled = runner.Failure.of(SamplingError("no draws", hint="check it"))
    assert (sampled.kind, sampled.message, sampled.detail) == ("sampling", "no draws", "check it")
    again = sampled.error()
    assert isinstance(again, SamplingError) and again.hint == "check it"
    domain = runner.Failure.of(ForecastError("bad file")).error()
    assert type(domain) is ForecastError and domain.message == "bad file"
    try:
        raise KeyError("x")
    except KeyError as exc:
        defect = runner.Failure.of(exc)
    assert defect.kind == "internal" and "KeyError" in defect.message
    assert defect.detail is not None and "Traceback" in defect.detail


def _questions(tmp_path: Path, names: str = "abcd") -> list[Any]:
    """Event questions named ``names`` in ``tmp_path/portfolio`` (its path: ``_dir``)."""
    from forecast.questions.loader import load_question

    folder = _dir(tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i, name in enumerate(names):
        text = GOOD.replace("probability: 0.3", f"probability: 0.{i + 2}")
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
        out.append(load_question(folder / f"{name}.yaml"))
    return out


def _dir(tmp_path: Path) -> Path:
    return tmp_path / "portfolio"


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, write_priors: Any) -> list[tuple[str, bool]]:
    """Forecasts made up from one fabricated posterior; each call noted (id, reuse)."""
    import dataclasses

    from tests.test_render import _forecast

    base = _forecast(write_priors)
    calls: list[tuple[str, bool]] = []

    def forecast_question(q: Any, settings: Any, timer: Any = None, **kw: Any) -> Any:
        calls.append((q.id, kw.get("reuse", False)))
        if q.id == "c":
            raise SamplingError("c: the sampler failed")
        return dataclasses.replace(
            base, question_id=q.id, probability=float(q.spec.experts[0].judgement.probability)
        )

    monkeypatch.setattr(runner, "forecast_question", forecast_question)
    return calls


def test_forecasts_come_in_order_here_and_on_a_pool(tmp_path: Path, fake: Any) -> None:
    from forecast.inference import SamplerSettings

    jobs = [runner.Job(q, SamplerSettings()) for q in _questions(tmp_path)]
    here = list(runner.forecasts(jobs))
    with cf.ThreadPoolExecutor(max_workers=2) as threads:
        there = list(runner.forecasts(jobs, pool.Workers(threads)))
    for got in (here, there):
        assert [f.question_id if f else e.kind for f, e in got] == ["a", "b", "sampling", "d"]
    # Several questions reuse compiled models wherever they run.
    assert {reuse for _, reuse in fake} == {True}


def test_run_dir_ends_with_a_summary_in_json(tmp_path: Path, fake: Any) -> None:
    _questions(tmp_path)
    (_dir(tmp_path) / "e.yaml").write_text(GOOD.replace("0.3", "1.5"), encoding="utf-8")
    result = cli.invoke(app, ["run", str(_dir(tmp_path)), "--format", "json"])
    assert result.exit_code == 1  # an invalid file and a failed sampling
    *forecasts, last = map(json.loads, result.stdout.splitlines())
    assert [f["question"]["id"] for f in forecasts] == ["a", "b", "d"]
    assert last["schema"] == SCHEMA
    rows = last["questions"]
    assert [r["id"] for r in rows] == ["e", "a", "b", "c", "d"]
    assert rows[0]["failed"] == "invalid priors file" and rows[3]["failed"] == "sampling"
    for f, r in zip(forecasts, (rows[1], rows[2], rows[4]), strict=True):
        assert r["probability"] == f["probability"]
        assert r["interval"] == f["interval"]
        assert r["kind"] == f["question"]["kind"] == "event"
        assert r["method"] == f["provenance"]["method"]
        assert r["diagnostics_ok"] is f["diagnostics"]["ok"]
    assert (last["forecast"], last["failed"]) == (3, 2)


def test_the_summary_table_closes_a_rich_run(tmp_path: Path, fake: Any) -> None:
    _questions(tmp_path)
    result = cli.invoke(app, ["run", str(_dir(tmp_path))], env={"COLUMNS": "120"})
    tail = result.stdout[result.stdout.rindex("Summary") :]
    lines = [line for line in tail.splitlines() if line.strip()]
    assert "question" in lines[1] and "95% interval" in lines[1] and "diagnostics" in lines[1]
    body = [[w for w in line.split() if w != "│"] for line in lines[3:]]
    assert [row[0] for row in body] == ["a", "b", "c", "d"]
    assert body[0][1:3] == ["event", "20.0%"] and body[0][-1] == "ok"
    assert body[2][1:] == ["event", "failed:", "sampling"]


def test_one_question_has_no_summary_and_is_not_compiled_for_reuse(
    tmp_path: Path, fake: Any
) -> None:
    (q,) = _questions(tmp_path, "a")
    result = cli.invoke(app, ["run", str(q.path), "--format", "json"])
    assert result.exit_code == 0
    (only,) = result.stdout.splitlines()
    assert json.loads(only)["question"]["id"] == "a"
    assert fake == [("a", False)]


class _Terminal:
    """Stderr as a terminal, its text kept."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from forecast.cli import _sampling
        from forecast.render.safe import SafeConsole

        self.buf = io.StringIO()
        console = SafeConsole(file=self.buf, force_terminal=True, width=100, soft_wrap=True)
        monkeypatch.setattr(_sampling, "err", lambda: console)


def test_the_progress_bar_shows_on_a_terminal_for_more_than_a_few_questions(
    tmp_path: Path, fake: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from forecast.cli._sampling import FEW

    _questions(tmp_path, "abcd"[: FEW + 1])
    shown = _Terminal(monkeypatch)
    cli.invoke(app, ["run", str(_dir(tmp_path)), "--format", "json"])
    assert "questions/s" in shown.buf.getvalue() and f"{FEW + 1}/{FEW + 1}" in shown.buf.getvalue()


def test_no_progress_bar_for_a_few_questions_or_off_a_terminal(
    tmp_path: Path, fake: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from forecast.cli import _sampling
    from forecast.cli._sampling import FEW

    real = _sampling.err
    _questions(tmp_path / "few", "abd"[:FEW])
    shown = _Terminal(monkeypatch)
    cli.invoke(app, ["run", str(_dir(tmp_path / "few")), "--format", "json"])
    assert "questions/s" not in shown.buf.getvalue()
    assert "Sampling a" in shown.buf.getvalue()  # a spinner each instead
    _questions(tmp_path / "many", "abdefg")
    monkeypatch.setattr(_sampling, "err", real)
    piped = cli.invoke(app, ["run", str(_dir(tmp_path / "many")), "--format", "json"])
    assert "questions/s" not in piped.stderr and "━" not in piped.stderr


@pytest.mark.slow
def test_questions_of_one_structure_are_compiled_once(tmp_path: Path) -> None:
    from forecast import engine
    from forecast.inference import SamplerSettings

    questions = _questions(tmp_path, "abc")
    runner._MODELS = None
    args = ["run", str(_dir(tmp_path)), "--format", "json", "--method", "nuts", *SMALL]
    result = cli.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert runner.compiled_models().builds == 1
    *forecasts, _ = map(json.loads, result.stdout.splitlines())
    # Each agrees with a run of its own, sampled afresh with another seed.
    for q, f in zip(questions, forecasts, strict=True):
        alone = engine.run(q, engine.settings_for(q, SamplerSettings(200, 200, 2), 99))
        tolerance = 3 * (f["mcse"] ** 2 + alone.mcse**2) ** 0.5
        assert abs(f["probability"] - alone.probability) <= tolerance


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        processes=True,
        n_workers=2,
        threads_per_worker=1,
        host="127.0.0.1",
        dashboard_address=None,
    ) as c:
        yield c


@pytest.mark.slow
def test_a_dask_cluster_gives_the_numbers_this_process_gives(tmp_path: Path, cluster: Any) -> None:
    _questions(tmp_path, "abc")
    args = ["run", str(_dir(tmp_path)), "--format", "json", *SMALL]
    here = cli.invoke(app, args)
    there = cli.invoke(app, [*args, "--executor", "dask", "--scheduler", cluster.scheduler_address])
    assert here.exit_code == 0 and there.exit_code == 0, (here.output, there.output)
    rows = [[json.loads(line) for line in r.stdout.splitlines()] for r in (here, there)]
    assert rows[0][-1]["schema"] == rows[1][-1]["schema"] == SCHEMA
    assert [r.get("probability") for r in rows[1]] == [r.get("probability") for r in rows[0]]
    assert rows[1][-1] == rows[0][-1]


def test_summary_counts_forecasts_failures_and_diagnostics(write_priors: Any) -> None:
    from tests.test_render import _forecast

    made = [_forecast(write_priors), _forecast(write_priors, shift=0.2, diverging=2)]
    s = Summary()
    for f in made:
        s.add(f)
    s.failed("x", "event", "sampling")
    d = s.to_dict()
    oks = [f.diagnostics.ok for f in made]
    assert False in oks  # the diverging one
    assert (d["forecast"], d["failed"], d["diagnostics_not_ok"]) == (2, 1, oks.count(False))
    assert [q["diagnostics_ok"] for q in d["questions"]] == [*oks, None]
