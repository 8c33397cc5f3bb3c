"""``rmkit simulate`` as a user runs it: the files it writes, its offline report, and its usage errors (exit 2, one
clear line, no traceback)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from rmkit.evaluation.power_simulation import POWER_COLUMNS
from rmkit.runs.sanitize import external_references

from ..conftest import file_hashes
from ..helpers.cohort_builder import write_tiny_cohort


@pytest.mark.slow
def test_simulate_writes_power_design_and_an_offline_report(run_rmkit, tmp_path: Path, example_dir: Path) -> None:
    cohort = shutil.copytree(example_dir, tmp_path / "cohort")
    before = file_hashes(cohort)
    out = tmp_path / "power"
    result = run_rmkit("simulate", cohort, "--reps", "2", "--seed", "3", "--out", out)
    assert result.returncode == 0, result.stderr
    power = pd.read_csv(out / "power.csv")
    assert list(power.columns) == POWER_COLUMNS
    assert list(dict.fromkeys(power["objective"])) == ["digital_fluency", "business_insight", "collaboration"]
    assert set(power["estimator"]) == {"paired_change", "did", "mixed"} and (power["reps"] == 2).all()
    design = pd.read_csv(out / "design.csv")
    assert set(design["sd_source"]) == {"data"} and set(design["attrition_source"]) == {"data"}
    report = (out / "report.html").read_text(encoding="utf-8")
    assert external_references(report) == [] and "<script" not in report
    assert report.count("<svg") == 3 and "estimated from this cohort" in report
    assert "digital_fluency: 40 mentees measured, 80 comparison people" in result.stdout
    assert file_hashes(cohort) == before
    again = run_rmkit("simulate", cohort, "--reps", "2", "--seed", "3", "--out", out)
    assert again.returncode == 2 and "never overwrites" in again.stderr  # an earlier run is kept
    assert pd.read_csv(out / "power.csv").equals(power)


@pytest.mark.parametrize("args, message", [
    (["--reps", "0"], "argument --reps: expected a whole number, 1 or more; found '0'"),
    (["--reps", "many"], "argument --reps: expected a whole number"),
    (["--reps", "5", "--effect", "0"], "argument --effect: expected a finite number other than 0"),
    (["--reps", "5", "--seed", "-1"], "argument --seed: expected a whole number, 0 or more"),
])
def test_bad_options_exit_2(run_rmkit, tmp_path: Path, example_dir: Path, args: list[str], message: str) -> None:
    result = run_rmkit("simulate", example_dir, *args, "--out", tmp_path / "out")
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "out").exists()


def test_a_cohort_without_scale_objectives_exits_2(run_rmkit, tmp_path: Path) -> None:
    folder = write_tiny_cohort(tmp_path / "t")
    program = folder / "program.yaml"
    program.write_text(program.read_text().replace("measure: skills", "measure: retention_12m"))
    result = run_rmkit("simulate", folder, "--reps", "5", "--out", tmp_path / "out")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "program.yaml:objectives: no objective is measured by a survey scale" in result.stderr, result.stderr


def test_a_cohort_without_a_survey_design_exits_2(run_rmkit, tmp_path: Path) -> None:
    folder = write_tiny_cohort(tmp_path / "t", skip=("responses",))  # no responses and no expected_sd: no SD known
    result = run_rmkit("simulate", folder, "--reps", "5", "--out", tmp_path / "out")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "program.yaml:objectives: no scale objective has a survey design to simulate" in result.stderr
    assert "grow: no SD is known" in result.stderr and not (tmp_path / "out").exists()


@pytest.mark.slow
@pytest.mark.parametrize("address, message", [
    ("tcp://127.0.0.1:9", "cannot reach the Dask scheduler"),
    ("no-such-file.json", "expected a scheduler address such as tcp://host:8786"),
])
def test_an_unreachable_scheduler_exits_2(run_rmkit, tmp_path: Path, example_dir: Path, address: str,
                                          message: str) -> None:
    result = run_rmkit("simulate", example_dir, "--reps", "5", "--scheduler", address, "--out", tmp_path / "out",
                       timeout=120)
    assert result.returncode == 2 and f"--scheduler {address}: " in result.stderr and message in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "out").exists()


def test_the_report_escapes_cohort_text(example_dir: Path) -> None:
    from rmkit.cohort import load_cohort
    from rmkit.evaluation.power_simulation import simulate_power
    from rmkit.runs.power_report import build_power_report

    hostile = "<img src=x onerror=alert(1)>"
    result = simulate_power(load_cohort(example_dir), reps=1, curve=(0, 1), estimators=["paired_change"])
    result.notes.append(hostile)
    page = build_power_report(result, cohort=hostile, svgs={})
    assert hostile not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
    assert external_references(page) == [] and "<script" not in page
    assert "paired change" in page and "difference-in-differences</dt>" not in page  # only the estimators simulated


def test_a_simulation_in_this_process_asks_for_one_blas_thread_unless_the_user_chose() -> None:
    """BLAS reads its thread settings once, when numpy loads: a fresh process shows what ``one_blas_thread`` does."""
    import subprocess
    import sys

    from ..conftest import rmkit_env

    code = ("import os, sys; from rmkit.cli.simulate import one_blas_thread; print(one_blas_thread(), "
            "os.environ.get('OPENBLAS_NUM_THREADS'), 'numpy' in sys.modules)")
    env = {k: v for k, v in rmkit_env().items() if k not in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}
    fresh = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert fresh.stdout.split() == ["True", "1", "False"]
    chosen = subprocess.run([sys.executable, "-c", code], env={**env, "OMP_NUM_THREADS": "2"}, capture_output=True,
                            text=True, check=True)
    assert chosen.stdout.split() == ["False", "None", "False"]
