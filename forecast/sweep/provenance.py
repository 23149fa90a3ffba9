"""The run settings each sweep row carries, and the check that a resume keeps them.

Every row says what made its numbers in its ``run`` column: a short ``key=value``
text such as ``sha256=6c27e44d1a2b seed=7 draws=1000 tune=1000 chains=4``. ``sha256``
is the start of the priors file's hash (as ``forecast run``'s provenance gives it in
full), ``seed`` the seed the question was sampled with (given, or derived from the
file), and ``draws``, ``tune`` and ``chains`` the sampler's options. A drivers
question whose cases are a CSV file adds ``cases``, the start of that file's hash, and
one whose experts have performance weights adds ``weights``, the start of their hash
(they change when the ledger gets new resolutions), and a sweep with ``--method`` other
than ``auto`` adds ``method`` (a row without it was made by ``auto``).

Nothing else changes a row's numbers: what a scenario sets (the pool, weights,
evidence, ...) is in its id, and ``--jobs`` and ``--executor`` only move the same
seeded jobs elsewhere. ``--resume`` refuses a file whose rows were made otherwise, so
one file never mixes two runs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from forecast.errors import ForecastError
from forecast.inference import SamplerSettings

if TYPE_CHECKING:
    from forecast.questions.loader import LoadedQuestion

COLUMN = "run"
"""The key (JSON Lines) or column (CSV, Parquet) that holds a row's run settings."""

HASH_DIGITS = 12
"""Hex digits of a file's SHA-256 kept in a row: enough to tell two files apart."""

OPTIONS = ("seed", "draws", "tune", "chains", "method")
"""Run settings named by a command-line option of the same name."""

DEFAULTS = {"method": "auto"}
"""What a run setting a row leaves out stands for."""


def _cases_digest(q: LoadedQuestion) -> str | None:
    """The start of the hash of a drivers question's cases file; None without one."""
    cases = getattr(q.spec, "cases", None)
    if not isinstance(cases, str):
        return None
    from forecast import files, yamlio

    try:
        data = files.read_bytes(q.path.parent / cases, yamlio.MAX_BYTES)
    except (OSError, files.FileRefused):
        return None  # reading the cases reports it, with its location
    return hashlib.sha256(data).hexdigest()[:HASH_DIGITS]


def _weights_digest(q: LoadedQuestion) -> str | None:
    """The start of the hash of performance weights earned on the ledger; None without."""
    weighting = getattr(q, "weighting", None)
    if weighting is None:
        return None
    text = ";".join(f"{name}={w:.12g}" for name, w in sorted(weighting.weights().items()))
    return hashlib.sha256(text.encode()).hexdigest()[:HASH_DIGITS]


def fingerprint(q: LoadedQuestion, settings: SamplerSettings) -> str:
    """The run settings of question ``q``'s rows, as the ``run`` column holds them."""
    parts = [f"sha256={q.sha256[:HASH_DIGITS]}"]
    cases = _cases_digest(q)
    if cases is not None:
        parts.append(f"cases={cases}")
    weights = _weights_digest(q)
    if weights is not None:
        parts.append(f"weights={weights}")
    parts += [
        f"seed={settings.seed}",
        f"draws={settings.draws}",
        f"tune={settings.tune}",
        f"chains={settings.chains}",
    ]
    if settings.method != DEFAULTS["method"]:
        parts.append(f"method={settings.method}")
    return " ".join(parts)


def parse(text: str) -> dict[str, str]:
    """``key=value`` pairs of a ``run`` text."""
    out: dict[str, str] = {}
    for item in text.split():
        key, _, value = item.partition("=")
        out[key] = value
    return out


@dataclass(frozen=True)
class Expected:
    """What this sweep would write in each row's ``run`` column."""

    runs: Mapping[str, str]
    """Question id -> its rows' run text."""
    files: Mapping[str, str]
    """Question id -> the priors file's name, for messages."""
    seed: int | None
    """``--seed``, or None when each question's seed is derived from its file."""

    @property
    def seed_given(self) -> bool:
        """True when ``--seed`` was given."""
        return self.seed is not None

    @classmethod
    def of(
        cls, questions: Iterable[LoadedQuestion], base: SamplerSettings, seed: int | None
    ) -> Expected:
        """The run texts of ``questions`` sampled with ``base`` and ``--seed``."""
        from forecast import engine

        qs = list(questions)
        return cls(
            {q.id: fingerprint(q, engine.settings_for(q, base, seed)) for q in qs},
            {q.id: q.path.name for q in qs},
            seed,
        )

    def options(self) -> dict[str, str]:
        """The run-wide options (draws, tune, chains) of this sweep."""
        first = {**DEFAULTS, **parse(next(iter(self.runs.values()), ""))}
        return {k: v for k, v in first.items() if k in OPTIONS and k != "seed"}


