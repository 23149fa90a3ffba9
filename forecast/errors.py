"""One family of errors, each with an exit code, a location and a hint.

Every domain failure the command line can meet is a :class:`ForecastError`; the CLI
renders it once as ``Error: ...`` (or, for input problems, one line per problem in the
``path:line:col field: message`` shape) and exits with :attr:`ForecastError.exit_code`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem found in an input file."""

    path: str
    line: int | None
    column: int | None
    field: str
    message: str
    hint: str | None = None

    def location(self) -> str:
        """``path:line:col`` (or as much of it as is known)."""
        if self.line is None:
            return self.path
        if self.column is None:
            return f"{self.path}:{self.line}"
        return f"{self.path}:{self.line}:{self.column}"

    def __str__(self) -> str:
        where = self.location()
        if not self.field and self.line is None:
            return f"{where}: {self.message}"  # about the whole file: `path: message`
        what = f"{self.field}: {self.message}" if self.field else self.message
        return f"{where} {what}"


class ForecastError(Exception):
    """Base of every error the tool reports to the user without a traceback."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class InputError(ForecastError):
    """One or more problems in an input file, collected before raising."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        first = problems[0] if problems else None
        super().__init__(str(first) if first else "invalid input")

    def lines(self) -> list[str]:
        """Every problem as one line, hints indented below it."""
        out: list[str] = []
        for p in self.problems:
            out.append(str(p))
            if p.hint:
                out.append(f"  hint: {p.hint}")
        return out


class FitError(ForecastError):
    """A judgement could not be turned into a distribution.

    ``field`` is where the judgement is in its file (``("experts", 0, "judgement")``),
    filled in by whoever knows it, so that the error can be reported at its line.
    """

    def __init__(
        self, message: str, *, hint: str | None = None, field: tuple[str | int, ...] = ()
    ) -> None:
        super().__init__(message, hint=hint)
        self.field = field

    def at(self, *prefix: str | int) -> FitError:
        """The same error, ``prefix`` further out in the file."""
        return FitError(self.message, hint=self.hint, field=(*prefix, *self.field))


class SamplingError(ForecastError):
    """The sampler failed or, under ``--strict``, did not converge."""

    exit_code = 3


class UsageError(ForecastError):
    """The command line was used wrongly (mirrors click's usage exit code)."""

    exit_code = 2
