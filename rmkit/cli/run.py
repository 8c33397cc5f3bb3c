"""``rmkit run COHORT [--out DIR] [--phases P ...]``: every phase notebook on one cohort, through papermill."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..runs.results import PhaseResult, RunResult

NAME = "run"
HELP = "run the phase notebooks on a cohort: executed notebooks, tables, report.html and manifest.json"
DESCRIPTION = """\
Validate the cohort, then run each phase notebook (objectives, intake, pairing, checkins, evaluation)
through papermill into a new run folder, runs/<cohort>/<timestamp>/ under the current directory
(or --out DIR, which must be new or empty). The run folder gets the executed notebooks, tables/
(tidy CSVs), figures/, one self-contained report.html and manifest.json (versions, parameters, the
sha256 of every input file, each phase's status and duration). The cohort folder is only read.

A failing phase keeps its executed notebook with the error; the other phases still run.
Exit 0 when every phase ran, 1 when a phase failed, 2 on bad input (one FILE:ROW:COLUMN line per
problem) or a usage error."""


def add_run_options(parser: argparse.ArgumentParser, *, out_help: str) -> None:
    """The options ``run``, ``batch`` and ``demo`` share."""
    from ..runs.execute import DEFAULT_CELL_TIMEOUT

    parser.add_argument("--out", metavar="DIR", help=out_help)
    parser.add_argument("--phases", metavar="P", nargs="+", action="extend",
                        help="run only these phases, by name or number (e.g. --phases intake 4); default: all")
    parser.add_argument("--notebooks", metavar="DIR",
                        help="a folder of phase notebooks named NN_name.ipynb to run instead of rmkit's own")
    parser.add_argument("--cell-timeout", metavar="S", type=_seconds, default=DEFAULT_CELL_TIMEOUT,
                        help=f"seconds one notebook cell may run; 0 for no limit (default {DEFAULT_CELL_TIMEOUT})")


def _seconds(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, found {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more seconds, found {text}")
    return value or None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("cohort", metavar="COHORT", help="the cohort folder")
    add_run_options(parser, out_help="the run folder to create (new or empty); default runs/<cohort>/<timestamp>/")
    parser.add_argument("--no-person-tables", dest="person_tables", action="store_false", default=None,
                        help="leave out per-person tables (tables/scores.csv), for a run folder that is shared; "
                             "default: program.yaml's person_tables (true)")
    parser.add_argument("--kernel-per-phase", action="store_true",
                        help="start a fresh kernel for every phase (default: each phase worker keeps one kernel for "
                             "its phases, cleared between them)")


def run(args: argparse.Namespace) -> int:
    from ..runs.execute import skip_slow_imports

    skip_slow_imports()
    from ..runs.cohort_run import run_cohort

    result = run_cohort(args.cohort, out=args.out, phases=args.phases, notebooks=args.notebooks,
                        cell_timeout=args.cell_timeout, person_tables=args.person_tables,
                        kernel_per_phase=args.kernel_per_phase, **progress_printer())
    print_outcome(result)
    return 0 if result.ok else 1


def progress_printer() -> dict[str, object]:
    """``on_start`` and ``on_phase`` callbacks that print a run's progress, one line per phase."""
    from ..runs.results import display_path

    position: dict[str, int] = {}
    total = [0]

    def on_start(result: RunResult) -> None:
        for line in result.validation_warnings:
            print(line, file=sys.stderr)
        pending = [p.name for p in result.phases if p.status == "pending"]
        position.update({name: k for k, name in enumerate(pending, start=1)})
        total[0] = len(pending)
        print(f"run folder: {display_path(result.run_dir)}", flush=True)

    def on_phase(phase: PhaseResult) -> None:  # phases run at the same time: one line when each ends
        if phase.status != "running":
            print(f"[{position.get(phase.name, 0)}/{total[0]}] {phase.name} … {phase.status} "
                  f"({phase.duration_s or 0:.1f} s)", flush=True)

    return {"on_start": on_start, "on_phase": on_phase}


def print_outcome(result: RunResult) -> None:
    """The per-phase table, where the report and manifest are, then failures and warnings on stderr."""
    from ..runs.results import display_path

    print()
    for line in result.status_table():
        print(line)
    print()
    if result.report is not None:
        print(f"report:   {display_path(result.report)}")
    print(f"manifest: {display_path(result.manifest)}")
    for failure in result.failures:
        for line in failure.lines():
            print(line, file=sys.stderr)
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
