"""``rmkit score`` and ``rmkit metrics`` as a user runs them (a fresh process). Expected figures: the
practitioners' table of issue 4 from answers built by hand (see tests/test_waves.py for the arithmetic), and the
contract of shared/DESIGN.md for columns and exit codes."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
import yaml

from rmkit.cli import main

from ..conftest import file_hashes
from ..evaluation.test_waves import INSTRUMENT, PRACTITIONERS, practitioners_responses

SCORE_HEADER = "person_id,wave,scale,score,n_items"
METRICS_HEADER = "metric,group,wave,n,value,ci_low,ci_high,suppressed"


def test_score(example_dir, tmp_path, run_rmkit):
    before = file_hashes(example_dir)
    out = tmp_path / "scores.csv"
    result = run_rmkit("score", example_dir, "--out", out)
    assert result.returncode == 0, result.stderr
    assert out.read_text(encoding="utf-8").splitlines()[0] == SCORE_HEADER
    scores = pd.read_csv(out)
    # by hand from responses.csv: p01 at baseline answered col1-col4 = 2, 3, 3, 3 (col4 reversed: 6 - 3 = 3) -> 11/4
    row = scores[(scores.person_id == "p01") & (scores.wave == "baseline") & (scores.scale == "collaboration")].iloc[0]
    assert row.score == pytest.approx(2.75) and row.n_items == 4
    assert file_hashes(example_dir) == before
    assert "wrote" in result.stdout


def test_score_xlsx(example_dir, tmp_path):
    out = tmp_path / "scores.xlsx"
    assert main(["score", str(example_dir), "--out", str(out)]) == 0  # in-process: the same entry point, faster
    assert list(pd.read_excel(out).columns) == SCORE_HEADER.split(",")


def test_bad_input_exits_2_with_locations(cohort_copy, tmp_path, run_rmkit):
    responses = cohort_copy / "responses.csv"
    lines = responses.read_text(encoding="utf-8").splitlines()
    cells = lines[3].split(",")
    cells[3] = "7"  # dig1 of spreadsheet row 4
    lines[3] = ",".join(cells)
    responses.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for command in ("score", "metrics"):
        out = tmp_path / f"{command}.csv"
        result = run_rmkit(command, cohort_copy, "--out", out)
        assert result.returncode == 2
        assert "responses.csv:4:dig1: found 7; allowed: 1 to 5" in result.stderr
        assert "Traceback" not in result.stderr and not out.exists()


def test_never_overwrites_an_input(cohort_copy, run_rmkit, capsys):
    before = file_hashes(cohort_copy)
    result = run_rmkit("score", cohort_copy, "--out", cohort_copy / "responses.csv")
    assert result.returncode == 2 and "never overwrites its inputs" in result.stderr
    assert main(["metrics", str(cohort_copy), "--out", str(cohort_copy / "participants.csv")]) == 2
    assert "never overwrites its inputs" in capsys.readouterr().err
    assert main(["metrics", str(cohort_copy), "--out", str(cohort_copy / "metrics.txt")]) == 2
    assert "must be a .csv or .xlsx file" in capsys.readouterr().err
    assert file_hashes(cohort_copy) == before


def test_metrics(example_dir, tmp_path, run_rmkit):
    out = tmp_path / "metrics.csv"
    result = run_rmkit("metrics", example_dir, "--out", out)
    assert result.returncode == 0, result.stderr
    text = out.read_text(encoding="utf-8").splitlines()
    assert text[0] == METRICS_HEADER
    table = pd.read_csv(out)
    suppressed = table[table.suppressed]
    assert len(suppressed) and suppressed[["value", "ci_low", "ci_high"]].isna().all().all()
    assert (suppressed.n < 5).any()
    assert table[table.metric == "roi_percent"].wave.isna().all()
    legal = [line for line in text if ",department=Legal," in line]
    assert legal and all(line.endswith(",,,,True") for line in legal)  # n kept, value and CI empty
    reliable = table[table.metric.str.startswith(("rci_improved:", "rci_worse:"))]
    assert set(reliable.group) == {"all", "role=mentor", "role=mentee"} and set(reliable.wave) == {"month12"}
    assert reliable.loc[~reliable.suppressed, "value"].between(0, 100).all()  # percentages


def test_metrics_rebuild_the_practitioners_table(example_dir, tmp_path, run_rmkit):
    """The "before / 6 months / 12 months" spreadsheet of issue 4, as a cohort folder run through the command line."""
    folder = tmp_path / "practice"
    folder.mkdir()
    waves = ["before", "month6", "month12"]
    (folder / "practice.yaml").write_text(INSTRUMENT, encoding="utf-8")
    program = {"program": "Practice", "instrument": "practice.yaml", "waves": waves, "min_group_size": 5}
    (folder / "program.yaml").write_text(yaml.safe_dump(program), encoding="utf-8")
    ids = [f"p{k:03d}" for k in range(100)]
    pd.DataFrame({"person_id": ids, "role": ["mentor", "mentee"] * 50, "department": ["Sales"] * 98 + ["Legal"] * 2,
                  "offers": "social media", "wants": "strategy"}).to_csv(folder / "participants.csv", index=False)
    responses = practitioners_responses()
    responses["wave"] = responses["wave"].map(dict(zip(["before", "6 months", "12 months"], waves, strict=True)))
    responses.to_csv(folder / "responses.csv", index=False)
    out = tmp_path / "metrics.csv"
    result = run_rmkit("metrics", folder, "--out", out)
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(out)
    overall = table[(table.group == "all") & table.metric.isin(["collaboration", "satisfaction"])]
    renamed = {"before": "before", "month6": "6 months", "month12": "12 months"}
    got = {(r.metric, renamed[r.wave]): r.value for r in overall.itertuples()}
    assert got == pytest.approx(PRACTITIONERS)
    # the 2-person Legal department is hidden, and so is Sales, from which Legal = all - Sales would follow
    departments = table[table.group.str.startswith("department=") & (table.metric == "collaboration")]
    assert departments.suppressed.all() and departments.value.isna().all()
    shutil.rmtree(folder)
