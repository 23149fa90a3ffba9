"""Reading and writing files: regular files only, bounded reads, one atomic write.

Recipes: a priors file that is a symlink to /dev/zero or /dev/urandom, a FIFO given as
(or found in a folder with) a priors file, a FIFO as a cases, answers or scenarios
file; ``export --out`` a device node, a FIFO or a symlink; a write on a full disk;
``resolve`` on a symlinked priors file.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from forecast import files
from forecast.errors import InputError
from forecast.ledger import open_ledger
from forecast.questions.loader import load_question
from tests.conftest import PRIORS as SHIPPED
from tests.hostile.conftest import assert_clean, cli, fifo
from tests.test_ledger import make

QUESTION = SHIPPED / "turkmenistan-joins-ots.yaml"

# ---------------------------------------------------------------------------- reading


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_priors_symlink_to_a_device_is_refused_unread(tmp_path: Path, device: str) -> None:
    link = tmp_path / "q.yaml"
    link.symlink_to(device)
    with pytest.raises(InputError) as info:
        load_question(link)
    assert "is a character device, not a regular file" in info.value.problems[0].message


def test_reads_stop_at_the_limit_plus_one_byte(tmp_path: Path) -> None:
    big = tmp_path / "big"
    big.write_bytes(b"x" * 101)
    with pytest.raises(files.TooLarge):
        files.read_bytes(big, 100)
    assert files.read_bytes(big, 101) == b"x" * 101


def test_a_fifo_priors_file_is_refused_without_blocking(tmp_path: Path) -> None:
    result = cli("check", fifo(tmp_path / "q.yaml"))
    assert result.exit_code == 1  # check lists the problems of the files on stdout
    assert "q.yaml: is a FIFO (named pipe), not a regular file" in result.stdout


def test_a_fifo_in_a_checked_folder_does_not_hang_check_or_list(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(QUESTION.read_text("utf-8"), "utf-8")
    fifo(tmp_path / "pipe.yaml")
    checked = cli("check", tmp_path)
    assert checked.exit_code == 1
    assert "pipe.yaml: is a FIFO" in checked.stdout
    listed = cli("list", tmp_path, "--ledger", tmp_path / "none.sqlite")
    assert "Traceback" not in listed.stderr
    assert "good" in listed.stdout



def test_a_symlink_loop_in_a_folder_is_one_problem_and_the_rest_is_read(tmp_path: Path) -> None:
    (tmp_path / "good.yaml").write_text(QUESTION.read_text("utf-8"), "utf-8")
    (tmp_path / "loop.yaml").symlink_to("loop.yaml")
    (tmp_path / "dangling.yaml").symlink_to(tmp_path / "gone" / "x.yaml")
    checked = cli("check", tmp_path)
    assert checked.exit_code == 1
    assert "internal error" not in checked.stderr + checked.stdout
    assert "good.yaml" in checked.stdout and "ok" in checked.stdout
    assert "loop.yaml: is a loop of symbolic links, not a file" in checked.stdout
    assert f"dangling.yaml: a broken link to {tmp_path / 'gone' / 'x.yaml'}" in checked.stdout
    ran = cli("run", tmp_path, "--quiet")
    assert ran.exit_code == 1 and "internal error" not in ran.stderr
    assert "good\t" in ran.stdout and "loop\tfailed" in ran.stdout

def test_a_fifo_answers_file_is_refused(tmp_path: Path) -> None:
    result = cli("elicit", "q", "--dir", tmp_path, "--answers", fifo(tmp_path / "a.yaml"))
    assert_clean(result, contains="FIFO")
    assert not (tmp_path / "q.yaml").exists()


def test_a_fifo_scenarios_file_is_refused(tmp_path: Path) -> None:
    result = cli("sweep", QUESTION, "--scenarios", fifo(tmp_path / "s.csv"))
    assert_clean(result, contains="FIFO")


DRIVERS = """\
format: 1
kind: drivers
title: A drivers question
resolution: Resolves yes if it happens, as anyone can check.
deadline: 2030-01-01
drivers:
  - id: pressure
    description: outside pressure
    odds_ratio: {median: 2, interval: [1, 4]}
    level: 1
experts:
  - name: Ana
    judgement: {probability: 0.3, strength: 10}
cases: CASES
"""


def _drivers(tmp_path: Path, cases: str) -> Path:
    path = tmp_path / "q.yaml"
    path.write_text(DRIVERS.replace("CASES", cases), "utf-8")
    return path


def test_a_fifo_cases_file_is_refused(tmp_path: Path) -> None:
    fifo(tmp_path / "cases.csv")
    with pytest.raises(InputError) as info:
        load_question(_drivers(tmp_path, "cases.csv"))
    assert "FIFO" in info.value.problems[0].message
    assert info.value.problems[0].field == "cases"


# ---------------------------------------------------------------------------- writing


def _device(path: Path) -> Path:
    """A character device like /dev/full (1, 7), made in the test's own folder."""
    if os.geteuid() != 0:
        pytest.skip("making a device node needs root")
    os.mknod(path, stat.S_IFCHR | 0o666, os.makedev(1, 7))
    return path


@pytest.fixture
def ledger(tmp_path: Path) -> Path:
    path = tmp_path / "ledger.sqlite"
    with open_ledger(path) as book:
        book.record(make())
    return path


