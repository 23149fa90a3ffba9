"""Sweeps without sampling: names, grids, scenario files, ids, output and resume."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from forecast.cli import app
from forecast.errors import ForecastError, UsageError
from forecast.spec import load_question
from forecast.sweep import grid, output, strategies
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
    current = strategies.EventAdapter.current(inputs)
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
