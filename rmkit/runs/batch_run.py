"""Running many cohorts in parallel: ``rmkit batch`` in Python.

Each cohort runs in its own worker process (a fresh Python running :func:`worker_main`, which calls
:func:`rmkit.runs.cohort_run.run_cohort`), at most ``workers`` at a time. The parent process only starts the workers and reads
their progress (one waiting thread per running worker; no notebook runs in a thread). Separate processes keep the
kernels, working folders and any crash apart: an invalid cohort, a failing phase or a worker that dies is one line
of the summary, and the other cohorts go on. Kernel starts that collide are retried inside each worker
(:mod:`rmkit.runs.execute`).

Each cohort gets its own run folder, ``<runs_dir>/<cohort>/<timestamp>/``, claimed atomically, so two workers never
share one (not even for the same cohort given twice).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ..errors import RmkitError, UsageError
from .execute import DEFAULT_CELL_TIMEOUT

if TYPE_CHECKING:
    from .results import PhaseResult

__all__ = ["CohortOutcome", "BatchResult", "run_batch", "default_workers", "worker_main"]

Outcome = Literal["ok", "failed", "invalid", "crashed"]
_MARK = "@rmkit-batch "
_WORKER = "import sys; from rmkit.runs.batch_run import worker_main; sys.exit(worker_main(sys.argv[1:]))"


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


def default_workers(cohorts: int) -> int:
    """One worker per cohort, at most one per CPU.

    Examples
    --------
    >>> default_workers(1)
    1
    """
    return max(1, min(cohorts, os.cpu_count() or 1))


def run_batch(cohorts: Sequence[str | os.PathLike[str]], *, workers: int | None = None,
              runs_dir: str | os.PathLike[str] | None = None, phases: Sequence[str] | None = None,
              notebooks: str | os.PathLike[str] | None = None, cell_timeout: float | None = DEFAULT_CELL_TIMEOUT,
              progress: bool = True, pool: bool = True, scheduler: str | None = None) -> BatchResult:
    """Run the phase notebooks on each cohort, ``workers`` cohorts at a time, each in its own process.

    With ``scheduler``, each cohort is a task of a ``dask.distributed`` cluster instead (see
    :mod:`rmkit.runs.dask_batch`); without it, the processes run on this machine.

    Parameters
    ----------
    cohorts : sequence of path-like
        Cohort folders.
    workers : int, optional
        Cohorts run at the same time (default :func:`default_workers`).
    runs_dir : path-like, optional
        Each cohort's run goes to ``<runs_dir>/<cohort>/<timestamp>/`` (default ``runs`` in the current directory).
    phases, notebooks, cell_timeout
        As for :func:`rmkit.runs.cohort_run.run_cohort`.
    progress : bool
        Show a progress bar (phases done; cohorts done on a cluster) on stderr.
    pool : bool
        When two or more cohorts ran (``ok`` or ``failed``: their input was valid), end with their pooled report
        (:mod:`rmkit.runs.pool_report`) in ``<runs_dir>/pooled/<timestamp>/``.
    scheduler : str, optional
        A Dask scheduler's address (``tcp://host:8786``) or scheduler file: run each cohort as a task of that
        cluster. ``runs_dir`` must then be a folder every worker sees (checked first); ``workers`` is ignored.

    Returns
    -------
    BatchResult
        One :class:`CohortOutcome` per cohort, in the order given; ``exit_code`` for the command line.

    Raises
    ------
    UsageError
        If no cohort is given, ``workers`` is below 1, a phase is unknown or the notebooks folder has none; or the
        scheduler cannot be reached, has no worker, or its workers do not see ``runs_dir``.
    """
    from tqdm import tqdm

    from ..phases.registry import find_phases, select_phases

    if not cohorts:
        raise UsageError("no cohort folder given")
    workers = default_workers(len(cohorts)) if workers is None else workers
    if workers < 1:
        raise UsageError(f"--workers {workers}: expected 1 or more")
    selected = select_phases(find_phases(notebooks), phases)
    spec = {
        "runs_dir": str(Path(runs_dir if runs_dir is not None else "runs").resolve()),
        "phases": [p.name for p in selected],
        "notebooks": str(Path(notebooks).resolve()) if notebooks is not None else None,
        "cell_timeout": cell_timeout,
        "worker": "local",
    }
    if scheduler is not None:
        from .dask_batch import run_on_cluster

        result = run_on_cluster([str(c) for c in cohorts], spec, len(selected), scheduler, progress=progress)
        if pool:
            result.pooled_report, result.pool_messages = _pool(result.outcomes, Path(spec["runs_dir"]))
        return result
    clock = time.perf_counter()
    lock = threading.Lock()
    bar = tqdm(total=len(cohorts) * len(selected), unit="phase", desc=f"{len(cohorts)} cohorts", file=sys.stderr,
               disable=not progress, dynamic_ncols=True, leave=True)
    tally: dict[str, int] = {}
    running: set[subprocess.Popen[str]] = set()

    def advance(steps: int, finished: CohortOutcome | None = None) -> None:
        with lock:
            if finished is not None:
                tally[finished.status] = tally.get(finished.status, 0) + 1
                bar.set_postfix_str(", ".join(f"{n} {s}" for s, n in sorted(tally.items())), refresh=False)
            bar.update(steps)

    executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="rmkit-batch")
    try:
        futures = [executor.submit(_run_worker, str(cohort), spec, len(selected), advance, running) for cohort in cohorts]
        outcomes = [future.result() for future in futures]
    except KeyboardInterrupt:
        executor.shutdown(wait=False, cancel_futures=True)
        for process in list(running):
            process.terminate()
        raise
    finally:
        executor.shutdown(wait=True)
        bar.close()
    result = BatchResult(outcomes, time.perf_counter() - clock)
    if pool:
        result.pooled_report, result.pool_messages = _pool(outcomes, Path(spec["runs_dir"]))
    result.duration_s = time.perf_counter() - clock
    return result


def _pool(outcomes: Sequence[CohortOutcome], runs_dir: Path) -> tuple[Path | None, list[str]]:
    """The pooled report of the cohorts whose input was valid (each cohort id once), or why there is none."""
    from ..cohort import validate_cohort
    from ..evaluation.pooling import pool_cohorts
    from .cohort_run import create_run_dir
    from .pool_report import write_pooled

    ran = [o for o in outcomes if o.status in {"ok", "failed"}]
    cohorts, seen = [], set()
    for outcome in ran:
        report = validate_cohort(outcome.cohort)
        if report.ok and report.cohort is not None and report.cohort.name not in seen:
            seen.add(report.cohort.name)
            cohorts.append(report.cohort)
    if len(cohorts) < 2:
        return None, ([] if len(outcomes) < 2 else ["fewer than two cohorts ran, so there is no pooled report"])
    try:
        result = pool_cohorts(cohorts)
        folder = create_run_dir("pooled", runs_dir=runs_dir)
        return write_pooled(result, folder), list(result.notes)
    except (OSError, ValueError) as exc:
        return None, [f"the pooled report could not be made: {exc}"]


def _run_worker(cohort: str, spec: dict[str, Any], phases: int, advance: Callable[..., None],
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
            cell_timeout=task["cell_timeout"], worker=task.get("worker"), on_start=lambda run: emit(event="start", run_dir=str(run.run_dir)),
            on_phase=phase_done,
        )
    except RmkitError as exc:
        emit(event="result", status="invalid", messages=exc.lines())
        return exc.exit_code
    messages = [line for failure in result.failures for line in failure.lines()] + result.warnings
    emit(event="result", status="ok" if result.ok else "failed", cohort_id=result.cohort, run_dir=str(result.run_dir),
         report=str(result.report) if result.report else None, messages=messages)
    return 0 if result.ok else 1
