"""Where a cases file may be: inside the priors file's folder, or a folder the user names.

A priors file names its cases file; without a rule, ``cases: /etc/shadow.csv`` or a
symlink out of the folder would make the tool read (and quote, in its problems)
another file. The rule is checked on the path with every symlink resolved, before the
file is opened.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from forecast.errors import InputError

if TYPE_CHECKING:
    from forecast.questions.cases import Origin


CASES_PATH_ENV = "FORECAST_CASES_PATH"
"""Folders (separated by ``:``) that cases files may also live in, named by the user."""


def fragment(value: str, limit: int = 24) -> str:
    """``value`` quoted, cut to at most ``limit`` characters (with "..." when cut)."""
    return repr(value if len(value) <= limit else value[: limit - 3] + "...")


def locate(priors: Path, name: str, origin: Origin) -> Path:
    """The cases file ``name`` of the priors file at ``priors``, confined to safe folders.

    A cases file must resolve, symlinks included, inside the folder of the priors file
    or inside a folder listed in ``$FORECAST_CASES_PATH``; anything else (an absolute
    path elsewhere, ``../``, a symlink out) is refused before it is opened.

    Raises
    ------
    InputError
        Placed on the priors file's ``cases`` key.
    """
    candidate = priors.parent / name
    real = Path(os.path.realpath(candidate))
    allowed = [Path(os.path.realpath(priors.parent))]
    allowed += [
        Path(os.path.realpath(Path(p).expanduser()))
        for p in os.environ.get(CASES_PATH_ENV, "").split(os.pathsep)
        if p.strip()
    ]
    if not any(real.is_relative_to(folder) for folder in allowed):
        raise InputError(
            [
                origin.problem(
                    f"the cases file {fragment(name, 60)} is outside the folder of the "
                    "priors file; it was not read",
                    "put the cases file next to the priors file, or name its folder in "
                    f"{CASES_PATH_ENV}",
                )
            ]
        )
    return candidate


__all__ = ["CASES_PATH_ENV", "fragment", "locate"]
