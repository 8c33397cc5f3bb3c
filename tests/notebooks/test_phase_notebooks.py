"""Every phase notebook executed with papermill: on the example cohort, on a tiny cohort whose groups are all under
the minimum size, and on a bare cohort without any optional file. Plain `papermill NB OUT -p cohort_dir X -p
output_dir Y`, as an analyst runs it, in separate processes (two at a time)."""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from ..conftest import REPO, file_hashes, rmkit_env
from ..helpers.cohort_builder import set_cell, write_tiny_cohort

NOTEBOOKS = sorted((REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
PHASES = [p.stem for p in NOTEBOOKS]


def _cohorts(root: Path, example: Path) -> dict[str, Path]:
    small = write_tiny_cohort(root / "small")  # every group under min_group_size: everything suppressed
    program = small / "program.yaml"
    program.write_text(program.read_text().replace("min_group_size: 2", "min_group_size: 5"))
    bare = write_tiny_cohort(root / "bare", skip=("responses", "checkins", "outcomes", "costs", "pairs", "decisions"))
    return {"example": example, "small": small, "bare": bare}


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory, example_dir: Path) -> dict[tuple[str, str], dict]:
    root = tmp_path_factory.mktemp("notebooks")
    cohorts = _cohorts(root / "cohorts", example_dir)
    before = {name: file_hashes(folder) for name, folder in cohorts.items()}
    jobs = [(cohort, phase) for cohort in cohorts for phase in PHASES]

    def run(job: tuple[str, str]) -> tuple[tuple[str, str], dict]:
        cohort, phase = job
        out = root / "runs" / cohort
        out.mkdir(parents=True, exist_ok=True)
        result = subprocess.run(
            [sys.executable, "-m", "papermill", str(REPO / "notebooks" / f"{phase}.ipynb"), str(out / f"{phase}.ipynb"),
             "-p", "cohort_dir", str(cohorts[cohort]), "-p", "output_dir", str(out), "-k", "python3", "--cwd", str(out)],
            capture_output=True, text=True, env=rmkit_env(), timeout=600,
        )
        return job, {"returncode": result.returncode, "stderr": result.stderr, "out": out, "notebook": out / f"{phase}.ipynb"}

    with ThreadPoolExecutor(max_workers=2) as pool:  # each job is its own papermill process
        results = dict(pool.map(run, jobs))
    for name, folder in cohorts.items():
        assert file_hashes(folder) == before[name], f"a notebook changed the input files of {name}"
    return results


def _outputs_text(notebook: Path) -> str:
    cells = json.loads(notebook.read_text())["cells"]
    return "\n".join(json.dumps(c.get("outputs", [])) for c in cells if c["cell_type"] == "code")


@pytest.mark.notebook
@pytest.mark.parametrize("cohort", ["example", "small", "bare"])
@pytest.mark.parametrize("phase", PHASES)
def test_notebook_runs(executed, phase: str, cohort: str) -> None:
    run = executed[(cohort, phase)]
    assert run["returncode"] == 0, run["stderr"][-3000:]
    text = _outputs_text(run["notebook"])
    assert '"output_type": "error"' not in text
    assert "Traceback" not in text
    assert "PosixPath(" not in text and str(run["out"]) not in text  # no local paths in what a report shows


@pytest.mark.notebook
def test_no_names_or_emails_in_outputs(executed, example_dir: Path) -> None:
    import pandas as pd

    people = pd.read_csv(example_dir / "participants.csv", dtype=str)
    for phase in PHASES:
        text = _outputs_text(executed[("example", phase)]["notebook"])
        for value in [*people["name"], *people["email"]]:
            assert value not in text, f"{phase} shows {value!r}"
        for table in (executed[("example", phase)]["out"] / "tables").glob("*.csv"):
            content = table.read_text()
            assert not any(v in content for v in people["email"]), table.name
            assert not any(v in content for v in people["name"]), table.name


@pytest.mark.notebook
def test_missing_optional_files_are_said_in_one_line(executed) -> None:
    text = _outputs_text(executed[("bare", "04_checkins")]["notebook"])
    assert "No `checkins.csv` in this cohort" in text
    text = _outputs_text(executed[("bare", "05_evaluation")]["notebook"])
    assert "No `outcomes.csv` in this cohort" in text and "No `costs.csv` in this cohort" in text


@pytest.mark.notebook
def test_small_groups_are_suppressed_in_the_written_metrics(executed) -> None:
    import pandas as pd

    metrics = pd.read_csv(executed[("small", "05_evaluation")]["out"] / "tables" / "metrics.csv")
    survey = metrics[metrics["n"].notna()]
    assert not survey.empty and survey["suppressed"].all() and survey["value"].isna().all()


@pytest.mark.notebook
def test_tables_written(executed) -> None:
    tables = {p.name for phase in PHASES for p in (executed[("example", phase)]["out"] / "tables").glob("*.csv")}
    assert {"readiness.csv", "composition.csv", "pair_health.csv", "metrics.csv", "scores.csv"} <= tables


def _infeasible_cohort(folder: Path) -> Path:
    """The tiny cohort with everyone in one department: the rules allow no pair at all."""
    write_tiny_cohort(folder, skip=("pairs", "decisions", "checkins"))
    for row in range(2, 8):
        set_cell(folder, "participants", row, "department", "Sales")
    return folder


KERNEL_START_FAILURES = ("kernel_info", "Kernel died", "Address already in use")


def _papermill(notebook: str, cohort: Path, out: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Plain papermill; a kernel that fails to start (kernels started together can collide on ports, papermill issue
    #511) is started once more, as `rmkit run` does."""
    out.mkdir(parents=True, exist_ok=True)
    for _ in range(2):
        result = subprocess.run(
            [sys.executable, "-m", "papermill", str(REPO / "notebooks" / f"{notebook}.ipynb"), str(out / f"{notebook}.ipynb"),
             "-p", "cohort_dir", str(cohort), "-k", "python3", "--cwd", str(out)],
            capture_output=True, text=True, env=env, timeout=600,
        )
        if result.returncode == 0 or not any(s in result.stderr for s in KERNEL_START_FAILURES):
            return result
    return result


@pytest.mark.notebook
def test_pairing_phase_explains_a_cohort_the_rules_cannot_pair(tmp_path: Path) -> None:
    cohort = _infeasible_cohort(tmp_path / "infeasible")
    result = _papermill("03_pairing", cohort, tmp_path / "run", {**rmkit_env(), "RMKIT_DASHBOARD": ""})
    assert result.returncode == 0, result.stderr[-2000:]
    text = _outputs_text(tmp_path / "run" / "03_pairing.ipynb")
    assert "No pairing is possible." in text and "same department rules out 9 of 9 pairs" in text


BOARDS = ["03_pairing", "04_checkins", "05_evaluation"]


@pytest.mark.notebook
def test_board_notebooks_run_in_dashboard_mode_on_unusual_cohorts(tmp_path: Path) -> None:
    """What Voilà runs for each board (RMKIT_DASHBOARD=1), on cohorts a facilitator may bring: every group under the
    minimum size, no optional file at all, rules that allow no pair. The browser tests open the example cohort."""
    cohorts = _cohorts(tmp_path / "cohorts", REPO / "data" / "examples" / "acme-2025-spring")
    cohorts.pop("example")
    cohorts["infeasible"] = _infeasible_cohort(tmp_path / "cohorts" / "infeasible")
    env = {**rmkit_env(), "RMKIT_DASHBOARD": "1"}
    jobs = [(cohort, board) for cohort in cohorts for board in BOARDS]
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda job: (job, _papermill(job[1], cohorts[job[0]], tmp_path / "runs" / job[0], env)), jobs))
    failed = {job: r.stderr[-1500:] for job, r in results if r.returncode != 0}
    assert not failed, failed


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=PHASES)
def test_parameters_cell(notebook: Path) -> None:
    import papermill

    params = papermill.inspect_notebook(str(notebook))
    assert {"cohort_dir", "output_dir"} <= set(params)
    assert params["cohort_dir"]["default"] == "None" and params["output_dir"]["default"] == "None"


