"""``rmkit score COHORT --out SCORES.csv``: scale scores per person, wave and scale."""

from __future__ import annotations

import argparse

NAME = "score"
HELP = "score survey responses into scale scores (person_id, wave, scale, score, n_items)"
DESCRIPTION = """\
Validate the cohort, then score responses.csv with the cohort's instrument: reverse-coded items
turned round, a score when at least min_answered of a scale's items are answered, each scale scored
as its instrument says (mean, prorated sum, POMP, or the mean for percent-favourable scales).
Writes one row per person, wave and scale: person_id, wave, scale, score, n_items (items answered).
The output is .csv or .xlsx by its suffix; input files are never overwritten.
Exit 0 when done, 2 on bad input (one FILE:ROW:COLUMN line per problem)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("cohort", metavar="COHORT", help="the cohort folder")
    parser.add_argument("--out", metavar="SCORES.csv", required=True, help="where to write the scores (.csv or .xlsx)")


def run(args: argparse.Namespace) -> int:
    from ..cohort.tables import write_table
    from ..cohort.verdict import require_valid
    from ..errors import UsageError
    from ..evaluation.scoring import SCORE_COLUMNS, score_responses
    from ._output import output_path

    cohort = require_valid(args.cohort).cohort
    assert cohort is not None
    out = output_path(args.out, cohort.input_files())
    if cohort.responses is None:
        raise UsageError(f"{cohort.path}: has no responses.csv; scoring needs survey responses")
    scores = score_responses(cohort.responses, cohort.instrument, waves=cohort.program.waves)[SCORE_COLUMNS]
    write_table(scores, out, sheet_name="scores")
    people = scores["person_id"].nunique()
    print(f"wrote {len(scores)} scale scores ({people} people, {scores['wave'].nunique()} waves, "
          f"{scores['scale'].nunique()} scales) to {out}")
    return 0
