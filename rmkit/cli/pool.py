"""``rmkit pool COHORT... --out DIR``: the effects several cohorts share, pooled by a random-effects meta-analysis."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

NAME = "pool"
HELP = "pool the effects several cohorts share (random-effects meta-analysis) into pooled.csv and report.html"
DESCRIPTION = """\
Validate every cohort, compute each one's metrics table, and pool, across cohorts, every metric that
two or more of them publish: change:<scale> for the whole cohort and did:<scale> (against the
comparison group) where present. Random effects, DerSimonian-Laird (tau^2 truncated at 0, as metafor);
each cohort's standard error from its 95% CI. DIR (new or empty) gets pooled.csv (metric, k, n,
estimate, ci_low, ci_high, tau2, i2, method), cohorts.csv (what each cohort contributed), a forest
plot per metric in figures/ and an offline report.html. Suppressed groups take no part.
Exit 0 when done, 2 on bad input or usage (fewer than two cohorts, a cohort given twice, a DIR that
is not empty)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("cohorts", metavar="COHORT", nargs="+", help="cohort folders (two or more)")
    parser.add_argument("--out", metavar="DIR", required=True, help="a new or empty folder for the pooled results")


def prepare_out(out: str, cohorts: list[Any], *, command: str = "rmkit pool") -> Path:
    """The output folder, after checking it is new or empty and not inside a cohort folder (shared by the commands
    that write a folder of results: ``pool``, ``simulate``)."""
    from ..errors import UsageError

    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder}: exists and is not a folder")
    if folder.is_dir() and any(folder.iterdir()):
        raise UsageError(f"{folder}: already exists and is not empty; {command} never overwrites earlier results")
    target = folder.resolve()
    for cohort in cohorts:
        root = cohort.path.resolve()
        if target == root or root in target.parents:
            raise UsageError(f"{folder}: is inside the cohort folder {cohort.path}; rmkit never writes into a cohort")
    return folder


def run(args: argparse.Namespace) -> int:
    from ..cohort import validate_cohort
    from ..errors import UsageError, ValidationError
    from ..evaluation.pooling import pool_cohorts
    from ..runs.pool_report import write_pooled

    if len(args.cohorts) < 2:
        raise UsageError("rmkit pool needs two or more cohort folders")
    reports = [validate_cohort(path) for path in args.cohorts]
    problems = [p for r in reports if not r.ok for p in r.problems]
    if problems:
        raise ValidationError(problems)
    for report in reports:
        for problem in report.warnings:
            print(str(problem), file=sys.stderr)
    cohorts = [r.cohort for r in reports]
    out = prepare_out(args.out, cohorts)
    try:
        result = pool_cohorts(cohorts)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    out.mkdir(parents=True, exist_ok=True)
    report = write_pooled(result, out)
    for row in result.pooled.itertuples(index=False):
        print(f"{row.metric}: {row.k} cohorts, n = {row.n}: {row.estimate:.2f} [{row.ci_low:.2f}, {row.ci_high:.2f}], "
              f"tau2 {row.tau2:.3f}, I2 {row.i2:.0f}%")
    for note in result.notes:
        print(f"not pooled: {note}")
    print(f"pooled {len(result.pooled)} metric(s) of {len(cohorts)} cohorts; report: {report}")
    return 0
