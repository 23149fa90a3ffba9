"""What an expert answers: the questions' parsers, the scales judged, and the answers kept.

Nothing here prints: a session reaches the expert through a :class:`Channel` (a
terminal, a piped stdin, or a file of answers), and :func:`ask` asks one question
until the answer parses. Each parser fails early and states the rule, with the value
it was given.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from forecast.elicit.distributions import Fitted, implications
from forecast.elicit.fit import FitCache, fit_positive, fit_probability
from forecast.render import fmt

if TYPE_CHECKING:
    from rich.console import RenderableType

POOR_FIT = 0.01
"""A fit error (sum of squared probability differences) above this is called poor."""

OUTSIDE_RANGE = 0.10
"""More than this much fitted mass outside the plausible range earns a warning."""


Judgement = dict[str, object]
"""What an expert said, as it is written under the judgement's key (``quantiles``, or
``roulette`` with its ``bins`` and ``chips``)."""


class Invalid(ValueError):
    """An answer that cannot be used; the message is the one-line reason."""


class Channel(Protocol):
    """How the session reaches the expert."""

    def ask(self, key: str, text: str, default: str | None) -> str:
        """The raw answer to one question (raises EOFError when input ends)."""
        ...

    def reject(self, key: str, reason: str) -> None:
        """Tell the expert why an answer was refused (the question is asked again)."""
        ...

    def show(self, renderable: RenderableType) -> None:
        """Show a fitted distribution, a summary or a note."""
        ...


def ask[T](
    channel: Channel,
    key: str,
    text: str,
    parse: Callable[[str], T],
    default: str | None = None,
) -> T:
    """Ask until the answer parses; each refusal is one line and the same question again."""
    while True:
        raw = channel.ask(key, text, default).strip()
        if not raw and default is not None:
            raw = default
        try:
            return parse(raw)
        except Invalid as exc:
            channel.reject(key, str(exc))


def ask_kept(
    channel: Channel,
    prev: dict[str, str],
    key: str,
    text: str,
    parse: Callable[[str], float],
) -> float:
    """:func:`ask` a number, offering the previous answer under ``key`` in ``prev`` (a
    revision keeps each earlier answer on Enter), and keep the new one there."""
    value = ask(channel, key, text, parse, prev.get(key))
    prev[key] = f"{value:g}"
    return value


def ask_yes(channel: Channel, key: str, text: str, default: str = "no") -> bool:
    """A yes or no question (``y`` and ``n`` do too); True for yes."""
    return ask(channel, key, text, parse_choice({"yes": "yes", "no": "no"}), default) == "yes"


def repeated[T](channel: Channel, key: str, text: str, once: Callable[[list[T]], T]) -> list[T]:
    """``once(done)`` (``done``: the answers so far), then again for as long as the answer
    to the yes/no question ``text`` is yes (Enter: no); every answer, in order."""
    done: list[T] = []
    done.append(once(done))
    while ask_yes(channel, key, text):
        done.append(once(done))
    return done


# --- parsers ------------------------------------------------------------------------


def parse_probability(raw: str, *, lo: float = 0.0, hi: float = 1.0, what: str = "") -> float:
    """A probability written as 0.12 or 12%, within [lo, hi]."""
    text = raw.strip().replace(",", ".")
    if not text:
        raise Invalid("give a number between 0 and 1 (or a percentage such as 12%)")
    percent = text.endswith("%")
    try:
        value = float(text.rstrip("%").strip())
    except ValueError:
        raise Invalid(f"{raw!r} is not a number; give e.g. 0.12 or 12%") from None
    if not math.isfinite(value):
        raise Invalid(f"{raw!r} is not a finite number")
    if percent:
        value /= 100.0
    if not 0.0 <= value <= 1.0:
        shown = f"{value * 100:g}%" if percent else f"{value:g}"
        hint = f"; to mean {value:g}%, write {value:g}%" if 1 < value <= 100 and not percent else ""
        raise Invalid(f"a probability must be between 0 and 1 (got {shown}){hint}")
    name = f"{what} " if what else ""
    if value < lo or value > hi:
        raise Invalid(f"the {name}must lie between {lo:g} and {hi:g} (got {value:g})")
    return value


def parse_text(raw: str) -> str:
    """Non-empty text."""
    if not raw.strip():
        raise Invalid("an answer is required")
    return raw.strip()


def parse_tags(raw: str) -> list[str]:
    """Comma-separated tags, each lower-case words joined by '-' (none when empty)."""
    tags = [t.strip().lower().replace(" ", "-") for t in raw.split(",") if t.strip()]
    for t in tags:
        if not re.fullmatch(r"[a-z0-9][a-z0-9_-]*", t):
            raise Invalid(f"{t!r} is not a tag; use letters, digits, '-' and '_'")
    return tags


def parse_source(raw: str) -> dict[str, str] | None:
    """``Title https://...``: a title with an optional URL at its end (None when empty)."""
    text = raw.strip()
    if not text:
        return None
    m = re.fullmatch(r"(.*?)\s*(https?://\S+)", text)
    if m is None:
        return {"title": text}
    title, url = m.group(1).strip(), m.group(2)
    return {"title": title or url, "url": url}


