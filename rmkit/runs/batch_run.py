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

import os
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..errors import UsageError
from .batch_worker import BatchResult, CohortOutcome, run_worker, worker_main
from .execute import DEFAULT_CELL_TIMEOUT

__all__ = ["CohortOutcome", "BatchResult", "run_batch", "default_workers", "worker_main"]


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
        # the cores left to each cohort for running its phases at the same time (a cohort per core: one by one)
        "phase_workers": max(1, (os.cpu_count() or 1) // min(workers, len(cohorts))),
    }
    if scheduler is not None:
        from .dask_batch import run_on_cluster

        # a Dask worker runs one cohort per thread it has: its phases one after the other
        result = run_on_cluster([str(c) for c in cohorts], {**spec, "phase_workers": 1}, len(selected), scheduler,
                                progress=progress)
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
        futures = [executor.submit(run_worker, str(cohort), spec, len(selected), advance, running) for cohort in cohorts]
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
