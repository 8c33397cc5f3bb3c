"""The run machinery (rmkit.runs.cohort_run, rmkit.runs.execute, the manifest) on small phase notebooks written by the tests.

One module-scoped run executes four notebooks (tables and a chart; a print that leaks a name; one raising in its third
cell; one after it) on a copy of the example cohort; most tests look at what that run left behind.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from rmkit.errors import PhaseError, UsageError, ValidationError
from rmkit.phases.registry import PhaseNotebook, find_phases, select_phases, start_order
from rmkit.runs import execute
from rmkit.runs.cohort_run import create_run_dir, run_cohort
from rmkit.runs.report import external_references

from ..conftest import REPO, file_hashes
from ..helpers.cohort_builder import set_cell
from ..helpers.phase_notebooks import (
    KILLS_ITS_KERNEL,
    LEAKS_A_NAME,
    PARAMETERS,
    PRINTS,
    RAISES_IN_THIRD_CELL,
    SLEEPS,
    TABLES_AND_CHART,
    write_notebooks,
)

pytestmark = pytest.mark.notebook


@pytest.fixture(scope="module")
def machinery(tmp_path_factory: pytest.TempPathFactory, example_dir: Path):
    root = tmp_path_factory.mktemp("machinery")
    notebooks = write_notebooks(root / "notebooks", {
        "01_tables.ipynb": TABLES_AND_CHART,
        "02_prints.ipynb": PRINTS + LEAKS_A_NAME[1:],
        "03_fails.ipynb": RAISES_IN_THIRD_CELL,
        "04_after.ipynb": [PRINTS[0], ("code", 'print("after the failure")', [])],
    })
    cohort = shutil.copytree(example_dir, root / "cohort")
    before = file_hashes(cohort)
    events: list[tuple[str, str]] = []
    result = run_cohort(cohort, runs_dir=root / "runs", notebooks=notebooks,
                        on_phase=lambda phase: events.append((phase.name, phase.status)))
    return result, cohort, before, events


def test_phases_run_in_order_and_a_failure_does_not_stop_the_others(machinery) -> None:
    result, _, _, events = machinery
    assert [(p.name, p.status) for p in result.phases] == [
        ("tables", "ok"), ("prints", "ok"), ("fails", "failed"), ("after", "ok")]
    # phases run at the same time (one per core): they start in their numbered order, each ends after it starts,
    # and the result keeps the numbered order whatever order they finished in
    started = [name for name, status in events if status == "running"]
    assert started == [p.name for p in start_order(find_phases(result.run_dir.parents[2] / "notebooks"))]
    assert sorted(event for event in events if event[1] != "running") == sorted(
        [("tables", "ok"), ("prints", "ok"), ("fails", "failed"), ("after", "ok")])
    for name in ("tables", "prints", "fails", "after"):
        assert [status for n, status in events if n == name][0] == "running"
    assert not result.ok and result.status == "failed"
    assert all(p.duration_s and p.duration_s > 0 and p.kernel_attempts == 1 for p in result.phases)


SETS_STATE = [
    ("code", PARAMETERS, ["parameters"]),
    ("code", """\
import os, sys, tempfile
import rmkit.pairing.speed_mentoring  # imported by this phase only
leaked = 1
open("first-claims.txt", "w").write(os.environ["RMKIT_PHASE_FILES"])  # the run folder: the kernel's folder
os.environ["RMKIT_TEST_LEAK"] = "yes"
os.environ.pop("RMKIT_TEST_KEEP", None)
os.chdir(tempfile.gettempdir())
# (longer than the phase that checks, so that it starts first)""" + " " + "#" * 600, []),
]
FAILS_AFTER_AN_IMPORT = [
    ("code", PARAMETERS, ["parameters"]),
    ("code", "import rmkit.pairing.speed_mentoring  # imported by this phase only\nraise ValueError('on purpose')", []),
]
SEES_A_FRESH_KERNEL = [
    ("code", PARAMETERS, ["parameters"]),
    ("code", """\
import os, sys
from pathlib import Path
assert "leaked" not in globals(), "the previous phase's namespace"
assert "RMKIT_TEST_LEAK" not in os.environ and os.environ.get("RMKIT_TEST_KEEP") == "kept", "the environment"
assert Path.cwd() == Path(output_dir), Path.cwd()
if Path("first-claims.txt").exists():
    assert os.environ["RMKIT_PHASE_FILES"] != Path("first-claims.txt").read_text(), "the phase's own claim file"
print("kept modules:", "rmkit.pairing.speed_mentoring" in sys.modules)""", []),
]


