"""``rmkit pair COHORT --out PAIRS.csv [--strategy S] [--matrix-out M.csv] [--publish]``: propose pairs;
``rmkit pair COHORT --shortlist N --out SHORTLIST.csv``: each mentee's N best allowed mentors instead."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..cohort import Cohort

NAME = "pair"
HELP = "propose mentor–mentee pairs, explain them, and optionally publish them"
DESCRIPTION = """\
Validate the cohort, then propose pairs with the strategy of program.yaml (or --strategy):
  optimal  as many pairs as the rules allow, then the highest total compatibility
  fair     as many pairs as possible, then the highest worst pair, then the highest total
  stable   no mentor and mentee who would both rather be together
Rules, capacities and the facilitator's decisions (decisions.csv: lock, forbid, unlock, unforbid) are respected.

--out writes the pairs (mentor_id, mentee_id, score, locked, reasons, the five components, below_threshold)
as CSV or XLSX (by the suffix); no names or e-mails. --matrix-out writes the mentor x mentee compatibility matrix:
rows mentor_id, one column per mentee_id, an empty cell where a rule or a decision forbids the pair.
--publish writes pairs.csv into the cohort folder (keeping the previous one as pairs.<timestamp>.csv) and logs a
publish decision (an empty .decisions.lock file guards concurrent writers); nothing else in the cohort folder
is ever changed. When pairs are already published, the proposal is compared with them (kept, ended, new pairs);
a publication that would end more than a quarter of the running pairs is refused (exit 2, nothing written)
unless --replace is given.

--shortlist N writes, instead of pairs, each mentee's N best allowed mentors to --out (mentee_id, rank,
mentor_id, score, reasons), so that mentees can choose; rules, forbids and capacity 0 are respected, and a
locked mentee's shortlist is the mentor they are locked with. A shortlist does not promise a mentor's place: a
mentor may be on many shortlists. The picks come back as preferences.csv (or as lock decisions).

