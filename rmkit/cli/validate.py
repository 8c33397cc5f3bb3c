"""``rmkit validate COHORT``: check every input file and report every problem."""

from __future__ import annotations

import argparse

NAME = "validate"
HELP = "check every file of a cohort folder and report every problem"
DESCRIPTION = """\
Check every file of a cohort folder against the data contract and print every problem,
one line each: FILE:ROW:COLUMN: message (the header is row 1). Warnings do not fail validation.
Exit 0 when the cohort is valid, 2 when it has errors. Files are only read, never changed."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("cohort", metavar="COHORT", help="the cohort folder")
    parser.add_argument("-q", "--quiet", action="store_true", help="print errors only, not warnings or the summary")


def run(args: argparse.Namespace) -> int:
    from ..cohort import validate_cohort
    from ..cohort.verdict import print_validation

    report = validate_cohort(args.cohort)
    if report.cohort is not None and report.cohort.preferences is not None:
        from contextlib import suppress

        from ..errors import RmkitError
        from ..pairing.rule_report import cohort_rank_warnings

        # ranks of partners the rules exclude (needs the rules applied: a warning, never an error);
        # contradictory locks are `rmkit pair`'s to report
        with suppress(RmkitError):
            report.problems.extend(cohort_rank_warnings(report.cohort))
    print_validation(report, quiet=args.quiet)
    return 0 if report.ok else 2