def _kept(run: Path, number: int) -> bool:
    cells = json.loads(next(run.glob(f"{number:02d}_*.ipynb")).read_text(encoding="utf-8"))["cells"]
    text = "".join("".join(o.get("text", "")) for o in cells[-1]["outputs"])
    assert "kept modules:" in text, text
    return "kept modules: True" in text


def test_a_kept_kernel_is_cleared_between_phases(tmp_path: Path, example_dir: Path, monkeypatch) -> None:
    """One worker runs both phases in one kernel: the second sees none of the first's variables, environment or
    working folder, and starts at In [1], but the first's imports are still imported."""
    monkeypatch.setenv("RMKIT_TEST_KEEP", "kept")
    notebooks = write_notebooks(tmp_path / "nb", {"01_sets.ipynb": SETS_STATE, "02_sees.ipynb": SEES_A_FRESH_KERNEL})
    result = run_cohort(example_dir, out=tmp_path / "run", notebooks=notebooks, phase_workers=1)
    assert result.ok, result.failures
    assert _kept(tmp_path / "run", 2)
    second = json.loads((tmp_path / "run" / "02_sees.ipynb").read_text(encoding="utf-8"))
    assert [c["execution_count"] for c in second["cells"] if c["cell_type"] == "code"][0] == 1
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text(encoding="utf-8"))
    assert [p["kernel"] for p in manifest["phases"]] == [{"slot": 1, "fresh": True}, {"slot": 1, "fresh": False}]
    assert not (tmp_path / "run" / "logs").exists()  # nothing worth reading was logged


def test_kernel_per_phase_and_after_a_failure_a_fresh_kernel(tmp_path: Path, example_dir: Path, monkeypatch) -> None:
    monkeypatch.setenv("RMKIT_TEST_KEEP", "kept")
    long = "import rmkit.pairing.speed_mentoring  " + "#" * 600  # the longer phase: it starts first
    fails = [FAILS_AFTER_AN_IMPORT[0], ("code", FAILS_AFTER_AN_IMPORT[1][1].replace(
        "import rmkit.pairing.speed_mentoring", long), [])]
    notebooks = write_notebooks(tmp_path / "nb", {"01_fails.ipynb": fails, "02_sees.ipynb": SEES_A_FRESH_KERNEL})
    result = run_cohort(example_dir, out=tmp_path / "after-failure", notebooks=notebooks, phase_workers=1)
    assert [p.status for p in result.phases] == ["failed", "ok"]
    assert not _kept(tmp_path / "after-failure", 2)  # the failed phase's kernel was not trusted with the next
    assert [(p.kernel_slot, p.kernel_fresh) for p in result.phases] == [(1, True), (1, True)]

    sets = write_notebooks(tmp_path / "nb2", {"01_sets.ipynb": SETS_STATE, "02_sees.ipynb": SEES_A_FRESH_KERNEL})
    result = run_cohort(example_dir, out=tmp_path / "per-phase", notebooks=sets, phase_workers=1,
                        kernel_per_phase=True)
    assert result.ok, result.failures
    assert not _kept(tmp_path / "per-phase", 2)
    assert all(p.kernel_fresh for p in result.phases)


