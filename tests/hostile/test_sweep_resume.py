"""``sweep --resume`` checks a file before it changes a byte; Parquet output is synced.

Recipes: ``--resume`` into a CSV that is not a sweep's (its last line used to vanish,
and the error called it "an old sweep"); junk, a FIFO or non-row JSON given to
``--resume``; a crash between replacing a Parquet file and removing its journal; a
full disk mid-sweep.
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from forecast.errors import ForecastError
from forecast.sweep import output
from tests.hostile.conftest import assert_clean, cli, fifo

QUESTION = Path(__file__).resolve().parents[2] / "priors" / "turkmenistan-joins-ots.yaml"
GRID = ["--grid", "prior.strength=0.5,1"]


def _resume(out: Path) -> object:
    return cli("sweep", QUESTION, *GRID, "--out", out, "--resume")


def test_a_foreign_csv_is_refused_whole_and_left_as_it_was(tmp_path: Path) -> None:
    mine = tmp_path / "mine.csv"
    mine.write_bytes(b"a,b\n1,2\n3,4")
    stderr = assert_clean(_resume(mine), contains="is not the output of a sweep")  # type: ignore[arg-type]
    assert "written before sweeps recorded" not in stderr
    assert mine.read_bytes() == b"a,b\n1,2\n3,4"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("junk.csv", bytes(range(256)) * 4),
        ("junk.jsonl", bytes(range(256)) * 4),
        ("junk.parquet", bytes(range(256)) * 4),
        ("list.jsonl", b"[1, 2]\n3\n"),
        ("other.jsonl", b'{"name": "not a row"}\n{"partial'),
    ],
)
def test_junk_given_to_resume_is_one_clean_error_and_untouched(
    tmp_path: Path, name: str, content: bytes
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    assert_clean(_resume(path))  # type: ignore[arg-type]
    assert path.read_bytes() == content


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_a_fifo_given_to_resume_never_hangs(tmp_path: Path, suffix: str) -> None:
    pipe = fifo(tmp_path / f"out{suffix}")
    assert_clean(_resume(pipe), contains="FIFO")  # type: ignore[arg-type]


def _row(s: str) -> dict[str, object]:
    return {"question": "q", "scenario": s, "probability": 0.5, "settings": {"a": 1.0}}


def test_a_crash_between_replace_and_journal_removal_adds_no_duplicates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyarrow.parquet as pq

    path = tmp_path / "out.parquet"
    sink = output.open_sink(path, False, ["a"])
    sink.write([_row("s1"), _row("s2")])
    real_unlink = Path.unlink

    def crash(self: Path, missing_ok: bool = False) -> None:
        if self == output.journal_path(path):
            raise KeyboardInterrupt  # killed right after the rename
        real_unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", crash)
    with pytest.raises(KeyboardInterrupt):
        sink.close()
    monkeypatch.setattr(Path, "unlink", real_unlink)
    assert output.journal_path(path).exists()
    again = output.open_sink(path, True, ["a"])
    again.write([_row("s3")])
    again.close()
    scenarios = pq.read_table(path).column("scenario").to_pylist()
    assert sorted(scenarios) == ["s1", "s2", "s3"]


def test_the_parquet_file_is_synced_before_it_is_renamed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "out.parquet"
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append("fsync " + os.path.basename(os.readlink(f"/proc/self/fd/{fd}")))
        real_fsync(fd)

    def replace(src: str | os.PathLike[str], dst: str | os.PathLike[str]) -> None:
        events.append(f"replace {os.path.basename(src)}")
        real_replace(src, dst)

    sink = output.open_sink(path, False, ["a"])
    sink.write([_row("s1")])
    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    sink.close()
    [moved] = [e.split()[1] for e in events if e.startswith("replace")]
    assert events.index(f"fsync {moved}") < events.index(f"replace {moved}")


@contextlib.contextmanager
def _file_size_limit(limit: int) -> Iterator[None]:
    """No file may grow past ``limit`` bytes (writes past it fail with EFBIG)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    old = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))
        signal.signal(signal.SIGXFSZ, old)


@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_a_full_disk_mid_sweep_is_the_os_error(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"out{suffix}"
    sink = output.open_sink(path, False, ["a"])
    with _file_size_limit(2000), pytest.raises(ForecastError) as info:
        for i in range(200):
            sink.write([_row(f"s{i}")])
        sink.close()
    assert os.strerror(27) in info.value.message  # EFBIG: "File too large"
    assert "--resume" in (info.value.hint or "")
    with contextlib.suppress(ForecastError):
        sink.close()
    again = output.open_sink(path, True, ["a"])  # what was written can be resumed
    assert again.done
    again.close()


def test_a_full_disk_in_a_sweep_command_is_one_clean_line(
    tmp_path: Path, fake_sampling: list[object]
) -> None:
    out = tmp_path / "out.csv"
    grid = ["--grid", "prior.strength=" + ",".join(str(0.5 + i / 10) for i in range(40))]
    args = ["sweep", QUESTION, *grid, "--out", out, "--draws", "100", "--tune", "100"]
    with _file_size_limit(3000):
        result = cli(*args)
    assert_clean(result, contains="File too large")


def test_out_dash_is_stdout(
    tmp_path: Path, fake_sampling: list[object], monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    monkeypatch.chdir(tmp_path)
    result = cli("sweep", QUESTION, *GRID, "--out", "-", "--draws", "100", "--tune", "100")
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 2 and {r["question"] for r in rows} == {"turkmenistan-joins-ots"}
    assert not (tmp_path / "-").exists()


@pytest.mark.parametrize("resume", [False, True])
@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".parquet"])
def test_out_a_dangling_symlink_is_one_clean_line(
    tmp_path: Path, fake_sampling: list[object], suffix: str, resume: bool
) -> None:
    out = tmp_path / f"out{suffix}"
    out.symlink_to(tmp_path / "no-such-folder" / f"rows{suffix}")
    args = ["sweep", QUESTION, *GRID, "--out", out, "--draws", "100", "--tune", "100"]
    result = cli(*args, *(["--resume"] if resume else []))
    assert_clean(result, contains="no-such-folder does not exist")
    assert out.is_symlink() and not (tmp_path / "no-such-folder").exists()


def test_out_a_symlink_is_written_through(tmp_path: Path, fake_sampling: list[object]) -> None:
    (tmp_path / "real").mkdir()
    out = tmp_path / "out.csv"
    out.symlink_to(tmp_path / "real" / "rows.csv")
    args = ["sweep", QUESTION, *GRID, "--out", out, "--draws", "100", "--tune", "100"]
    result = cli(*args)
    assert result.exit_code == 0, result.stderr
    assert out.is_symlink()
    assert len((tmp_path / "real" / "rows.csv").read_text().splitlines()) == 3
