"""``rmkit batch COHORT... [--workers N] [--out DIR] [--scheduler ADDRESS]``: many cohorts in parallel processes,
on this machine or as tasks of a Dask cluster."""

from __future__ import annotations

import argparse
import sys

from .run import add_run_options

NAME = "batch"
HELP = "run the phase notebooks on many cohorts in parallel; one failure does not stop the others"
DESCRIPTION = """\
Run every cohort as `rmkit run` would, each in its own process, --workers at a time (default: one
per cohort, at most one per CPU). Each run goes to runs/<cohort>/<timestamp>/ (or DIR/<cohort>/<timestamp>/
with --out DIR). A progress bar counts the phases done; at the end a summary shows each cohort's
status (ok, failed, invalid, crashed), duration and report. An invalid cohort, a failing phase or a
crashed worker never stops the others. When two or more cohorts ran, the batch ends with their pooled
report (as `rmkit pool`) in runs/pooled/<timestamp>/ (or DIR/pooled/<timestamp>/); the summary says where.

With --scheduler ADDRESS (tcp://host:8786, or a scheduler file written by `dask scheduler
--scheduler-file`), each cohort is a task of that Dask cluster instead (--workers is then the
cluster's). --out must be a folder every worker sees at the same path (a shared file system), and so
must the cohort folders: it is checked first by having each worker write a marker file there. A cohort
whose worker was lost is run again once, elsewhere. The summary and each run's manifest name the
worker that ran it.

Exit 0 when every cohort ran, 1 when a run failed or crashed, 2 when the only problems were bad input."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("cohorts", metavar="COHORT", nargs="+", help="cohort folders")
    parser.add_argument("--workers", metavar="N", type=int, default=None,
                        help="cohorts run at the same time (default: min(cohorts, CPUs))")
    parser.add_argument("--scheduler", metavar="ADDRESS", default=None,
                        help="run each cohort as a task of this Dask cluster (tcp://host:port or a scheduler file)")
    add_run_options(parser, out_help="where run folders go: DIR/<cohort>/<timestamp>/ (default runs/)")


def run(args: argparse.Namespace) -> int:
    from ..runs.execute import skip_slow_imports

    skip_slow_imports()
    from ..runs.batch_run import run_batch

    result = run_batch(args.cohorts, workers=args.workers, runs_dir=args.out, phases=args.phases,
                       notebooks=args.notebooks, cell_timeout=args.cell_timeout,
                       scheduler=args.scheduler)
    print()
    for line in result.summary_table():
        print(line)
    ok = sum(o.status == "ok" for o in result.outcomes)
    print(f"\n{ok} of {len(result.outcomes)} cohorts ran without a failure in {result.duration_s:.1f} s")
    if result.pooled_report is not None:
        from ..runs.results import display_path

        print(f"pooled report of the cohorts that ran: {display_path(result.pooled_report)}")
    for message in result.pool_messages:
        print(f"pooled report: {message}", file=sys.stderr)
    for outcome in result.outcomes:
        for message in outcome.messages:
            print(f"{outcome.cohort}: {message}", file=sys.stderr)
    return result.exit_code
