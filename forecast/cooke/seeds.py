"""The seeds file: a structured expert judgement study as YAML.

.. code-block:: yaml

    format: 1
    kind: seeds
    title: Central Asian trade, calibration questions
    quantiles: [0.05, 0.5, 0.95]
    seeds:
      - id: kz-exports-2024
        question: Kazakhstan's goods exports in 2024
        unit: billion USD
        scale: uniform            # or log
        realization: 81.5
        source: Bureau of National Statistics, 2025
    targets:                       # optional: items whose answer is not known yet
      - id: kz-exports-2027
        unit: billion USD
    experts:
      - name: A. Expert
        weight: 1                  # optional, for --weights user
        answers:
          kz-exports-2024: [60, 75, 90]
          kz-exports-2027: [70, 90, 120]

Read with the project's safe YAML loader and validated with pydantic; every problem
is reported as ``path:line:col field: message``. See docs/format.md.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError

from forecast import yamlio
from forecast.cooke.checks import check
from forecast.cooke.study import Item, Study
from forecast.errors import InputError, Problem
from forecast.questions.base import NonEmpty, StrictModel, located_error

Level = Annotated[float, Field(gt=0.0, lt=1.0)]


class SeedItem(StrictModel):
    """A calibration question: its true value is known."""

    id: NonEmpty
    realization: float
    question: str = ""
    unit: str = ""
    scale: Literal["uniform", "log"] = "uniform"
    source: str = ""


class TargetItem(StrictModel):
    """A question of interest: its true value is not known yet."""

    id: NonEmpty
    question: str = ""
    unit: str = ""
    scale: Literal["uniform", "log"] = "uniform"


class SeedExpert(StrictModel):
    """One expert and their quantiles for the items they answered."""

    name: NonEmpty
    weight: Annotated[float, Field(ge=0.0)] | None = None
    answers: dict[str, list[float] | None] = Field(default_factory=dict)


class SeedsFile(StrictModel):
    """A whole seeds file."""

    format: Literal[1]
    kind: Literal["seeds"]
    title: NonEmpty
    quantiles: Annotated[list[Level], Field(min_length=1)]
    seeds: list[SeedItem] = Field(default_factory=list)
    targets: list[TargetItem] = Field(default_factory=list)
    experts: Annotated[list[SeedExpert], Field(min_length=1)]
    note: str | None = None

    @field_validator("quantiles")
    @classmethod
    def _increasing(cls, levels: list[float]) -> list[float]:
        for k in range(1, len(levels)):
            if levels[k] <= levels[k - 1]:
                raise PydanticCustomError(
                    "levels_order",
                    "levels must increase ({now} after {before})",
                    {"now": levels[k], "before": levels[k - 1]},
                )
        return levels

    @model_validator(mode="after")
    def _consistent(self) -> SeedsFile:
        ids = [it.id for it in self.seeds] + [it.id for it in self.targets]
        where = [("seeds", i) for i in range(len(self.seeds))] + [
            ("targets", i) for i in range(len(self.targets))
        ]
        seen: set[str] = set()
        for item_id, (part, i) in zip(ids, where, strict=True):
            if item_id in seen:
                raise located_error(
                    "SeedsFile",
                    (part, i, "id"),
                    "duplicate",
                    "item id '{id}' is given twice",
                    {"id": item_id},
                    item_id,
                )
            seen.add(item_id)
        names: set[str] = set()
        nq = len(self.quantiles)
        for e, expert in enumerate(self.experts):
            if expert.name in names:
                raise located_error(
                    "SeedsFile",
                    ("experts", e, "name"),
                    "duplicate",
                    "expert '{name}' is given twice",
                    {"name": expert.name},
                    expert.name,
                )
            names.add(expert.name)
            for key, values in expert.answers.items():
                if key not in seen:
                    raise located_error(
                        "SeedsFile",
                        ("experts", e, "answers", key),
                        "unknown_item",
                        "no seed or target item has the id '{id}'",
                        {"id": key},
                        key,
                    )
                if values is not None and len(values) != nq:
                    raise located_error(
                        "SeedsFile",
                        ("experts", e, "answers", key),
                        "count",
                        "{got} quantiles where quantiles lists {nq} levels",
                        {"got": len(values), "nq": nq},
                        values,
                    )
        weights = [x.weight for x in self.experts]
        if any(w is not None for w in weights) and any(w is None for w in weights):
            raise located_error(
                "SeedsFile",
                ("experts",),
                "partial_weights",
                "give a weight to every expert or to none",
                {},
                None,
            )
        return self


class _Where:
    """Where each part of a seeds file was written (a :class:`~forecast.cooke.checks.Locator`)."""

    def __init__(self, shown: str, marks: yamlio.Marks, spec: SeedsFile) -> None:
        self.shown = shown
        self.marks = marks
        self.places = [("seeds", i) for i in range(len(spec.seeds))] + [
            ("targets", i) for i in range(len(spec.targets))
        ]
        self.ids = [it.id for it in spec.seeds] + [it.id for it in spec.targets]

    def _at(self, loc: tuple[str | int, ...]) -> tuple[str, int | None, int | None, str]:
        line, col = self.marks.find(loc) or (None, None)
        return self.shown, line, col, yamlio.dotted(loc)

    def answer(self, expert: int, item: int, level: int) -> tuple[str, int | None, int | None, str]:
        return self._at(("experts", expert, "answers", self.ids[item], level))

    def realization(self, item: int) -> tuple[str, int | None, int | None, str]:
        part, i = self.places[item]
        return self._at((part, i, "realization") if part == "seeds" else (part, i))

    def expert(self, expert: int) -> tuple[str, int | None, int | None, str]:
        return self._at(("experts", expert, "name"))

    def study(self) -> tuple[str, int | None, int | None, str]:
        return self._at(("seeds",))


def _scale(name: str) -> Literal["uni", "log"]:
    return "log" if name == "log" else "uni"


def to_study(spec: SeedsFile, name: str = "") -> Study:
    """The study a validated seeds file describes."""
    import numpy as np

    items = [
        Item(it.id, it.realization, _scale(it.scale), it.unit, it.question, it.source)
        for it in spec.seeds
    ] + [Item(it.id, None, _scale(it.scale), it.unit, it.question) for it in spec.targets]
    index = {it.id: i for i, it in enumerate(items)}
    answers = np.full((len(spec.experts), len(items), len(spec.quantiles)), np.nan)
    for e, expert in enumerate(spec.experts):
        for key, values in expert.answers.items():
            if values is not None:
                answers[e, index[key], :] = values
    weights = [x.weight for x in spec.experts]
    return Study(
        tuple(spec.quantiles),
        tuple(items),
        tuple(x.name for x in spec.experts),
        answers,
        None if any(w is None for w in weights) else tuple(float(w or 0.0) for w in weights),
        name or spec.title,
    )


def read(path: Path | str, shown: str | None = None) -> Study:
    """Read and validate a seeds file.

    Raises
    ------
    InputError
        With every problem found, each at its line, column and field.
    """
    from forecast.questions.problems import check_numbers as _check_numbers
    from forecast.questions.problems import located_problems as _problems

    path = Path(path)
    shown = shown or str(path)
    data, marks, _ = yamlio.load(path, shown)
    if not isinstance(data, dict):
        raise InputError(
            [
                Problem(
                    shown,
                    1,
                    1,
                    "",
                    "must be a mapping of keys to values",
                    "a seeds file starts 'format: 1', 'kind: seeds'; see docs/format.md",
                )
            ]
        )
    problems: list[Problem] = []
    _check_numbers(data, (), shown, marks, problems)
    if problems:
        raise InputError(problems)
    try:
        spec = SeedsFile.model_validate(data)
    except ValidationError as exc:
        raise InputError(_problems(exc, shown, marks, SeedsFile)) from None
    study = to_study(spec, path.stem)
    problems = check(study, _Where(shown, marks, spec))
    if problems:
        raise InputError(problems)
    return study


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() and abs(value) < 1e15 else float(value)


def to_data(study: Study, title: str | None = None) -> dict[str, object]:
    """Plain data of a seeds file for ``study`` (what :func:`dumps` writes)."""

    def scale(s: str) -> str:
        return "log" if s == "log" else "uniform"

    seeds: list[dict[str, object]] = []
    targets: list[dict[str, object]] = []
    for it in study.items:
        entry: dict[str, object] = {"id": it.id}
        if it.question:
            entry["question"] = it.question
        if it.unit:
            entry["unit"] = it.unit
        entry["scale"] = scale(it.scale)
        if it.realization is not None:
            entry["realization"] = _number(it.realization)
            if it.source:
                entry["source"] = it.source
            seeds.append(entry)
        else:
            targets.append(entry)
    experts: list[dict[str, object]] = []
    for e, name in enumerate(study.experts):
        expert: dict[str, object] = {"name": name}
        if study.user_weights is not None:
            expert["weight"] = _number(study.user_weights[e])
        expert["answers"] = {
            it.id: [_number(v) for v in study.answers[e, i]]
            for i, it in enumerate(study.items)
            if not any(math.isnan(v) for v in study.answers[e, i])
        }
        experts.append(expert)
    out: dict[str, object] = {
        "format": 1,
        "kind": "seeds",
        "title": title or study.name or "seed questions",
        "quantiles": [_number(q) for q in study.quantiles],
        "seeds": seeds,
    }
    if targets:
        out["targets"] = targets
    out["experts"] = experts
    return out


def dumps(study: Study, title: str | None = None) -> str:
    """A seeds file for ``study`` as YAML text, quantile lists on one line each."""
    import yaml

    class _Dumper(yaml.SafeDumper):
        pass

    def _flow_numbers(dumper: yaml.SafeDumper, data: list[object]) -> yaml.Node:
        flow = all(isinstance(v, (int, float)) for v in data)
        return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)

    _Dumper.add_representer(list, _flow_numbers)
    return yaml.dump(
        to_data(study, title), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100
    )


def write(study: Study, path: Path | str, title: str | None = None) -> Path:
    """Write ``study`` as a seeds file (atomically)."""
    path = Path(path)
    yamlio.atomic_write(path, dumps(study, title))
    return path
