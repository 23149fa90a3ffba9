"""Mutations of the shipped priors files: never a traceback, never a pass for a bad file.

Every file in priors/ is loaded as data, mutated (a key deleted, a value replaced by
another type, NaN, infinity, a negative or huge number or text, an unknown key
inserted) and written back, or its text is cut short or has characters flipped. The
loader may accept or refuse the result, but must refuse it with an ``InputError`` (and
``forecast check`` with exit code 1) and nothing else; mutations that make a file
invalid whatever its kind (a required key deleted, NaN, a probability of 1.5, an
unknown key) must be refused.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from forecast.cli import app
from forecast.errors import InputError
from forecast.questions.loader import load_question
from tests.conftest import PRIORS

SHIPPED = sorted(PRIORS.glob("*.yaml"))
REQUIRED = ("format", "kind", "title", "resolution", "deadline")
"""Keys every priors file must have, whatever its kind."""

UNKNOWN = "zz_not_a_key"
runner = CliRunner()
SETTINGS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

Path_ = tuple[str | int, ...]


def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _paths(data: Any, at: Path_ = ()) -> Iterator[Path_]:
    """Every key and index in the document, parents before children."""
    if isinstance(data, dict):
        for k, v in data.items():
            yield (*at, k)
            yield from _paths(v, (*at, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield (*at, i)
            yield from _paths(v, (*at, i))


def _mappings(data: Any, at: Path_ = ()) -> Iterator[Path_]:
    """Every mapping in the document (the root is ``()``)."""
    if isinstance(data, dict):
        yield at
        for k, v in data.items():
            yield from _mappings(v, (*at, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _mappings(v, (*at, i))


def _get(data: Any, path: Path_) -> Any:
    for part in path:
        data = data[part]
    return data


def _parent(data: Any, path: Path_) -> Any:
    return _get(data, path[:-1])


def _write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / f"{name}.yaml"
    path.write_bytes(
        text.encode("utf-8", errors="surrogatepass") if isinstance(text, str) else text
    )
    return path


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def outcome(path: Path) -> bool:
    """True when the file is accepted; an ``InputError`` is the only other outcome."""
    try:
        load_question(path)
    except InputError as exc:
        assert exc.problems and all(p.message for p in exc.problems)
        return False
    return True


def cli_outcome(path: Path) -> int:
    """``forecast check`` on the file: exit 0 or 1, never a traceback."""
    result = runner.invoke(app, ["check", str(path)])
    assert result.exit_code in (0, 1), (result.exit_code, result.output)
    assert "Traceback" not in result.stdout + result.stderr
    assert "internal error" not in result.stdout + result.stderr
    return result.exit_code


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("mutations")


@pytest.fixture(scope="module", params=SHIPPED, ids=lambda p: p.stem)
def shipped(request: pytest.FixtureRequest) -> Path:
    path: Path = request.param
    try:
        load_question(path)
    except InputError as exc:  # pragma: no cover - another test reports it
        pytest.skip(f"{path.name} does not load: {exc}")
    return path


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([-1, -0.5, 1.5, 1e308, 10**400 // 10**300, 0, 1, "", "0.3", "1e-3"]),
    st.text(max_size=20),
    st.dates(),
    st.lists(st.integers(min_value=-3, max_value=3), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


@SETTINGS
@given(data=st.data())
def test_replacing_or_deleting_a_value_never_crashes(
    shipped: Path, folder: Path, data: st.DataObject
) -> None:
    doc = _load(shipped)
    paths = list(_paths(doc))
    path = data.draw(st.sampled_from(paths), label="path")
    parent = _parent(doc, path)
    if data.draw(st.booleans(), label="delete"):
        del parent[path[-1]]
    else:
        parent[path[-1]] = data.draw(SCALARS, label="value")
    via_cli = data.draw(st.integers(0, 3), label="via cli") == 0
    file = _write(folder, "replaced", _dump(doc))
    accepted = outcome(file)
    if via_cli:  # the command line costs more than the loader; a sample is enough
        assert cli_outcome(file) == (0 if accepted else 1)


@SETTINGS
@given(data=st.data())
def test_invalid_mutations_are_refused(shipped: Path, folder: Path, data: st.DataObject) -> None:
    doc = _load(shipped)
    kind = data.draw(st.sampled_from(["required", "nan", "unknown", "probability"]))
    if kind == "required":
        del doc[data.draw(st.sampled_from(REQUIRED))]
    elif kind == "nan":
        leaves = [p for p in _paths(doc) if not isinstance(_parent(doc, p)[p[-1]], dict | list)]
        path = data.draw(st.sampled_from(leaves))
        _parent(doc, path)[path[-1]] = data.draw(st.sampled_from([math.nan, math.inf, -math.inf]))
    elif kind == "unknown":
        at = data.draw(st.sampled_from(list(_mappings(doc))))
        _get(doc, at)[UNKNOWN] = "zz"
    else:
        probabilities = [
            p for p in _paths(doc) if p[-1] in ("probability", "mass") and p[-2] == "judgement"
        ]
        assume(probabilities)
        path = data.draw(st.sampled_from(probabilities))
        _parent(doc, path)[path[-1]] = data.draw(st.sampled_from([1.5, -0.1, 2, 100]))
    file = _write(folder, "invalid", _dump(doc))
    assert not outcome(file), f"{kind} mutation accepted:\n{file.read_text()}"
    if data.draw(st.integers(0, 2), label="via cli") == 0:
        assert cli_outcome(file) == 1


FLIPS = st.sampled_from(list(":-[]{}#&*!|>'\"%@`,?\t\n x0.é\x00\\"))


@SETTINGS
@given(data=st.data())
def test_damaged_text_never_crashes(shipped: Path, folder: Path, data: st.DataObject) -> None:
    text = shipped.read_text(encoding="utf-8")
    if data.draw(st.booleans(), label="truncate"):
        text = text[: data.draw(st.integers(0, len(text)), label="at")]
    else:
        chars = list(text)
        for _ in range(data.draw(st.integers(1, 5), label="flips")):
            chars[data.draw(st.integers(0, len(chars) - 1))] = data.draw(FLIPS)
        text = "".join(chars)
    via_cli = data.draw(st.integers(0, 3), label="via cli") == 0
    file = _write(folder, "damaged", text)
    accepted = outcome(file)
    if via_cli:  # the command line costs more than the loader; a sample is enough
        assert cli_outcome(file) == (0 if accepted else 1)


@SETTINGS
@given(raw=st.binary(max_size=200))
def test_arbitrary_bytes_never_crash(folder: Path, raw: bytes) -> None:
    file = _write(folder, "bytes", raw)
    outcome(file)
