"""The command line starts fast: --help and check import no PyMC, PyTensor, ArviZ or PreliZ."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

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


_VERSION_PROBE = """
import json, sys
from forecast.cli import main
sys.argv = ["forecast", sys.argv[1]]
main()
print(json.dumps(sorted(m.split('.')[0] for m in sys.modules)))
"""


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version_is_answered_before_typer_is_imported(flag: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", _VERSION_PROBE, flag],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    from forecast import __version__

    said, modules = proc.stdout.splitlines()
    assert said == f"forecast {__version__}"
    loaded = set(json.loads(modules))
    assert not {"typer", "rich", "pydantic", "numpy"} & loaded


def test_version_with_other_options_goes_through_typer() -> None:
    from typer.testing import CliRunner

    from forecast import __version__
    from forecast.cli import app

    result = CliRunner().invoke(app, ["--debug", "--version"])
    assert result.exit_code == 0
    assert result.stdout.strip() == f"forecast {__version__}"


def test_timings_give_a_line_per_phase_the_engine_import_among_them(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from forecast.cli import app

    question = ROOT / "benchmarks" / "data" / "event-question.yaml"
    result = CliRunner().invoke(app, ["run", str(question), "--timings", "-q"])
    assert result.exit_code == 0, result.output
    phases = [
        line.split(" s ")[0].rsplit(None, 1)[0].strip()
        for line in result.stderr.splitlines()
        if " s " in line
    ]
    assert phases[0].startswith("start-up and imports") and phases[-1] == "total"
    assert phases[1:4] == ["load and validate", "import engine", "fit judgements"]
    assert "quadrature" in phases and "report" in phases


def test_setup_compiles_only_what_has_no_current_bytecode(tmp_path: Path) -> None:
    import py_compile

    from forecast._bytecode import _fresh

    source = tmp_path / "mod.py"
    source.write_text("x = 1\n")
    assert not _fresh(str(source))  # nothing cached yet
    py_compile.compile(str(source), doraise=True)
    assert _fresh(str(source))
    source.write_text("x = 22\n")  # changed since: its bytecode is stale
    assert not _fresh(str(source))


@pytest.mark.parametrize(("given", "used"), [(None, "1"), ("2", "2")])
def test_the_command_line_runs_openblas_on_one_thread_unless_told(
    given: str | None, used: str
) -> None:
    """The console script sets OPENBLAS_NUM_THREADS=1 before NumPy loads (a user's own
    value stands), and NumPy's BLAS then runs that many threads."""
    import os

    probe = (
        "import sys\n"
        "sys.argv = ['forecast', 'check', sys.argv[1]]\n"
        "from forecast.cli import main\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "import os, threadpoolctl\n"
        "blas = [p for p in threadpoolctl.threadpool_info() if p['internal_api'] == 'openblas']\n"
        "print(os.environ['OPENBLAS_NUM_THREADS'], {p['num_threads'] for p in blas})\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    if given is not None:
        env["OPENBLAS_NUM_THREADS"] = given
    out = subprocess.run(
        [sys.executable, "-c", probe, str(PRIORS / "turkmenistan-joins-ots.yaml")],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=True,
    ).stdout.split()[-2:]  # after check's own lines
    assert out == [used, f"{{{used}}}"], out
