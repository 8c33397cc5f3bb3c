"""``rmkit pair --shortlist N`` and ``rmkit rounds`` as a user runs them: a fresh process, files in and out, exit
codes and messages."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from ..conftest import file_hashes
from ..helpers.cohort_builder import set_cell, write_tiny_cohort


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"mentor_id": str, "mentee_id": str}, keep_default_na=False)


def test_shortlist_columns_ids_only_and_the_capacity_note(run_rmkit, cohort_copy: Path, tmp_path: Path) -> None:
    before = file_hashes(cohort_copy)
    out = tmp_path / "shortlist.csv"
    done = run_rmkit("pair", cohort_copy, "--shortlist", "3", "--out", out)
    assert done.returncode == 0, done.stderr
    assert file_hashes(cohort_copy) == before, "an input file changed"
    table = _read(out)
    assert list(table.columns) == ["mentee_id", "rank", "mentor_id", "score", "reasons"]
    people = pd.read_csv(cohort_copy / "participants.csv", dtype={"person_id": str})
    text = out.read_text(encoding="utf-8")
    assert not any(name in text for name in people["name"].dropna()) and "@" not in text
    mentees = set(people.loc[people["role"] == "mentee", "person_id"])
    assert set(table["mentee_id"]) == mentees
    assert table.groupby("mentee_id").size().max() == 3
    assert "does not promise a mentor's place" in done.stdout
    assert "preferences.csv" in done.stdout
    # the locked mentee of the example (decisions.csv) gets the mentor they are locked with, alone
    log = pd.read_csv(cohort_copy / "decisions.csv", dtype=str)
    assert "1 locked mentee(s)" in done.stdout
    locked_mentee = table[table["reasons"].str.startswith("locked")]
    assert len(locked_mentee) == 1 and (log["mentee_id"] == locked_mentee["mentee_id"].iloc[0]).any()


def test_shortlist_and_rounds_cells_are_formula_safe(run_rmkit, tmp_path: Path) -> None:
    cohort = write_tiny_cohort(tmp_path / "tiny", skip=("responses", "checkins", "outcomes", "costs", "pairs", "decisions"))
    set_cell(cohort, "participants", 3, "person_id", "@m2")
    set_cell(cohort, "participants", 2, "offers", "=cmd|x; social media")
    set_cell(cohort, "participants", 7, "wants", "=cmd|x")
    for command, out in ((["pair", cohort, "--shortlist", "2"], tmp_path / "shortlist.csv"),
                         (["rounds", cohort, "--rounds", "2"], tmp_path / "rounds.csv")):
        done = run_rmkit(*command, "--out", out)
        assert done.returncode == 0, done.stderr
        with out.open(encoding="utf-8", newline="") as handle:
            cells = [cell for row in csv.reader(handle) for cell in row]
        assert "'@m2" in cells, "the formula-like id is neutralized"
        assert not any(cell.startswith(("=", "+", "@", "-")) for cell in cells)
    assert "offers =cmd|x, which the mentee wants" in (tmp_path / "shortlist.csv").read_text(encoding="utf-8")


def test_shortlist_usage_errors(run_rmkit, cohort_copy: Path, tmp_path: Path) -> None:
    for args, message in ((["--shortlist", "0", "--out", tmp_path / "s.csv"], "1 or more"),
                          (["--shortlist", "3"], "needs --out"),
                          (["--shortlist", "3", "--out", tmp_path / "s.csv", "--publish"], "does not take --publish"),
                          (["--shortlist", "3", "--out", tmp_path / "s.csv", "--strategy", "fair"], "--strategy")):
        done = run_rmkit("pair", cohort_copy, *args)
        assert done.returncode == 2, (args, done.stderr)
        assert message in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "s.csv").exists()


def test_rounds_schedule(run_rmkit, cohort_copy: Path, tmp_path: Path) -> None:
    before = file_hashes(cohort_copy)
    out = tmp_path / "rounds.xlsx"
    done = run_rmkit("rounds", cohort_copy, "--rounds", "3", "--out", out)
    assert done.returncode == 0, done.stderr
    assert file_hashes(cohort_copy) == before
    table = pd.read_excel(out, dtype={"mentor_id": str, "mentee_id": str})
    assert list(table.columns) == ["round", "mentor_id", "mentee_id"]
    assert sorted(set(table["round"])) == [1, 2, 3]
    assert not table.duplicated(["mentor_id", "mentee_id"]).any()
    assert not table.duplicated(["round", "mentee_id"]).any()
    assert "round 1:" in done.stdout and "preferences.csv" in done.stdout


def test_rounds_impossible_exits_2_naming_mentees(run_rmkit, cohort_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "rounds.csv"
    done = run_rmkit("rounds", cohort_copy, "--rounds", "60", "--out", out)
    assert done.returncode == 2
    assert "60 rounds are impossible" in done.stderr and "p41 (" in done.stderr and "Traceback" not in done.stderr
    assert not out.exists()


def test_rounds_refuses_to_overwrite_an_input(run_rmkit, cohort_copy: Path) -> None:
    before = file_hashes(cohort_copy)
    done = run_rmkit("rounds", cohort_copy, "--rounds", "2", "--out", cohort_copy / "participants.csv")
    assert done.returncode == 2 and "overwrite an input" in done.stderr
    assert file_hashes(cohort_copy) == before
    done = run_rmkit("rounds", cohort_copy, "--rounds", "0", "--out", "x.csv")
    assert done.returncode == 2 and "1 or more" in done.stderr
