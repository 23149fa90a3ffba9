"""Reading an Excalibur study, every problem located at its file, line and column."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from forecast import yamlio
from forecast.cooke.checks import check
from forecast.cooke.study import Item, Scale, Study
from forecast.errors import InputError, Problem

MISSING = -999.5
"""What the format writes for a missing value (any of -1000 to -990 reads as missing)."""

_HEADER = re.compile(r"NQ=\s*(?P<nq>\d+)\s+QU=(?P<qu>.*)$", re.IGNORECASE)
_DTT = re.compile(
    r"^\s*(?P<eno>\d+)\s+(?P<expert>.+?)\s+(?P<ino>\d+)\s+(?P<item>.+?)\s+"
    r"(?P<scale>uni|log)(?=\s|$)(?P<rest>.*)$",
    re.IGNORECASE,
)
_RLS = re.compile(
    r"^\s*(?P<ino>\d+)\s+(?P<item>.+?)(?:\s+(?P<value>\S+))?\s+"
    r"(?P<scale>uni|log)(?=\s|$)(?P<rest>.*)$",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$")


def _missing(value: float) -> bool:
    return -1000.0 <= value <= -990.0


def pair(path: Path) -> tuple[Path, Path]:
    """The ``.dtt`` and ``.rls`` files of a study, from either of them or its stem.

    The extensions are matched in any letter case (``NAME.DTT`` with ``NAME.rls``).
    """
    path = Path(path)
    stem = path.with_suffix("") if path.suffix.lower() in (".dtt", ".rls") else path
    folder = stem.parent
    found: dict[str, Path] = {}
    try:
        for candidate in folder.iterdir():
            if candidate.stem == stem.name and candidate.suffix.lower() in (".dtt", ".rls"):
                found[candidate.suffix.lower()] = candidate
    except OSError:
        pass
    missing = [ext for ext in (".dtt", ".rls") if ext not in found]
    if missing:
        shown = str(stem) + missing[0]
        raise InputError(
            [
                Problem(
                    shown,
                    None,
                    None,
                    "",
                    "no such file",
                    "an Excalibur study is two files side by side: NAME.dtt (the "
                    "experts' quantiles) and NAME.rls (the realisations)",
                )
            ]
        )
    return found[".dtt"], found[".rls"]


@dataclass
class _Where:
    """Where each part of the study was read (see :class:`forecast.cooke.checks.Locator`)."""

    dtt: str
    rls: str
    quantiles: list[float] = field(default_factory=list)
    experts: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    answers: dict[tuple[int, int], tuple[int, list[int]]] = field(default_factory=dict)
    expert_at: dict[int, tuple[int, int]] = field(default_factory=dict)
    item_at: dict[int, tuple[int, int]] = field(default_factory=dict)

    def answer(self, expert: int, item: int, level: int) -> tuple[str, int | None, int | None, str]:
        line, cols = self.answers[(expert, item)]
        return self.dtt, line, cols[level], self._field(expert, item, level)

    def _field(self, expert: int, item: int, level: int) -> str:
        pct = f"{100 * self.quantiles[level]:g}%"
        return f"expert {self.experts[expert]} item {self.items[item]} {pct}"

    def realization(self, item: int) -> tuple[str, int | None, int | None, str]:
        line, col = self.item_at.get(item, (None, None))
        return self.rls, line, col, f"item {self.items[item]}"

    def expert(self, expert: int) -> tuple[str, int | None, int | None, str]:
        line, col = self.expert_at[expert]
        return self.dtt, line, col, f"expert {self.experts[expert]}"

    def study(self) -> tuple[str, int | None, int | None, str]:
        return self.rls, 1, 1, ""


def _lines(path: Path, shown: str) -> list[str]:
    return yamlio.read_text(
        path,
        shown,
        what="an Excalibur file",
        hint="give the path of an Excalibur study: NAME.dtt with NAME.rls beside it",
    ).splitlines()


def _header(lines: list[str], shown: str, problems: list[Problem]) -> list[float]:
    first = lines[0] if lines else ""
    m = _HEADER.search(first)
    if m is None:
        problems.append(
            Problem(
                shown,
                1,
                1,
                "header",
                "expected the header '* CLASS ASCII OUTPUT FILE. NQ= 3 QU= 5 50 95'",
                "NQ= is how many quantiles each line gives, QU= their levels in percent",
            )
        )
        return []
    nq = int(m.group("nq"))
    levels: list[float] = []
    for t in re.finditer(r"\S+", m.group("qu")):
        col = m.start("qu") + t.start() + 1
        try:
            pct = float(t.group())
        except ValueError:
            problems.append(Problem(shown, 1, col, "QU", f"{t.group()!r} is not a percentage"))
            return []
        if not 0 < pct < 100 or (levels and pct / 100 <= levels[-1]):
            problems.append(
                Problem(
                    shown,
                    1,
                    col,
                    "QU",
                    f"levels must increase strictly between 0 and 100 (got {pct:g})",
                )
            )
            return []
        levels.append(pct / 100)
    if len(levels) != nq:
        problems.append(
            Problem(
                shown,
                1,
                m.start("nq") + 1,
                "NQ",
                f"NQ={nq} but QU= lists {len(levels)} levels",
            )
        )
        return []
    return levels


def read(path: Path | str) -> Study:
    """Read an Excalibur study (``NAME.dtt`` and ``NAME.rls``).

    Raises
    ------
    InputError
        With every problem found, at its file, line and column.
    """
    dtt, rls = pair(Path(path))
    where = _Where(str(dtt), str(rls))
    problems: list[Problem] = []
    lines = _lines(dtt, where.dtt)
    where.quantiles = _header(lines, where.dtt, problems)
    if problems:
        raise InputError(problems)
    nq = len(where.quantiles)
    experts: dict[int, int] = {}
    items: dict[int, int] = {}
    scales: dict[int, Scale] = {}
    rows: dict[tuple[int, int], list[float]] = {}
    for n, line in enumerate(lines[1:], start=2):
        if not line.strip():
            continue
        m = _DTT.match(line)
        if m is None:
            problems.append(
                Problem(
                    where.dtt,
                    n,
                    1,
                    "",
                    "expected: expert number, expert name, item number, item id, UNI or "
                    "LOG, then the quantiles",
                )
            )
            continue
        e = _number(m.group("eno"), m.group("expert"), experts, where.experts)
        i = _number(m.group("ino"), m.group("item"), items, where.items)
        if e is None or i is None:
            what, col = ("expert", m.start("expert")) if e is None else ("item", m.start("item"))
            number = m.group("eno") if e is None else m.group("ino")
            problems.append(
                Problem(
                    where.dtt, n, col + 1, what, f"{what} {number} was given another name before"
                )
            )
            continue
        where.expert_at.setdefault(e, (n, m.start("expert") + 1))
        scales.setdefault(i, "log" if m.group("scale").lower() == "log" else "uni")
        values, cols = _values(m, line, n, nq, where, e, i, problems)
        if values is not None:
            rows[(e, i)] = values
            where.answers[(e, i)] = (n, cols)
    if problems:
        raise InputError(problems)
    study_items = _realizations(rls, where, scales, problems)
    if problems:
        raise InputError(problems)
    answers = np.full((len(where.experts), len(where.items), nq), np.nan)
    for (e, i), values in rows.items():
        answers[e, i, :] = values
    study = Study(tuple(where.quantiles), study_items, tuple(where.experts), answers, name=dtt.stem)
    problems = check(study, where)
    if problems:
        raise InputError(problems)
    return study


def _number(number: str, name: str, seen: dict[int, int], names: list[str]) -> int | None:
    """The position of the expert (or item) numbered ``number``; None on a clash of names."""
    key = int(number)
    if key not in seen:
        seen[key] = len(names)
        names.append(name.strip())
        return seen[key]
    return seen[key] if names[seen[key]] == name.strip() else None


def _values(
    m: re.Match[str],
    line: str,
    n: int,
    nq: int,
    where: _Where,
    e: int,
    i: int,
    problems: list[Problem],
) -> tuple[list[float] | None, list[int]]:
    """The quantiles on one ``.dtt`` line (None when missing) and their columns."""
    tokens = [t for t in re.finditer(r"\S+", m.group("rest"))]
    numbers: list[tuple[float, int]] = []
    for t in tokens:
        if not _NUMBER.match(t.group()):
            break
        numbers.append((float(t.group()), m.start("rest") + t.start() + 1))
    field_ = f"expert {where.experts[e]} item {where.items[i]}"
    if len(numbers) != nq:
        if len(numbers) > nq:
            col = numbers[nq][1]  # the first value too many
        elif numbers:
            col = numbers[-1][1] + len(line[numbers[-1][1] - 1 :].split()[0])
        else:
            col = m.end("scale") + 2  # where the missing values should start
        problems.append(
            Problem(
                where.dtt,
                n,
                col,
                field_,
                f"{len(numbers)} quantiles where the header says NQ={nq}",
                "each line gives one value per level of the header's QU=",
            )
        )
        return None, []
    values = [v for v, _ in numbers]
    cols = [c for _, c in numbers]
    gone = [_missing(v) for v in values]
    if any(gone) and not all(gone):
        k = gone.index(False) if gone[0] else gone.index(True)
        problems.append(
            Problem(
                where.dtt,
                n,
                cols[k],
                field_,
                "some quantiles are missing (-999.5) and some are not",
                "give all the quantiles, or write -999.5 for each when the expert did not answer",
            )
        )
        return None, cols
    if all(gone):
        return None, cols
    return values, cols


def _realizations(
    rls: Path, where: _Where, scales: dict[int, Scale], problems: list[Problem]
) -> tuple[Item, ...]:
    """The items in the order of the ``.dtt``, with realisations and scales from the ``.rls``."""
    found: dict[str, tuple[float | None, Scale, str]] = {}
    reported: set[str] = set()
    for n, line in enumerate(_lines(rls, where.rls), start=1):
        if not line.strip():
            continue
        m = _RLS.match(line)
        if m is None:
            problems.append(
                Problem(
                    where.rls,
                    n,
                    1,
                    "",
                    "expected: item number, item id, realisation, UNI or LOG",
                )
            )
            continue
        item = m.group("item").strip()
        value_text = m.group("value")
        if value_text is None or not _NUMBER.match(value_text):
            if value_text is not None:
                item = f"{item} {value_text}"
            reported.add(item)
            problems.append(
                Problem(
                    where.rls,
                    n,
                    m.start("scale") + 1,
                    f"item {item}",
                    "realisation missing",
                    f"give the realisation before the scale, or {MISSING} for a target item",
                )
            )
            continue
        value = float(value_text)
        scale: Scale = "log" if m.group("scale").lower() == "log" else "uni"
        if item in where.items:
            where.item_at[where.items.index(item)] = (n, m.start("value") + 1)
        found[item] = (None if _missing(value) else value, scale, m.group("rest").strip())
    out: list[Item] = []
    for i, name in enumerate(where.items):
        if name not in found:
            if name in reported:
                continue
            problems.append(
                Problem(
                    where.rls,
                    None,
                    None,
                    f"item {name}",
                    f"has no line in {Path(where.rls).name} (its realisation, or "
                    f"{MISSING} for a target item)",
                )
            )
            continue
        real, scale, text = found[name]
        if scale != scales[i]:
            at_line, at_col = where.item_at[i]
            problems.append(
                Problem(
                    where.rls,
                    at_line,
                    at_col,
                    f"item {name}",
                    f"scale {scale.upper()} here but {scales[i].upper()} in {Path(where.dtt).name}",
                )
            )
        out.append(Item(name, real, scale, question=text))
    return tuple(out)