def test_phases_start_longest_first(tmp_path: Path, example_dir: Path) -> None:
    """By the size of their code in a first run, by their durations in the earlier run after that."""
    quick = [PRINTS[0], ("code", "x = 1  " + "#" * 600, [])]
    slow = [PRINTS[0], ("code", "import time; time.sleep(1.5)", [])]
    notebooks = write_notebooks(tmp_path / "nb", {"01_slow.ipynb": slow, "02_quick.ipynb": quick})
    events: list[tuple[int, str]] = []
    for run in range(2):
        run_cohort(example_dir, runs_dir=tmp_path / "runs", notebooks=notebooks, phase_workers=1,
                   on_phase=lambda phase, run=run: events.append((run, phase.name)) if phase.status == "running" else None)
    assert events == [(0, "quick"), (0, "slow"), (1, "slow"), (1, "quick")]


def test_one_phase_worker_runs_the_phases_one_after_the_other(tmp_path: Path, example_dir: Path) -> None:
    notebooks = write_notebooks(tmp_path / "notebooks", {"01_first.ipynb": PRINTS, "02_second.ipynb": PRINTS})
    events: list[tuple[str, str]] = []
    result = run_cohort(example_dir, runs_dir=tmp_path / "runs", notebooks=notebooks, phase_workers=1,
                        on_phase=lambda phase: events.append((phase.name, phase.status)))
    assert result.ok
    assert events == [("first", "running"), ("first", "ok"), ("second", "running"), ("second", "ok")]


def test_the_failure_names_phase_cell_and_error(machinery) -> None:
    result, _, _, _ = machinery
    (failure,) = result.failures
    assert isinstance(failure, PhaseError)
    # papermill counts the injected-parameters cell: parameters 0, injected 1, x = 1 2, the raise 3
    assert (failure.phase, failure.cell_index, failure.execution_count) == ("fails", 3, 4)
    assert failure.source_line == 'raise ValueError("boom in the third cell")'
    assert (failure.ename, failure.evalue) == ("ValueError", "boom in the third cell")
    assert str(failure) == ('phase fails failed at cell 3 (In [4]: raise ValueError("boom in the third cell")): '
                            "ValueError: boom in the third cell")
    assert failure.notebook.endswith("03_fails.ipynb")


