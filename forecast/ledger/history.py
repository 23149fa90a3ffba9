"""Why a forecast moved: what changed in the priors file, and how much each change explains.

Between two recorded forecasts of a question, :func:`diff_snapshots` compares the two
priors files (parsed with the safe loader): experts added, removed or with a changed
judgement or weight; evidence added, removed or changed; the base rate; drivers; other
fields. :func:`explain` then compares what each named input contributed to each
forecast, from the recorded 'what moved it' chain:

* each expert contributes ``weight * own implied probability`` to the pooled prior
  (exact for the linear pool, whose mean is that weighted sum; for other pools the
  experts count as one input, the pooled prior);
* the base rate, each evidence item and each driver contribute the step they moved;

and the part of the move no named input explains (interactions between steps,
Monte Carlo noise, a new seed) is reported as ``other/sampling``, so the rows add up
to the whole move.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise

from forecast.ledger.records import ForecastRecord

OTHER = "other/sampling"
POOLED = "experts (pooled prior)"
_SPLIT_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Change:
    """One difference between two priors snapshots."""

    section: str  # "expert", "evidence", "base_rate", "driver", "question"
    name: str
    change: str  # "added", "removed", "changed"
    detail: str = ""

    @property
    def short(self) -> str:
        """The change without its detail, e.g. 'expert Ana changed'."""
        what = {
            "expert": f"expert {self.name}",
            "evidence": f"evidence {self.name}",
            "base_rate": "base rate",
            "driver": f"driver {self.name}",
        }.get(self.section, self.name)
        return f"{what} {self.change}"

    def __str__(self) -> str:
        return self.short + (f": {self.detail}" if self.detail else "")

    def to_dict(self) -> dict[str, str]:
        """Plain data for JSON."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class Attribution:
    """How much one named input's contribution changed between two forecasts."""

    input: str
    kind: str
    before: float | None
    after: float | None
    why: str

    @property
    def delta(self) -> float:
        """Change in the input's contribution, in probability units."""
        return (self.after or 0.0) - (self.before or 0.0)

    def to_dict(self) -> dict[str, object]:
        """Plain data for JSON."""
        return {**self.__dict__, "delta": self.delta}


@dataclass(frozen=True)
class Move:
    """The step from one recorded forecast of a question to the next."""

    before: ForecastRecord
    after: ForecastRecord
    changes: tuple[Change, ...]
    attributions: tuple[Attribution, ...]
    other: float
    notes: tuple[str, ...] = field(default=())

    @property
    def delta(self) -> float:
        """The whole move, in probability units."""
        return self.after.probability - self.before.probability

    def to_dict(self) -> dict[str, object]:
        """Plain data for JSON."""
        return {
            "from": self.before.id,
            "to": self.after.id,
            "before": self.before.probability,
            "after": self.after.probability,
            "delta": self.delta,
            "same_priors": self.before.priors_sha256 == self.after.priors_sha256,
            "changes": [c.to_dict() for c in self.changes],
            "explained": [a.to_dict() for a in self.attributions],
            "other": self.other,
            "notes": list(self.notes),
        }


# ---------------------------------------------------------------- snapshot diff


def _parse(text: str) -> dict[str, object]:
    """The snapshot's data, read safely; an unreadable snapshot diffs as empty."""
    from forecast import yamlio
    from forecast.errors import InputError

    try:
        data, _ = yamlio.loads(text, "snapshot")
    except InputError:
        return {}
    return data if isinstance(data, dict) else {}


