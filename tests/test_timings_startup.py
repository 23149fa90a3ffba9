"""``--timings`` accounts for the whole run: a first line for the time from the process's
start to the first phase (interpreter, imports), and a total the lines add up to."""

from __future__ import annotations

import re
import subprocess
import sys

from typer.testing import CliRunner

from forecast.cli import app
from forecast.inference import Timer
from tests.conftest import PRIORS


def test_the_start_up_counts_from_the_process_start() -> None:
    code = (
        "import time; time.sleep(0.4)\n"
        "from forecast.inference import Timer\n"
        "t = Timer(); print(t.startup, t.startup_is_wall)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    startup, wall = out.stdout.split()
    if wall == "True":  # /proc: wall time, to a clock tick (10 ms)
        assert float(startup) >= 0.38
    assert float(startup) >= 0.0


def test_the_lines_add_up_to_the_total() -> None:
    t = Timer()
    t.lap("one")
    t.lap("two")
    rows = t.breakdown()
    assert rows[0][0].startswith("start-up and imports") and rows[0][1] == t.startup
    assert rows[-1][0] == "total"
    assert abs(sum(s for _, s in rows[:-1]) - rows[-1][1]) < 1e-12


def test_run_timings_print_the_start_up_and_the_total() -> None:
    result = CliRunner().invoke(
        app, ["run", str(PRIORS / "turkmenistan-joins-ots.yaml"), "--timings", "--quiet"]
    )
    assert result.exit_code == 0, result.output
    lines = [m for m in re.findall(r"^\s*(.+?)\s+(\d+\.\d\d) s\s+([\d.]+)%$", result.stderr, re.M)]
    names = [n for n, _, _ in lines]
    assert names[0].startswith("start-up and imports") and names[-1] == "total"
    assert "load and validate" in names
    secs = [float(s) for _, s, _ in lines]
    assert abs(sum(secs[:-1]) - secs[-1]) <= 0.005 * len(secs)  # each rounded to 0.01 s
