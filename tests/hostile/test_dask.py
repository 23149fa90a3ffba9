"""Dask failures: every one ends the sweep with one clean message, and loses no row.

A real scheduler and a real worker run as processes bound to 127.0.0.1, so that the
test can kill either with SIGKILL while a sweep (itself a process) waits on them.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import EVENT_HEADER
from tests.hostile.conftest import assert_clean, cli

distributed = pytest.importorskip("distributed")

BIN = Path(sys.executable).parent
QUESTION = EVENT_HEADER + (
    "experts:\n"
    "  - name: A\n"
    "    judgement: {probability: 0.2, strength: 10}\n"
    "base_rate: {successes: 1, trials: 8, weight: 0.5, reference_class: eight years}\n"
)
GRID = ["--grid", "base_rate.weight=0.25,1", "--grid", "base_rate.trials=8,9"]
SMALL = ["--draws", "100", "--tune", "100", "--chains", "1", "--seed", "3"]


def _env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "FORECAST_CACHE_DIR": str(tmp_path / "cache"), "NO_COLOR": "1"}


class Cluster:
    """A scheduler and one worker without a nanny (so a killed worker stays dead)."""

    def __init__(self, tmp_path: Path) -> None:
        tmp_path.mkdir(parents=True, exist_ok=True)
        self.tmp, self.file = tmp_path, tmp_path / "scheduler.json"
        self.worker: subprocess.Popen[bytes] | None = None
        self.scheduler = subprocess.Popen(
            [
                *(BIN / "dask", "scheduler", "--host", "127.0.0.1", "--port", "0"),
                *("--no-dashboard", "--scheduler-file", str(self.file)),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=_env(tmp_path),
        )
        try:
            self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> None:
        deadline = time.monotonic() + 30
        while not (self.file.exists() and self.file.stat().st_size):
            assert time.monotonic() < deadline, "the scheduler did not start"
            time.sleep(0.1)
        self.address = json.loads(self.file.read_text())["address"]
        assert self.address.startswith("tcp://127.0.0.1:")
        self.worker = subprocess.Popen(
            [
                *(BIN / "dask", "worker", "--scheduler-file", str(self.file), "--no-nanny"),
                *("--host", "127.0.0.1", "--nthreads", "1", "--no-dashboard"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=_env(self.tmp),
        )
        self.client = distributed.Client(self.address, timeout="20s", set_as_default=False)
        self.client.wait_for_workers(1, timeout=30)

    def busy(self, timeout: float = 60) -> None:
        """Wait until the worker is running a job."""
        deadline = time.monotonic() + timeout
        while not any(self.client.processing().values()):
            assert time.monotonic() < deadline, "no job reached the worker"
            time.sleep(0.2)

    def stop(self) -> None:
        """Close the test's client and end both processes."""
        client = getattr(self, "client", None)
        if client is not None:
            with contextlib.suppress(Exception):  # the scheduler may be gone already
                client.close(timeout=5)
        for proc in (self.worker, self.scheduler):
            if proc is not None:
                proc.kill()
                proc.wait()


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    c = Cluster(tmp_path)
    try:
        yield c
    finally:
        c.stop()


def _sweep(tmp_path: Path, address: str, *extra: str) -> subprocess.Popen[str]:
    q = tmp_path / "q.yaml"
    q.write_text(QUESTION, encoding="utf-8")
    cmd = [BIN / "forecast", "sweep", q, *GRID, *SMALL, "--executor", "dask"]
    cmd += ["--scheduler", address, "--out", tmp_path / "out.csv", *extra]
    return subprocess.Popen(
        [str(c) for c in cmd],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(tmp_path),
    )


def _one_clean_error(proc: subprocess.Popen[str], says: str, timeout: float = 60) -> str:
    _, stderr = proc.communicate(timeout=timeout)
    assert proc.returncode == 1, stderr
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert lines[0].startswith("Error: ") and says in lines[0], stderr
    assert len(lines) <= 2, stderr  # the message and its hint
    return stderr


@pytest.mark.slow
@pytest.mark.timeout(240)
def test_a_sweep_whose_only_worker_dies_stops_with_a_message(
    cluster: Cluster, tmp_path: Path
) -> None:
    proc = _sweep(tmp_path, cluster.address, "--worker-wait", "3")
    cluster.busy()
    cluster.worker.kill()
    err = _one_clean_error(proc, "has had no worker for 3 s")
    assert "--resume" in err
    with (tmp_path / "out.csv").open(newline="") as f:
        header = next(csv.reader(f))
    assert header[:2] == ["question", "scenario"]


@pytest.mark.slow
@pytest.mark.timeout(300)
def test_a_scheduler_killed_mid_sweep_is_one_line_and_the_sweep_resumes(
    cluster: Cluster, tmp_path: Path
) -> None:
    proc = _sweep(tmp_path, cluster.address)
    cluster.busy()
    cluster.scheduler.kill()
    _one_clean_error(proc, f"lost the Dask scheduler at {cluster.address}")
    cluster.stop()
    again = Cluster(tmp_path / "again")
    try:
        done = _sweep(tmp_path, again.address, "--resume")
        _, stderr = done.communicate(timeout=200)
        assert done.returncode == 0, stderr
    finally:
        again.stop()
    with (tmp_path / "out.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 4 and len({r["scenario"] for r in rows}) == 4


def test_an_unreachable_scheduler_leaves_no_file_to_block_the_next_run(tmp_path: Path) -> None:
    q = tmp_path / "q.yaml"
    q.write_text(QUESTION, encoding="utf-8")
    out = tmp_path / "out.csv"
    for _ in range(2):  # the second run meets the same clean error, not "file exists"
        result = cli(
            "sweep", q, *GRID, "--executor", "dask", "--scheduler", "tcp://127.0.0.1:1",
            "--out", out,
        )  # fmt: skip
        assert_clean(result, 1, contains="cannot reach the Dask scheduler at tcp://127.0.0.1:1")
        assert not out.exists()


@pytest.mark.parametrize("address", ["garbage", "tcp://127.0.0.1", "tcp://:x"])
def test_a_garbage_scheduler_address_is_a_usage_error_without_a_traceback(
    tmp_path: Path, address: str
) -> None:
    q = tmp_path / "q.yaml"
    q.write_text(QUESTION, encoding="utf-8")
    # A real process: a half-made Dask client complained from its finaliser at exit.
    proc = subprocess.run(
        [
            *(str(BIN / "forecast"), "sweep", str(q), *GRID, "--executor", "dask"),
            *("--scheduler", address, "--out", str(tmp_path / "out.csv")),
        ],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        timeout=50,
        check=False,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr
    assert proc.stderr.startswith("Error: --scheduler "), proc.stderr
    assert "tcp://HOST:PORT" in proc.stderr
    assert not (tmp_path / "out.csv").exists()