def test_export_refuses_a_device_node_and_leaves_it(tmp_path: Path, ledger: Path) -> None:
    full = _device(tmp_path / "full")
    result = cli("export", "--format", "csv", "--out", full, "--ledger", ledger)
    assert_clean(result, contains="is a character device, not a regular file")
    assert stat.S_ISCHR(full.lstat().st_mode)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_export_refuses_a_symlink_to_a_device(tmp_path: Path, ledger: Path) -> None:
    full = _device(tmp_path / "full")
    link = tmp_path / "out.csv"
    link.symlink_to(full)
    assert_clean(cli("export", "--format", "csv", "--out", link, "--ledger", ledger))
    assert stat.S_ISCHR(full.lstat().st_mode) and link.is_symlink()


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_export_refuses_a_fifo(tmp_path: Path, ledger: Path, fmt: str) -> None:
    pipe = fifo(tmp_path / f"out.{fmt}")
    assert_clean(cli("export", "--format", fmt, "--out", pipe, "--ledger", ledger))
    assert stat.S_ISFIFO(pipe.lstat().st_mode)


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_export_through_a_symlink_writes_its_target(tmp_path: Path, ledger: Path, fmt: str) -> None:
    real = tmp_path / "data" / f"real.{fmt}"
    real.parent.mkdir()
    real.write_text("old")
    os.chmod(real, 0o640)
    link = tmp_path / f"out.{fmt}"
    link.symlink_to(real)
    result = cli("export", "--format", fmt, "--out", link, "--ledger", ledger)
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink() and link.resolve() == real.resolve()
    assert real.read_bytes() != b"old"
    assert stat.S_IMODE(real.stat().st_mode) == 0o640


def test_export_dash_is_stdout(tmp_path: Path, ledger: Path) -> None:
    result = cli("export", "--format", "csv", "--out", "-", "--ledger", ledger)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("record,id,question_id")
    assert not (Path.cwd() / "-").exists()


def test_an_existing_file_keeps_its_mode_and_owner(tmp_path: Path) -> None:
    path = tmp_path / "f.txt"
    path.write_text("old")
    os.chmod(path, 0o600)
    if os.geteuid() == 0:
        os.chown(path, 1234, 2345)
    files.atomic_write(path, "new")
    st = path.stat()
    assert path.read_text() == "new" and stat.S_IMODE(st.st_mode) == 0o600
    if os.geteuid() == 0:
        assert (st.st_uid, st.st_gid) == (1234, 2345)


def test_a_new_file_is_0644_under_the_usual_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        files.atomic_write(tmp_path / "new.txt", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "new.txt").stat().st_mode) == 0o644


def test_a_full_disk_is_said_and_leaves_the_old_file(tmp_path: Path, full_disk: None) -> None:
    path = tmp_path / "f.txt"
    path.write_text("old")
    with pytest.raises(files.WriteError) as info:
        files.atomic_write(path, "new")
    assert os.strerror(errno.ENOSPC) in info.value.message
    assert path.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.txt"]


def test_export_on_a_full_disk_is_one_clean_line(
    tmp_path: Path, ledger: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.hostile.conftest import _enospc

    monkeypatch.setattr(os, "fsync", _enospc)
    result = cli("export", "--format", "csv", "--out", tmp_path / "x.csv", "--ledger", ledger)
    assert_clean(result, contains="No space left on device")
    assert not (tmp_path / "x.csv").exists()


def test_resolve_through_a_symlinked_priors_file_edits_its_target(tmp_path: Path) -> None:
    real = tmp_path / "store" / "turkmenistan-joins-ots.yaml"
    real.parent.mkdir()
    real.write_text(QUESTION.read_text("utf-8"), "utf-8")
    priors = tmp_path / "priors"
    priors.mkdir()
    link = priors / real.name
    link.symlink_to(real)
    result = cli("resolve", link, "yes", "--date", "2025-01-01", "--ledger", tmp_path / "l.sqlite")
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink()
    assert load_question(real).spec.status == "yes"


KILLED_WRITE = """
import os, sys
from forecast import files

real_fsync = os.fsync

def die(fd):
    real_fsync(fd)
    os.kill(os.getpid(), 9)  # after the new content is written, before the rename

os.fsync = die
files.atomic_write(sys.argv[1], "new " * 100_000)
"""


def test_kill_9_mid_write_leaves_the_old_file_whole(tmp_path: Path) -> None:
    import subprocess
    import sys

    path = tmp_path / "q.yaml"
    path.write_text("old", "utf-8")
    proc = subprocess.run(
        [sys.executable, "-c", KILLED_WRITE, str(path)], capture_output=True, timeout=50
    )
    assert proc.returncode == -9, proc.stderr
    assert path.read_text("utf-8") == "old"
    left = [p.name for p in tmp_path.iterdir() if p.name != "q.yaml"]
    assert all(n.startswith(".q.yaml.") and n.endswith(".tmp") for n in left)


@pytest.mark.parametrize("which", ["dtt", "rls"])
def test_a_fifo_excalibur_file_is_refused_with_an_excalibur_hint(
    tmp_path: Path, which: str
) -> None:
    from tests.test_cooke_inputs import DTT, RLS

    for suffix, text in (("dtt", DTT), ("rls", RLS)):
        if suffix == which:
            fifo(tmp_path / f"study.{suffix}")
        else:
            (tmp_path / f"study.{suffix}").write_text(text, encoding="utf-8")
    stderr = assert_clean(cli("cooke", tmp_path / "study.dtt"), contains="FIFO")
    assert "YAML" not in stderr and "NAME.dtt" in stderr, stderr
