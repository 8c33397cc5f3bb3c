"""``rmkit run`` as users meet it: progress, the status table, exit codes 0 / 1 / 2, runs that never overwrite."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ..conftest import file_hashes
from ..helpers.cohort_builder import set_cell
from ..helpers.phase_notebooks import PRINTS, RAISES_IN_THIRD_CELL, write_notebooks

pytestmark = pytest.mark.notebook


@pytest.fixture
def notebooks(tmp_path: Path) -> Path:
    return write_notebooks(tmp_path / "nb", {"01_prints.ipynb": PRINTS, "02_fails.ipynb": RAISES_IN_THIRD_CELL})


def test_run_with_a_failing_phase_exits_1_and_says_where(run_rmkit, tmp_path: Path, cohort_copy: Path, notebooks: Path) -> None:
    before = file_hashes(cohort_copy)
    result = run_rmkit("run", cohort_copy, "--notebooks", notebooks, cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    assert "run folder: runs/acme-2025-spring/" in out
    assert "[1/2] prints … ok (" in out and "[2/2] fails … failed (" in out
    assert any(line.split()[:3] == ["01", "prints", "ok"] for line in out.splitlines())
    assert any(line.split()[:3] == ["02", "fails", "failed"] for line in out.splitlines())
    report = next(line.split()[-1] for line in out.splitlines() if line.startswith("report:"))
    assert (tmp_path / report).is_file()
    assert ('phase fails failed at cell 3 (In [4]: raise ValueError("boom in the third cell")): '
            "ValueError: boom in the third cell") in result.stderr
    assert "the executed notebook keeps the error: runs/acme-2025-spring/" in result.stderr
    assert "Traceback" not in out + result.stderr
    assert file_hashes(cohort_copy) == before


def test_runs_never_overwrite(run_rmkit, tmp_path: Path, cohort_copy: Path, notebooks: Path) -> None:
    first = run_rmkit("run", cohort_copy, "--notebooks", notebooks, "--phases", "prints", "--out", "one", cwd=tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    kept = file_hashes(tmp_path / "one")
    again = run_rmkit("run", cohort_copy, "--notebooks", notebooks, "--phases", "1", "--out", "one", cwd=tmp_path)
    assert again.returncode == 2
    assert "one: already exists and is not empty; a run never overwrites another" in again.stderr
    assert file_hashes(tmp_path / "one") == kept
    manifest = json.loads((tmp_path / "one" / "manifest.json").read_text(encoding="utf-8"))
    assert [(p["name"], p["status"], p["reason"]) for p in manifest["phases"]] == [
        ("prints", "ok", ""), ("fails", "skipped", "not selected")]
    # without --out, two runs of the same second get two folders
    runs = [run_rmkit("run", cohort_copy, "--notebooks", notebooks, "--phases", "prints", cwd=tmp_path) for _ in range(2)]
    assert [r.returncode for r in runs] == [0, 0]
    folders = sorted((tmp_path / "runs" / "acme-2025-spring").iterdir())
    assert len(folders) == 2 and all((f / "report.html").is_file() for f in folders)


def test_invalid_cohort_exits_2_with_the_problems(run_rmkit, tmp_path: Path, cohort_copy: Path, notebooks: Path) -> None:
    set_cell(cohort_copy, "costs", 3, "confidence", "2")
    result = run_rmkit("run", cohort_copy, "--notebooks", notebooks, cwd=tmp_path)
    assert result.returncode == 2
    assert "costs.csv:3:confidence: found 2; allowed: 0 to 1" in result.stderr.splitlines()
    assert "Traceback" not in result.stderr and not (tmp_path / "runs").exists()


@pytest.mark.parametrize("args, message", [
    (["--phases", "nope"], "unknown phase 'nope'; the phases are: 01 prints, 02 fails"),
    (["--cell-timeout", "soon"], "expected a number of seconds"),
])
def test_usage_errors_exit_2(run_rmkit, tmp_path: Path, example_dir: Path, notebooks: Path, args: list[str], message: str) -> None:
    result = run_rmkit("run", example_dir, "--notebooks", notebooks, *args, cwd=tmp_path)
    assert result.returncode == 2 and message in result.stderr
    assert not (tmp_path / "runs").exists()


def test_missing_cohort_folder_exits_2(run_rmkit, tmp_path: Path) -> None:
    result = run_rmkit("run", tmp_path / "nope", cwd=tmp_path)
    assert (result.returncode, result.stderr.strip()) == (2, f"{tmp_path / 'nope'}: no such cohort folder")
