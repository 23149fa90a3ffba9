"""The ``forecast`` command line: a thin typer layer over the library.

Commands live one per module (the app and its global options in :mod:`._app`, shared
output helpers in :mod:`._common`). ``forecast --version`` is answered before typer,
rich or any command is imported; ``app`` is built on first use.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from forecast import __version__

if TYPE_CHECKING:
    import typer

VERSION_FLAGS = frozenset({"--version", "-V"})


def __getattr__(name: str) -> typer.Typer:
    """``app``, the typer application, imported when first asked for."""
    if name == "app":
        from forecast.cli._app import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def main() -> None:
    """Console-script entry point.

    After a command that loaded PyMC the interpreter's own teardown (finalising the
    thousands of PyTensor objects) takes over a second and does nothing for the user:
    every file is closed and every result written by then, so the process flushes its
    output and ends at once.

    Pydantic's plugins are off unless ``PYDANTIC_DISABLE_PLUGINS`` is set: looking for
    them reads every installed package's metadata (about 0.06 s of each command), and
    the command line uses none. OpenBLAS runs one thread unless ``OPENBLAS_NUM_THREADS``
    is set.
    """
    import os

    if len(sys.argv) == 2 and sys.argv[1] in VERSION_FLAGS:
        sys.stdout.write(f"forecast {__version__}\n")
        return
    os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")
    # NumPy's OpenBLAS starts a thread per core that spins beside the main one: on the
    # small arrays of a forecast it adds CPU and wall time (0.59 s against 0.48 s for an
    # exact event run on 2 cores) and competes with --jobs workers and NUTS chains.
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    from forecast.cli._app import app

    code: int | str | None = 0
    try:
        app()
    except SystemExit as exc:
        code = exc.code
    if "pymc" not in sys.modules:
        sys.exit(code)
    if isinstance(code, str):
        sys.stderr.write(code + "\n")
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        code = code or 1
    os._exit(int(code or 0))
