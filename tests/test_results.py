"""A forecast's kind-specific output is a typed result object, JSON only at the edge.

Every registered kind's result gives the keys ``docs/json.md`` documents for it, in the
documented shapes (the ``TypedDict`` of each object), and they are the keys the
forecast's JSON ends with. No module of forecast reads or writes a string-keyed
``extra`` any more; the rule is shown to catch a planted violation.
"""

from __future__ import annotations

import ast
import dataclasses
import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path

import pytest

from forecast import engine, kinds
from forecast.cli._common import finite
from forecast.effects import ScenarioJSON, SwingJSON
from forecast.headline import AlternativeJSON, PoolsJSON
from forecast.inference import SamplerSettings
from forecast.kinds.drivers.result import CasesJSON
from forecast.kinds.tte.result import CurvePointJSON
from forecast.questions.loader import load_question
from forecast.results import Forecast
from forecast.sensitivity import MoveJSON, QuantityJSON, SensitivityJSON

ROOT = Path(__file__).resolve().parent.parent
PRIORS = sorted((ROOT / "priors").glob("*.yaml"))

DRIVERS = ["scenario", "scenario_sets", "scenarios", "swings"]
DOCUMENTED: dict[str, list[list[str]]] = {
    "event": [["pools", "sensitivity"]],
    "drivers": [[*DRIVERS, "cases", "sensitivity", "pools"]],
    "time-to-event": [
        ["curve", "median_time", "horizon", "as_of", "form", form, *more, "sensitivity", *pools]
        for form in ("opportunities", "hazard")
        for more in ([], DRIVERS)
        for pools in ([], ["pools"])
    ],
    "quantity": [["quantity", "sensitivity"], ["quantity", "sensitivity", "pools"]],
    "network": [["network", "sensitivity"], ["network", "sensitivity", "pools"]],
}
"""The keys each kind adds to ``forecast.run/1`` after the shared ones, in order (one of
the lists), as ``docs/json.md`` says under "Keys added by kind"."""


def keys(typed: type) -> set[str]:
    """The keys of a TypedDict."""
    return set(typed.__annotations__)


@cache
def forecast_of(path: Path) -> Forecast:
    """The forecast of a shipped priors file, small and seeded."""
    q = load_question(path)
    return engine.run(q, SamplerSettings(draws=200, tune=200, chains=2, seed=1))


def _params() -> list[object]:
    out: list[object] = []
    for p in PRIORS:
        kind = load_question(p).spec.kind
        marks = [pytest.mark.slow] if kind == "network" else []  # it samples its nodes
        out.append(pytest.param(p, id=p.stem, marks=marks))
    return out


def test_every_registered_kind_has_a_shipped_example() -> None:
    assert {load_question(p).spec.kind for p in PRIORS} == set(kinds.names()) == set(DOCUMENTED)


def _shapes(d: Mapping[str, object]) -> None:
    """Each documented object of ``d`` has the keys of its TypedDict."""
    if "pools" in d:
        pools = d["pools"]
        assert isinstance(pools, dict) and set(pools) == keys(PoolsJSON)
        assert all(set(a) == keys(AlternativeJSON) for a in pools["alternatives"])
    if "sensitivity" in d:
        s = d["sensitivity"]
        assert isinstance(s, dict) and set(s) == keys(SensitivityJSON)
        assert all(set(x) == keys(QuantityJSON) for x in s["quantities"])
        assert all(set(m) == keys(MoveJSON) for m in s["moves"])
    for name, typed in (("scenarios", ScenarioJSON), ("swings", SwingJSON)):
        rows = d.get(name, [])
        assert isinstance(rows, list) and all(set(r) == keys(typed) for r in rows)
    if "cases" in d:
        assert isinstance(d["cases"], dict) and set(d["cases"]) == keys(CasesJSON)
    curve = d.get("curve", [])
    assert isinstance(curve, list) and all(set(c) == keys(CurvePointJSON) for c in curve)


@pytest.mark.parametrize("path", _params())
def test_each_kinds_result_gives_the_documented_keys_last(path: Path) -> None:
    f = forecast_of(path)
    own = json.loads(json.dumps(finite(f.result.to_dict()), allow_nan=False))
    whole = json.loads(json.dumps(finite(f.to_dict()), allow_nan=False))
    added = [k for k in whole if k != "weighting"][-len(own) :] if own else []
    assert list(own) in DOCUMENTED[f.kind]
    assert added == list(own)
    for k, v in own.items():
        assert whole[k] == v, k
    _shapes(whole)


@pytest.mark.parametrize("path", _params())
def test_the_shared_reports_read_the_same_numbers_the_json_gives(path: Path) -> None:
    f = forecast_of(path)
    d = json.loads(json.dumps(finite(f.to_dict()), allow_nan=False))
    if f.sensitivity is not None:
        assert d["sensitivity"]["verdict"] == f.sensitivity.verdict
        assert [m["label"] for m in d["sensitivity"]["moves"]] == [
            m.label for m in f.sensitivity.moves
        ]
    else:
        assert "sensitivity" not in d
    if f.pools is not None:
        rows = f.pools.rows
        assert [a["label"] for a in d["pools"]["alternatives"]] == [
            r.alternative.label for r in rows
        ]
        assert [a["from_headline"] for a in d["pools"]["alternatives"]] == [
            r.from_headline for r in rows
        ]
        assert d["pools"]["headline"] == f.probability
    else:
        assert "pools" not in d
    assert d.get("scenario") == (f.scenario.name if f.scenario is not None else None)


def test_a_result_is_an_object_until_the_json_is_written() -> None:
    f = forecast_of(next(p for p in PRIORS if load_question(p).spec.kind == "drivers"))
    assert f.pools is not None and f.sensitivity is not None
    assert not isinstance(f.result, Mapping)
    assert all(not isinstance(getattr(f.result, x.name), Mapping) for x in _fields(f.result))


def _fields(obj: object) -> tuple[dataclasses.Field[object], ...]:
    assert dataclasses.is_dataclass(obj) and not isinstance(obj, type)
    return dataclasses.fields(obj)


# -- nothing reads ``extra`` -----------------------------------------------------


def extra_uses(source: str) -> list[int]:
    """Lines that read an ``extra`` attribute or pass ``extra=`` (pydantic's
    ``ConfigDict(extra=...)`` aside)."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr == "extra":
            out.append(node.lineno)
        elif isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else ""
            name = node.func.id if isinstance(node.func, ast.Name) else name
            if name != "ConfigDict" and any(k.arg == "extra" for k in node.keywords):
                out.append(node.lineno)
    return out


def test_a_forecast_has_no_extra_data() -> None:
    assert "extra" not in {x.name for x in dataclasses.fields(Forecast)}


def test_no_module_reads_or_writes_extra() -> None:
    found = [
        f"{p.relative_to(ROOT)}:{line}"
        for p in sorted((ROOT / "forecast").rglob("*.py"))
        for line in extra_uses(p.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_the_extra_rule_catches_a_planted_use() -> None:
    planted = "def f(forecast):\n    return forecast.extra['pools']\n"
    assert extra_uses(planted) == [2]
    assert extra_uses("Forecast(extra={})\n") == [1]
    assert extra_uses("ConfigDict(extra='forbid')\n") == []
