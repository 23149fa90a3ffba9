"""What most kinds do the same way: defaults a kind may inherit and override.

A kind need not inherit from :class:`KindBase`; it must only satisfy
:class:`~forecast.kinds.protocol.Kind`. These are the answers of a kind without named
scenarios, without a reusable compiled model, with a linear pool only and with no
sections of its own in a report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Hashable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pymc as pm
    from rich.console import RenderableType
    from ruamel.yaml.comments import CommentedMap

    from forecast.elicit.answers import Channel
    from forecast.errors import Problem
    from forecast.kinds.protocol import Headline, Meta
    from forecast.questions.base import QuestionMeta
    from forecast.questions.loader import LoadedQuestion
    from forecast.render.kinds import Section
    from forecast.render.plots import Plot
    from forecast.results import Forecast
    from forecast.yamlio import Marks


def meta_date(meta: Meta, key: str) -> dt.date:
    """The date ``elicit`` asked for under ``key`` (``deadline``, ``since``)."""
    value = meta[key]
    assert isinstance(value, dt.date), f"{key}: {value!r}"
    return value


class KindBase[Inputs]:
    """Defaults for the optional parts of a kind."""

    methods: tuple[str, ...] = ("nuts",)

    def structure(self, inputs: Inputs) -> tuple[Hashable, ...] | None:
        """No compiled model is reused: every question builds its own."""
        return None

    def swap_inputs(self, model: pm.Model, inputs: Inputs) -> None:
        """Never called when :meth:`structure` is None."""
        raise NotImplementedError(f"{type(self).__name__} models cannot swap their inputs")

    def scenarios(self, spec: QuestionMeta) -> tuple[str, ...]:
        """No named scenarios."""
        return ()

    def with_pool(
        self, spec: QuestionMeta, method: str | None, extremize: float | None
    ) -> QuestionMeta | None:
        """The experts are pooled linearly, whatever the command line says."""
        return None

    scores_experts: bool = False

    def with_files(self, spec: QuestionMeta, path: Path, shown: str, marks: Marks) -> QuestionMeta:
        """No files of its own to read."""
        return spec

    def fit_problems(self, q: LoadedQuestion) -> list[Problem]:
        """No fits of its own for ``check`` beyond the probability and positive judgements
        :mod:`forecast.elicit.checks` fits."""
        return []

    def sections(self, forecast: Forecast) -> list[Section]:
        """No sections of its own."""
        return []

    def rich_sections(self, forecast: Forecast, width: int) -> list[RenderableType]:
        """No sections of its own."""
        return []

    def outcome_of_value(self, spec: QuestionMeta, value: float) -> str:
        """Refused: the question is an event, resolved yes, no or annulled."""
        from forecast.errors import ForecastError

        raise ForecastError(
            f"a {spec.kind} question resolves yes, no or annulled, not at a value",
            hint="--value is for questions of an amount (kind: quantity)",
        )

    def resolved_value(self, spec: QuestionMeta) -> float | None:
        """An event has no value to resolve at."""
        return None

    def value_scores(self, document: Mapping[str, object], value: float) -> dict[str, float] | None:
        """An event is scored by its probability alone."""
        return None

    def headline(self, forecast: Forecast) -> Headline | None:
        """The headline's intervals are of the event's propensity."""
        return None

    def plots(self, forecast: Forecast) -> list[Plot]:
        """No plots of its own."""
        return []

    def ask_new(self, form: str, channel: Channel, today: dt.date, meta: Meta) -> None:
        """Nothing to ask beyond the title, resolution and deadline."""

    def new_head(
        self, meta: Meta, doc: CommentedMap, today: dt.date, date: Callable[[dt.date], object]
    ) -> None:
        """No keys after the deadline."""

    def new_body(
        self,
        meta: Meta,
        doc: CommentedMap,
        flow: Callable[[Mapping[str, object]], object],
        date: Callable[[dt.date], object],
    ) -> None:
        """An empty list where the experts go."""
        from ruamel.yaml.comments import CommentedSeq

        doc["experts"] = CommentedSeq()


__all__ = ["KindBase", "meta_date"]
