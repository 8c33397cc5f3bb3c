"""``rmkit intro COHORT --out DIR``: the facilitator's introduction kit for the published pairs."""

from __future__ import annotations

import argparse

NAME = "intro"
HELP = "introduce the published pairs: a brief, a calendar file and a mail-merge row per pair (personal data)"
DESCRIPTION = """\
Validate the cohort, then write the introduction kit of its published pairs (pairs.csv) into DIR, a new or
empty folder:
  briefs/<mentor_id>-<mentee_id>.html    a printable page per pair: names, why they were matched, what each
                                         offers the other, conversation starters, a mentoring agreement
  calendar/<mentor_id>-<mentee_id>.ics   the first coffee chat (within checkins.first_meeting_within_days of
                                         start_date, in a shared slot) and a meeting every checkin_every_weeks
                                         until the planned end, both people invited
  calendar/facilitator-checkins.ics      the facilitator's check-ins (program.yaml: feedback)
  mailmerge.csv                          one row per person and pair: name, e-mail, role, partner, brief,
                                         calendar, first meeting
These files hold names and e-mail addresses: they are for the facilitator only. The cohort folder is only read.

Exit 0 done; 2 bad input (one FILE:ROW:COLUMN line per problem), no published pairs, or a usage error."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("cohort", metavar="COHORT", help="the cohort folder (with a published pairs.csv)")
    parser.add_argument("--out", metavar="DIR", required=True, help="the folder to write the kit into (new or empty)")


def run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from ..cohort.verdict import require_valid
    from ..errors import UsageError
    from ..kit.intro_kit import build_intro_kit, write_intro_kit

    report = require_valid(args.cohort)
    cohort = report.cohort
    out = Path(args.out).resolve()
    if out == cohort.path.resolve() or cohort.path.resolve() in out.parents:
        raise UsageError(f"--out {args.out}: is inside the cohort folder; write the kit elsewhere (it holds personal data)")
    kit = build_intro_kit(cohort)
    written = write_intro_kit(kit, out)
    print(f"{cohort.name}: {len(kit.briefs)} pairs introduced in {args.out}")
    print(f"  {len(kit.briefs)} briefs (briefs/), {len(kit.briefs) + 1} calendar files (calendar/), "
          f"mailmerge.csv with {len(kit.mailmerge)} rows; {len(written)} files")
    for note in kit.notes:
        print(f"  note: {note}")
    print("  these files hold names and e-mail addresses: keep them to the facilitator and each pair")
    return 0
