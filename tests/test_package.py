"""The installable package: its version flags, and a wheel that works on its own."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from forecast import __version__
from forecast.cli import app

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_the_version_flags(flag: str) -> None:
    result = CliRunner().invoke(app, [flag])
    assert result.exit_code == 0
    assert result.stdout == f"forecast {__version__}\n"


def test_the_distribution_declares_what_runs_need() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    assert project["name"] != "forecast"  # taken on PyPI by an unrelated package
    assert project["scripts"] == {"forecast": "forecast.cli:main"}
    names = {d.split(">")[0].split("[")[0].strip() for d in project["dependencies"]}
    assert "matplotlib" in names  # reports draw with it
    assert set(project["optional-dependencies"]) >= {"dask", "parquet", "postgres"}


def _uv(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    """``uv ARGS``, offline first (the cache holds every locked package), then online."""
    uv = [sys.executable, "-m", "uv"] if shutil.which("uv") is None else ["uv"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIRTUAL_ENV")}
    for offline in (["--offline"], []):
        done = subprocess.run(
            [*uv, *args, *offline], cwd=cwd, env=env, capture_output=True, text=True, timeout=900
        )
        if done.returncode == 0:
            return done
    raise AssertionError(f"uv {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")


@pytest.mark.slow
def test_the_wheel_installs_into_a_clean_environment_and_forecasts(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    _uv("build", "--wheel", "--out-dir", str(dist))
    (wheel,) = dist.glob("*.whl")
    assert wheel.name.startswith("geoforecast-")
    venv = tmp_path / "venv"
    _uv("venv", "--python", f"{sys.version_info.major}.{sys.version_info.minor}", str(venv))
    _uv("pip", "install", "--python", str(venv / "bin" / "python"), str(wheel))
    forecast = venv / "bin" / "forecast"
    env = {
        "PATH": f"{venv / 'bin'}:/usr/bin:/bin",
        "HOME": str(tmp_path),
        "FORECAST_CACHE_DIR": str(tmp_path / "cache"),
        "FORECAST_LEDGER": str(tmp_path / "ledger.sqlite"),
        "MPLCONFIGDIR": str(tmp_path / "mpl"),
    }
    version = subprocess.run(
        [str(forecast), "--version"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == f"forecast {__version__}"
    # the installed package, not this checkout, answers
    where = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import forecast; print(forecast.__file__)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert str(venv) in where.stdout
    priors = ROOT / "priors" / "turkmenistan-joins-ots.yaml"
    run = subprocess.run(
        [
            str(forecast),
            "run",
            str(priors),
            "--draws",
            "200",
            "--tune",
            "200",
            "--chains",
            "2",
            "--seed",
            "1",
            "-q",
            "--record",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().endswith("%")
    assert (tmp_path / "ledger.sqlite").exists()