def test_a_failed_phase_keeps_its_executed_notebook_with_the_error(machinery) -> None:
    result, _, _, _ = machinery
    notebook = json.loads((result.run_dir / "03_fails.ipynb").read_text(encoding="utf-8"))
    errors = [o for c in notebook["cells"] for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert [(e["ename"], e["evalue"]) for e in errors] == [("ValueError", "boom in the third cell")]
    assert "never printed" not in json.dumps(notebook["cells"][-1].get("outputs", []))


def test_notebooks_get_the_cohort_the_run_folder_and_this_rmkit(machinery) -> None:
    result, cohort, _, _ = machinery
    cwd, rmkit_file = (result.run_dir / "kernel.txt").read_text(encoding="utf-8").splitlines()
    assert Path(cwd) == result.run_dir  # the kernel works in the run folder
    assert Path(rmkit_file).resolve().is_relative_to(REPO)  # and imports this checkout's rmkit
    demo = pd.read_csv(result.run_dir / "tables" / "demo.csv")
    assert len(demo) == len(pd.read_csv(cohort / "participants.csv"))
    for name in ("01_tables", "02_prints", "03_fails", "04_after"):
        assert (result.run_dir / f"{name}.ipynb").is_file()


def test_run_folder_is_runs_cohort_timestamp(machinery) -> None:
    result, _, _, _ = machinery
    assert result.run_dir.parent.name == "acme-2025-spring"
    assert result.run_dir.parent.parent.name == "runs"
    stamp = dt.datetime.strptime(result.run_dir.name, "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)
    assert abs((stamp - result.started).total_seconds()) < 2


def test_manifest(machinery) -> None:
    result, cohort, before, _ = machinery
    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    assert manifest["status"] == "failed"
    assert manifest["inputs"] == before  # every file of the example cohort is an input, hashed with sha256
    assert manifest["cohort"]["id"] == "acme-2025-spring"
    assert manifest["parameters"]["cohort_dir"] == str(cohort.resolve())
    assert manifest["parameters"]["output_dir"] == str(result.run_dir)
    assert manifest["parameters"]["kernel_name"] == "python3"
    assert {"python", "rmkit", "pandas", "numpy", "scipy", "altair", "papermill", "pandera"} <= set(manifest["versions"])
    started, finished = (dt.datetime.fromisoformat(manifest[k]) for k in ("started", "finished"))
    assert started <= finished
    phases = {p["name"]: p for p in manifest["phases"]}
    assert [p["status"] for p in manifest["phases"]] == ["ok", "ok", "failed", "ok"]
    assert phases["fails"]["error"]["cell_index"] == 3 and phases["fails"]["error"]["ename"] == "ValueError"
    assert phases["tables"]["notebook"] == "01_tables.ipynb" and phases["tables"]["duration_s"] > 0
    assert phases["tables"]["tables"] == ["tables/demo.csv"] and phases["prints"]["tables"] == []
    assert manifest["tables"] == {f"tables/{k}": v for k, v in file_hashes(result.run_dir / "tables").items()}
    assert manifest["report"] == "report.html"


def test_inputs_are_not_modified(machinery) -> None:
    result, cohort, before, _ = machinery
    assert file_hashes(cohort) == before
    assert not any("changed" in w or "created" in w for w in result.warnings)


def test_report_is_offline_without_code_widgets_or_names(machinery) -> None:
    result, cohort, _, _ = machinery
    html = result.report.read_text(encoding="utf-8")
    assert external_references(html) == []
    assert "cdn.example.org" not in html and "<script" not in html.lower() and "<link" not in html.lower()
    assert "IntSlider" not in html and "widget" not in html  # widget outputs dropped
    assert "chart-marker-svg" in html and 'clip-path="url(#' in html  # rmkit's chart is inline SVG
    assert "foreign-svg" not in html and '<img alt="chart" src="data:image/svg+xml;base64,' in html  # others: images
    assert "kept-bold" in html and "hello from the prints phase" in html and "after the failure" in html
    for code in ("import csv", "display(", "raise ValueError", "cohort_dir = "):
        assert code not in html
    people = pd.read_csv(cohort / "participants.csv")
    lowered = html.casefold()
    for value in [*people["name"], *people["email"]]:
        assert value.casefold() not in lowered
    assert f"leaked: {people['person_id'][0]} {people['person_id'][0]}" in html  # replaced by the person_id
    assert any("replaced by person ids" in w for w in result.warnings)


def test_report_title_page_and_contents(machinery) -> None:
    result, _, _, _ = machinery
    html = result.report.read_text(encoding="utf-8")
    assert "<h1>Acme reverse mentoring</h1>" in html and "acme-2025-spring" in html
    assert html.index('href="#phase-01"') < html.index('href="#phase-02"') < html.index('href="#phase-04"')
    assert '<h2 id="phase-01">Tables and a chart</h2>' in html
    assert '<span class="status failed">failed</span>' in html
    assert "This phase failed" in html and "boom in the third cell" in html
    assert html.index('id="phase-01"') < html.index('id="phase-02"') < html.index('id="phase-03"') < html.index('id="phase-04"')


# --------------------------------------------------------------------------------------------- selection


def test_select_phases_by_name_number_and_stem() -> None:
    phases = [PhaseNotebook(n, name, Path(f"{n:02d}_{name}.ipynb"))
              for n, name in [(1, "objectives"), (2, "intake"), (3, "pairing"), (4, "checkins"), (5, "evaluation")]]
    assert [p.number for p in select_phases(phases, ["evaluation", "02", "1"])] == [1, 2, 5]
    assert [p.name for p in select_phases(phases, ["04_checkins,pairing"])] == ["pairing", "checkins"]
    assert select_phases(phases, None) == phases
    with pytest.raises(UsageError, match="unknown phase '6'; the phases are: 01 objectives, 02 intake"):
        select_phases(phases, ["6"])


def test_find_phases_reads_file_names(tmp_path: Path) -> None:
    write_notebooks(tmp_path, {"02_b.ipynb": PRINTS, "01_a.ipynb": PRINTS, "notes.ipynb": PRINTS, "1_c.ipynb": PRINTS})
    assert [(p.number, p.name) for p in find_phases(tmp_path)] == [(1, "a"), (2, "b")]
    with pytest.raises(UsageError, match="no such notebooks folder"):
        find_phases(tmp_path / "nothing-here")
    (tmp_path / "empty").mkdir()
    with pytest.raises(UsageError, match="no phase notebooks"):
        find_phases(tmp_path / "empty")


def test_rmkit_phase_notebooks_are_found() -> None:
    names = [p.name for p in find_phases()]
    assert names == sorted(names, key=["objectives", "intake", "pairing", "checkins", "evaluation"].index)
    assert {"objectives", "intake"} <= set(names)


# --------------------------------------------------------------------------------------------- run folders


def test_run_folders_never_collide(tmp_path: Path) -> None:
    when = dt.datetime(2026, 3, 15, 10, 15, 0, tzinfo=dt.UTC)
    first = create_run_dir("acme", runs_dir=tmp_path, when=when)
    (first / "report.html").write_text("first", encoding="utf-8")
    second = create_run_dir("acme", runs_dir=tmp_path, when=when)
    assert (first.name, second.name) == ("20260315T101500Z", "20260315T101500Z-2")
    assert (first / "report.html").read_text(encoding="utf-8") == "first"
    assert create_run_dir("../x y", runs_dir=tmp_path, when=when).parent == tmp_path / "x-y"


def test_out_folder_must_be_new_or_empty(tmp_path: Path) -> None:
    assert create_run_dir("acme", out=tmp_path / "new") == (tmp_path / "new").resolve()
    (tmp_path / "empty").mkdir()
    assert create_run_dir("acme", out=tmp_path / "empty").is_dir()
    with pytest.raises(UsageError, match="already exists and is not empty"):
        create_run_dir("acme", out=tmp_path / "empty")  # now claimed by the first run
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(UsageError, match="not a folder"):
        create_run_dir("acme", out=tmp_path / "file")


def test_invalid_cohort_writes_nothing(tmp_path: Path, cohort_copy: Path) -> None:
    set_cell(cohort_copy, "participants", 3, "role", "boss")
    notebooks = write_notebooks(tmp_path / "nb", {"01_prints.ipynb": PRINTS})
    with pytest.raises(ValidationError) as info:
        run_cohort(cohort_copy, runs_dir=tmp_path / "runs", notebooks=notebooks)
    assert "participants.csv:3:role: found 'boss'; allowed: mentor, mentee" in info.value.lines()
    assert not (tmp_path / "runs").exists()


def test_unknown_phase_is_refused_before_anything_runs(tmp_path: Path, example_dir: Path) -> None:
    notebooks = write_notebooks(tmp_path / "nb", {"01_prints.ipynb": PRINTS})
    with pytest.raises(UsageError, match="unknown phase 'pairing'"):
        run_cohort(example_dir, runs_dir=tmp_path / "runs", notebooks=notebooks, phases=["pairing"])
    assert not (tmp_path / "runs").exists()


# --------------------------------------------------------------------------------------------- engine


@pytest.mark.parametrize("per_phase", [False, True], ids=["kept-kernel", "kernel-per-phase"])
def test_kernel_start_failure_is_retried(tmp_path: Path, example_dir: Path, monkeypatch, per_phase: bool) -> None:
    from jupyter_client.manager import AsyncKernelManager

    real = AsyncKernelManager.start_kernel
    calls = []

    async def flaky(self, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("Kernel died before replying to kernel_info")  # as in papermill issue #511
        return await real(self, **kwargs)

    monkeypatch.setattr(AsyncKernelManager, "start_kernel", flaky)
    monkeypatch.setattr(execute, "KERNEL_START_BACKOFF", 0.01)
    notebooks = write_notebooks(tmp_path / "nb", {"01_prints.ipynb": PRINTS})
    result = run_cohort(example_dir, out=tmp_path / "run", notebooks=notebooks, kernel_per_phase=per_phase)
    assert result.ok and len(calls) == 2
    assert result.phases[0].kernel_attempts == 2
    log = (tmp_path / "run" / "logs" / "01_prints.log").read_text(encoding="utf-8")
    assert "the kernel did not start (attempt 1 of 3: RuntimeError: Kernel died before replying" in log


@pytest.mark.parametrize("per_phase", [False, True], ids=["kept-kernel", "kernel-per-phase"])
def test_a_kernel_that_never_starts_fails_the_phase(tmp_path: Path, example_dir: Path, monkeypatch,
                                                    per_phase: bool) -> None:
    from jupyter_client.manager import AsyncKernelManager

    async def broken(self, **kwargs):
        raise OSError("Address already in use")

    monkeypatch.setattr(AsyncKernelManager, "start_kernel", broken)
    monkeypatch.setattr(execute, "KERNEL_START_BACKOFF", 0.01)
    monkeypatch.setattr(execute, "KERNEL_START_ATTEMPTS", 2)
    notebooks = write_notebooks(tmp_path / "nb", {"01_prints.ipynb": PRINTS})
    result = run_cohort(example_dir, out=tmp_path / "run", notebooks=notebooks, kernel_per_phase=per_phase)
    (failure,) = result.failures
    assert failure.cell_index is None and failure.ename == "KernelStartError"
    assert "2 attempts" in failure.evalue and "Address already in use" in failure.evalue
    assert str(failure).startswith("phase prints failed before its first cell: KernelStartError")
    assert result.phases[0].kernel_attempts == 2


def test_timeout_and_dead_kernel_are_recorded_in_the_notebook(tmp_path: Path, example_dir: Path) -> None:
    notebooks = write_notebooks(tmp_path / "nb", {"01_sleeps.ipynb": SLEEPS, "02_dies.ipynb": KILLS_ITS_KERNEL})
    result = run_cohort(example_dir, out=tmp_path / "run", notebooks=notebooks, cell_timeout=2)
    sleeps, dies = result.failures
    assert (sleeps.cell_index, sleeps.ename, sleeps.source_line) == (2, "CellTimeoutError", "import time")
    assert "timeout of 2 s" in sleeps.evalue
    assert (dies.cell_index, dies.ename) == (2, "DeadKernelError")
    for name, ename in (("01_sleeps", "CellTimeoutError"), ("02_dies", "DeadKernelError")):
        notebook = json.loads((tmp_path / "run" / f"{name}.ipynb").read_text(encoding="utf-8"))
        assert ename in [o.get("ename") for o in notebook["cells"][2]["outputs"]]
    html = result.report.read_text(encoding="utf-8")
    assert "CellTimeoutError" in html and "DeadKernelError" in html


def test_a_notebook_without_the_contract_is_warned_about(tmp_path: Path, example_dir: Path) -> None:
    notebooks = write_notebooks(tmp_path / "nb", {"01_bare.ipynb": [("code", 'print("no parameters cell")', [])]})
    result = run_cohort(example_dir, out=tmp_path / "run", notebooks=notebooks)
    assert result.ok
    assert result.warnings == ["01_bare.ipynb: no cell is tagged 'parameters'; cohort_dir and output_dir were put first"]


def test_a_report_that_cannot_be_built_keeps_the_run(tmp_path: Path, example_dir: Path, monkeypatch) -> None:
    import rmkit.runs.report

    def broken(*args, **kwargs):
        raise ValueError("a notebook output the report cannot read")

    monkeypatch.setattr(rmkit.runs.report, "build_report", broken)
    notebooks = write_notebooks(tmp_path / "nb", {"01_prints.ipynb": PRINTS})
    result = run_cohort(example_dir, out=tmp_path / "run", notebooks=notebooks)
    assert result.ok and result.report is None and not (tmp_path / "run" / "report.html").exists()
    assert result.warnings == ["report.html could not be written (ValueError: a notebook output the report cannot "
                               "read); the executed notebooks hold every result"]
    manifest = json.loads(result.manifest.read_text(encoding="utf-8"))
    assert (manifest["status"], manifest["report"], manifest["warnings"]) == ("ok", None, result.warnings)


def test_phase_logs_hold_only_what_is_worth_reading(tmp_path: Path, example_dir: Path) -> None:
    """Before, every phase log held jupyter_client's "Kernel is running over TCP without encryption" warning and
    nothing else. The kernel is now reached over IPC sockets in Jupyter's private runtime folder (POSIX): a clean
    phase writes no log, and no socket file is left in the run folder or the runtime folder."""
    from jupyter_core.paths import jupyter_runtime_dir

    runtime = Path(jupyter_runtime_dir())
    before = set(runtime.glob("rmkit-*")) if runtime.exists() else set()
    notebooks = write_notebooks(tmp_path / "nb", {"01_prints.ipynb": PRINTS})
    result = run_cohort(example_dir, out=tmp_path / "run", notebooks=notebooks)
    assert result.ok
    logs = list((tmp_path / "run" / "logs").glob("*.log")) if (tmp_path / "run" / "logs").exists() else []
    assert not any("without encryption" in log.read_text(encoding="utf-8") for log in logs)
    assert logs == []
    assert not [p.name for p in (tmp_path / "run").iterdir() if "ipc" in p.name]
    assert set(runtime.glob("rmkit-*")) == before


HANDS_OVER_THE_SUMMARY = [
    ("code", PARAMETERS, ["parameters"]),
    ("code", """\
from rmkit.evaluation.metrics_table import evaluate
from rmkit.runs.phase_context import start_phase
phase = start_phase("evaluation", cohort_dir, output_dir)
phase.share_summary(evaluate(phase.cohort))""", []),
]

SHOWS_THE_SUMMARY_VARIABLE = [
    ("code", PARAMETERS, ["parameters"]),
    ("code", 'import os; print("summary file:", os.environ.get("RMKIT_SUMMARY_FILE"))', []),
]


def test_the_evaluation_phase_hands_the_run_its_summary(tmp_path: Path, example_dir: Path, monkeypatch) -> None:
    """The run does not evaluate the cohort a second time: the evaluation phase hands over the summary (here the
    run's own computation is made to fail, so a summary.html can only come from the phase), and it is the very
    page the run would have computed. Only the evaluation phase is told where to put it."""
    import rmkit.runs.summary as summary_module
    from rmkit.cohort import load_cohort
    from rmkit.runs.report import private_terms, redact

    expected = summary_module.executive_summary(load_cohort(example_dir))

    def refuse(*args, **kwargs):
        raise AssertionError("the run computed the summary itself")

    monkeypatch.setattr(summary_module, "executive_summary", refuse)
    notebooks = write_notebooks(tmp_path / "nb", {"01_objectives.ipynb": SHOWS_THE_SUMMARY_VARIABLE,
                                                  "05_evaluation.ipynb": HANDS_OVER_THE_SUMMARY})
    result = run_cohort(example_dir, out=tmp_path / "run", notebooks=notebooks)
    assert result.ok and result.warnings == [], (result.failures, result.warnings)
    page = summary_module.summary_page(expected, run_name="run")
    assert (tmp_path / "run" / "summary.html").read_text(encoding="utf-8") == redact(page, private_terms(load_cohort(example_dir).participants))[0]
    assert expected.tiles[0].sentence in (tmp_path / "run" / "report.html").read_text(encoding="utf-8")
    shown = json.loads((tmp_path / "run" / "01_objectives.ipynb").read_text(encoding="utf-8"))["cells"][-1]["outputs"]
    assert "summary file: None" in "".join(shown[0]["text"])
    assert not list((tmp_path / "run").glob(".phase-files-*"))  # the hand-over file went with the claim files


def test_an_evaluation_that_fails_before_handing_over_still_gets_a_summary(tmp_path: Path, example_dir: Path) -> None:
    notebooks = write_notebooks(tmp_path / "nb", {"05_evaluation.ipynb": RAISES_IN_THIRD_CELL})
    result = run_cohort(example_dir, out=tmp_path / "run", notebooks=notebooks)
    assert not result.ok and [f.phase for f in result.failures] == ["evaluation"]
    assert result.summary == tmp_path / "run" / "summary.html" and result.summary.is_file()
    assert "Objectives met" in result.summary.read_text(encoding="utf-8")


COUNTS_VALIDATIONS = [
    ("code", PARAMETERS, ["parameters"]),
    ("code", """\
import os
import rmkit.runs.phase_context as context
print("handed over:", os.environ["RMKIT_VALIDATED_COHORT"])
calls = []
validate = context.validate_cohort
context.validate_cohort = lambda folder: calls.append(folder) or validate(folder)
phase = context.start_phase("objectives", cohort_dir, output_dir)
print("validated again:", len(calls), "participants:", len(phase.cohort.participants))""", []),
]


def test_phases_take_the_runs_validation_instead_of_validating_again(tmp_path: Path, example_dir: Path) -> None:
    notebooks = write_notebooks(tmp_path / "nb", {"01_objectives.ipynb": COUNTS_VALIDATIONS})
    result = run_cohort(example_dir, out=tmp_path / "run", notebooks=notebooks)
    assert result.ok, result.failures
    cells = json.loads((tmp_path / "run" / "01_objectives.ipynb").read_text(encoding="utf-8"))["cells"]
    shown = "".join(cells[-1]["outputs"][0]["text"])
    assert "validated again: 0 participants: 80" in shown
    handed = Path(shown.split("handed over: ")[1].split()[0])
    assert not handed.is_relative_to(tmp_path / "run")  # never in the run folder, which others may write
    assert not handed.exists() and not handed.parent.exists()  # removed when the phases ended


def test_a_changed_or_foreign_validation_is_not_taken(tmp_path: Path, cohort_copy: Path, monkeypatch) -> None:
    """The hand-over is taken only for the same folder with the same files; anything else validates afresh."""
    import os
    import pickle

    from rmkit.cohort import validate_cohort
    from rmkit.cohort.folder import folder_fingerprint
    from rmkit.runs import phase_context

    folder = cohort_copy.resolve()
    handed = tmp_path / "validated.pickle"
    handed.write_bytes(pickle.dumps((folder_fingerprint(folder), validate_cohort(folder))))
    monkeypatch.setenv(phase_context.VALIDATED_VARIABLE, str(handed))
    assert phase_context._validated_by_the_run(folder) is not None
    assert phase_context._validated_by_the_run(tmp_path) is None  # another folder
    costs = folder / "costs.csv"
    os.utime(costs, ns=(costs.stat().st_atime_ns, costs.stat().st_mtime_ns + 1_000_000))  # saved again meanwhile
    assert phase_context._validated_by_the_run(folder) is None
    costs.touch()
    handed.write_bytes(pickle.dumps((folder_fingerprint(folder), validate_cohort(folder))))
    assert phase_context._validated_by_the_run(folder) is not None
    tmp_path.chmod(0o777)  # a folder others can write: whoever wrote the pickle, it is not taken
    assert phase_context._validated_by_the_run(folder) is None
    tmp_path.chmod(0o700)
    handed.write_bytes(b"not a pickle")
    assert phase_context._validated_by_the_run(folder) is None
    monkeypatch.delenv(phase_context.VALIDATED_VARIABLE)
    assert phase_context._validated_by_the_run(folder) is None
