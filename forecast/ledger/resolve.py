"""Setting a question's ``status`` in its priors file, keeping everything else as written.

The file is read and validated with the safe loader first; ruamel.yaml's round-trip
mode is used only to write the edited text, so comments, key order, quoting and flow
style stay as the analyst left them. The result is read back with the safe loader and
must equal the original data with only ``status`` changed before it replaces the
file (atomically).
"""

from __future__ import annotations

import re
from pathlib import Path

from forecast import priorsfile, yamlio
from forecast.errors import InputError, Problem, UsageError


def find_priors(
    question: str, *, directory: Path = Path("priors"), known: str | None = None
) -> Path | None:
    """The priors file of ``question`` (a path, or an id looked up in ``directory``).

    ``known`` is a path the ledger remembers for the question, used when the id is
    not found in ``directory``.
    """
    as_path = Path(question)
    if as_path.suffix in (".yaml", ".yml") or as_path.parent != Path("."):
        return as_path
    for candidate in (directory / f"{question}.yaml", directory / f"{question}.yml"):
        if candidate.is_file():
            return candidate
    if known and Path(known).is_file() and Path(known).stem == question:
        return Path(known)
    return None


_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,199}")
"""What a question id given on its own may be: a file name without its suffix."""


def question_id(question: str) -> str:
    """The question id of an id or a priors file path (the file name without suffix).

    Raises
    ------
    UsageError
        For something that is neither a priors file path nor an id (``../evil``).
    """
    p = Path(question)
    if p.suffix in (".yaml", ".yml"):
        return p.stem
    if not _ID.fullmatch(question) or question in (".", ".."):
        shown = question if len(question) <= 40 else question[:37] + "..."
        raise UsageError(
            f"{shown!r} is not a question id",
            hint="give the id (a priors file's name without .yaml, as `forecast list` shows "
            "it) or the path of the priors file",
        )
    return question


def read_raw(path: Path) -> bytes:
    """The priors file's bytes as they are, to put back if recording its outcome fails."""
    from forecast import files

    return files.read_bytes(path, yamlio.MAX_BYTES)


def put_back(path: Path, raw: bytes) -> None:
    """Restore the priors file to ``raw`` (atomically)."""
    from forecast import files

    files.atomic_write(path, raw)


def set_status(path: Path, status: str, value: float | None = None) -> bool:
    """Set ``status`` (and the resolved ``value`` of an amount, when given) in the priors
    file at ``path``; return False when it already was so.

    Raises
    ------
    InputError
        When the file is not a valid priors file (it is left untouched).
    """
    from forecast.questions.loader import load_question

    loaded = load_question(path)
    extra = {} if value is None else {"value": value}
    if loaded.spec.status == status and all(
        getattr(loaded.spec, k, None) == v for k, v in extra.items()
    ):
        return False
    before, _ = yamlio.loads(loaded.text, str(path))
    text = _edited(loaded.text, status, extra)
    after, _ = yamlio.loads(text, str(path))
    if after != {**before, "status": status, **extra}:  # pragma: no cover - a ruamel surprise
        raise InputError(
            [
                Problem(
                    str(path),
                    None,
                    None,
                    "status",
                    "cannot set the status without changing other values",
                    f"edit the file by hand: status: {status!r}",
                )
            ]
        )
    priorsfile.write(path, text)
    return True


def _edited(text: str, status: str, extra: dict[str, float] | None = None) -> str:
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    data: CommentedMap = priorsfile.load(text)
    # Quoted: a YAML 1.1 reader (the safe loader among them) reads bare yes/no as booleans.
    value = DoubleQuotedScalarString(status)
    if "status" in data:
        data["status"] = value
    else:
        keys = list(data)
        at = keys.index("deadline") + 1 if "deadline" in keys else len(keys)
        data.insert(at, "status", value)
    for key, item in (extra or {}).items():
        if key in data:
            data[key] = item
        else:
            data.insert(list(data).index("status") + 1, key, item)
    out = priorsfile.dump(data)
    if text.startswith("\ufeff"):  # pragma: no cover - the reader drops a BOM
        out = "\ufeff" + out
    return out
