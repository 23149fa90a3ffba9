"""Question specifications: what a priors file may say, validated with pydantic.

:mod:`forecast.questions.loader` reads and validates a priors file; the kind-independent
parts of a question live in :mod:`~forecast.questions.base`, judgements in
:mod:`~forecast.questions.judgement`, and the cases file of a drivers question in
:mod:`~forecast.questions.cases`.
"""
