"""Every file in priors/: valid, sourced, marked illustrative, resolvable, and it samples."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from forecast import engine
from forecast.cli import app
from forecast.inference import SamplerSettings
from forecast.questions.loader import load_question
from tests.conftest import PRIORS, ROOT

PRIOR_FILES = sorted(PRIORS.glob("*.yaml"))
"""Collected when the tests are collected, so a new question is checked without edits."""

SETTINGS = SamplerSettings(draws=300, tune=300, chains=2, seed=1)
CLI_FILE = PRIORS / "us-kazakhstan-critical-minerals.yaml"
RUN_KEYS = {"schema", "question", "probability", "interval", "diagnostics", "provenance"}
DOCS = ROOT / "docs"

files = pytest.mark.parametrize("path", PRIOR_FILES, ids=[p.stem for p in PRIOR_FILES])


def test_priors_directory_has_questions() -> None:
    assert len(PRIOR_FILES) >= 5, [p.name for p in PRIOR_FILES]
    assert CLI_FILE in PRIOR_FILES


@files
def test_priors_file_is_valid_sourced_and_resolvable(path: Path) -> None:
    q = load_question(path)
    spec = q.spec
    assert q.id == path.stem
    assert spec.resolution.strip(), "a question needs a resolution criterion"
    assert spec.sources, "cite the sources the question and its numbers rest on"
    for source in spec.sources:
        assert source.title.strip()
        assert source.url, f"source {source.title!r} has no url"
    assert spec.note is not None and "illustrative" in spec.note.lower(), (
        "say in `note` that the numbers are illustrative elicitations"
    )


def test_format_doc_example_is_a_valid_file(tmp_path: Path) -> None:
    text = (DOCS / "format.md").read_text(encoding="utf-8")
    example = re.findall(r"```yaml\n(.*?)```", text, re.S)[-1]
    path = tmp_path / "example.yaml"
    path.write_text(example, encoding="utf-8")
    spec = load_question(path).spec
    assert spec.kind == "event"
    assert spec.note is not None and "illustrative" in spec.note


@pytest.mark.slow
@files
def test_priors_file_samples_cleanly(path: Path) -> None:
    # Every kind goes through engine.run, so kinds added later are sampled here too.
    forecast = engine.run(load_question(path), SETTINGS)
    assert 0.0 <= forecast.probability <= 1.0
    i95 = forecast.interval(0.95)
    assert 0.0 <= i95.lo <= i95.hi <= 1.0
    assert i95.lo <= forecast.probability <= i95.hi
    assert forecast.diagnostics.divergences == 0, forecast.diagnostics.warnings


def _run_json(runner: CliRunner) -> list[dict[str, object]]:
    args = ["run", str(CLI_FILE), "--format", "json"]
    args += ["--draws", "200", "--tune", "200", "--chains", "2", "--seed", "3"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


@pytest.mark.slow
def test_run_json_is_one_object_per_question_and_reproducible() -> None:
    runner = CliRunner()
    first = _run_json(runner)
    assert len(first) == 1
    obj = first[0]
    assert obj.keys() >= RUN_KEYS
    assert obj["schema"] == "forecast.run/1"
    assert isinstance(obj["question"], dict) and obj["question"]["id"] == CLI_FILE.stem
    assert isinstance(obj["provenance"], dict) and obj["provenance"]["seed"] == 3
    documented = (DOCS / "json.md").read_text(encoding="utf-8")
    for key in obj:
        assert f"`{key}`" in documented, f"document the key {key!r} in docs/json.md"
    second = _run_json(runner)
    assert second[0]["probability"] == obj["probability"]
