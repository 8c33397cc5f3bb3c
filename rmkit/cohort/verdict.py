"""What validation says to people: the one-line verdict, every problem as ``FILE:ROW:COLUMN: message``, and the
gate of every command that needs valid input (exit code 2 with the problems, warnings on stderr).
"""

from __future__ import annotations

import sys
from typing import TextIO

from ..errors import ValidationError
from .validation import ValidationReport, validate_cohort

__all__ = ["summarize_validation", "print_validation", "require_valid"]


def summarize_validation(report: ValidationReport) -> str:
    """One line: valid or not, with counts."""
    errors, warnings = len(report.errors), len(report.warnings)
    w = f"{warnings} warning{'s' if warnings != 1 else ''}"
    if errors:
        files = len({p.file for p in report.errors})
        return f"{report.path}: invalid: {errors} error{'s' if errors != 1 else ''} in {files} file{'s' if files != 1 else ''}, {w}"
    cohort = report.cohort
    assert cohort is not None
    parts = [f"{len(cohort.mentors)} mentors", f"{len(cohort.mentees)} mentees"]
    for name in ("preferences", "responses", "checkins", "agreements", "outcomes", "costs", "pairs", "decisions"):
        table = cohort.table(name)
        if table is not None:
            parts.append(f"{len(table)} {name} rows")
        if name == "responses" and cohort.comparison_responses is not None and len(cohort.comparison_responses):
            parts[-1] += f" (and {len(cohort.comparison_responses)} of the comparison group)"
    return f"{report.path}: valid ({', '.join(parts)}), {w}"


def print_validation(report: ValidationReport, *, quiet: bool = False, file: TextIO | None = None) -> None:
    """Print every problem as ``FILE:ROW:COLUMN: message`` and a summary line."""
    out = file or sys.stdout
    for problem in report.problems:
        if quiet and problem.severity != "error":
            continue
        print(str(problem), file=out)
    if not quiet:
        print(summarize_validation(report), file=out)


def require_valid(path: str) -> ValidationReport:
    """Validate a cohort for a command that needs valid input: on errors, raise ValidationError (exit 2) whose
    lines are the problems; warnings are printed to stderr and the report is returned."""
    report = validate_cohort(path)
    if not report.ok:
        raise ValidationError(report.problems)
    for problem in report.warnings:
        print(str(problem), file=sys.stderr)
    return report