def parse_date(raw: str, today: dt.date) -> dt.date:
    """A date in the future, written 2028-12-31."""
    try:
        value = dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise Invalid(f"{raw!r} is not a date; write it as 2028-12-31") from None
    if value <= today:
        raise Invalid(f"the deadline must be after today, {today.isoformat()} (got {value})")
    return value


def parse_choice(options: dict[str, str]) -> Callable[[str], str]:
    """One of ``options`` (keys or their first letters)."""

    def parse(raw: str) -> str:
        text = raw.strip().lower()
        for key, value in options.items():
            if text in (key, key[0]):
                return value
        raise Invalid(f"answer one of: {', '.join(options)} (got {raw!r})")

    return parse


def parse_edges(
    raw: str, lo: float, hi: float, parse: Callable[[str], float] = parse_probability
) -> list[float]:
    """Bin edges: at least three increasing values (probabilities unless ``parse`` says)."""
    parts = [p for p in re.split(r"[\s,;]+", raw.strip()) if p]
    edges = [parse(p) for p in parts]
    if len(edges) < 3:
        raise Invalid(f"give at least 3 edges (2 bins); got {len(edges)}")
    for a, b in itertools.pairwise(edges):
        if not b > a:
            raise Invalid(f"bin edges must increase ({b:g} after {a:g})")
    return edges


def parse_chips(raw: str, bins: int) -> list[int]:
    """One whole number of chips per bin."""
    parts = [p for p in re.split(r"[\s,;]+", raw.strip()) if p]
    try:
        chips = [int(p) for p in parts]
    except ValueError:
        raise Invalid(f"chips are whole numbers, one per bin (got {raw!r})") from None
    if len(chips) != bins:
        raise Invalid(f"give one count per bin: {bins} bins, {len(chips)} counts given")
    if any(c < 0 for c in chips):
        raise Invalid("chip counts cannot be negative")
    if sum(1 for c in chips if c > 0) < 2:
        raise Invalid("put chips in at least 2 bins: one bin cannot show a spread")
    return chips


def parse_name(taken: set[str]) -> Callable[[str], str]:
    """An expert's name not yet in the file."""

    def parse(raw: str) -> str:
        name = parse_text(raw)
        if name in taken:
            raise Invalid(f"an expert named {name!r} is already in the file; give another name")
        return name

    return parse


def parse_positive(raw: str, *, lo: float = 0.0, hi: float = math.inf, what: str = "") -> float:
    """A positive number (such as a number of years), within (lo, hi]."""
    text = raw.strip().replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        raise Invalid(f"{raw!r} is not a number; give e.g. 8 or 2.5") from None
    if not math.isfinite(value) or value <= 0:
        raise Invalid(f"give a positive number (got {raw!r})")
    if value < lo or value > hi:
        raise Invalid(f"the {what or 'value'} must lie between {lo:g} and {hi:g} (got {value:g})")
    return value


# --- what is judged ---------------------------------------------------------------------


