"""Scenarios: cross products of ``--grid NAME=V1,V2`` options, or a YAML/CSV file.

A scenario is a set of settings ``{name: value}``. Its id is a stable hash of the
settings (names sorted, values as parsed), so the same scenario has the same id in
every run, whatever order the grid or file gives it in; ``--resume`` relies on that.
Values stay raw text here; each question parses them with its own parameters
(:mod:`forecast.sweep.params`).
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from forecast.errors import ForecastError, UsageError
from forecast.sweep.params import Param, Value, lookup

LABEL_KEY = "name"
"""The key (YAML) or column (CSV) that names a scenario in a scenarios file."""


@dataclass(frozen=True)
class Scenario:
    """Settings as the user gave them (raw), with an optional label."""

    raw: tuple[tuple[str, object], ...]
    label: str | None = None

    @property
    def names(self) -> tuple[str, ...]:
        """The names this scenario sets."""
        return tuple(n for n, _ in self.raw)


def scenario_id(settings: Mapping[str, Value]) -> str:
    """A stable id for parsed settings: the first 12 hex digits of a SHA-256."""
    norm = [
        (n, float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else v)
        for n, v in sorted(settings.items())
    ]
    blob = json.dumps(norm, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:12]


def parse_settings(scenario: Scenario, params: Mapping[str, Param], where: str) -> dict[str, Value]:
    """Parse a scenario's raw values with one question's parameters (sorted by name)."""
    out: dict[str, Value] = {}
    for name, raw in scenario.raw:
        param = lookup(dict(params), name, where)
        try:
            out[name] = param.parse(raw)
        except ValueError as exc:
            label = f" in scenario {scenario.label!r}" if scenario.label else ""
            raise ForecastError(f"{where}: {name}{label}: {exc}", hint=param.help) from None
    return dict(sorted(out.items()))


def parse_grid(options: Sequence[str]) -> list[tuple[str, list[str]]]:
    """``NAME=V1,V2,...`` options -> [(name, values)], refusing repeats and empties."""
    out: list[tuple[str, list[str]]] = []
    seen: set[str] = set()
    for opt in options:
        name, sep, values = opt.partition("=")
        if "[" in name and "]=" in opt:  # a name with a row: cell.b[a=yes]=0.1,0.2
            head, sep, values = opt.partition("]=")
            name = head + "]"
        name = name.strip()
        items = [v.strip() for v in values.split(",")]
        if not sep or not name or not values.strip() or any(v == "" for v in items):
            raise UsageError(
                f"--grid {opt!r}: expected NAME=V1,V2,...",
                hint="for example --grid evidence.no-guest-invitation-2026=on,off",
            )
        if name in seen:
            raise UsageError(f"--grid {name} is given twice", hint="give each name once")
        seen.add(name)
        out.append((name, items))
    return out


def grid_scenarios(grid: Sequence[tuple[str, Sequence[object]]]) -> Iterator[Scenario]:
    """Every combination of the grid's values, lazily (the last name varies fastest)."""
    names = [n for n, _ in grid]
    for combo in itertools.product(*(values for _, values in grid)):
        yield Scenario(tuple(zip(names, combo, strict=True)))


def grid_size(grid: Sequence[tuple[str, Sequence[object]]]) -> int:
    """How many scenarios the grid has."""
    n = 1
    for _, values in grid:
        n *= len(values)
    return n


def read_scenarios(path: Path) -> list[Scenario]:
    """Scenarios from a YAML or CSV file.

    YAML: a list of mappings ``{name: LABEL, SETTING: VALUE, ...}`` (``name`` is
    optional), or a mapping ``LABEL: {SETTING: VALUE, ...}``. CSV: one column per
    setting and an optional ``name`` column; an empty cell leaves that setting out.
    """
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _read_csv(path)
    if suffix in {".yaml", ".yml"}:
        return _read_yaml(path)
    raise UsageError(
        f"--scenarios {path}: unknown format {path.suffix!r}", hint="use a .yaml or .csv file"
    )


def _read_yaml(path: Path) -> list[Scenario]:
    from forecast import yamlio

    data, _, _ = yamlio.load(path, str(path))
    items: list[tuple[str | None, object]]
    if isinstance(data, Mapping):
        items = [(str(k), v) for k, v in data.items()]
    elif isinstance(data, list):
        items = []
        for entry in data:
            if isinstance(entry, Mapping) and LABEL_KEY in entry:
                rest = {k: v for k, v in entry.items() if k != LABEL_KEY}
                items.append((str(entry[LABEL_KEY]), rest))
            else:
                items.append((None, entry))
    else:
        raise ForecastError(
            f"{path}: expected a list of scenarios or a mapping of names to settings",
            hint="for example:\n- {name: hawkish, driver.russia-opposes: 1}",
        )
    out: list[Scenario] = []
    for i, (label, settings) in enumerate(items):
        if not isinstance(settings, Mapping) or not settings:
            raise ForecastError(
                f"{path}: scenario {label or i + 1}: expected a mapping of settings to values"
            )
        for value in settings.values():
            if isinstance(value, (Mapping, list)):
                raise ForecastError(
                    f"{path}: scenario {label or i + 1}: each setting takes one value"
                )
        out.append(Scenario(tuple((str(k), v) for k, v in settings.items()), label))
    return out


def _read_csv(path: Path) -> list[Scenario]:
    from forecast import files, yamlio

    try:
        text = files.read_bytes(path, yamlio.MAX_BYTES).decode("utf-8")
    except files.FileRefused as exc:
        raise ForecastError(f"cannot read {path}: {exc.reason}") from None
    except UnicodeDecodeError:
        raise ForecastError(f"cannot read {path}: not UTF-8 text") from None
    except OSError as exc:
        raise ForecastError(f"cannot read {path}: {exc.strerror}") from None
    reader = csv.DictReader(io.StringIO(text))
    out: list[Scenario] = []
    for row in reader:
        label = (row.get(LABEL_KEY) or "").strip() or None
        raw = tuple(
            (k.strip(), v.strip())
            for k, v in row.items()
            if k is not None and k != LABEL_KEY and v is not None and v.strip() != ""
        )
        if not raw:
            raise ForecastError(f"{path}:{reader.line_num}: a scenario sets nothing")
        out.append(Scenario(raw, label))
    if not out:
        raise ForecastError(f"{path}: no scenarios", hint="one row per scenario under a header")
    return out


__all__ = [
    "Scenario",
    "grid_scenarios",
    "grid_size",
    "parse_grid",
    "parse_settings",
    "read_scenarios",
    "scenario_id",
]
