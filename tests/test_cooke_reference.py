"""Cooke's classical model against anduryl 1.2.2 on two TU Delft database studies.

``anduryl-reference.json`` holds every expert's and decision maker's scores as anduryl
computed them: an independent implementation. Each number is checked on its own.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from forecast.cooke import excalibur, model
from forecast.cooke.study import Study

DATA = Path("/work/shared/data/cooke")
if not DATA.is_dir():
    DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data" / "cooke"
REF_FILE = DATA / "anduryl-reference.json"
pytestmark = pytest.mark.skipif(not REF_FILE.exists(), reason="reference data not present")

TOL = 1e-6
STUDIES = ("tobacco", "Erie Carps")
DM_SETTINGS = {
    "global_alpha0": model.Settings("global", 0.0),
    "global_optimised_alpha": model.Settings("global", None),
    "item_alpha0": model.Settings("item", 0.0),
    "equal": model.Settings("equal", 0.0),
}


@cache
def _ref() -> dict:  # type: ignore[type-arg]
    return json.loads(REF_FILE.read_text()) if REF_FILE.exists() else {}


@cache
def _study(name: str) -> Study:
    return excalibur.read(DATA / f"{name}.dtt")


@cache
def _scores(name: str) -> model.Scores:
    ref = _ref()[name]
    return model.score(_study(name), ref["overshoot"], ref["calpower"])


def _expert_cases() -> list[tuple[str, str, str]]:
    return [
        (study, expert, key)
        for study in STUDIES
        for expert, values in _ref().get(study, {}).get("experts", {}).items()
        for key in values
    ]


def _dm_cases() -> list[tuple[str, str, str]]:
    return [
        (study, dm, key)
        for study in STUDIES
        for dm, values in _ref().get(study, {}).get("decision_makers", {}).items()
        for key in values
    ]


@pytest.mark.parametrize("study", STUDIES)
def test_study_shape(study: str) -> None:
    ref = _ref()[study]
    s = _study(study)
    assert list(s.quantiles) == pytest.approx(ref["quantiles"])
    assert int(s.seed_mask.sum()) == ref["seed_items"]
    assert sorted(s.experts) == sorted(ref["experts"])


@pytest.mark.parametrize(("study", "expert", "key"), _expert_cases())
def test_expert_score(study: str, expert: str, key: str) -> None:
    scores = _scores(study)
    e = _study(study).experts.index(expert)
    got = {
        "calibration": scores.calibration[e],
        "information_all": scores.information_all[e],
        "information_seeds": scores.information_seeds[e],
        "unnormalised_weight": scores.weight[e],
    }[key]
    assert got == pytest.approx(_ref()[study]["experts"][expert][key], abs=TOL, rel=TOL)


@pytest.mark.parametrize(("study", "dm", "key"), _dm_cases())
def test_decision_maker_score(study: str, dm: str, key: str) -> None:
    ref = _ref()[study]
    settings = DM_SETTINGS[dm]
    settings = model.Settings(settings.weights, settings.alpha, ref["overshoot"], ref["calpower"])
    result = model.decision_maker(_study(study), settings, _scores(study))
    got = getattr(result, key)
    assert got == pytest.approx(ref["decision_makers"][dm][key], abs=TOL, rel=TOL)
