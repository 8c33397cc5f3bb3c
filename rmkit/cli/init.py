"""``rmkit init DIR``: a new cohort folder from the templates."""

from __future__ import annotations

import argparse

NAME = "init"
HELP = "create a new cohort folder from the templates"
DESCRIPTION = """\
Create a new cohort folder: a commented program.yaml and blank participants, responses, checkins,
outcomes and costs tables with their headers. Refuses to write into an existing folder that is not empty."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folder", metavar="DIR", help="the new cohort folder")
    parser.add_argument("--xlsx", action="store_true", help="write the tables as XLSX (with a README sheet) instead of CSV")


def run(args: argparse.Namespace) -> int:
    from ..cohort.templates import init_cohort

    written = init_cohort(args.folder, xlsx=args.xlsx)
    print(f"created {args.folder}:")
    for path in written:
        print(f"  {path.name}")
    print(f"next: fill in participants, edit program.yaml, then `rmkit validate {args.folder}`")
    return 0
