"""Sweeps without sampling: names, grids, scenario files, ids, output and resume."""

from __future__ import annotations

import csv
import json
import textwrap
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner, Result

from forecast import engine
from forecast.cli import app
from forecast.errors import ForecastError, UsageError
from forecast.inference import SamplerSettings
from forecast.kinds.event import sweep as event_sweep
from forecast.questions.loader import load_question
from forecast.sweep import grid, output, provenance, strategies
from forecast.sweep.params import Effect, params_for
from tests.conftest import EVENT_HEADER

runner = CliRunner()

EVENT = EVENT_HEADER + textwrap.dedent("""
    experts:
      - name: A
        judgement: {probability: 0.2, strength: 10}
      - name: B
        judgement: {probability: 0.4, strength: 10}
    base_rate: {successes: 2, trials: 10, weight: 0.5, reference_class: test cases}
    evidence:
      - id: signal
        description: a signal
        likelihood_ratio: {median: 2.0, interval: [1.2, 3.3], mass: 0.9}
      - id: known
        description: known already
        likelihood_ratio: 3
        in_judgements: true
""")


@pytest.fixture
def event_q(write_priors):  # type: ignore[no-untyped-def]
    return load_question(write_priors(EVENT))


def test_event_names_and_what_they_change(event_q) -> None:  # type: ignore[no-untyped-def]
    params = params_for(event_q.spec)
    assert params["evidence.signal"].effect is Effect.draws
    assert params["evidence.known.lr"].effect is Effect.draws
    assert params["base_rate.weight"].effect is Effect.data
    assert params["expert.A.weight"].effect is Effect.prior
    assert params["prior.strength"].effect is Effect.prior
    assert params["pool"].effect is Effect.prior


def test_unknown_name_lists_the_valid_ones(event_q) -> None:  # type: ignore[no-untyped-def]
    sc = grid.Scenario((("evidence.signl", "on"),))
    with pytest.raises(ForecastError) as info:
        grid.parse_settings(sc, params_for(event_q.spec), "q.yaml")
    assert "did you mean 'evidence.signal'" in info.value.message
    assert info.value.hint is not None and "base_rate.weight" in info.value.hint
    assert info.value.exit_code == 1


def test_bad_values_say_the_range(event_q) -> None:  # type: ignore[no-untyped-def]
    params = params_for(event_q.spec)
    for name, raw, words in [
        ("base_rate.weight", "1.5", "(0, 1]"),
        ("evidence.signal", "maybe", "on or off"),
        ("pool", "median", "linear"),
        ("base_rate.trials", "2.5", "whole number"),
    ]:
        with pytest.raises(ForecastError, match=words.replace("(", r"\(").replace("]", r"\]")):
            grid.parse_settings(grid.Scenario(((name, raw),)), params, "q.yaml")


def test_grid_is_the_cross_product_last_fastest() -> None:
    parsed = grid.parse_grid(["a=1,2", "b=x,y,z"])
    got = [dict(s.raw) for s in grid.grid_scenarios(parsed)]
    assert grid.grid_size(parsed) == 6 == len(got)
    assert got[:2] == [{"a": "1", "b": "x"}, {"a": "1", "b": "y"}]


@pytest.mark.parametrize("bad", ["a", "a=", "=1,2", "a=1,,2"])
def test_malformed_grid_is_a_usage_error(bad: str) -> None:
    with pytest.raises(UsageError):
        grid.parse_grid([bad])


def test_repeated_grid_name_is_refused() -> None:
    with pytest.raises(UsageError, match="twice"):
        grid.parse_grid(["a=1", "a=2"])


def test_scenario_id_is_stable_and_order_free(event_q) -> None:  # type: ignore[no-untyped-def]
    params = params_for(event_q.spec)
    one = grid.parse_settings(
        grid.Scenario((("evidence.signal", "on"), ("base_rate.weight", "0.50"))), params, "q"
    )
    two = grid.parse_settings(
        grid.Scenario((("base_rate.weight", 0.5), ("evidence.signal", True))), params, "q"
    )
    assert grid.scenario_id(one) == grid.scenario_id(two)
    # A fixed value: changing how ids are made would break every --resume.
    assert grid.scenario_id({"prior.strength": 2.0}) == grid.scenario_id({"prior.strength": 2})
    assert grid.scenario_id({"prior.strength": 2, "evidence.signal": "on"}) == "706035006e70"
    assert len(grid.scenario_id(one)) == 12


