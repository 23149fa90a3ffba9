"""What every kind's :class:`~forecast.results.Forecast` says of its question: which it
is, its deadline and status, how it was made, and the date of its facts."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

if TYPE_CHECKING:
    import datetime as dt

    from forecast.inference import SamplerSettings
    from forecast.questions.loader import LoadedQuestion
    from forecast.results import Provenance


class QuestionFields(TypedDict):
    """The keywords of :class:`~forecast.results.Forecast` :func:`question_fields` gives."""

    question_id: str
    title: str
    kind: str
    deadline: dt.date
    status: str
    resolution: str
    provenance: Provenance
    facts_as_of: dt.date | None


def question_fields(q: LoadedQuestion, settings: SamplerSettings) -> QuestionFields:
    """The question's own fields, and the provenance of a forecast of it made now."""
    from forecast import results
    from forecast.staleness import facts_date

    spec = q.spec
    return {
        "question_id": q.id,
        "title": spec.title,
        "kind": spec.kind,
        "deadline": spec.deadline,
        "status": spec.status,
        "resolution": spec.resolution,
        "provenance": results.provenance(str(q.path), q.sha256, settings),
        "facts_as_of": facts_date(spec),
    }


__all__ = ["QuestionFields", "question_fields"]
