"""``rmkit metrics COHORT --out METRICS.csv``: the tidy metrics table."""

from __future__ import annotations

import argparse

NAME = "metrics"
HELP = "compute the program metrics table (metric, group, wave, n, value, ci_low, ci_high, suppressed)"
DESCRIPTION = """\
Validate the cohort, then compute every program metric in one tidy table: each scale per wave and
group (all, role=..., department=...), Cronbach's alpha (alpha:<scale>), the paired change from the
first to the last wave (change:<scale>), retention at 12 months (participant, comparison) and
Phillips ROI (costs, benefits, bcr, roi_percent). Rows with fewer than min_group_size people keep
their n but no value (suppressed = true); within a breakdown (the departments of one metric and wave)
more groups are hidden until the hidden ones number at least min_group_size people together, so no
hidden value can be recovered by subtraction.
The output is .csv or .xlsx by its suffix; input files are never overwritten.
Exit 0 when done, 2 on bad input (one FILE:ROW:COLUMN line per problem)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("cohort", metavar="COHORT", help="the cohort folder")
    parser.add_argument("--out", metavar="METRICS.csv", required=True, help="where to write the table (.csv or .xlsx)")


def run(args: argparse.Namespace) -> int:
    from ..cohort.tables import write_table
    from ..cohort.verdict import require_valid
    from ..evaluation.metrics_table import metrics_table
    from ._output import output_path

    cohort = require_valid(args.cohort).cohort
    assert cohort is not None
    out = output_path(args.out, cohort.input_files())
    table = metrics_table(cohort)
    write_table(table, out, sheet_name="metrics")
    print(f"wrote {len(table)} metrics ({int(table['suppressed'].sum())} suppressed: fewer than "
          f"{cohort.program.min_group_size} people, or hidden with them so that none can be recovered) to {out}")
    return 0
