"""What a run produced: :class:`PhaseResult` per phase and :class:`RunResult` per cohort, and the two helpers
that print them (:func:`text_table`, :func:`display_path`).

They live apart from the run itself so that the manifest, the report and the batch read them without importing
the runner (no import cycle), and so that importing them costs nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from ..errors import PhaseError
from ..phases.registry import PhaseNotebook

__all__ = ["Status", "PhaseResult", "RunResult", "text_table", "display_path"]

Status = Literal["pending", "running", "ok", "failed", "skipped"]


@dataclass
class PhaseResult:
    """What happened to one phase in a run."""

    number: int
    name: str
    status: Status
    notebook: Path | None = None
    reason: str = ""
    started: dt.datetime | None = None
    duration_s: float | None = None
    kernel_attempts: int = 0
    kernel_slot: int | None = None
    """The phase worker (and kept kernel) that ran it, numbered from 1; ``None`` when it never ran."""
    kernel_fresh: bool = True
    """Whether its kernel was new; false when it ran in a kernel kept from an earlier phase (and cleared)."""
    error: PhaseError | None = None
    tables: list[str] = field(default_factory=list)
    figures: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return PhaseNotebook(self.number, self.name, Path()).title


@dataclass
class RunResult:
    """The outcome of :func:`run_cohort`. ``ok`` is false when a phase failed; ``failures`` says where and why."""

    cohort: str
    program: str
    cohort_dir: Path
    run_dir: Path
    phases: list[PhaseResult]
    started: dt.datetime
    finished: dt.datetime | None = None
    report: Path | None = None
    summary: Path | None = None
    workbook: Path | None = None
    warnings: list[str] = field(default_factory=list)
    validation_warnings: list[str] = field(default_factory=list)
    status_override: str | None = None

    @property
    def manifest(self) -> Path:
        return self.run_dir / "manifest.json"

    @property
    def failures(self) -> list[PhaseError]:
        return [p.error for p in self.phases if p.error is not None]

    @property
    def ok(self) -> bool:
        return not self.failures and self.status_override is None

    @property
    def status(self) -> str:
        """``running`` until the end, then ``ok``, ``failed`` or ``interrupted``."""
        if self.status_override:
            return self.status_override
        if self.finished is None:
            return "running"
        return "ok" if self.ok else "failed"

    @property
    def duration_s(self) -> float | None:
        return None if self.finished is None else (self.finished - self.started).total_seconds()

    def status_table(self) -> list[str]:
        """The per-phase status table, as printed by ``rmkit run``."""
        rows = []
        for p in self.phases:
            duration = "" if p.duration_s is None else f"{p.duration_s:.1f} s"
            detail = p.reason or (p.notebook.name if p.notebook else "")
            rows.append([f"{p.number:02d}", p.name, p.status, duration, detail])
        return text_table(["#", "phase", "status", "duration", "notebook"], rows)


def text_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> list[str]:
    """Left-aligned columns separated by two spaces, as the command line prints its tables.

    Examples
    --------
    >>> print("\\n".join(text_table(["phase", "status"], [["intake", "ok"], ["pairing", "failed"]])))
    phase    status
    intake   ok
    pairing  failed
    """
    cells = [[str(c) for c in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(row[k]) for row in cells) for k in range(len(headers))]
    return ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in cells]


def display_path(path: Path) -> str:
    """``path`` relative to the current directory when it is below it, else absolute."""
    try:
        return str(path.relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
