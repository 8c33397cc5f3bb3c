"""``rmkit plan COHORT --out PLAN.csv``: is the cohort big enough to see its targets?"""

from __future__ import annotations

import argparse

NAME = "plan"
HELP = "plan the evaluation: the change each scale objective can detect, and the power to detect its target"
DESCRIPTION = """\
Validate the cohort, then, for each objective measured by a survey scale: the people who will be
measured (n: the participants whose learning the scale describes), the SD used (the objective's
expected_sd in program.yaml, else the SD of the first wave's scores when responses exist; sd_source
says which, or `none`: then no detectable change is given), the target_change, the minimum
detectable change (mde) of a paired t-test at 80% power and alpha 0.05, and the power to detect the
target (power_at_target). Columns: objective, measure, n, sd, sd_source, target_change, mde,
power_at_target. The output is .csv or .xlsx by its suffix; input files are never overwritten.
Exit 0 when done, 2 on bad input (one FILE:ROW:COLUMN line per problem)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("cohort", metavar="COHORT", help="the cohort folder")
    parser.add_argument("--out", metavar="PLAN.csv", required=True, help="where to write the plan (.csv or .xlsx)")


def run(args: argparse.Namespace) -> int:
    from ..cohort.tables import write_table
    from ..cohort.verdict import require_valid
    from ..evaluation.planning import plan_table, undetectable_targets
    from ._output import output_path

    cohort = require_valid(args.cohort).cohort
    assert cohort is not None
    out = output_path(args.out, cohort.input_files())
    plan = plan_table(cohort)
    write_table(plan, out, sheet_name="plan")
    if plan.empty:
        print(f"{cohort.name}: no objective is measured by a survey scale, so there is nothing to plan; wrote {out}")
        return 0
    for row in plan.itertuples(index=False):
        if row.sd_source == "none":
            print(f"{row.objective}: n = {row.n}; no SD known (give objectives[].expected_sd in program.yaml, "
                  "or collect the first wave), so no detectable change")
            continue
        target = "" if row.target_change != row.target_change else (
            f"; target {row.target_change:g} detected with power {row.power_at_target:.2f}")
        print(f"{row.objective}: n = {row.n}, sd {row.sd:.2f} ({row.sd_source.replace('_', ' ')}): "
              f"detectable change {row.mde:.2f}{target}")
    small = undetectable_targets(plan)
    if not small.empty:
        print(f"warning: {len(small)} target(s) below the detectable change: {', '.join(small['objective'])}")
    print(f"wrote the plan of {len(plan)} objective(s) to {out}")
    return 0