Exit 0 done; 2 bad input (one FILE:ROW:COLUMN line per problem), an infeasible cohort, a usage error or a
cohort folder that cannot be written (--publish); 1 when writing failed part-way (a full disk: nothing is
left half-written)."""


STRATEGIES = ("optimal", "fair", "stable")  # = rmkit.cohort.config.STRATEGIES, without importing pydantic for --help


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("cohort", metavar="COHORT", help="the cohort folder")
    parser.add_argument("--out", metavar="PAIRS.csv", help="where to write the proposed pairs (.csv or .xlsx)")
    parser.add_argument("--strategy", choices=STRATEGIES, help="override pairing.strategy of program.yaml")
    parser.add_argument("--matrix-out", metavar="M.csv", help="where to write the compatibility matrix (.csv or .xlsx)")
    parser.add_argument("--publish", action="store_true", help="publish the pairs as the cohort's pairs.csv")
    parser.add_argument("--replace", action="store_true",
                        help="with --publish: publish even if it ends more than a quarter of the running pairs")
    parser.add_argument("--by", default="facilitator", help="who publishes (recorded in decisions.csv; default: facilitator)")
    parser.add_argument("--note", default="", help="a note recorded with the publish decision")
    parser.add_argument("--robustness", type=int, metavar="DRAWS", default=0,
                        help="add a robustness column to --out: the share of DRAWS re-solves with the weights "
                             "perturbed (each ×U(0.8, 1.2), seeded) that keep each pair (the pairing phase uses 300)")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="with --robustness: run the re-solves on this Dask scheduler (tcp://host:8786 or a "
                             "scheduler file); the same pairs and robustness as in this process")
    parser.add_argument("--shortlist", type=int, metavar="N",
                        help="write each mentee's N best allowed mentors to --out instead of pairs")


def check_output(option: str, value: str | None, cohort_dir: Path, inputs: list[Path]) -> Path | None:
    from ..cohort.schemas import TABLES
    from ..errors import UsageError

    if value is None:
        return None
    path = Path(value)
    if path.suffix.casefold() not in {".csv", ".xlsx"}:
        raise UsageError(f"{option} {value}: the file name must end in .csv or .xlsx")
    if path.exists() and path.is_dir():
        raise UsageError(f"{option} {value}: is a folder; give a file name")
    resolved = path.resolve()
    protected = {p.resolve() for p in inputs}
    in_cohort = resolved.parent == cohort_dir.resolve()
    stem = resolved.name.rsplit(".", 1)[0].casefold()
    if resolved in protected or (in_cohort and stem in TABLES):
        raise UsageError(f"{option} {value}: would overwrite an input file of the cohort; write elsewhere "
                         "(use --publish to publish pairs.csv into the cohort folder)")
    if not path.parent.exists():
        raise UsageError(f"{option} {value}: the folder {path.parent} does not exist")
    return path


def run(args: argparse.Namespace) -> int:
    from ..cohort.verdict import require_valid
    from ..errors import UsageError

    if args.shortlist is not None:
        if args.shortlist < 1:
            raise UsageError(f"--shortlist {args.shortlist}: give 1 or more mentors per mentee")
        if args.out is None:
            raise UsageError("--shortlist N needs --out SHORTLIST.csv")
        clashing = [option for option, given in (("--publish", args.publish), ("--replace", args.replace),
                                                 ("--strategy", args.strategy is not None)) if given]
        if clashing:
            raise UsageError(f"--shortlist writes a shortlist, not pairs: it does not take {', '.join(clashing)}")
    if args.out is None and not args.publish:
        raise UsageError("rmkit pair: give --out PAIRS.csv, --publish, or both")
    if args.robustness < 0:
        raise UsageError(f"--robustness {args.robustness}: give the number of re-solves, 1 or more")
    if (args.robustness or args.scheduler) and (args.out is None or args.shortlist is not None):
        raise UsageError("--robustness and --scheduler add a column to the proposed pairs: they need --out PAIRS.csv "
                         "(and no --shortlist)")
    if args.scheduler and not args.robustness:
        raise UsageError("--scheduler only applies with --robustness DRAWS")
    cohort_dir = Path(args.cohort)
    # cheap checks first (a usage error should not wait for validation), then against the files actually read
    for option, value in (("--out", args.out), ("--matrix-out", args.matrix_out)):
        check_output(option, value, cohort_dir, [])
    if args.out is not None and args.matrix_out is not None and Path(args.out).resolve() == Path(args.matrix_out).resolve():
        raise UsageError("--out and --matrix-out name the same file")
    report = require_valid(args.cohort)
    cohort = report.cohort
    assert cohort is not None
    if args.publish:  # before anything is written: a read-only cohort cannot take the publication
        from ..cohort.publishing import cohort_read_only
        from ..errors import ReadOnlyError

        reason = cohort_read_only(cohort.path)
        if reason is not None:
            raise ReadOnlyError(f"cannot publish pairs: {reason}; nothing was written. Publish from a copy of the "
                                "cohort in a folder you can write to, or ask for write access")
    inputs = cohort.input_files()
    out = check_output("--out", args.out, cohort.path, inputs)
    matrix_out = check_output("--matrix-out", args.matrix_out, cohort.path, inputs)

    from ..cohort.publishing import publish_pairs
    from ..pairing import MAX_REPLACED_SHARE, compare_with_published, propose_pairs

    if args.replace and not args.publish:
        raise UsageError("--replace only applies with --publish")
    if args.shortlist is not None:
        return _write_shortlist(args, cohort, out, matrix_out)
    result = propose_pairs(cohort, strategy=args.strategy)
    table = result.pairs_table()
    changes = compare_with_published(cohort.pairs, table)
    if args.publish and changes.needs_replace and not args.replace:
        raise UsageError("\n".join([
            f"not published: {changes.headline()}; more than {100 * MAX_REPLACED_SHARE:.0f}% of the running pairs would "
            "end. Check the list, then publish with --replace to replace them (nothing was written)",
            *changes.lines(limit=10)[1:]]))
    # write first, then report: a closed stdout (`| head`) must not lose the files
    done = []
    if out is not None:
        from ..cohort.tables import write_table

        # the published pairs.csv keeps its columns; only the file of --out gains the robustness
        write_table(_with_robustness(table, result, args) if args.robustness else table, out, sheet_name="pairs")
        done.append(f"wrote {len(table)} pairs to {os.fspath(out)}")
    if matrix_out is not None:
        result.export_matrix(matrix_out)
        done.append(f"wrote the {len(result.problem.mentor_ids)} x {len(result.problem.mentee_ids)} matrix to {os.fspath(matrix_out)}")
    if args.publish:
        publication = publish_pairs(cohort.path, table, by=args.by, note=args.note)
        kept = f" (the previous one is kept as {publication.history_path.name})" if publication.history_path else ""
        done.append(f"published {publication.pairs_path}{kept}; logged a publish decision")
    for warning in result.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    from ..pairing.rule_report import ranked_but_ruled_out

    rows, file = cohort.rows.get("preferences"), cohort.files["preferences"].name if "preferences" in cohort.files else ""
    for problem in ranked_but_ruled_out(result.problem, cohort.preferences, rows=rows, file=file or "preferences.csv"):
        print(str(problem), file=sys.stderr)
    print(f"{cohort.name}: {len(result.problem.mentor_ids)} mentors, {len(result.problem.mentee_ids)} mentees")
    published = [] if changes.first_publication else [f"published pairs.csv: {line.strip()}" if k == 0 else line
                                                       for k, line in enumerate(changes.lines(limit=10))]
    for line in [*result.summary_lines(), *published, *done]:
        print(line)
    return 0


def _with_robustness(table: Any, result: Any, args: argparse.Namespace) -> Any:
    """The proposed pairs with ``robustness`` (0–1) from ``args.robustness`` seeded re-solves, on ``--scheduler``
    when given (seed 0, as the pairing phase: the same figures in this process or on a cluster)."""
    from ..pairing.robustness import pair_robustness, with_robustness

    client = None
    if args.scheduler:
        from ..runs.dask_batch import connect

        client = connect(args.scheduler)
    try:
        return with_robustness(table, pair_robustness(result, draws=args.robustness, seed=0, client=client))
    finally:
        if client is not None:
            client.close()


def _write_shortlist(args: argparse.Namespace, cohort: Cohort, out: Path, matrix_out: Path | None) -> int:
    from ..cohort.tables import write_table
    from ..pairing import prepare_pairing
    from ..pairing.shortlist import shortlist, shortlist_gaps

    # the cohort itself: its levels, and its earlier cycles (a repeat is not offered when repeats are forbidden)
    problem = prepare_pairing(cohort, decisions=cohort.decisions, decision_rows=cohort.rows.get("decisions"))
    problem.check_feasible()
    table = shortlist(problem, args.shortlist)
    write_table(table, out, sheet_name="shortlist")
    if matrix_out is not None:
        write_table(problem.matrix.reset_index(), matrix_out, sheet_name="matrix")
    n_e = len(problem.mentee_ids)
    locked = int(problem.constraints.locked.any(axis=0).sum())
    print(f"{cohort.name}: {len(problem.mentor_ids)} mentors, {n_e} mentees")
    print(f"wrote a shortlist of up to {args.shortlist} mentors for each of {n_e} mentees ({len(table)} rows) "
          f"to {os.fspath(out)}")
    if locked:
        print(f"{locked} locked mentee(s): their shortlist is the mentor they are locked with")
    gaps = shortlist_gaps(problem, table, args.shortlist)
    if len(gaps):
        listed = ", ".join(f"{r.mentee_id} ({r.offered})" for r in gaps.head(20).itertuples())
        more = f" and {len(gaps) - 20} more" if len(gaps) > 20 else ""
        print(f"fewer than {args.shortlist} allowed mentors (how many in brackets): {listed}{more}")
    if matrix_out is not None:
        print(f"wrote the {len(problem.mentor_ids)} x {n_e} matrix to {os.fspath(matrix_out)}")
    print("note: a shortlist does not promise a mentor's place; a mentor may be on many shortlists. "
          "Collect the picks as preferences.csv (person_id, ranks, rank) or as lock decisions, then run rmkit pair")
    return 0