def test_scenarios_from_yaml_and_csv(tmp_path: Path) -> None:
    y = tmp_path / "s.yaml"
    y.write_text(
        "- {name: hawkish, evidence.signal: off, prior.strength: 2}\n- {pool: logarithmic}\n"
    )
    got = grid.read_scenarios(y)
    assert got[0].label == "hawkish" and dict(got[0].raw)["evidence.signal"] is False
    assert got[1].label is None
    m = tmp_path / "m.yaml"
    m.write_text("calm: {prior.strength: 0.5}\n")
    assert grid.read_scenarios(m)[0].label == "calm"
    c = tmp_path / "s.csv"
    c.write_text("name,evidence.signal,prior.strength\nx,on,\ny,off,2\n")
    rows = grid.read_scenarios(c)
    assert rows[0].raw == (("evidence.signal", "on"),)
    assert rows[1].raw == (("evidence.signal", "off"), ("prior.strength", "2"))


def test_settings_equal_to_the_file_need_no_new_posterior(event_q) -> None:  # type: ignore[no-untyped-def]
    params = params_for(event_q.spec)
    inputs = strategies.prepare(event_q)
    current = event_sweep.EventAdapter.current(inputs)
    same = strategies.split({"base_rate.weight": 0.5, "prior.strength": 1.0}, params, current)
    assert same.key == ((), ())
    other = strategies.split({"base_rate.weight": 0.25, "evidence.signal": "off"}, params, current)
    assert other.key == ((), (("base_rate.weight", 0.25),))
    assert other.draws == {"evidence.signal": "off"}


def test_psis_weights_match_a_known_ratio() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=4000)
    new, old = -0.5 * (x - 0.3) ** 2, -0.5 * x**2  # N(0.3, 1) from draws of N(0, 1)
    rw = strategies.reweight(new, old)
    assert rw.ok and abs(float(np.sum(rw.weights * x)) - 0.3) < 0.06
    far = strategies.reweight(-0.5 * ((x - 4) / 0.2) ** 2, old)
    assert not far.ok


def _row(q: str, s: str, p: float = 0.5) -> dict[str, object]:
    return {"question": q, "scenario": s, "probability": p, "settings": {"a": 1.0}}


