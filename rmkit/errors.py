"""Exceptions and the problem records shared by the library, the command line, the notebooks and the dashboards.

Every error a user can cause derives from :class:`RmkitError`. Errors about input carry the file, the row (as a
spreadsheet user counts it: the header is row 1), the column and a message, and print as ``FILE:ROW:COLUMN: message``.
A problem that belongs to a whole file or to a YAML key prints as ``FILE:KEY.PATH: message`` or ``FILE: message``.
"""

from __future__ import annotations

import reprlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "shown",
    "Problem",
    "RmkitError",
    "InputError",
    "ValidationError",
    "UsageError",
    "InfeasibleError",
    "RunError",
    "PhaseError",
    "WriteError",
    "ReadOnlyError",
]

Severity = Literal["error", "warning"]

#: The most characters of an input value that a message shows: a hostile or mistaken value (a 1 MB cell, a YAML
#: list that aliases expand) never makes a message unbounded.
SHOWN_LIMIT = 80


def shown(value: object, limit: int = SHOWN_LIMIT) -> str:
    """``repr(value)`` for a message, at most ``limit`` characters (``...`` marks a cut). Containers are shown by
    their first elements and levels only (:mod:`reprlib`), so even a value that YAML aliases made huge costs nothing.

    Examples
    --------
    >>> shown("best")
    "'best'"
    >>> len(shown("x" * 10_000)) <= 80, "..." in shown("x" * 10_000)
    (True, True)
    >>> shown([[1, 2, 3] * 100] * 100)
    '[[1, 2, 3, 1, 2, 3, ...], [1, 2, 3, 1, 2, 3, ...], [1, 2, 3, 1, 2, 3, ...], ...'
    """
    out = _REPR.repr(value)
    if len(out) <= limit:
        return out
    return out[: limit - 4] + ("...'" if out[:1] in "'\"" else "...")


_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxlist, _REPR.maxtuple, _REPR.maxdict, _REPR.maxset = 3, 6, 6, 4, 6
_REPR.maxstring = _REPR.maxother = SHOWN_LIMIT - 2
_REPR.maxlong = 40


@dataclass(frozen=True)
class Problem:
    """One finding about an input file.

    Parameters
    ----------
    file : str
        The file name as the user sees it in the cohort folder (``participants.csv``, ``program.yaml``).
    row : int or None
        The spreadsheet row (header = 1); ``None`` for a whole-file or YAML problem.
    column : str or None
        The column name, or for YAML files the key path (``pairing.strategy``, ``objectives[0].measure``).
    message : str
        What was found and what is allowed.
    severity : {"error", "warning"}
        Warnings are printed but do not make a cohort invalid.

    Examples
    --------
    >>> str(Problem("participants.csv", 4, "role", "found 'mentr'; allowed: mentor, mentee"))
    "participants.csv:4:role: found 'mentr'; allowed: mentor, mentee"
    >>> str(Problem("program.yaml", None, "pairing.strategy", "found 'best'"))
    "program.yaml:pairing.strategy: found 'best'"
    >>> str(Problem("mentors.csv", None, None, "warning text", "warning"))
    'mentors.csv: warning: warning text'
    """

    file: str
    row: int | None
    column: str | None
    message: str
    severity: Severity = "error"

    @property
    def location(self) -> str:
        """``FILE:ROW:COLUMN``, ``FILE:KEY`` or ``FILE``."""
        if self.row is not None:
            return f"{self.file}:{self.row}:{self.column or ''}"
        if self.column:
            return f"{self.file}:{self.column}"
        return self.file

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.location}: {prefix}{self.message}"


class RmkitError(Exception):
    """The root of every error rmkit raises on purpose.

    ``exit_code`` is what the command line exits with when this error reaches it (2: bad input or usage).
    """

    exit_code: int = 2

    def lines(self) -> list[str]:
        """The lines the command line prints for this error (no traceback)."""
        return [str(self)]


class InputError(RmkitError):
    """A single problem with an input file, located by file, row and column."""

    def __init__(self, file: str, row: int | None, column: str | None, message: str):
        self.problem = Problem(file, row, column, message)
        super().__init__(str(self.problem))

    @property
    def file(self) -> str:
        return self.problem.file

    @property
    def row(self) -> int | None:
        return self.problem.row

    @property
    def column(self) -> str | None:
        return self.problem.column

    @property
    def message(self) -> str:
        return self.problem.message