def _compact(value: object) -> str:
    """A value in YAML flow style, as an analyst would write it: {median: 2, interval: [1, 4]}."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_compact(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_compact(v) for v in value) + "]"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _keyed(items: object, key: str) -> dict[str, dict[str, object]]:
    if not isinstance(items, list):
        return {}
    out: dict[str, dict[str, object]] = {}
    for i, item in enumerate(items):
        if isinstance(item, dict):
            out[str(item.get(key, item.get("name", i)))] = item
    return out


def _diff_section(
    old: object, new: object, section: str, key: str, compared: tuple[str, ...]
) -> list[Change]:
    a, b = _keyed(old, key), _keyed(new, key)
    changes: list[Change] = []
    for name, item in b.items():
        if name not in a:
            shown = {k: item[k] for k in compared if k in item}
            changes.append(Change(section, name, "added", _compact(shown)))
    for name in a:
        if name not in b:
            changes.append(Change(section, name, "removed"))
    for name, item in b.items():
        if name in a:
            parts = [
                f"{k} {_compact(a[name].get(k))} → {_compact(item.get(k))}"
                for k in compared
                if a[name].get(k) != item.get(k)
            ]
            other = sorted(
                k
                for k in set(a[name]) | set(item)
                if k not in compared and a[name].get(k) != item.get(k)
            )
            if other:
                parts.append(f"also {', '.join(other)}")
            if parts:
                changes.append(Change(section, name, "changed", "; ".join(parts)))
    return changes


def diff_snapshots(old_text: str, new_text: str) -> list[Change]:
    """What changed between two priors files: experts, evidence, base rate, drivers, the rest."""
    if old_text == new_text:
        return []
    old, new = _parse(old_text), _parse(new_text)
    changes = _diff_section(
        old.get("experts"), new.get("experts"), "expert", "name", ("judgement", "weight")
    )
    changes += _diff_section(
        old.get("evidence"),
        new.get("evidence"),
        "evidence",
        "id",
        ("likelihood_ratio", "in_judgements"),
    )
    ob, nb = old.get("base_rate"), new.get("base_rate")
    if ob != nb:
        if ob is None:
            changes.append(Change("base_rate", "base rate", "added", _base_rate(nb)))
        elif nb is None:
            changes.append(Change("base_rate", "base rate", "removed", _base_rate(ob)))
        else:
            changes.append(
                Change("base_rate", "base rate", "changed", f"{_base_rate(ob)} → {_base_rate(nb)}")
            )
    changes += _diff_section(
        old.get("drivers"), new.get("drivers"), "driver", "id", ("odds_ratio", "level")
    )
    known = {"experts", "evidence", "base_rate", "drivers"}
    for key in sorted((set(old) | set(new)) - known, key=str):
        if old.get(key) != new.get(key):
            if key == "status":
                detail = f"{old.get(key)} → {new.get(key)}"
            elif isinstance(new.get(key), str | int | float) and len(str(new.get(key))) < 40:
                detail = f"{_compact(old.get(key))} → {_compact(new.get(key))}"
            else:
                detail = ""
            changes.append(Change("question", str(key), "changed", detail))
    return changes


def _base_rate(br: object) -> str:
    if not isinstance(br, dict):
        return _compact(br)
    text = f"{br.get('successes')}/{br.get('trials')}"
    if br.get("weight", 1.0) != 1.0:
        text += f" weight {br.get('weight')}"
    return text


# ---------------------------------------------------------------- attribution


def contributions(record: ForecastRecord) -> dict[str, tuple[str, float]]:
    """Each named input's contribution to one forecast: ``label -> (kind, value)``.

    The contributions add up to the end of the recorded chain (the pooled prior plus
    every step's move).
    """
    out: dict[str, tuple[str, float]] = {}
    steps = list(record.contributions)
    prior_step = next((c for c in steps if c.kind == "experts"), None)
    prior = prior_step.after if prior_step else record.prior_probability
    if prior is not None:
        split = _expert_split(record, prior)
        if split is None:
            out[POOLED] = ("experts", prior)
        else:
            out.update({f"expert: {k}": ("expert", v) for k, v in split.items()})
    for c in steps:
        if c.kind == "experts":
            continue
        label = _input_label(c.label, c.kind)
        kind, value = out.get(label, (c.kind, 0.0))
        out[label] = (kind, value + c.delta)
    return out


def _input_label(label: str, kind: str) -> str:
    """The input a step belongs to: 'driver: x (level 0.5)' is driver x at any level."""
    if kind == "driver":
        return label.split(" (level", 1)[0]
    return label


def _expert_split(record: ForecastRecord, prior: float) -> dict[str, float] | None:
    """Each expert's share ``w_i * m_i`` of a linear pool's mean, when they add up to it."""
    if record.pool != "linear" or not record.experts:
        return None
    total_w = sum(e.weight for e in record.experts)
    if total_w <= 0:
        return None
    split = {e.name: e.weight / total_w * e.probability for e in record.experts}
    if abs(sum(split.values()) - prior) > _SPLIT_TOLERANCE:
        return None
    return split


def _why(label: str, kind: str, changes: list[Change], a: ForecastRecord, b: ForecastRecord) -> str:
    """Which change in the priors file (if any) a named input's row belongs to."""
    for c in changes:
        if (
            (c.section == "expert" and label in (f"expert: {c.name}", POOLED))
            or (c.section == "evidence" and label == f"evidence: {c.name}")
            or (c.section == "base_rate" and kind == "base_rate")
            or (c.section == "driver" and label == f"driver: {c.name}")
        ):
            return c.short
    if kind == "expert":
        name = label.removeprefix("expert: ")
        wa, wb = _share(a, name), _share(b, name)
        if wa is not None and wb is not None and abs(wa - wb) > 1e-12:
            return f"share of the pool {wa:.0%} → {wb:.0%} (experts added or removed)"
    return "unchanged (knock-on of other changes, or sampling)"


def _share(r: ForecastRecord, name: str) -> float | None:
    total = sum(e.weight for e in r.experts)
    for e in r.experts:
        if e.name == name and total > 0:
            return e.weight / total
    return None


def explain(a: ForecastRecord, b: ForecastRecord, *, min_delta: float = 1e-12) -> Move:
    """The move from forecast ``a`` to forecast ``b`` of the same question, explained.

    Rows whose contribution changed by at most ``min_delta`` and that no change in the
    priors file names are left out (their change goes to ``other/sampling``).
    """
    changes = diff_snapshots(a.priors_text, b.priors_text)
    ca, cb = contributions(a), contributions(b)
    rows: list[Attribution] = []
    for label in [*ca, *(k for k in cb if k not in ca)]:
        kind = (cb.get(label) or ca[label])[0]
        before = ca[label][1] if label in ca else None
        after = cb[label][1] if label in cb else None
        why = _why(label, kind, changes, a, b)
        row = Attribution(label, kind, before, after, why)
        named = not why.startswith("unchanged")
        if named or abs(row.delta) > min_delta:
            rows.append(row)
    explained = sum(r.delta for r in rows)
    other = (b.probability - a.probability) - explained
    notes = [
        f"{what} {x} → {y}"
        for what, x, y in (
            ("seed", a.seed, b.seed),
            ("version", a.version, b.version),
            ("pool", a.pool, b.pool),
            ("model", a.kind, b.kind),
        )
        if x != y
    ]
    if a.priors_sha256 == b.priors_sha256:
        notes.insert(0, "same priors file")
    return Move(a, b, tuple(changes), tuple(rows), other, tuple(notes))


def moves(records: Iterable[ForecastRecord], *, min_delta: float = 1e-12) -> list[Move]:
    """Every move between consecutive forecasts, oldest first."""
    return [explain(x, y, min_delta=min_delta) for x, y in pairwise(records)]


def moves_by_source(records: Iterable[ForecastRecord]) -> list[Move]:
    """:func:`moves` between consecutive forecasts of one source: the question's own
    forecasts, then those each network made of it (``run NET --record``). A network's
    forecast is never compared with the question's own."""
    from forecast.ledger.pick import implied_by

    rows = list(records)
    return [
        m
        for source in dict.fromkeys(implied_by(r) for r in rows)
        for m in moves([r for r in rows if implied_by(r) == source])
    ]
