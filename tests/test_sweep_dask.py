"""Sweeps on a real Dask cluster (two local workers) and on local processes."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from forecast.cli import app
from tests.test_sweep import EVENT

runner = CliRunner()

SMALL = ["--draws", "100", "--tune", "100", "--chains", "2", "--seed", "5"]


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


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


@pytest.mark.slow
def test_dask_gives_the_rows_a_local_sweep_gives_and_resumes(
    cluster: Any,
    write_priors: Any,
    tmp_path: Path,
) -> None:
    q = str(write_priors(EVENT))
    grid = ["--grid", "base_rate.weight=0.25,1", "--grid", "evidence.signal=on,off"]
    local = runner.invoke(app, ["sweep", q, *grid, *SMALL])
    assert local.exit_code == 0, local.output
    want = {r["scenario"]: r for r in map(json.loads, local.stdout.splitlines())}
    assert len(want) == 4 and {r["strategy"] for r in want.values()} == {"resampled"}

    out = tmp_path / "sweep.csv"
    where = ["--executor", "dask", "--scheduler", cluster.scheduler_address, "--out", str(out)]
    first = runner.invoke(app, ["sweep", q, *grid, *SMALL, *where])
    assert first.exit_code == 0, first.output
    rows = _csv(out)
    assert {r["scenario"] for r in rows} == set(want)
    for r in rows:
        # Same seeds, same numbers, wherever the sampling ran.
        assert float(r["probability"]) == pytest.approx(want[r["scenario"]]["probability"])
        assert r["base_rate.weight"] and r["evidence.signal"] in {"on", "off"}

    bigger = ["--grid", "base_rate.weight=0.25,0.5,1", "--grid", "evidence.signal=on,off"]
    again = runner.invoke(app, ["sweep", q, *bigger, *SMALL, *where, "--resume"])
    assert again.exit_code == 0, again.output
    rows = _csv(out)
    ids = [r["scenario"] for r in rows]
    assert len(ids) == len(set(ids)) == 6
    assert {r["strategy"] for r in rows if r["base_rate.weight"] == "0.5"} == {"vectorised"}


@pytest.mark.slow
@pytest.mark.parametrize("method", ["auto", "nuts"])
def test_local_processes(write_priors: Any, tmp_path: Path, method: str) -> None:
    q = str(write_priors(EVENT))
    out = tmp_path / "sweep.jsonl"
    grid = ["--grid", "base_rate.weight=0.25,1", "--method", method]
    result = runner.invoke(app, ["sweep", q, *grid, *SMALL, "--jobs", "2", "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted(r["settings"]["base_rate.weight"] for r in rows) == [0.25, 1.0]
    # NUTS's diagnostics (an R-hat) under nuts, the exact posterior's (none) under auto
    assert all((r["rhat_max"] is not None) == (method == "nuts") for r in rows), rows


@pytest.mark.slow
def test_dask_samples_with_nuts_when_asked(cluster: Any, write_priors: Any) -> None:
    q = str(write_priors(EVENT))
    where = ["--executor", "dask", "--scheduler", cluster.scheduler_address]
    grid = ["--grid", "base_rate.weight=0.25,1", "--method", "nuts"]
    result = runner.invoke(app, ["sweep", q, *grid, *SMALL, *where])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 2 and all(r["rhat_max"] is not None for r in rows), rows
    assert all(r["run"].endswith(" method=nuts") for r in rows)