class ValidationError(RmkitError):
    """A cohort (or another input) has one or more errors; ``problems`` holds all of them, warnings included."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        errors = [p for p in self.problems if p.severity == "error"]
        noun = "problem" if len(errors) == 1 else "problems"
        super().__init__(f"{len(errors)} {noun} in the input")

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def lines(self) -> list[str]:
        return [str(p) for p in self.problems]

    def __str__(self) -> str:
        return "\n".join(self.lines())


class UsageError(RmkitError):
    """The command was called wrongly: a missing folder, a bad option value, an output that already exists."""


class InfeasibleError(RmkitError):
    """The pairing rules and decisions leave nothing to solve (e.g. every pair is forbidden)."""


class RunError(RmkitError):
    """Something failed while running (exit 1): a phase notebook (its executed notebook, with the error, is kept) or a
    dashboard's server."""

    exit_code = 1


class ReadOnlyError(UsageError):
    """A folder rmkit must write to cannot be written (a read-only share or snapshot, no permission): nothing was
    tried, nothing changed (exit 2)."""


class WriteError(RmkitError):
    """Writing a file failed part-way (the disk is full, the folder became read-only): what was being written was
    rolled back, so no half-written file or row is left (exit 1).

    Examples
    --------
    >>> print(WriteError("decisions.csv", OSError(28, "No space left on device")))
    could not write decisions.csv: No space left on device; nothing was changed
    """

    exit_code = 1

    def __init__(self, what: str, error: OSError, *, kept: str = "nothing was changed"):
        self.what, self.error = what, error
        reason = error.strerror or str(error)
        super().__init__(f"could not write {what}: {reason}; {kept}")


class PhaseError(RunError):
    """A phase notebook failed during a run: which phase, which cell, which error, and where the executed notebook
    (kept, with the error in it) is.

    Parameters
    ----------
    phase : str
        The phase name (``intake``).
    notebook : str
        The executed notebook (its path as the user should open it).
    cell_index : int or None
        The failing cell's index in the executed notebook (0-based, as papermill counts, the injected parameters cell
        included); ``None`` when the notebook failed before its first cell (the kernel did not start).
    execution_count : int or None
        The ``In [n]`` number Jupyter shows for that cell.
    source_line : str
        The first line of the cell's source that is not blank.
    ename, evalue : str
        The error's name and message (``ZeroDivisionError``, ``division by zero``).

    Examples
    --------
    >>> err = PhaseError("intake", "runs/x/02_intake.ipynb", cell_index=4, execution_count=3,
    ...                  source_line="ratio = 1 / 0", ename="ZeroDivisionError", evalue="division by zero")
    >>> print(err)
    phase intake failed at cell 4 (In [3]: ratio = 1 / 0): ZeroDivisionError: division by zero
    >>> err.lines()[1]
    '  the executed notebook keeps the error: runs/x/02_intake.ipynb'
    >>> print(PhaseError("intake", "02_intake.ipynb", ename="KernelStartError", evalue="no kernel"))
    phase intake failed before its first cell: KernelStartError: no kernel
    """

    def __init__(self, phase: str, notebook: str, *, cell_index: int | None = None, execution_count: int | None = None,
                 source_line: str = "", ename: str = "", evalue: str = ""):
        self.phase = phase
        self.notebook = notebook
        self.cell_index = cell_index
        self.execution_count = execution_count
        self.source_line = source_line
        self.ename = ename
        self.evalue = evalue
        super().__init__(self._message())

    def _message(self) -> str:
        if self.cell_index is None:
            where = "before its first cell"
        else:
            label = f"In [{self.execution_count}]" if self.execution_count is not None else "not run"
            code = f": {self.source_line}" if self.source_line else ""
            where = f"at cell {self.cell_index} ({label}{code})"
        error = f"{self.ename}: {self.evalue}" if self.evalue else self.ename
        return f"phase {self.phase} failed {where}: {error}"

    def lines(self) -> list[str]:
        return [str(self), f"  the executed notebook keeps the error: {self.notebook}"]
