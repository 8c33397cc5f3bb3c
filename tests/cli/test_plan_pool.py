"""``rmkit plan`` and ``rmkit pool`` as a user runs them; the pooled report is offline and escapes cohort text."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from rmkit.evaluation.planning import PLAN_COLUMNS
from rmkit.evaluation.pooling import POOLED_COLUMNS
from rmkit.runs.sanitize import external_references

from ..conftest import file_hashes
from ..helpers.cohort_builder import write_tiny_cohort

HOSTILE = "<img src=x onerror=alert(1)>"


def test_plan_writes_exactly_its_columns(run_rmkit, tmp_path: Path, example_dir: Path) -> None:
    result = run_rmkit("plan", example_dir, "--out", tmp_path / "plan.csv")
    assert result.returncode == 0, result.stderr
    plan = pd.read_csv(tmp_path / "plan.csv")
    assert list(plan.columns) == PLAN_COLUMNS
    # the example's program.yaml plans digital fluency with expected_sd: 0.8; the other objectives use the first wave
    sources = dict(zip(plan["objective"], plan["sd_source"], strict=True))
    assert sources.pop("digital_fluency") == "expected_sd" and set(sources.values()) == {"first_wave"}
    assert plan.loc[plan["objective"] == "digital_fluency", "sd"].item() == 0.8
    assert "digital_fluency: n = 40" in result.stdout and "detectable change" in result.stdout


def test_plan_of_a_new_cohort_says_no_sd_is_known(run_rmkit, tmp_path: Path) -> None:
    folder = write_tiny_cohort(tmp_path / "t", skip=("responses",))
    result = run_rmkit("plan", folder, "--out", tmp_path / "plan.xlsx")
    assert result.returncode == 0, result.stderr
    assert "no SD known" in result.stdout
    assert run_rmkit("plan", folder, "--out", folder / "participants.csv").returncode == 2  # never an input


def test_pool_two_cohorts(run_rmkit, tmp_path: Path, example_dir: Path) -> None:
    other = shutil.copytree(example_dir, tmp_path / "other")
    program = other / "program.yaml"
    program.write_text(program.read_text().replace("cohort: acme-2025-spring", f'cohort: "{HOSTILE}"'))
    before = file_hashes(other)
    result = run_rmkit("pool", example_dir, other, "--out", tmp_path / "pooled")
    assert result.returncode == 0, result.stderr
    pooled = pd.read_csv(tmp_path / "pooled" / "pooled.csv")
    assert list(pooled.columns) == POOLED_COLUMNS
    assert "change:digital_confidence" in set(pooled["metric"]) and set(pooled["k"]) == {2}
    # the same cohort twice: no heterogeneity, and the pooled estimate is the cohort's own
    assert (pooled["tau2"] == 0).all() and (pooled["i2"] == 0).all()
    inputs = pd.read_csv(tmp_path / "pooled" / "cohorts.csv")
    first = inputs[inputs["metric"] == pooled["metric"].iloc[0]]["estimate"]
    assert pooled["estimate"].iloc[0] == first.iloc[0] or abs(pooled["estimate"].iloc[0] - first.iloc[0]) < 1e-12
    report = (tmp_path / "pooled" / "report.html").read_text(encoding="utf-8")
    assert external_references(report) == [] and "<script" not in report
    assert HOSTILE not in report and "&lt;img src=x onerror=alert(1)&gt;" in report
    assert report.count("<svg") == len(pooled)  # one forest plot per pooled metric
    assert file_hashes(other) == before


def test_pool_usage_errors(run_rmkit, tmp_path: Path, example_dir: Path) -> None:
    one = run_rmkit("pool", example_dir, "--out", tmp_path / "a")
    assert one.returncode == 2 and "two or more" in one.stderr
    twice = run_rmkit("pool", example_dir, example_dir, "--out", tmp_path / "b")
    assert twice.returncode == 2 and "given twice" in twice.stderr
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("keep")
    other = shutil.copytree(example_dir, tmp_path / "other")
    full = run_rmkit("pool", example_dir, other, "--out", tmp_path / "full")
    assert full.returncode == 2 and "not empty" in full.stderr and "Traceback" not in full.stderr
    inside = run_rmkit("pool", example_dir, other, "--out", other / "pooled")
    assert inside.returncode == 2 and "inside the cohort folder" in inside.stderr
