"""One cohort of a batch, in its own process: the worker, its events, and what the batch learns from them.

:func:`run_worker` starts a fresh Python running :func:`worker_main` (which calls
:func:`rmkit.runs.cohort_run.run_cohort`), reads its progress events and turns them into a :class:`CohortOutcome`,
even when the process dies. Both ways of running a batch use it: :mod:`rmkit.runs.batch_run` on this machine and
:mod:`rmkit.runs.dask_batch` as tasks on a Dask cluster, so this module imports neither.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ..errors import RmkitError

if TYPE_CHECKING:
    from .results import PhaseResult

__all__ = ["CohortOutcome", "BatchResult", "run_worker", "mark_crashed", "worker_main"]

Outcome = Literal["ok", "failed", "invalid", "crashed"]
_MARK = "@rmkit-batch "
_WORKER = "import sys; from rmkit.runs.batch_worker import worker_main; sys.exit(worker_main(sys.argv[1:]))"


@dataclass
class CohortOutcome:
    """One cohort of a batch. ``status``: ``ok``; ``failed`` (a phase failed); ``invalid`` (bad input: nothing
    ran); ``crashed`` (the worker process died). ``messages`` says why, one line each."""

    cohort: str
    status: Outcome
    duration_s: float
    cohort_id: str | None = None
    run_dir: Path | None = None
    report: Path | None = None
    messages: list[str] = field(default_factory=list)
    worker: str | None = None


@dataclass
class BatchResult:
    """All cohorts of a batch, in the order given."""

    outcomes: list[CohortOutcome]
    duration_s: float
    #: the pooled report of the cohorts that ran (two or more), in ``<runs_dir>/pooled/<timestamp>/``
    pooled_report: Path | None = None
    pool_messages: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """1 if a run failed or crashed, else 2 if a cohort was bad input, else 0.

        Examples
        --------
        >>> BatchResult([CohortOutcome("a", "ok", 1.0), CohortOutcome("b", "invalid", 0.1)], 1.0).exit_code
        2
        """
        statuses = {o.status for o in self.outcomes}
        if statuses & {"failed", "crashed"}:
            return 1
        return 2 if "invalid" in statuses else 0

    def summary_table(self) -> list[str]:
        """cohort, status, duration, worker, report: one line per cohort."""
        from .results import display_path, text_table

        rows = [[o.cohort, o.status, f"{o.duration_s:.1f} s", o.worker or "-",
                 display_path(o.report) if o.report else "-"] for o in self.outcomes]
        return text_table(["cohort", "status", "duration", "worker", "report"], rows)


def run_worker(cohort: str, spec: dict[str, Any], phases: int, advance: Callable[..., None],
                running: set[subprocess.Popen[str]],
                on_run_dir: Callable[[str], None] | None = None) -> CohortOutcome:
    """Run one cohort in a fresh process; read its events; describe what happened, even if it died."""
    from .execute import kernel_environment

    clock = time.perf_counter()
    done, result, run_dir = 0, None, None
    task = json.dumps({**spec, "cohort": str(Path(cohort).resolve())})
    with tempfile.TemporaryFile("w+", encoding="utf-8") as stderr:
        process = subprocess.Popen([sys.executable, "-c", _WORKER, task], stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=stderr, text=True, encoding="utf-8",
                                   env=kernel_environment())
        running.add(process)
        assert process.stdout is not None
        for line in process.stdout:
            if not line.startswith(_MARK):
                continue
            event = json.loads(line[len(_MARK):])
            if event["event"] == "start":
                run_dir = event["run_dir"]
                if on_run_dir is not None:
                    on_run_dir(run_dir)
            elif event["event"] == "phase":
                done += 1
                advance(1)
            elif event["event"] == "result":
                result = event
        code = process.wait()
        running.discard(process)
        stderr.seek(0)
        tail = [line for line in stderr.read().splitlines() if line.strip()][-12:]
    duration = time.perf_counter() - clock
    if result is None:
        message = f"the worker process stopped unexpectedly (exit code {code})"
        outcome = CohortOutcome(cohort, "crashed", duration, run_dir=Path(run_dir) if run_dir else None,
                                messages=[message, *tail], worker=spec["worker"])
        if outcome.run_dir is not None:
            mark_crashed(outcome.run_dir, message)
    else:
        outcome = CohortOutcome(cohort, result["status"], duration, cohort_id=result.get("cohort_id"),
                                run_dir=Path(result["run_dir"]) if result.get("run_dir") else None,
                                report=Path(result["report"]) if result.get("report") else None,
                                messages=result.get("messages", []), worker=spec["worker"])
    advance(phases - done, outcome)
    return outcome


def mark_crashed(run_dir: Path, message: str) -> None:
    """Say in a crashed run's manifest that it will never finish (it was left saying ``running``)."""
    from .manifest import read_manifest, write_manifest

    try:
        manifest = read_manifest(run_dir)
    except (OSError, ValueError):
        return
    manifest["status"] = "crashed"
    manifest.setdefault("warnings", []).append(message)
    write_manifest(run_dir / "manifest.json", manifest)


def worker_main(argv: Sequence[str]) -> int:
    """A batch worker: run one cohort (the JSON task in ``argv[0]``) and report on stdout, one JSON event a line.

    Exit code as ``rmkit run``: 0 ok, 1 a phase failed, 2 bad input.
    """
    from .cohort_run import run_cohort
    from .execute import skip_slow_imports

    skip_slow_imports()
    task = json.loads(argv[0])

    def emit(**event: Any) -> None:
        print(_MARK + json.dumps(event), flush=True)

    def phase_done(phase: PhaseResult) -> None:
        if phase.status != "running":
            emit(event="phase", phase=phase.name, status=phase.status)

    try:
        result = run_cohort(
            task["cohort"], runs_dir=task["runs_dir"], phases=task["phases"], notebooks=task["notebooks"],
            cell_timeout=task["cell_timeout"], worker=task.get("worker"), phase_workers=task.get("phase_workers"), on_start=lambda run: emit(event="start", run_dir=str(run.run_dir)),
            on_phase=phase_done,
        )
    except RmkitError as exc:
        emit(event="result", status="invalid", messages=exc.lines())
        return exc.exit_code
    messages = [line for failure in result.failures for line in failure.lines()] + result.warnings
    emit(event="result", status="ok" if result.ok else "failed", cohort_id=result.cohort, run_dir=str(result.run_dir),
         report=str(result.report) if result.report else None, messages=messages)
    return 0 if result.ok else 1
