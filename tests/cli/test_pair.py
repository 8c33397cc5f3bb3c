"""``rmkit pair`` as a user runs it: a fresh process, files in and out, exit codes and messages."""

from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import linear_sum_assignment

from ..conftest import file_hashes, rmkit_env


def _matrix(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype={"mentor_id": str}).set_index("mentor_id")


def _capacity(cohort: Path) -> pd.Series:
    people = pd.read_csv(cohort / "participants.csv", dtype={"person_id": str})
    mentors = people[people["role"] == "mentor"].set_index("person_id")
    return mentors["capacity"].fillna(1).astype(int)


def _best_on_matrix(matrix: pd.DataFrame, capacity: pd.Series, locks: list[tuple[str, str]]) -> tuple[int, float]:
    """(most pairs, best total) on an exported matrix, as an outside checker would compute it: fix the locks,
    expand mentors into places, one linear_sum_assignment with a big bonus per allowed cell (scipy)."""
    free = matrix.copy()
    cap = capacity.reindex(matrix.index).fillna(1).astype(int).copy()
    total_locked = 0.0
    for m, e in locks:
        total_locked += matrix.loc[m, e]
        cap[m] -= 1
        free = free.drop(columns=e)
    rows = np.repeat(np.arange(len(free)), cap.clip(lower=0).to_numpy())
    values = free.to_numpy()[rows]
    allowed = ~np.isnan(values)
    gain = np.where(allowed, np.nan_to_num(values) + 2 * min(values.shape) + 1, 0.0)
    r, c = linear_sum_assignment(gain, maximize=True)
    keep = allowed[r, c]
    return len(locks) + int(keep.sum()), total_locked + float(values[r[keep], c[keep]].sum())


def test_pair_writes_pairs_and_matrix(run_rmkit, cohort_copy: Path, tmp_path: Path) -> None:
    before = file_hashes(cohort_copy)
    out, matrix_out = tmp_path / "pairs.csv", tmp_path / "matrix.csv"
    done = run_rmkit("pair", cohort_copy, "--out", out, "--matrix-out", matrix_out)
    assert done.returncode == 0, done.stderr
    assert "strategy optimal: 39 pairs" in done.stdout
    assert "p40 (mentor): capacity 0" in done.stdout
    assert file_hashes(cohort_copy) == before, "an input file changed"

    pairs = pd.read_csv(out, dtype={"mentor_id": str, "mentee_id": str})
    assert list(pairs.columns[:5]) == ["mentor_id", "mentee_id", "score", "locked", "reasons"]
    text = out.read_text(encoding="utf-8")
    people = pd.read_csv(cohort_copy / "participants.csv")
    assert not any(name in text for name in people["name"]) and "@" not in text

    matrix = _matrix(matrix_out)
    assert matrix_out.read_text(encoding="utf-8").split(",", 1)[0] == "mentor_id"
    assert list(matrix.index) == sorted(people.loc[people["role"] == "mentor", "person_id"])
    assert list(matrix.columns) == sorted(people.loc[people["role"] == "mentee", "person_id"])
    # score = the matrix cell, exactly
    for row in pairs.itertuples():
        assert row.score == matrix.loc[row.mentor_id, row.mentee_id]
    # the rules of the example (different_department, no_reporting_line) and its forbid leave cells empty
    log = pd.read_csv(cohort_copy / "decisions.csv", dtype=str)
    forbid = tuple(log.loc[log["action"] == "forbid", ["mentor_id", "mentee_id"]].iloc[0])
    lock = list(log.loc[log["action"] == "lock", ["mentor_id", "mentee_id"]].iloc[0])
    by_id = people.set_index("person_id")
    for m in matrix.index:
        for e in matrix.columns:
            same_department = by_id.loc[m, "department"] == by_id.loc[e, "department"]
            reporting = by_id.loc[m, "manager_id"] == e or by_id.loc[e, "manager_id"] == m
            forbidden = (m, e) == forbid
            assert np.isnan(matrix.loc[m, e]) == (same_department or reporting or forbidden), (m, e)
    # the lock is kept, capacities hold, and the pairing is optimal on the exported matrix
    locked = pairs[pairs["locked"]]
    assert locked[["mentor_id", "mentee_id"]].values.tolist() == [lock]
    capacity = _capacity(cohort_copy)
    assert (pairs["mentor_id"].value_counts() <= capacity.reindex(pairs["mentor_id"].unique())).all()
    assert pairs["mentee_id"].is_unique
    most, best = _best_on_matrix(matrix, capacity, [tuple(lock)])
    assert len(pairs) == most and pairs["score"].sum() == pytest.approx(best, abs=1e-9)


