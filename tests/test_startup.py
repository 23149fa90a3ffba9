"""The command line starts fast: --help and check import no PyMC, PyTensor, ArviZ or PreliZ."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import PRIORS, ROOT

HEAVY = ("pymc", "pytensor", "arviz", "arviz_base", "arviz_stats", "preliz", "numba")

_PROBE = """
import json, sys
from typer.testing import CliRunner
from forecast.cli import app
result = CliRunner().invoke(app, sys.argv[1:])
print(json.dumps({"exit": result.exit_code,
                  "modules": sorted(m.split('.')[0] for m in sys.modules)}))
"""


def _imported(*args: str) -> tuple[int, set[str]]:
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    data = json.loads(proc.stdout.strip().splitlines()[-1])
    return data["exit"], set(data["modules"])


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["run", "--help"],
        ["check", str(PRIORS)],
        ["list", str(PRIORS)],
    ],
    ids=["help", "run-help", "check", "list"],
)
def test_light_commands_do_not_import_the_sampler(args: list[str]) -> None:
    code, modules = _imported(*args)
    assert code == 0
    heavy = sorted(set(HEAVY) & modules)
    assert not heavy, f"`forecast {' '.join(args)}` imported {heavy}"


def test_console_script_help_runs() -> None:
    exe = ROOT / ".venv" / "bin" / "forecast"
    if not exe.exists():
        pytest.skip("console script not installed in .venv")
    proc = subprocess.run([str(exe), "--help"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0
    assert "Usage: forecast" in proc.stdout
    assert proc.stderr == ""
