"""Shared fixtures: an isolated fit cache and helpers to write priors files."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRIORS = ROOT / "priors"


@pytest.fixture(autouse=True)
def _isolated_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each test session fits into its own cache, never the user's."""
    cache = tmp_path_factory.getbasetemp() / "fit-cache"
    monkeypatch.setenv("FORECAST_CACHE_DIR", str(cache))


@pytest.fixture
def write_priors(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write dedented YAML text to ``tmp_path/NAME.yaml`` and return the path."""

    def write(text: str, name: str = "q") -> Path:
        path = tmp_path / f"{name}.yaml"
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        return path

    return write


EVENT_HEADER = """\
format: 1
kind: event
title: A test question
resolution: Resolves yes if the test event happens, as the test says.
deadline: 2030-01-01
"""