@pytest.mark.parametrize("suffix", [".jsonl", ".csv", ".parquet"])
def test_resume_skips_done_rows_and_drops_a_cut_line(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"out{suffix}"
    sink = output.open_sink(path, False, ["a"])
    sink.write([_row("q", "s1"), _row("q", "s2")])
    if suffix == ".parquet":
        sink.write([_row("q", "s3")])  # journaled, then a crash before the Parquet file
        assert isinstance(sink, output.ParquetSink)
        sink._journal._f.close()
    else:
        sink.close()
        with path.open("a") as f:
            f.write('{"question": "q", "scen')  # a line cut short by a crash
    with pytest.raises(ForecastError, match="exists"):
        output.open_sink(path, False, ["a"])
    again = output.open_sink(path, True, ["a"])
    want = {("q", "s1"), ("q", "s2")} | ({("q", "s3")} if suffix == ".parquet" else set())
    assert again.done == want
    again.write([_row("q", "s4")])
    again.close()
    if suffix == ".jsonl":
        keys = [json.loads(line)["scenario"] for line in path.read_text().splitlines()]
    elif suffix == ".csv":
        keys = [line.split(",")[1] for line in path.read_text().splitlines()[1:]]
    else:
        import pyarrow.parquet as pq

        keys = pq.read_table(path).column("scenario").to_pylist()
        assert not output.journal_path(path).exists()
    assert sorted(keys) == sorted(s for _, s in want | {("q", "s4")})


def test_cli_needs_a_grid_or_a_file(event_q) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(app, ["sweep", str(event_q.path)])
    assert result.exit_code == 2
    assert "--grid" in result.stderr


def test_cli_unknown_name_exits_1_and_lists_valid_names(event_q) -> None:  # type: ignore[no-untyped-def]
    result = runner.invoke(app, ["sweep", str(event_q.path), "--grid", "driver.russia=0,1"])
    assert result.exit_code == 1
    assert "cannot sweep 'driver.russia'" in result.stderr
    assert "evidence.signal" in result.stderr
    assert result.stdout == ""


def test_cli_refuses_an_unknown_output_format(event_q, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    args = ["sweep", str(event_q.path), "--grid", "evidence.signal=on", "--out"]
    result = runner.invoke(app, [*args, str(tmp_path / "x.xlsx")])
    assert result.exit_code == 1
    assert ".csv, .jsonl, .parquet" in result.stderr


# ---------------------------------------------------------------------------
# Resuming checks the run settings the file's rows were made with. The sampler is
# replaced by draws made up from the job's settings, so these run in milliseconds.

SAMPLED = ["--draws", "100", "--tune", "100", "--chains", "2"]


def _sweep(out: str, *args: str, weights: str = "0.5", resume: bool = False) -> Result:
    grids = ["--grid", f"base_rate.weight={weights}", "--grid", "evidence.signal=on,off"]
    more = ["--resume"] if resume else []
    return runner.invoke(app, ["sweep", "q.yaml", *grids, *args, "--out", out, *more])


def _rows(path: Path) -> list[dict[str, object]]:
    if path.suffix == ".jsonl":
        return [json.loads(line) for line in path.read_text().splitlines()]
    if path.suffix == ".csv":
        with path.open(newline="") as f:
            return list(csv.DictReader(f))
    import pyarrow.parquet as pq

    return list(pq.read_table(path).to_pylist())


def _said(result: Result) -> str:
    """stderr with the console's line wrapping undone."""
    return " ".join(result.stderr.split())


FORMATS = [".csv", ".jsonl", ".parquet"]


@pytest.mark.parametrize("suffix", FORMATS)
def test_resume_with_the_same_settings_skips_what_the_file_holds(
    suffix: str, write_priors, in_tmp: Path, fake_sampling: list[SamplerSettings]
) -> None:  # type: ignore[no-untyped-def]
    q = load_question(write_priors(EVENT))
    out = f"out{suffix}"
    first = _sweep(out, *SAMPLED)  # the seed is derived from the file
    assert first.exit_code == 0, first.stderr
    rows = _rows(in_tmp / out)
    settings = engine.settings_for(q, SamplerSettings(draws=100, tune=100, chains=2), None)
    run = provenance.fingerprint(q, settings)
    assert {r["run"] for r in rows} == {run}
    assert run == (
        f"sha256={q.sha256[:12]} seed={engine.default_seed(q.sha256)} draws=100 tune=100 chains=2"
    )
    assert len(fake_sampling) == 1  # both scenarios on the file's own posterior

    again = _sweep(out, *SAMPLED, weights="0.5,1", resume=True)
    assert again.exit_code == 0, again.stderr
    assert len(fake_sampling) == 2  # only the new base-rate weight was sampled
    rows = _rows(in_tmp / out)
    ids = [r["scenario"] for r in rows]
    assert len(ids) == len(set(ids)) == 4
    assert {r["run"] for r in rows} == {run}
    if suffix == ".parquet":
        assert not output.journal_path(in_tmp / out).exists()


@pytest.mark.parametrize("suffix", FORMATS)
def test_resume_with_another_option_names_it_with_both_values(
    suffix: str, write_priors, in_tmp: Path, fake_sampling: list[SamplerSettings]
) -> None:  # type: ignore[no-untyped-def]
    write_priors(EVENT)
    out = f"out{suffix}"
    base = {"--seed": "7", "--draws": "100", "--tune": "100", "--chains": "2"}
    first = _sweep(out, *(x for kv in base.items() for x in kv))
    assert first.exit_code == 0, first.stderr
    before = (in_tmp / out).read_bytes()
    sampled = len(fake_sampling)
    for option, other in [
        ("--seed", "8"),
        ("--draws", "200"),
        ("--tune", "300"),
        ("--chains", "3"),
        ("--method", "nuts"),
    ]:
        args = {**base, option: other}
        result = _sweep(out, *(x for kv in args.items() for x in kv), resume=True)
        said = _said(result)
        assert result.exit_code == 1, said
        assert f"Error: {out} holds rows of a sweep made with other settings" in said
        was = base.get(option, "auto")  # a row without a method was made by auto
        assert f"{option} {was} there, {other} now" in said
        assert f"hint: rerun with {option} {was} to resume, or write to a new --out" in said
        assert said.count(" there, ") == 1  # only what differs is named
    both = _sweep(
        out, "--seed", "8", "--draws", "200", "--tune", "100", "--chains", "2", resume=True
    )
    said = _said(both)
    assert both.exit_code == 1
    assert "--seed 7 there, 8 now; --draws 100 there, 200 now" in said
    assert "rerun with --seed 7 --draws 100 to resume" in said
    # Nothing was sampled or written, and no journal was started.
    assert len(fake_sampling) == sampled
    assert (in_tmp / out).read_bytes() == before
    assert not output.journal_path(in_tmp / out).exists()


@pytest.mark.parametrize("suffix", FORMATS)
def test_a_given_seed_and_the_file_s_seed_do_not_mix(
    suffix: str, write_priors, in_tmp: Path, fake_sampling: list[SamplerSettings]
) -> None:  # type: ignore[no-untyped-def]
    q = load_question(write_priors(EVENT))
    derived = engine.default_seed(q.sha256)
    out = f"out{suffix}"
    assert _sweep(out, *SAMPLED).exit_code == 0
    given = _sweep(out, *SAMPLED, "--seed", "7", resume=True)
    assert given.exit_code == 1
    said = _said(given)
    assert f"--seed {derived} (from the file) there, 7 now" in said
    assert "hint: rerun without --seed to resume" in said
    # The same seed given explicitly makes the same numbers: that resumes.
    same = _sweep(out, *SAMPLED, "--seed", str(derived), weights="0.5,1", resume=True)
    assert same.exit_code == 0, same.stderr

    other = f"given{suffix}"
    assert _sweep(other, *SAMPLED, "--seed", "7").exit_code == 0
    bare = _sweep(other, *SAMPLED, resume=True)
    assert bare.exit_code == 1
    said = _said(bare)
    assert f"--seed 7 there, {derived} (from the file) now" in said
    assert "hint: rerun with --seed 7 to resume" in said


@pytest.mark.parametrize("suffix", FORMATS)
def test_resume_after_the_priors_file_changed_is_refused(
    suffix: str, write_priors, in_tmp: Path, fake_sampling: list[SamplerSettings]
) -> None:  # type: ignore[no-untyped-def]
    old = load_question(write_priors(EVENT))
    out = f"out{suffix}"
    assert _sweep(out, *SAMPLED).exit_code == 0
    new = load_question(write_priors(EVENT.replace("probability: 0.4", "probability: 0.45")))
    before = (in_tmp / out).read_bytes()
    result = _sweep(out, *SAMPLED, resume=True)
    said = _said(result)
    assert result.exit_code == 1, said
    assert (
        f"q.yaml has changed since its rows were written "
        f"(sha256 {old.sha256[:12]} there, {new.sha256[:12]} now)"
    ) in said
    assert "--seed" not in said.partition("hint:")[0]  # its seed follows the file
    assert "hint: restore q.yaml as it was to resume, or write to a new --out file" in said
    assert (in_tmp / out).read_bytes() == before
    # With an option changed too, both are said and both fixes given.
    both = _sweep(out, "--draws", "200", "--tune", "100", "--chains", "2", resume=True)
    said = _said(both)
    assert "q.yaml has changed" in said and "--draws 100 there, 200 now" in said
    assert "restore q.yaml as it was and rerun with --draws 100 to resume" in said


@pytest.mark.parametrize("suffix", FORMATS)
def test_rows_without_run_settings_are_refused(
    suffix: str, write_priors, in_tmp: Path, fake_sampling: list[SamplerSettings]
) -> None:  # type: ignore[no-untyped-def]
    write_priors(EVENT)
    out = in_tmp / f"out{suffix}"
    assert _sweep(out.name, *SAMPLED).exit_code == 0
    # As a sweep wrote them before rows said which run settings made them.
    if suffix == ".jsonl":
        rows = [{k: v for k, v in r.items() if k != "run"} for r in _rows(out)]
        out.write_text("".join(json.dumps(r) + "\n" for r in rows))
    elif suffix == ".csv":
        lines = out.read_text().splitlines()
        header = lines[0].split(",")
        at = header.index("run")
        kept = [",".join(c for i, c in enumerate(line.split(",")) if i != at) for line in lines]
        out.write_text("\n".join(kept) + "\n")
    else:
        import pyarrow.parquet as pq

        table = pq.read_table(out)
        pq.write_table(table.drop_columns(["run"]), out)
    result = _sweep(out.name, *SAMPLED, resume=True)
    said = _said(result)
    assert result.exit_code == 1, said
    assert (
        f"{out.name}: 2 rows were written before sweeps recorded their run settings "
        "(no 'run' column), so they cannot be checked against this sweep's"
    ) in said
    assert "hint: write to a new --out file" in said


def test_a_crashed_parquet_sweep_is_checked_from_its_journal(event_q, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "out.parquet"
    settings = SamplerSettings(draws=100, tune=100, chains=2)
    expected = provenance.Expected.of([event_q], settings, 7)
    sink = output.open_sink(path, False, ["a"], expected)
    row = {**_row(event_q.id, "s1"), "run": expected.runs[event_q.id]}
    sink.write([row])
    assert isinstance(sink, output.ParquetSink)
    sink._journal._f.close()  # a crash before the Parquet file is written
    assert not path.exists() and output.journal_path(path).exists()
    again = output.open_sink(path, True, ["a"], expected)
    assert again.done == {(event_q.id, "s1")}
    again._journal._f.close()
    with pytest.raises(ForecastError, match="--seed 7 there, 8 now"):
        output.open_sink(path, True, ["a"], provenance.Expected.of([event_q], settings, 8))


def test_rows_of_questions_not_in_this_sweep_are_checked_as_far_as_they_can_be(
    event_q, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    settings = SamplerSettings(draws=100, tune=100, chains=2)
    derived = engine.default_seed("0123456789ab")
    other = {"question": "other", "scenario": "s1"}

    def rows(run: str) -> list[dict[str, object]]:
        return [{**other, "run": run}]

    path = tmp_path / "out.jsonl"
    fine = f"sha256=0123456789ab seed={derived} draws=100 tune=100 chains=2"
    provenance.check(path, rows(fine), provenance.Expected.of([event_q], settings, None))
    with pytest.raises(ForecastError, match=f"--seed {derived} \\(from the file\\) there, 7 now"):
        provenance.check(path, rows(fine), provenance.Expected.of([event_q], settings, 7))
    with pytest.raises(ForecastError, match="--chains 2 there, 4 now") as info:
        more = SamplerSettings(draws=100, tune=100, chains=4)
        provenance.check(path, rows(fine), provenance.Expected.of([event_q], more, None))
    assert info.value.hint == "rerun with --chains 2 to resume, or write to a new --out file"
    given = "sha256=0123456789ab seed=7 draws=100 tune=100 chains=2"
    provenance.check(path, rows(given), provenance.Expected.of([event_q], settings, 7))
    with pytest.raises(ForecastError, match="--seed 7 there, from the file now"):
        provenance.check(path, rows(given), provenance.Expected.of([event_q], settings, None))


def test_a_changed_cases_file_is_refused(tmp_path: Path) -> None:
    from types import SimpleNamespace

    cases = tmp_path / "cases.csv"
    cases.write_text("trade,outcome\n1,1\n0,0\n")
    q = SimpleNamespace(
        id="d", path=tmp_path / "d.yaml", sha256="ab" * 32, spec=SimpleNamespace(cases="cases.csv")
    )
    settings = SamplerSettings(draws=100, tune=100, chains=2, seed=3)
    run = provenance.fingerprint(q, settings)
    assert run.startswith("sha256=abababababab cases=") and run.endswith(
        " seed=3 draws=100 tune=100 chains=2"
    )
    rows = [{"question": "d", "scenario": "s1", "run": run}]
    base = SamplerSettings(draws=100, tune=100, chains=2)
    provenance.check(tmp_path / "out.csv", rows, provenance.Expected.of([q], base, 3))
    cases.write_text("trade,outcome\n1,1\n1,0\n")
    with pytest.raises(ForecastError, match=r"the cases file of d\.yaml has changed") as info:
        provenance.check(tmp_path / "out.csv", rows, provenance.Expected.of([q], base, 3))
    assert info.value.hint is not None and info.value.hint.startswith(
        "restore the cases file of d.yaml to resume"
    )


def test_performance_weights_are_used_and_a_new_resolution_stops_a_resume(
    write_priors, in_tmp: Path, fake_sampling: list[SamplerSettings]
) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    from forecast.ledger import Resolution, open_ledger
    from tests.test_ledger import make, when

    write_priors(EVENT.replace("experts:", "pool: {weights: performance}\nexperts:", 1))
    ledger = in_tmp / "ledger.sqlite"
    with open_ledger(ledger) as book:
        book.record(make(question="r1", at=when(1), experts=(("A", 1.0, 0.9), ("B", 1.0, 0.2))))
        book.resolve(Resolution("r1", "yes", dt.date(2026, 6, 1), when(6)))
    first = _sweep("out.jsonl", *SAMPLED, "--ledger", str(ledger))
    assert first.exit_code == 0, first.stderr
    run = {r["run"] for r in _rows(in_tmp / "out.jsonl")}
    assert len(run) == 1 and " weights=" in run.pop()
    # the same ledger: the resume goes on
    assert _sweep("out.jsonl", *SAMPLED, "--ledger", str(ledger), resume=True).exit_code == 0
    with open_ledger(ledger) as book:
        book.record(make(question="r2", at=when(1), experts=(("A", 1.0, 0.1), ("B", 1.0, 0.2))))
        book.resolve(Resolution("r2", "yes", dt.date(2026, 6, 1), when(6)))
    again = _sweep("out.jsonl", *SAMPLED, "--ledger", str(ledger), resume=True)
    assert again.exit_code == 1
    assert "performance weights of q.yaml have changed" in _said(again)
    assert "hint: write to a new --out file" in _said(again)