def _derived(run: Mapping[str, str]) -> bool:
    """True when the row's seed is the one derived from its file (no ``--seed``)."""
    from forecast import engine

    sha, seed = run.get("sha256"), run.get("seed")
    return bool(sha) and seed == str(engine.default_seed(str(sha)))


def _seed(value: str, derived: bool) -> str:
    return f"{value} (from the file)" if derived else value


@dataclass
class _Differences:
    """What differs between a file's rows and this sweep, first occurrence of each."""

    said: dict[str, str]
    fixes: dict[str, str]

    def add(self, key: str, said: str, fix: str) -> None:
        self.said.setdefault(key, said)
        self.fixes.setdefault(key, fix)


def _compare(old: Mapping[str, str], qid: str, expected: Expected, diffs: _Differences) -> None:
    """Record how one row's run settings differ from this sweep's."""
    new_text = expected.runs.get(qid)
    if new_text is None:
        # A question this sweep does not forecast: its file is not at hand, so only
        # the options can be compared, and the seed as far as --seed decides it.
        new = dict(expected.options())
        if expected.seed is not None:
            new["seed"] = str(expected.seed)
        elif not _derived(old):
            new["seed"] = "from the file"
    else:
        new = parse(new_text)
        name = expected.files.get(qid, qid)
        if old.get("sha256") != new.get("sha256"):
            diffs.add(
                f"sha256:{qid}",
                f"{name} has changed since its rows were written "
                f"(sha256 {old.get('sha256') or 'none'} there, {new.get('sha256')} now)",
                f"restore {name} as it was",
            )
            if not expected.seed_given:
                new.pop("seed", None)  # the seed follows the file; that is said above
                old = {k: v for k, v in old.items() if k != "seed"}
        if old.get("cases") != new.get("cases"):
            diffs.add(
                f"cases:{qid}",
                f"the cases file of {name} has changed since its rows were written "
                f"(cases {old.get('cases') or 'none'} there, {new.get('cases') or 'none'} now)",
                f"restore the cases file of {name}",
            )
        if old.get("weights") != new.get("weights"):
            diffs.add(
                f"weights:{qid}",
                f"the experts' performance weights of {name} have changed since its rows were "
                f"written (weights {old.get('weights') or 'as given'} there, "
                f"{new.get('weights') or 'as given'} now; the ledger has new resolutions)",
                "",
            )
    old = {**DEFAULTS, **old}
    new = {**DEFAULTS, **new}
    for key in OPTIONS:
        if key not in new or old.get(key) == new[key]:
            continue
        was = old.get(key) or "none"
        if key == "seed":
            derived = _derived(old)
            now = new[key]
            if now != "from the file":
                now = _seed(now, not expected.seed_given)
            fix = "without --seed" if derived else f"--seed {was}"
            diffs.add(key, f"--seed {_seed(was, derived)} there, {now} now", fix)
        else:
            diffs.add(key, f"--{key} {was} there, {new[key]} now", f"--{key} {was}")


def check(path: Path, rows: Iterable[Mapping[str, object]], expected: Expected | None) -> None:
    """Refuse to resume into ``path`` when its rows were made with other run settings.

    Raises
    ------
    ForecastError
        Naming the file and each setting that differs, with its value there and now,
        and how to resume; or saying that rows carry no run settings to compare.
    """
    if expected is None or not expected.runs:
        return
    seen: set[tuple[str, str]] = set()
    bare = 0
    for row in rows:
        text = row.get(COLUMN)
        if not text:
            bare += 1
            continue
        seen.add((str(row.get("question")), str(text)))
    if bare:
        were = "row was" if bare == 1 else "rows were"
        raise ForecastError(
            f"{path}: {bare} {were} written before sweeps recorded their run settings "
            f"(no {COLUMN!r} column), so they cannot be checked against this sweep's",
            hint="write to a new --out file, or finish that sweep with the version that began it",
        )
    diffs = _Differences({}, {})
    for qid, text in sorted(seen):
        _compare(parse(text), qid, expected, diffs)
    if not diffs.said:
        return
    fixes = list(dict.fromkeys(diffs.fixes.values()))
    steps = [f for f in fixes if f.startswith("restore ")]
    flags = [f for f in fixes if f.startswith("--")]
    rerun = ["without --seed"] if "without --seed" in fixes else []
    if flags:
        rerun.append("with " + " ".join(flags))
    if rerun:
        steps.append("rerun " + " and ".join(rerun))
    # (a change of earned weights cannot be undone: only a new file helps)
    hint = " and ".join(steps) + " to resume, or write" if steps else "write"
    raise ForecastError(
        f"{path} holds rows of a sweep made with other settings: " + "; ".join(diffs.said.values()),
        hint=hint + " to a new --out file",
    )


__all__ = ["COLUMN", "Expected", "check", "fingerprint", "parse"]
