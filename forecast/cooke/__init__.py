"""Structured expert judgement: seed questions and Cooke's classical model.

Experts answer seed (calibration) questions whose answers are known, in the same
session as the questions of interest; each is scored for calibration and information,
and the scores give their weights (:mod:`forecast.cooke.model`). A study is read from
a seeds YAML file (:mod:`forecast.cooke.seeds`) or from the Excalibur ``.dtt``/``.rls``
pair (:mod:`forecast.cooke.excalibur`), and :func:`load` picks the reader by the
file's extension.
"""

from __future__ import annotations

from pathlib import Path

from forecast.cooke.study import Item, Study

EXCALIBUR_SUFFIXES = (".dtt", ".rls")


def is_excalibur(path: Path | str) -> bool:
    """Whether ``path`` names an Excalibur file (any letter case)."""
    return Path(path).suffix.lower() in EXCALIBUR_SUFFIXES


def load(path: Path | str, shown: str | None = None) -> Study:
    """Read a study: a seeds YAML file, or an Excalibur ``.dtt``/``.rls`` pair."""
    if is_excalibur(path):
        from forecast.cooke import excalibur

        return excalibur.read(path)
    from forecast.cooke import seeds

    return seeds.read(path, shown)


def save(study: Study, path: Path | str) -> list[Path]:
    """Write ``study`` as a seeds YAML file or, for ``.dtt``/``.rls``, as an Excalibur pair."""
    if is_excalibur(path):
        from forecast.cooke import excalibur

        return list(excalibur.write(study, path))
    from forecast.cooke import seeds

    return [seeds.write(study, path)]


__all__ = ["Item", "Study", "is_excalibur", "load", "save"]
