"""``rmkit rounds COHORT --rounds R --out ROUNDS.csv``: a speed-mentoring schedule."""

from __future__ import annotations

import argparse
import os

NAME = "rounds"
HELP = "a speed-mentoring schedule: every mentee meets a different mentor each round"
DESCRIPTION = """\
Validate the cohort, then plan R speed-mentoring rounds: in each round every mentee meets one mentor (a mentor
meets up to `capacity` mentees at once: the seats at their table), nobody meets the same mentor twice, and the
meetings favour high compatibility (each round an assignment problem with the pairs already met left out).
Rules and the facilitator's forbids are respected; locks are not forced. When a round has fewer seats than mentees,
some mentees sit out that round (those who sat out come first in the next one); the output says who.

--out writes round, mentor_id, mentee_id as CSV or XLSX (by the suffix); person ids only.
After the rounds, people rate whom they would like to work with: those ratings are preferences.csv.

Exit 0 done; 2 bad input, a usage error, or more rounds than some mentee has mentors to meet (each such
mentee is named with how many mentors they may meet)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("cohort", metavar="COHORT", help="the cohort folder")
    parser.add_argument("--rounds", type=int, required=True, metavar="R", help="how many rounds (1 or more)")
    parser.add_argument("--out", required=True, metavar="ROUNDS.csv", help="where to write the schedule (.csv or .xlsx)")


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..cohort.verdict import require_valid
    from ..errors import UsageError
    from .pair import check_output

    if args.rounds < 1:
        raise UsageError(f"--rounds {args.rounds}: give 1 or more rounds")
    check_output("--out", args.out, Path(args.cohort), [])
    report = require_valid(args.cohort)
    cohort = report.cohort
    assert cohort is not None
    out = check_output("--out", args.out, cohort.path, cohort.input_files())
    assert out is not None

    from ..cohort.tables import write_table
    from ..pairing import prepare_pairing
    from ..pairing.speed_mentoring import plan_rounds

    problem = prepare_pairing(cohort.participants, cohort.program, cohort.decisions,
                              decision_rows=cohort.rows.get("decisions"))
    plan = plan_rounds(problem, args.rounds)
    write_table(plan.table(), out, sheet_name="rounds")
    print(f"{cohort.name}: {len(problem.mentor_ids)} mentors, {len(problem.mentee_ids)} mentees")
    for line in plan.summary_lines():
        print(line)
    print(f"wrote {len(plan.schedule)} meetings in {plan.rounds} round(s) to {os.fspath(out)}")
    print("after the rounds, collect who would like to work with whom as preferences.csv (person_id, ranks, rank)")
    return 0
