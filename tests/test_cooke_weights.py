"""``pool: {weights: cooke, seeds: FILE}``: classical-model weights in forecasts."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from forecast.cli import app
from forecast.cooke import load
from forecast.cooke.model import Settings, decision_maker, score
from forecast.elicit.distributions import Fitted
from forecast.elicit.pool import PoolSpec, compare, forecast
from forecast.errors import InputError
from forecast.questions.loader import load_question
from tests.conftest import EVENT_HEADER, PRIORS, ROOT
from tests.test_cooke_inputs import SEEDS

runner = CliRunner()

EVENT = EVENT_HEADER + textwrap.dedent("""\
    experts:
      - name: Ann
        judgement: {probability: 0.3, strength: 10}
        weight: 5
      - name: Bob
        judgement: {probability: 0.6, strength: 10}
        weight: 5
      - name: Cy
        judgement: {probability: 0.1, strength: 10}
        weight: 5
    pool: {weights: cooke, seeds: seeds.yaml}
    """)


def _files(tmp_path: Path, question: str = EVENT, seeds: str = SEEDS) -> Path:
    (tmp_path / "seeds.yaml").write_text(seeds, encoding="utf-8")
    path = tmp_path / "q.yaml"
    path.write_text(question, encoding="utf-8")
    return path


def _problems(path: Path) -> list[str]:
    with pytest.raises(InputError) as info:
        load_question(path)
    return [str(p) for p in info.value.problems]


def test_weights_are_the_classical_model_ones_matched_by_name(tmp_path: Path) -> None:
    q = load_question(_files(tmp_path))
    scores = score(load(tmp_path / "seeds.yaml"))
    raw = scores.calibration * scores.information_seeds  # Ann, Bob in the study
    weights = [e.weight for e in q.spec.experts]
    assert weights == pytest.approx([raw[0] / raw.sum(), raw[1] / raw.sum(), 0.0])
    w = q.weighting.to_dict()
    assert w["method"] == "cooke" and w["alpha"] == 0.0
    cy = w["experts"][2]
    assert (cy["name"], cy["in_study"], cy["weight"]) == ("Cy", False, 0.0)
    ann = w["experts"][0]
    assert ann["calibration"] == pytest.approx(scores.calibration[0])
    assert ann["information_seeds"] == pytest.approx(scores.information_seeds[0])


def test_optimised_alpha_keeps_the_best_decision_makers_experts(tmp_path: Path) -> None:
    question = EVENT.replace("seeds: seeds.yaml}", "seeds: seeds.yaml, alpha: optimise}")
    q = load_question(_files(tmp_path, question))
    study = load(tmp_path / "seeds.yaml")
    best = decision_maker(study, Settings("global", None))
    assert q.weighting.alpha == pytest.approx(best.alpha)
    assert q.weighting.optimised
    scores = score(study)
    kept = scores.calibration >= best.alpha
    assert [e.weight > 0 for e in q.spec.experts][:2] == list(kept)


def test_show_reports_each_experts_scores_and_who_had_no_seeds(tmp_path: Path) -> None:
    path = _files(tmp_path)
    result = runner.invoke(app, ["show", str(path)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "Cooke weights from the seed questions of" in text
    assert re.search(r"Ann: calibration [0-9.]+, information [0-9.]+ on 3 seed items", text)
    assert "Cy: no seed answers in" in text and "→ weight 0" in text
    data = json.loads(runner.invoke(app, ["show", str(path), "-f", "json"]).stdout)
    assert data["weighting"]["method"] == "cooke"
    markdown = runner.invoke(app, ["show", str(path), "-f", "markdown"]).stdout
    assert "Cy: no seed answers in" in markdown


def test_check_reads_the_seeds_file_and_locates_its_problems(tmp_path: Path) -> None:
    path = _files(tmp_path, seeds=SEEDS.replace("s1: [1, 4, 9]", "s1: [1, 9, 4]"))
    assert _problems(path)[0] == (
        f"{tmp_path}/seeds.yaml:20:18 experts[0].answers.s1[2]: quantiles must increase (4 after 9)"
    )


@pytest.mark.parametrize(
    ("pool", "expected"),
    [
        (
            "{weights: cooke, seeds: nope.yaml}",
            "pool.seeds: no seeds file 'nope.yaml' beside this file",
        ),
        (
            "{weights: cooke, seeds: ../seeds.yaml}",
            "pool.seeds: the seeds file '../seeds.yaml' is outside the folder of the priors file; "
            "it was not read",
        ),
        (
            "{weights: cooke}",
            "pool.seeds: weights: cooke needs the seeds file the experts answered (seeds: FILE)",
        ),
        (
            "{weights: given, seeds: seeds.yaml}",
            "pool.seeds: a seeds file is only read with weights: cooke (got weights: given)",
        ),
        (
            "{weights: cooke, seeds: seeds.yaml, alpha: 0.99}",
            "pool.seeds: every expert of this question has weight zero at alpha 0.99",
        ),
    ],
)
def test_bad_pool_settings(tmp_path: Path, pool: str, expected: str) -> None:
    question = EVENT.replace("{weights: cooke, seeds: seeds.yaml}", pool)
    path = (
        _files(tmp_path / "sub" if "../" in pool else tmp_path, question)
        if "../" not in pool
        else None
    )
    if path is None:
        (tmp_path / "sub").mkdir()
        (tmp_path / "seeds.yaml").write_text(SEEDS, encoding="utf-8")
        path = tmp_path / "sub" / "q.yaml"
        path.write_text(question, encoding="utf-8")
    line = next(i for i, t in enumerate(question.splitlines(), 1) if t.startswith("pool:"))
    problems = _problems(path)
    assert len(problems) == 1
    assert problems[0].startswith(f"{path}:{line}:")
    assert problems[0].split(" ", 1)[1] == expected


def test_no_expert_in_the_study(tmp_path: Path) -> None:
    question = EVENT.replace("name: Ann", "name: Dee").replace("name: Bob", "name: Eve")
    problems = _problems(_files(tmp_path, question))
    assert problems[0].endswith(
        "pool.seeds: no expert of this question is in the seeds file (it has Ann, Bob)"
    )


def test_equal_weights_alternative_shows_what_the_weighting_does() -> None:
    experts = [Fitted("beta", {"alpha": a, "beta": 10 - a}, "test") for a in (3.0, 6.0)]
    spec = PoolSpec("linear")
    table = compare(["a", "b"], experts, [0.9, 0.1], spec, None, None)
    row = next(r for r in table.rows if r.kind == "weights")
    assert row.label == "equal weights"
    assert row.forecast == pytest.approx(forecast(experts, [1.0, 1.0], spec, None, None))
    assert row.forecast == pytest.approx(0.45, abs=1e-6)  # the mean of two Beta means
    assert not any(
        r.kind == "weights" for r in compare(["a", "b"], experts, [1, 1], spec, None, None).rows
    )


def _with_pool(example: str, tmp_path: Path, names: list[str]) -> Path:
    text = (PRIORS / example).read_text(encoding="utf-8")
    answers = SEEDS.replace("name: Ann", f"name: {names[0]}").replace(
        "name: Bob", f"name: {names[1]}"
    )
    (tmp_path / "seeds.yaml").write_text(answers, encoding="utf-8")
    for extra in PRIORS.glob("*.csv"):
        (tmp_path / extra.name).write_text(extra.read_text(encoding="utf-8"), encoding="utf-8")
    path = tmp_path / example
    path.write_text(text + "pool: {weights: cooke, seeds: seeds.yaml}\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "example", ["us-kazakhstan-critical-minerals.yaml", "turkiye-joins-consultative-meeting.yaml"]
)
def test_drivers_and_scheduled_questions_take_cooke_weights(tmp_path: Path, example: str) -> None:
    plain = load_question(PRIORS / example)
    names = [e.name for e in plain.spec.experts]
    q = load_question(_with_pool(example, tmp_path, names[:2]))
    weights = [e.weight for e in q.spec.experts]
    assert weights[2:] == [0.0] * (len(names) - 2)
    assert sum(weights) == pytest.approx(1.0)
    assert q.weighting.to_dict()["experts"][2]["in_study"] is False


def test_hazard_experts_take_cooke_weights(tmp_path: Path) -> None:
    question = EVENT_HEADER.replace("kind: event", "kind: time-to-event") + textwrap.dedent("""\
        horizon: 2035-12-01
        as_of: 2025-12-01
        hazard:
          since: 2020-12-01
          experts:
            - name: Ann
              median_years: {median: 8, interval: [3.5, 18.3], mass: 0.9}
            - name: Bob
              median_years: {median: 4, interval: [2, 9], mass: 0.9}
        pool: {weights: cooke, seeds: seeds.yaml}
        """)
    q = load_question(_files(tmp_path, question))
    weights = np.array([e.weight for e in q.spec.hazard.experts])
    assert weights.sum() == pytest.approx(1.0) and (weights > 0).all()


def test_drivers_pool_takes_only_the_weight_keys(tmp_path: Path) -> None:
    text = (PRIORS / "us-kazakhstan-critical-minerals.yaml").read_text(encoding="utf-8")
    path = tmp_path / "q.yaml"
    path.write_text(text + "pool: {method: logarithmic}\n", encoding="utf-8")
    for extra in PRIORS.glob("*.csv"):
        (tmp_path / extra.name).write_text(extra.read_text(encoding="utf-8"), encoding="utf-8")
    assert "pool.method: unknown key 'method'" in _problems(path)[0]


def test_docs_example_seeds_file_is_valid(tmp_path: Path) -> None:
    doc = (ROOT / "docs" / "format.md").read_text(encoding="utf-8")
    block = doc.split("## Seeds files")[1].split("```yaml\n")[1].split("```")[0]
    path = tmp_path / "example.yaml"
    path.write_text(block, encoding="utf-8")
    study = load(path)
    assert study.experts == ("A. Analyst", "B. Analyst")
    assert int(study.seed_mask.sum()) == 2


def test_pool_override_keeps_the_cooke_weights(tmp_path: Path) -> None:
    from forecast.cli.run import PoolChoice, with_pool

    q = load_question(_files(tmp_path))
    (again,) = with_pool([q], PoolChoice.logarithmic, None)
    assert again.spec.pool.method == "logarithmic"
    assert again.spec.pool.weights == "cooke" and again.spec.pool.seeds == "seeds.yaml"
    assert [e.weight for e in again.spec.experts] == [e.weight for e in q.spec.experts]
