"""``rmkit demo``: every phase on the bundled example cohort, and where to look next."""

from __future__ import annotations

import argparse
import shlex

from .run import add_run_options

NAME = "demo"
HELP = "run every phase on the bundled example cohort and say where the report is"
DESCRIPTION = """\
Run every phase notebook on the bundled example cohort (synthetic people and figures) into
runs/<cohort>/<timestamp>/ under the current directory (or --out DIR), then print where the report is
and how to open the facilitator dashboards on a copy of the example cohort (written into the run folder, so that
locks and published pairs never touch the bundled original). Exit codes as for `rmkit run`."""

BOARDS = ("pairing", "checkins", "evaluation")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_run_options(parser, out_help="the run folder to create (new or empty); default runs/<cohort>/<timestamp>/")


def run(args: argparse.Namespace) -> int:
    from ..runs.execute import skip_slow_imports

    skip_slow_imports()
    from ..resources import example_cohort_dir
    from ..runs.cohort_run import run_cohort
    from ..runs.results import display_path
    from .run import print_outcome, progress_printer

    cohort = example_cohort_dir()
    print(f"rmkit demo: the example cohort {cohort.name} (synthetic people) through every phase", flush=True)
    result = run_cohort(cohort, out=args.out, phases=args.phases, notebooks=args.notebooks,
                        cell_timeout=args.cell_timeout, **progress_printer())
    print_outcome(result)
    if result.report is not None:
        print(f"\nOpen the report in any browser (it works offline and can be e-mailed):\n"
              f"  {result.report.as_uri()}")
    # The dashboards write decisions and published pairs into their cohort folder: give them a copy of the example
    # inside the run folder, never the bundled original.
    import shutil

    playground = result.run_dir / "example-cohort"
    shutil.copytree(cohort, playground)
    print("\nThe facilitator dashboards, on a copy of the example cohort in the run folder (your locks, forbids and")
    print("published pairs go there; stop each dashboard with Ctrl-C):")
    for board in BOARDS:
        print(f"  rmkit dashboard {board} {shlex.quote(display_path(playground))}")
    print(f"\nEverything the run wrote is in {display_path(result.run_dir)}/; the cohort folder was only read.")
    return 0 if result.ok else 1