def test_pair_fair_to_xlsx(run_rmkit, cohort_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "pairs.xlsx"
    done = run_rmkit("pair", cohort_copy, "--out", out, "--strategy", "fair")
    assert done.returncode == 0, done.stderr
    assert "strategy fair:" in done.stdout
    pairs = pd.read_excel(out)
    assert list(pairs.columns[:5]) == ["mentor_id", "mentee_id", "score", "locked", "reasons"] and len(pairs) == 39


def test_publish_keeps_history_and_logs(run_rmkit, cohort_copy: Path) -> None:
    before = file_hashes(cohort_copy)
    old = (cohort_copy / "pairs.csv").read_bytes()
    first = run_rmkit("pair", cohort_copy, "--publish", "--by", "Ann", "--note", "kick-off")
    assert first.returncode == 0, first.stderr
    assert "the proposal is the 39 published pairs, unchanged" in first.stdout
    refused = run_rmkit("pair", cohort_copy, "--publish", "--strategy", "stable")  # ends more than a quarter
    assert refused.returncode == 2 and "not published" in refused.stderr and "--replace" in refused.stderr
    assert len(list(cohort_copy.glob("pairs.*.csv"))) == 1
    second = run_rmkit("pair", cohort_copy, "--publish", "--strategy", "stable", "--replace")
    assert second.returncode == 0, second.stderr
    assert "ended:" in second.stdout and "new:" in second.stdout
    history = sorted(cohort_copy.glob("pairs.*.csv"))
    assert len(history) == 2 and history[0].read_bytes() == old
    after = file_hashes(cohort_copy)
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {"pairs.csv", "decisions.csv"} and set(after) - set(before) == {h.name for h in history} | {".decisions.lock"}
    with open(cohort_copy / "decisions.csv", encoding="utf-8") as handle:
        log = list(csv.DictReader(handle))
    assert [(r["action"], r["by"], r["note"]) for r in log[-2:]] == [("publish", "Ann", "39 pairs; kick-off"), ("publish", "facilitator", "39 pairs")]
    from rmkit.cohort import validate_cohort

    assert validate_cohort(cohort_copy).ok


def _tiny_cohort(folder: Path, rows: list[str], rules: str = "{different_department: true}") -> Path:
    folder.mkdir()
    (folder / "program.yaml").write_text(f"program: Tiny\npairing:\n  rules: {rules}\n", encoding="utf-8")
    header = "person_id,role,department,offers,wants,capacity"
    (folder / "participants.csv").write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return folder


def test_infeasible_cohort_exits_2_without_traceback(run_rmkit, tmp_path: Path) -> None:
    cohort = _tiny_cohort(tmp_path / "tiny", ["m1,mentor,IT,AI tools,,1", "e1,mentee,IT,,AI tools,"])
    done = run_rmkit("pair", cohort, "--out", tmp_path / "out.csv")
    assert done.returncode == 2
    assert "no pair can be formed" in done.stderr and "same department rules out 1 of 1 pairs" in done.stderr
    assert "Traceback" not in done.stderr and not (tmp_path / "out.csv").exists()


def test_contradictory_locks_exit_2(run_rmkit, cohort_copy: Path, tmp_path: Path) -> None:
    log = pd.read_csv(cohort_copy / "decisions.csv", dtype=str)
    mentor, mentee = log.loc[log["action"] == "lock", ["mentor_id", "mentee_id"]].iloc[0]  # row 2 of the file
    other = "p02" if mentor != "p02" else "p03"
    with open(cohort_copy / "decisions.csv", "a", encoding="utf-8") as handle:
        handle.write(f"2025-02-22T10:00:00+00:00,facilitator,lock,{other},{mentee},\n")  # row 5
    done = run_rmkit("pair", cohort_copy, "--out", tmp_path / "out.csv")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    mentors = ", ".join(sorted([mentor, other]))
    rows = ", ".join("2" if m == mentor else "5" for m in sorted([mentor, other]))  # in the order of the mentors
    assert f"mentee {mentee} is locked with 2 mentors ({mentors}) (decisions rows {rows})" in done.stderr


def test_lock_over_a_rule_is_a_warning(run_rmkit, tmp_path: Path) -> None:
    cohort = _tiny_cohort(tmp_path / "tiny", ["m1,mentor,IT,AI tools,,1", "e1,mentee,IT,,AI tools,"])
    (cohort / "decisions.csv").write_text("at,by,action,mentor_id,mentee_id,note\n,x,lock,m1,e1,\n", encoding="utf-8")
    done = run_rmkit("pair", cohort, "--out", tmp_path / "out.csv")
    assert done.returncode == 0, done.stderr
    assert "warning: locked pair m1–e1 overrides the rule: same department" in done.stderr


def test_bad_input_lists_every_problem(run_rmkit, tmp_path: Path) -> None:
    cohort = _tiny_cohort(tmp_path / "tiny", ["m1,mentr,IT,AI tools,,1", "e1,mentee,HR,,AI tools,-1"])
    done = run_rmkit("pair", cohort, "--out", tmp_path / "out.csv")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "participants.csv:2:role: found 'mentr'" in done.stderr
    assert "participants.csv:3:capacity:" in done.stderr


@pytest.mark.parametrize("args, message", [
    (["--out", "{cohort}/participants.csv"], "would overwrite an input file"),
    (["--out", "{cohort}/pairs.xlsx"], "would overwrite an input file"),
    (["--matrix-out", "{cohort}/Responses.XLSX", "--out", "{tmp}/a.csv"], "would overwrite an input file"),
    (["--out", "{tmp}/pairs.txt"], "must end in .csv or .xlsx"),
    (["--out", "{tmp}/no/such/folder/a.csv"], "does not exist"),
    (["--out", "{tmp}/a.csv", "--matrix-out", "{tmp}/a.csv"], "same file"),
    ([], "give --out PAIRS.csv, --publish, or both"),
    (["--out", "{tmp}/a.csv", "--strategy", "best"], "invalid choice: 'best'"),
])
def test_usage_errors_exit_2(cohort_copy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    """In-process through rmkit.cli.main (the same entry point as the console script), to keep the suite fast."""
    from rmkit.cli import main

    before = file_hashes(cohort_copy)
    filled = [a.format(cohort=cohort_copy, tmp=tmp_path) for a in args]
    try:
        code = main(["pair", str(cohort_copy), *filled])
    except SystemExit as exc:  # argparse's own usage errors
        code = exc.code
    assert code == 2 and message in capsys.readouterr().err
    assert file_hashes(cohort_copy) == before and not (tmp_path / "a.csv").exists()


def test_usage_error_in_a_fresh_process(run_rmkit, cohort_copy: Path, tmp_path: Path) -> None:
    done = run_rmkit("pair", cohort_copy, "--out", cohort_copy / "participants.csv")
    assert done.returncode == 2 and "would overwrite an input file" in done.stderr and "Traceback" not in done.stderr


def test_import_rmkit_does_not_import_scipy() -> None:
    code = "import sys, rmkit; rmkit.load_cohort; import rmkit.cli; print('scipy' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], env=rmkit_env(), capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "False", done.stderr


def test_publish_prints_what_changes_and_refuses_a_large_replacement(run_rmkit, cohort_copy: Path) -> None:
    """Before, one publish replaced 35 of 39 running pairs silently. Published pairs p1..: swap the mentees of
    all 39 published pairs around (a ring), so a publish of the proposal ends 39 of 39 (100%)."""
    published = pd.read_csv(cohort_copy / "pairs.csv", dtype=str)
    ring = published.assign(mentee_id=list(published["mentee_id"].iloc[1:]) + [published["mentee_id"].iloc[0]])
    ring.to_csv(cohort_copy / "pairs.csv", index=False)
    before = file_hashes(cohort_copy)
    refused = run_rmkit("pair", cohort_copy, "--publish")
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "against the 39 published pairs: 0 kept, 39 ended, 39 new (100% of the running pairs replaced)" in refused.stderr
    assert "more than 25% of the running pairs would end" in refused.stderr
    assert file_hashes(cohort_copy) == before  # nothing written
    assert run_rmkit("pair", cohort_copy, "--out", cohort_copy.parent / "p.csv", "--replace").returncode == 2  # --publish only
    done = run_rmkit("pair", cohort_copy, "--publish", "--replace")
    assert done.returncode == 0, done.stderr
    assert "published pairs.csv: against the 39 published pairs: 0 kept, 39 ended, 39 new" in done.stdout


def test_robustness_column_in_this_process_and_on_a_scheduler(run_rmkit, example_dir: Path, tmp_path: Path) -> None:
    """``--robustness DRAWS`` adds the share of seeded perturbed re-solves that keep each pair to ``--out`` (the
    figures of :func:`rmkit.pairing.robustness.pair_robustness`, seed 0); ``--scheduler`` gives the same file from
    a Dask scheduler with two worker processes; the cohort is not touched."""
    distributed = pytest.importorskip("distributed")
    from rmkit.cohort import load_cohort
    from rmkit.pairing import propose_pairs
    from rmkit.pairing.robustness import pair_robustness

    before = file_hashes(example_dir)
    local = tmp_path / "local.csv"
    done = run_rmkit("pair", str(example_dir), "--out", str(local), "--robustness", "40")
    assert done.returncode == 0, done.stderr
    table = pd.read_csv(local)
    expected = pair_robustness(propose_pairs(load_cohort(example_dir)), draws=40, seed=0)
    merged = table.merge(expected, on=["mentor_id", "mentee_id"], suffixes=("", "_expected"))
    assert len(merged) == len(table) and np.allclose(merged["robustness"], merged["robustness_expected"])
    assert table["robustness"].between(0, 1).all()
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
        remote = tmp_path / "remote.csv"
        done = run_rmkit("pair", str(example_dir), "--out", str(remote), "--robustness", "40",
                         "--scheduler", cluster.scheduler_address)
        assert done.returncode == 0, done.stderr
    assert remote.read_bytes() == local.read_bytes()
    assert file_hashes(example_dir) == before


@pytest.mark.parametrize("extra, message", [
    (["--robustness", "-1"], "--robustness -1: give the number of re-solves"),
    (["--scheduler", "tcp://127.0.0.1:9"], "--scheduler only applies with --robustness DRAWS"),
])
def test_robustness_options_are_checked(run_rmkit, example_dir: Path, tmp_path: Path, extra, message) -> None:
    done = run_rmkit("pair", str(example_dir), "--out", str(tmp_path / "p.csv"), *extra)
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "p.csv").exists()