@dataclass(frozen=True)
class Scale:
    """What an expert's numbers are: a probability, or a positive quantity such as years."""

    short: str
    """How prompts name one value ("probability", "median time in years")."""
    parse: Callable[..., float]
    bounds: tuple[float, float]
    label: Callable[[float], str]
    key: str
    """The key the judgement is written under in the expert's entry."""
    experts_path: tuple[str, ...] = ("experts",)
    """Where the experts' entries are in the file (``("hazard", "experts")``)."""

    @property
    def probability(self) -> bool:
        """Whether values are probabilities (then roulette chips are offered too)."""
        return self.key == "judgement"

    @property
    def roulette(self) -> bool:
        """Whether the expert may judge by roulette chips as well as by quartiles."""
        return self.probability

    @property
    def top(self) -> float:
        """The largest lowest plausible value an expert may give."""
        return min(self.bounds[1], 1e12) * 0.999999

    def written(self, value: float) -> float | int:
        """A stated value as the file keeps it (four significant figures)."""
        return sig(value)

    def judge(
        self,
        judgement: Judgement,
        extremes: tuple[float, float],
        marks: list[float],
        *,
        final: bool,
    ) -> tuple[RenderableType, object]:
        """The feedback on a judgement so far, and its fit (ValueError or ForecastError
        when it cannot be fitted yet)."""
        from forecast.render.elicit import feedback

        fitted = self.fit(judgement)
        body, _ = feedback(fitted, extremes, marks, final=final, scale=self)
        return body, fitted

    def settle(self, channel: Channel, fitted: object) -> dict[str, object]:
        """Ask what the accepted fit still leaves open (a quantity's family); the keys
        it adds to the expert's entry."""
        return {}

    def fit(self, judgement: Judgement) -> Fitted:
        """The distribution fitted to a judgement on this scale (not cached on disk)."""
        from forecast.questions.judgement import MedianInterval, ProbabilityJudgement

        cache = FitCache(Path("-"))  # provisional fits are not worth keeping
        if self.probability:
            return fit_probability(ProbabilityJudgement.model_validate(judgement), cache)
        return fit_positive(MedianInterval.model_validate(judgement), cache)

    def says(self, fitted: Fitted) -> str:
        """What the fitted distribution says, read back in plain words."""
        lo, mid, hi = (float(fitted.ppf(x)) for x in (0.05, 0.5, 0.95))
        if self.probability:
            imp = implications(fitted)
            return (
                f"You are saying: the probability is about {fmt.pct(mid)} (median), "
                f"90% sure it lies in {fmt.interval(lo, hi)}, "
                f"and P(p > 50%) = {fmt.pct(imp['p_above'])}."
            )
        return (
            f"You are saying: about {mid:.3g} years (median), 90% sure it lies in "
            f"{lo:.3g} – {hi:.3g} years."
        )

    def interval(self, lo: float, hi: float) -> str:
        """A range of values on this scale, as text."""
        return fmt.interval(lo, hi) if self.probability else f"{lo:.3g} – {hi:.3g}"


PROBABILITY = Scale("probability", parse_probability, (0.0, 1.0), fmt.pct, "judgement")
YEARS = Scale(
    "median time in years",
    parse_positive,
    (0.0, math.inf),
    lambda v: f"{v:.3g}",
    "median_years",
    ("hazard", "experts"),
)


def fit_warnings(
    fitted: Fitted, extremes: tuple[float, float], *, final: bool, scale: Scale = PROBABILITY
) -> list[str]:
    """What is wrong with a fit, each warning stating the rule and the values: a poor
    fit, and (for the final judgement) too much mass outside the plausible range."""
    warnings: list[str] = []
    if fitted.fit_error > POOR_FIT:
        worst = max(fitted.checks, key=lambda c: abs(c.elicited - c.fitted))
        warnings.append(
            f"poor fit: the squared differences add to {fitted.fit_error:.3f} (above "
            f"{POOR_FIT:g}); worst is {worst.statement}: you said {worst.elicited:.3g}, "
            f"the fitted {fitted.family.capitalize()} gives {worst.fitted:.3f}. Consider "
            "revising the values."
        )
    if final:
        low, high = extremes
        outside = float(fitted.cdf(low)) + float(1.0 - fitted.cdf(high))
        if outside > OUTSIDE_RANGE:
            warnings.append(
                f"the fit puts {fmt.pct(outside)} outside your plausible range "
                f"{scale.interval(low, high)} (more than {fmt.pct(OUTSIDE_RANGE)}): widen "
                "the range or bring the quartiles in"
            )
    return warnings


def sig(x: float) -> float | int:
    """Four significant figures, and whole numbers written as such (0, not 0.0)."""
    v = float(f"{x:.4g}")
    return int(v) if v.is_integer() else v


@dataclass
class Answers:
    """What one expert said, as it will be written."""

    name: str
    judgement: Judgement
    fitted: object | None = None
    """The accepted fit (a :class:`Fitted` on the probability and time scales)."""
    extremes: tuple[float, float] = (0.0, 1.0)
    notes: list[str] = field(default_factory=list)
    entry: dict[str, object] = field(default_factory=dict)
    """Keys of the expert's entry besides the name, the judgement and the date."""
    revises: bool = False
    """Whether the answers replace the judgement of an expert already in the file."""
