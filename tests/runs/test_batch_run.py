"""``rmkit batch``: cohorts in parallel processes; one cohort's failure never stops the others."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ..conftest import file_hashes
from ..helpers.cohort_builder import set_cell
from ..helpers.phase_notebooks import FAILS_FOR_SOME_COHORTS, PRINTS, write_notebooks

pytestmark = pytest.mark.notebook


@pytest.fixture
def cohorts(tmp_path: Path, example_dir: Path) -> dict[str, Path]:
    """Copies of the example cohort whose folder names steer FAILS_FOR_SOME_COHORTS; one of them invalid."""
    made = {name: shutil.copytree(example_dir, tmp_path / name) for name in ("good", "invalid", "failing", "crash")}
    set_cell(made["invalid"], "participants", 3, "role", "boss")
    return made


def test_batch_with_an_invalid_a_failing_and_a_crashing_cohort(run_rmkit, tmp_path: Path, cohorts: dict[str, Path]) -> None:
    notebooks = write_notebooks(tmp_path / "nb", {"01_maybe.ipynb": FAILS_FOR_SOME_COHORTS})
    before = {name: file_hashes(folder) for name, folder in cohorts.items()}
    order = ["good", "invalid", "failing", "crash", "good"]
    result = run_rmkit("batch", *order, "--workers", "2", "--out", "out", "--notebooks", notebooks, cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    table = result.stdout.strip().splitlines()
    header = table.index(next(line for line in table if line.startswith("cohort")))
    rows = [line.split()[:2] for line in table[header + 1: header + 6]]
    assert rows == [["good", "ok"], ["invalid", "invalid"], ["failing", "failed"], ["crash", "crashed"], ["good", "ok"]]
    assert "2 of 5 cohorts ran without a failure" in result.stdout
    assert "invalid: participants.csv:3:role: found 'boss'; allowed: mentor, mentee" in result.stderr
    assert "failing: phase maybe failed at cell 2" in result.stderr and "RuntimeError: this phase fails for failing" in result.stderr
    assert "crash: the worker process stopped unexpectedly" in result.stderr
    assert "5/5" in result.stderr and "phase" in result.stderr  # the progress bar

    runs = sorted((tmp_path / "out" / "acme-2025-spring").iterdir())
    manifests = [json.loads((run / "manifest.json").read_text(encoding="utf-8")) for run in runs]
    by_cohort = {Path(m["cohort"]["path"]).name: [] for m in manifests}
    for manifest in manifests:
        by_cohort[Path(manifest["cohort"]["path"]).name].append(manifest["status"])
    # the same cohort twice gets two run folders; the crashed run's manifest says so
    assert by_cohort == {"good": ["ok", "ok"], "failing": ["failed"], "crash": ["crashed"]}
    reports = [line.split()[-1] for line in table[header + 1: header + 6]]
    assert [Path(tmp_path / r).is_file() for r in reports if r != "-"] == [True, True, True]
    assert {name: file_hashes(folder) for name, folder in cohorts.items()} == before


def test_batch_of_bad_input_only_exits_2(run_rmkit, tmp_path: Path, cohorts: dict[str, Path]) -> None:
    notebooks = write_notebooks(tmp_path / "nb", {"01_prints.ipynb": PRINTS})
    result = run_rmkit("batch", "invalid", "no-such-folder", "--notebooks", notebooks, cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "no-such-folder: " in result.stderr and "no such cohort folder" in result.stderr
    assert not (tmp_path / "runs").exists()


@pytest.mark.parametrize("args, message", [
    (["--workers", "0"], "--workers 0: expected 1 or more"),
    (["--phases", "nope"], "unknown phase 'nope'"),
])
def test_batch_usage_errors(run_rmkit, tmp_path: Path, cohorts: dict[str, Path], args: list[str], message: str) -> None:
    result = run_rmkit("batch", "good", *args, cwd=tmp_path)
    assert result.returncode == 2 and message in result.stderr
    assert not (tmp_path / "runs").exists()


def test_workers_run_in_separate_processes(tmp_path: Path, example_dir: Path) -> None:
    """Two cohorts with two workers: each is run by a different process, and neither by the caller's."""
    import os

    from rmkit.runs.batch_run import run_batch

    notebooks = write_notebooks(tmp_path / "nb", {"01_pid.ipynb": [
        PRINTS[0], ("code", 'import os\nfrom pathlib import Path\nPath("runner.pid").write_text(str(os.getppid()))', [])]})
    result = run_batch([example_dir, example_dir], workers=2, runs_dir=tmp_path / "runs", notebooks=notebooks,
                       progress=False)
    assert [o.status for o in result.outcomes] == ["ok", "ok"] and result.exit_code == 0
    pids = {int((o.run_dir / "runner.pid").read_text()) for o in result.outcomes}
    assert len(pids) == 2 and os.getpid() not in pids


def test_a_batch_of_two_cohorts_ends_with_their_pooled_report(run_rmkit, tmp_path: Path, example_dir: Path) -> None:
    notebooks = write_notebooks(tmp_path / "nb", {"01_prints.ipynb": PRINTS})
    other = shutil.copytree(example_dir, tmp_path / "other")
    program = other / "program.yaml"
    program.write_text(program.read_text().replace("cohort: acme-2025-spring", "cohort: second-site"))
    result = run_rmkit("batch", example_dir, other, "--out", "out", "--notebooks", notebooks, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    reports = list((tmp_path / "out" / "pooled").glob("*/report.html"))
    assert len(reports) == 1 and (reports[0].parent / "pooled.csv").is_file()
    assert "pooled report of the cohorts that ran: " in result.stdout
    assert str(reports[0].relative_to(tmp_path)) in result.stdout or reports[0].name in result.stdout