@pytest.mark.notebook
def test_evaluation_shows_the_effect_against_the_comparison_group_or_why_not(executed) -> None:
    text = _outputs_text(executed[("example", "05_evaluation")]["notebook"])
    assert "Difference-in-differences" in text and "Balance at the first wave" in text and "WWC reading" in text
    assert "Judged by" in text and "difference-in-differences" in text
    assert "True</td>" not in text and "False</td>" not in text and ">-0.00<" not in text
    tables = executed[("example", "05_evaluation")]["out"] / "tables"
    assert (tables / "effects.csv").exists() and (tables / "balance.csv").exists()
    bare = _outputs_text(executed[("bare", "05_evaluation")]["notebook"])
    assert "No comparison group answered the survey" in bare


@pytest.mark.notebook
def test_pairing_phase_writes_and_shows_robustness(executed) -> None:
    """The runs' pairs table gains ``robustness`` (0–1, locked pairs 1), and the phase lists the fragile pairs."""
    import pandas as pd

    run = executed[("example", "03_pairing")]
    pairs = pd.read_csv(run["out"] / "tables" / "pairs_proposal.csv")
    assert pairs["robustness"].between(0, 1).all()
    assert (pairs.loc[pairs["locked"], "robustness"] == 1).all()
    text = _outputs_text(run["notebook"])
    fragile = int((pairs["robustness"] < 0.5).sum())
    assert fragile and f"**{fragile} fragile pair(s)**" in text and "Fragile pairs, the least robust first" in text
    assert "Robustness (0–1)" in text or "Robustness (0\\u20131)" in text


@pytest.mark.notebook
def test_evaluation_shows_reliable_change_and_whether_the_pairing_matters(executed) -> None:
    import pandas as pd

    text = _outputs_text(executed[("example", "05_evaluation")]["notebook"])
    assert "Reliable change, baseline to month12" in text and "Reliably improved" in text
    assert "against the pairs" in text and "Change per unit (points)" in text and "correlation, not causation" in text
    tables = executed[("example", "05_evaluation")]["out"] / "tables"
    outcomes = pd.read_csv(tables / "pair_outcomes.csv")
    assert set(outcomes.predictor) == {"compatibility", "meetings", "mean_pulse"} and (outcomes.n_pairs >= 5).all()
    reliable = pd.read_csv(tables / "reliable_change.csv")
    assert set(reliable.group) == {"all", "role=mentor", "role=mentee"} and "at_risk" not in reliable.columns
    bare = _outputs_text(executed[("bare", "05_evaluation")]["notebook"])
    assert "No survey responses: no reliable change" in bare and "No published pairs" in bare
