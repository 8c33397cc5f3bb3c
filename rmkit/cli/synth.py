"""``rmkit synth DIR --mentors N --mentees M --seed S``: a synthetic cohort folder, paired by rmkit's own pairing."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any

NAME = "synth"
HELP = "generate a synthetic cohort folder (fictional people), seeded, any size"
DESCRIPTION = """\
Generate a cohort folder with every file of the data contract: fictional participants, survey responses over
the waves, outcomes with a comparison group (some of whom answer the survey too, and drop out of later waves more
often than participants), costs, and published pairs with their check-ins and decisions.
The published pairs are what rmkit's pairing proposes for the cohort (with its decisions), so every phase tells
one consistent story. The same seed gives the same folder. Refuses a folder that exists and is not empty.

Exit 0 done; 2 a usage error (nothing is written)."""


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {value}")
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative: {value}")
    return value


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0 <= value < 0.5:
        raise argparse.ArgumentTypeError(f"must be from 0 to under 0.5: {value}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("folder", metavar="DIR", help="the new cohort folder (must not exist, or be empty)")
    parser.add_argument("--mentors", type=_positive, default=40, metavar="N", help="number of mentors (default 40)")
    parser.add_argument("--mentees", type=_positive, default=40, metavar="M", help="number of mentees (default 40)")
    parser.add_argument("--seed", type=int, default=0, metavar="S", help="random seed (default 0)")
    parser.add_argument("--name", help="the cohort id in program.yaml (default: the folder's name)")
    parser.add_argument("--comparison-respondents", type=_count, default=None, metavar="C",
                        help="comparison people who answer the survey (default: as many as the participants; 0: none)")
    parser.add_argument("--comparison-attrition", type=_share, default=0.10, metavar="A",
                        help="share of comparison respondents lost per later wave (default 0.10)")
    parser.add_argument("--xlsx", action="store_true", help="write the tables as XLSX instead of CSV")


def propose_published_pairs(tables: dict[str, Any], program: dict[str, Any]) -> Any:
    """The pairs rmkit's pairing proposes for a generated cohort's participants (and decisions), as published."""
    from ..cohort import load_cohort
    from ..cohort.synthetic import SyntheticCohort, write_cohort
    from ..pairing import propose_pairs

    with tempfile.TemporaryDirectory(prefix="rmkit-synth-") as folder:
        draft = write_cohort(SyntheticCohort(name=str(program.get("cohort", "")), program=program, tables=dict(tables)),
                             Path(folder) / "draft")
        return propose_pairs(load_cohort(draft)).pairs_table()


def generate_folder(folder: str | Path, *, mentors: int, mentees: int, seed: int, name: str | None = None,
                    xlsx: bool = False, comparison_respondents: int | None = None,
                    comparison_attrition: float = 0.10) -> Path:
    """What ``rmkit synth`` does, in Python: refuse a non-empty folder, generate, pair with rmkit, write."""
    from ..cohort.synthetic import generate_cohort, write_cohort
    from ..errors import UsageError

    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder}: exists and is not a folder")
    if folder.is_dir() and any(folder.iterdir()):
        raise UsageError(f"{folder}: the folder exists and is not empty; choose a new folder (nothing was changed)")
    cohort = generate_cohort(n_mentors=mentors, n_mentees=mentees, seed=seed, name=name or folder.resolve().name,
                             pair_with=propose_published_pairs, comparison_respondents=comparison_respondents,
                             comparison_attrition=comparison_attrition)
    return write_cohort(cohort, folder, xlsx=xlsx)


def run(args: argparse.Namespace) -> int:
    folder = generate_folder(args.folder, mentors=args.mentors, mentees=args.mentees, seed=args.seed, name=args.name,
                             xlsx=args.xlsx, comparison_respondents=args.comparison_respondents,
                             comparison_attrition=args.comparison_attrition)
    print(f"created {folder}: {args.mentors} mentors, {args.mentees} mentees (seed {args.seed}); "
          f"next: `rmkit validate {folder}`")
    return 0
