"""Running a cohort's phase notebooks: ``rmkit run`` in Python.

:func:`run_cohort` is a short sequence of steps:

1. find the phase notebooks (``NN_name.ipynb``) and select the phases asked for;
2. validate the cohort (bad input raises :class:`~rmkit.errors.ValidationError` before anything is written);
3. create a fresh run folder, ``runs/<cohort>/<timestamp>/`` (relative to the current directory) or ``out``;
4. record the inputs' sha256 and the package versions in ``manifest.json``;
5. execute each selected phase with papermill into ``NN_name.ipynb`` in the run folder, with the parameters
   ``cohort_dir`` (the cohort folder) and ``output_dir`` (the run folder), the ``python3`` kernel working in the run
   folder, and a per-cell timeout;
6. take the executive summary (``summary.html``) from the evaluation phase, which computes it from its own
   evaluation (:meth:`~rmkit.runs.phase_context.Phase.share_summary`), or compute it from the cohort (while the
   phases run when the evaluation is not among them; after them when it failed before handing it over); then
   gather every table into ``tables.xlsx``, write ``report.html`` from the executed notebooks (opening with the
   summary), then the final manifest.

Decisions:

- **A run never overwrites or deletes another.** Under ``runs/`` a timestamp folder that already exists (two runs
  in the same second) gets a suffix (``20260315T101500Z-2``); the folder is claimed with an exclusive ``mkdir``, so
  parallel runs cannot share one. An explicit ``out`` folder must be new or empty, else the run is refused (exit 2).
- **Phases do not depend on each other**: every phase notebook reads the cohort folder itself, never another
  phase's output. So a failing phase does not stop the run: the remaining phases still run, the failed one keeps
  its executed notebook with the error, and the run's status is ``failed`` (exit 1). Phases not selected are
  recorded as ``skipped``.
- **Phases run at the same time**, at most ``phase_workers`` at once (default: one per core, at most one per phase);
  the longest start first (:func:`~rmkit.phases.registry.start_order`: by their durations in the newest earlier
  run of the cohort under the same runs folder, else by the size of their code), and the report and the manifest
  keep the numbered order whatever order they ran in. ``phase_workers=1`` runs them one after the other.
- **One kernel per phase worker, kept** (:mod:`rmkit.runs.kernels`): each worker starts its kernel when the run
  begins, while the cohort is validated, imports what every phase imports, and runs its phases one after the other
  in it, cleared between them (working folder, environment, namespace, execution counter). A phase that failed
  leaves its kernel behind: the next phase gets a fresh one. ``kernel_per_phase=True`` starts a fresh kernel for
  every phase instead.
- Each phase's tables and figures are those it wrote: what the notebook wrote through
  :class:`~rmkit.runs.phase_context.Phase` (which lists them in the file named by ``RMKIT_PHASE_FILES``), and any
  other file that appeared under ``tables/`` or ``figures/`` while the phase ran (when several phases were running
  then, the first of them in numbered order).
- **The cohort is validated once**: the run pickles its validation into a private temporary folder (only this
  user can write it; removed when the phases end), and each phase
  takes it instead of validating again when the cohort folder's files are still as they were read (names, sizes,
  modification times); else the phase validates, as in plain papermill. The evaluation phase likewise hands the
  run the executive summary of its own evaluation instead of the run evaluating the cohort a second time.
- The inputs are hashed before and after the run; a notebook that changed the cohort folder is reported in the
  manifest's ``warnings``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import re
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import suppress
from pathlib import Path
from typing import Any

from ..errors import PhaseError, UsageError, ValidationError
from ..phases.registry import PhaseNotebook, find_phases, parameter_problems, select_phases, start_order
from .execute import DEFAULT_CELL_TIMEOUT
from .kernels import PhaseSlot, PhaseWorkers
from .manifest import earlier_durations, new_manifest, save_manifest
from .phase_files import PHASE_FILES_VARIABLE, SUMMARY_PHASE, PhaseFiles, changed_inputs, snapshot
from .results import PhaseResult, RunResult, display_path

__all__ = ["create_run_dir", "run_cohort", "default_phase_workers"]


# --------------------------------------------------------------------------------------------- run folder


def _safe_name(name: str) -> str:
    """A folder name from a cohort id: letters, digits, ``.``, ``_`` and ``-`` only.

    Examples
    --------
    >>> _safe_name("Acme / 2026 spring"), _safe_name(".."), _safe_name("")
    ('Acme-2026-spring', 'cohort', 'cohort')
    """
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")
    return cleaned or "cohort"


def create_run_dir(cohort: str, *, out: str | os.PathLike[str] | None = None,
                   runs_dir: str | os.PathLike[str] | None = None, when: dt.datetime | None = None) -> Path:
    """Create and claim a new, empty run folder; return its absolute path.

    With ``out``: that folder, which must not exist or be empty. Otherwise ``<runs_dir>/<cohort>/<timestamp>``
    (``runs_dir`` defaults to ``runs`` in the current directory), with ``-2``, ``-3``… appended when a run of the
    same second exists.

    Raises
    ------
    UsageError
        If ``out`` exists and is not an empty folder.

    Examples
    --------
    >>> import tempfile
    >>> root = Path(tempfile.mkdtemp())
    >>> when = dt.datetime(2026, 3, 15, 10, 15, tzinfo=dt.UTC)
    >>> [create_run_dir("acme", runs_dir=root, when=when).relative_to(root).as_posix() for _ in range(2)]
    ['acme/20260315T101500Z', 'acme/20260315T101500Z-2']
    """
    from ..cohort.tables import timestamp_for_filename

    if out is not None:
        folder = Path(out)
        if folder.exists() and not folder.is_dir():
            raise UsageError(f"{folder}: exists and is not a folder")
        if folder.is_dir() and any(folder.iterdir()):
            raise UsageError(f"{folder}: already exists and is not empty; a run never overwrites another "
                             "(choose a new folder, or leave out --out for runs/<cohort>/<timestamp>)")
        folder.mkdir(parents=True, exist_ok=True)
        try:  # claim it: a second run aiming at the same empty folder fails here
            with open(folder / "manifest.json", "x", encoding="utf-8") as handle:
                handle.write("{}\n")
        except FileExistsError:
            raise UsageError(f"{folder}: another run is writing into this folder") from None
        return folder.resolve()
    base = Path(runs_dir if runs_dir is not None else "runs") / _safe_name(cohort)
    base.mkdir(parents=True, exist_ok=True)
    stamp = timestamp_for_filename(when)
    for k in itertools.count(1):
        candidate = base / (stamp if k == 1 else f"{stamp}-{k}")
        try:
            candidate.mkdir()
        except FileExistsError:
            continue
        return candidate.resolve()
    raise AssertionError("unreachable")  # pragma: no cover


# --------------------------------------------------------------------------------------------- the run


def run_cohort(cohort_dir: str | os.PathLike[str], *, out: str | os.PathLike[str] | None = None,
               runs_dir: str | os.PathLike[str] | None = None, phases: Sequence[str] | None = None,
               notebooks: str | os.PathLike[str] | None = None, cell_timeout: float | None = DEFAULT_CELL_TIMEOUT,
               on_phase: Callable[[PhaseResult], None] | None = None,
               on_start: Callable[[RunResult], None] | None = None, person_tables: bool | None = None,
               worker: str | None = None, phase_workers: int | None = None,
               kernel_per_phase: bool = False) -> RunResult:
    """Run the phase notebooks on a cohort folder into a new run folder (see the module's docstring).

    Parameters
    ----------
    cohort_dir : path-like
        The cohort folder (only read).
    out : path-like, optional
        The run folder to write (new or empty). Default: ``<runs_dir>/<cohort>/<timestamp>/``.
    runs_dir : path-like, optional
        Where run folders go when ``out`` is not given (default ``runs`` in the current directory).
    phases : sequence of str, optional
        Phase names or numbers to run (default: all).
    notebooks : path-like, optional
        A folder of phase notebooks ``NN_name.ipynb`` (default: rmkit's own).
    cell_timeout : float or None
        Seconds one cell may run (``None``: no limit).
    on_phase : callable, optional
        Called with each :class:`PhaseResult` when the phase starts (status ``running``) and when it ends.
    on_start : callable, optional
        Called with the :class:`RunResult` once the run folder exists.
    person_tables : bool, optional
        Whether the run writes per-person tables (``tables/scores.csv``: each person's scale scores); default
        ``program.yaml: person_tables`` (true). False for a run folder that is shared: it then holds aggregates only.
    worker : str, optional
        Who ran it, recorded as the manifest's ``worker`` (``rmkit batch``: ``local``, or the Dask worker's address).
    phase_workers : int, optional
        Phases run at the same time (default :func:`default_phase_workers`); 1 runs them one after the other.
    kernel_per_phase : bool
        Start a fresh kernel for every phase, instead of one kernel per phase worker kept for its phases.

    Returns
    -------
    RunResult
        ``ok`` is false when a phase failed (``failures`` names the phase, cell and error).

    Raises
    ------
    ValidationError
        If the cohort has errors (nothing is written).
    UsageError
        If the cohort or notebooks folder does not exist, a phase is unknown, or ``out`` is not empty.

    Examples
    --------
    >>> from rmkit.resources import example_cohort_dir
    >>> result = run_cohort(example_cohort_dir(), phases=["objectives"])  # doctest: +SKIP
    >>> result.status, result.report.name  # doctest: +SKIP
    ('ok', 'report.html')
    """
    from ..cohort import validate_cohort
    from ..cohort.folder import folder_fingerprint

    selected = select_phases(available := find_phases(notebooks), phases)
    with PhaseWorkers(max(1, min(phase_workers or default_phase_workers(len(selected)), len(selected) or 1)),
                       kept=not kernel_per_phase and bool(selected)) as workers:
        read_as = folder_fingerprint(Path(cohort_dir))  # the files as validation reads them
        validation = validate_cohort(cohort_dir)  # while the workers' kernels start
        if not validation.ok:
            raise ValidationError(validation.problems)
        cohort = validation.cohort
        assert cohort is not None
        started = _now()
        run_dir = create_run_dir(cohort.name, out=out, runs_dir=runs_dir, when=started)
        result = RunResult(
            cohort=cohort.name, program=cohort.program.program or cohort.name, cohort_dir=cohort.path.resolve(),
            run_dir=run_dir, started=started, validation_warnings=[str(p) for p in validation.warnings],
            phases=[PhaseResult(p.number, p.name, "pending" if p in selected else "skipped",
                                reason="" if p in selected else "not selected") for p in available],
        )
        cohort_files = snapshot(result.cohort_dir, exclude=run_dir)
        if person_tables is None:
            person_tables = cohort.program.person_tables
        manifest = new_manifest(result, cohort, cell_timeout=cell_timeout, selected=[p.name for p in selected])
        manifest["parameters"]["person_tables"] = person_tables
        manifest["worker"] = worker
        save_manifest(manifest, result)
        if on_start:
            on_start(result)
        phase_of = dict(zip(available, result.phases, strict=True))
        earlier = {} if out is not None else earlier_durations(run_dir.parent, before=run_dir.name)
        todo = [(notebook, phase_of[notebook]) for notebook in start_order(selected, earlier)]
        for notebook in selected:
            result.warnings += parameter_problems(notebook)
        tracker = PhaseFiles(result.run_dir)
        tracker.hand_over_validation(validation, read_as)
        lock = threading.Lock()

        def run_one(notebook: PhaseNotebook, phase: PhaseResult, slot: Any) -> None:
            _run_phase(notebook, phase, result, cell_timeout, on_phase, person_tables=person_tables, lock=lock,
                       tracker=tracker, slot=slot)
            with lock:
                save_manifest(manifest, result)

        handed_over = any(notebook.name == SUMMARY_PHASE for notebook in selected)
        try:
            workers.start(todo, run_one, logs=result.run_dir / "logs")
            if not handed_over:
                summary = _write_summary(result, cohort)  # from the cohort alone: while the phases run
            workers.wait()
            if handed_over:  # the evaluation phase computed it (else the run does, now)
                summary = _write_summary(result, cohort, shared=tracker.summary_file)
        except KeyboardInterrupt:
            result.status_override = "interrupted"
            with lock:
                for phase in result.phases:
                    if phase.status in {"pending", "running"}:
                        phase.status, phase.reason = "skipped", "interrupted"
                result.finished = _now()
                save_manifest(manifest, result)
            raise
        finally:
            tracker.close()  # the phases are done with the validated cohort
    try:  # while the kept kernels shut down
        tracker.attribute(sorted((phase for _, phase in todo), key=lambda phase: phase.number))
        result.warnings += changed_inputs(result.cohort_dir, cohort_files, snapshot(result.cohort_dir, exclude=run_dir))
        try:
            result.workbook = _write_workbook(result)
        except Exception as exc:  # the CSV tables are all there; the workbook is a convenience
            result.warnings.append(f"tables.xlsx could not be written ({type(exc).__name__}: {exc}); the CSVs in tables/ "
                                   "hold every table")
        try:
            result.report, redactions = _write_report(result, cohort, summary)
        except Exception as exc:  # the executed notebooks, tables and manifest are worth keeping even so
            result.report, redactions = None, 0
            result.warnings.append(f"report.html could not be written ({type(exc).__name__}: {exc}); "
                                   "the executed notebooks hold every result")
        if redactions:
            result.warnings.append(f"report.html: {redactions} name(s) or e-mail address(es) in notebook outputs were "
                                   "replaced by person ids; the notebooks should show person_id only")
    finally:
        workers.stop()  # the kept kernels have shut down (and left their logs, if any)
    with suppress(OSError):
        (result.run_dir / "logs").rmdir()  # only when no phase and no kernel left a log
    result.finished = _now()
    save_manifest(manifest, result)
    return result


def default_phase_workers(phases: int) -> int:
    """Phases a run executes at the same time: one per core, at most one per phase.

    Examples
    --------
    >>> default_phase_workers(1)
    1
    """
    return max(1, min(phases, os.cpu_count() or 1))


def _run_phase(notebook: PhaseNotebook, phase: PhaseResult, result: RunResult, cell_timeout: float | None,
               on_phase: Callable[[PhaseResult], None] | None, *, person_tables: bool = True,
               lock: threading.Lock, tracker: PhaseFiles, slot: PhaseSlot) -> None:
    from .execute import CellFailure, Execution, execute_notebook, kernel_environment
    from .phase_context import SUMMARY_VARIABLE, VALIDATED_VARIABLE

    target = result.run_dir / notebook.filename
    logs = result.run_dir / "logs"
    log = logs / f"{notebook.path.stem}.log"
    with lock:
        phase.notebook, phase.started, phase.status = target, _now(), "running"
        if on_phase:
            on_phase(phase)
        logs.mkdir(exist_ok=True)
    claims = tracker.start(phase)
    clock = time.perf_counter()
    env = kernel_environment({**os.environ, "RMKIT_PERSON_TABLES": "1" if person_tables else "0",
                              PHASE_FILES_VARIABLE: str(claims)})
    env.pop(SUMMARY_VARIABLE, None)
    env.pop(VALIDATED_VARIABLE, None)
    if tracker.validated_file is not None:
        env[VALIDATED_VARIABLE] = str(tracker.validated_file)
    if notebook.name == SUMMARY_PHASE:
        env[SUMMARY_VARIABLE] = str(tracker.summary_file)
    parameters = {"cohort_dir": str(result.cohort_dir), "output_dir": str(result.run_dir)}
    phase.kernel_slot = slot.number
    if slot.kernel is None:  # a fresh kernel for this phase, started and shut down by papermill
        execution = execute_notebook(notebook.path, target, cwd=result.run_dir, cell_timeout=cell_timeout, log=log,
                                     parameters=parameters, env=env)
    else:
        try:
            phase.kernel_fresh, attempts = slot.ready(cwd=result.run_dir, env=env, log=log)
        except Exception as exc:  # noqa: BLE001 - the kernel never started: the phase fails, the run goes on
            execution = Execution(slot.attempts, CellFailure(None, None, "", type(exc).__name__, str(exc)))
        else:
            execution = execute_notebook(notebook.path, target, cwd=result.run_dir, cell_timeout=cell_timeout,
                                         log=log, parameters=parameters, kernel=slot.kernel)
            execution = Execution(attempts, execution.failure)
            if execution.failure is not None:  # a kernel that failed a phase is not trusted with the next one
                slot.kernel.discard(now=True)
    with lock:
        phase.duration_s = time.perf_counter() - clock
        tracker.finish(phase)
        phase.kernel_attempts = execution.attempts
        if execution.failure is None:
            phase.status = "ok"
        else:
            f = execution.failure
            phase.status = "failed"
            phase.error = PhaseError(notebook.name, display_path(target), cell_index=f.cell_index,
                                     execution_count=f.execution_count, source_line=f.source_line, ename=f.ename,
                                     evalue=f.evalue)
        tracker.attribute([phase], final=False)
        if on_phase:
            on_phase(phase)


def _write_summary(result: RunResult, cohort: Any, shared: Path | None = None) -> Any:
    """The executive summary (for the report's top) and ``summary.html``: the one the evaluation phase handed over
    in ``shared``, else computed from the cohort; on failure a warning, and the report opens with the phases."""
    from ..cohort.tables import atomic_write
    from .report import private_terms, redact
    from .summary import executive_summary, summary_from_json, summary_page

    summary = None
    if shared is not None:
        with suppress(OSError, ValueError, KeyError, TypeError):  # missing when the phase failed before handing it
            summary = summary_from_json(shared.read_text(encoding="utf-8"))
    try:
        if summary is None:
            summary = executive_summary(cohort)
        page, _ = redact(summary_page(summary, run_name=result.run_dir.name), private_terms(cohort.participants))
        path = result.run_dir / "summary.html"
        with atomic_write(path, "w", encoding="utf-8") as handle:
            handle.write(page)
        result.summary = path
        return summary
    except Exception as exc:
        result.warnings.append(f"summary.html could not be written ({type(exc).__name__}: {exc}); the report holds "
                               "every phase's results")
        return None


def _write_workbook(result: RunResult) -> Path | None:
    from .workbook import write_workbook

    return write_workbook(result.run_dir / "tables", result.run_dir / "tables.xlsx")


def _write_report(result: RunResult, cohort: Any, summary: Any = None) -> tuple[Path, int]:
    from ..cohort.tables import atomic_write
    from .report import build_report, private_terms

    html, redactions = build_report(result, private=private_terms(cohort.participants), as_of=cohort.program.as_of,
                                    summary=summary)
    path = result.run_dir / "report.html"
    with atomic_write(path, "w", encoding="utf-8") as handle:
        handle.write(html)
    return path, redactions


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
