"""Executing one phase notebook with papermill, robustly.

- The kernel gets its working folder and environment when it starts (the calling process never changes its own
  working directory), and imports the same rmkit as the caller: a source checkout is put first on the kernel's
  ``PYTHONPATH`` (:func:`kernel_environment`).
- A kernel that fails to start is retried a few times with growing pauses: kernels starting together can collide on
  ports (papermill issue #511). A failure inside a cell is never retried.
- The kernel process's own output (its start-up and shutdown messages) and papermill's log go to a log file, if
  one is given, instead of the caller's terminal. On POSIX systems the kernel is reached over IPC sockets, not TCP,
  so it logs no "running over TCP without encryption" warning: a log holds only what is worth reading.
- Kernels start without the one slow import that is of no use here (:data:`KERNEL_STARTUP`): ``jsonschema``, which
  papermill, nbformat and altair import, builds the grammar of its optional IRI format checker (``rfc3987_syntax``)
  at import, ~2.5 s of every kernel that draws a chart; no schema in play (notebooks, Vega-Lite) uses that format.
  :func:`skip_slow_imports` does the same in a process rmkit owns (the command line, a batch worker).
- **Few notebook saves.** Papermill saves the executed notebook when each cell starts and ends (a 30-cell phase: 60
  writes of a growing file); here it is written when the notebook ends or fails, and during a long run at most every
  :data:`SAVE_EVERY` seconds, so that its progress can still be followed.
- Phases may run in threads at the same time: papermill's log goes to the log file of the phase whose thread wrote it.
- A notebook may run in a kernel that is already running (``kernel=``, a :class:`~rmkit.runs.kernels.KernelSlot`
  that a run keeps for several phases): papermill then neither starts nor shuts down a kernel.
- Every failure comes back the same way, as a :class:`CellFailure` (cell index, ``In [n]``, first source line, error
  name and message). Papermill writes a raising cell's error into the executed notebook itself; for a cell that timed
  out or a kernel that died, this module writes the error into that cell, so the executed notebook always shows it.

papermill, nbclient and nbformat are imported inside the functions: importing this module costs nothing.
"""

from __future__ import annotations

import functools
import logging
import os
import random
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

__all__ = [
    "KERNEL_NAME",
    "DEFAULT_CELL_TIMEOUT",
    "CellFailure",
    "Execution",
    "KernelStartError",
    "execute_notebook",
    "kernel_environment",
    "source_root",
    "first_source_line",
    "skip_slow_imports",
    "prepare_engine",
    "over_ipc",
]

KERNEL_NAME = "python3"
DEFAULT_CELL_TIMEOUT = 600
"""Seconds one cell may run before the phase fails (papermill's default is no limit at all)."""
KERNEL_START_TIMEOUT = 60
KERNEL_START_ATTEMPTS = 3
KERNEL_START_BACKOFF = 1.0
"""Seconds before the second attempt to start a kernel; doubled for each further attempt, plus up to 50% jitter."""
SAVE_EVERY = 30.0
"""Seconds between two saves of the executed notebook while it runs (it is always written when it ends)."""
ENGINE_NAME = "rmkit"
SLOW_OPTIONAL_IMPORT = "rfc3987_syntax"
KERNEL_STARTUP = (f"import sys; sys.modules.setdefault({SLOW_OPTIONAL_IMPORT!r}, None)",)
"""Lines each kernel runs at start-up, before the first cell (IPython's ``exec_lines``; not in the notebook)."""


@dataclass(frozen=True)
class CellFailure:
    """Where and how a notebook failed. ``cell_index`` is ``None`` when it failed before its first cell."""

    cell_index: int | None
    execution_count: int | None
    source_line: str
    ename: str
    evalue: str


@dataclass(frozen=True)
class Execution:
    """The outcome of :func:`execute_notebook`: how many kernel starts it took, and the failure if any."""

    attempts: int
    failure: CellFailure | None = None

    @property
    def ok(self) -> bool:
        return self.failure is None


class KernelStartError(Exception):
    """The kernel did not start or did not answer in time (retried by :func:`execute_notebook`)."""


class CellStopped(Exception):
    """A cell timed out or its kernel died; its error has been written into the executed notebook."""

    def __init__(self, failure: CellFailure, notebook: Any = None):
        super().__init__(f"{failure.ename}: {failure.evalue}")
        self.failure = failure
        self.notebook = notebook


def source_root() -> Path | None:
    """The folder that holds the running ``rmkit`` package when it is a source checkout, else ``None``.

    Examples
    --------
    >>> root = source_root()
    >>> root is None or (root / "rmkit" / "__init__.py").is_file()
    True
    """
    root = Path(__file__).resolve().parents[2]  # rmkit/runs/execute.py -> the folder holding rmkit
    return None if root.name in {"site-packages", "dist-packages"} else root


def kernel_environment(environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for a phase kernel (or a batch worker): ``environ`` (default ``os.environ``) with this rmkit's
    source checkout first on ``PYTHONPATH``, without the variables that would make rmkit behave as a dashboard, and
    without the debugger's frozen-modules warning on every kernel start.

    Examples
    --------
    >>> env = kernel_environment({"PYTHONPATH": "/elsewhere", "RMKIT_DASHBOARD": "1"})
    >>> "RMKIT_DASHBOARD" in env, env["PYTHONPATH"].endswith("/elsewhere")
    (False, True)
    """
    env = dict(os.environ if environ is None else environ)
    root = source_root()
    if root is not None:
        rest = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p and Path(p).resolve() != root]
        env["PYTHONPATH"] = os.pathsep.join([str(root), *rest])
    for name in ("RMKIT_DASHBOARD", "VOILA_APP_PORT"):
        env.pop(name, None)
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    return env


def skip_slow_imports() -> None:
    """Make ``import rfc3987_syntax`` fail in this process, unless jsonschema has already been imported (then it is
    too late to matter), so that jsonschema skips its IRI format checker instead of building its grammar (~2.5 s).

    Only for processes that rmkit owns: the command line and batch workers, never a user's session.
    """
    if "jsonschema" not in sys.modules:
        sys.modules.setdefault(SLOW_OPTIONAL_IMPORT, None)  # type: ignore[arg-type]


def first_source_line(source: str | list[str], width: int = 80) -> str:
    """The first line of a cell's source that is not blank, shortened to ``width`` characters.

    Examples
    --------
    >>> first_source_line("\\n  total = 1 / 0  \\nprint(total)")
    'total = 1 / 0'
    >>> first_source_line("x = '" + "a" * 100 + "'", width=12)
    "x = 'aaaaaa…"
    """
    text = "".join(source) if isinstance(source, list) else source
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return line if len(line) <= width else line[: width - 1] + "…"


def execute_notebook(source: str | os.PathLike[str], target: str | os.PathLike[str], *, parameters: Mapping[str, Any],
                     cwd: str | os.PathLike[str], env: Mapping[str, str] | None = None,
                     cell_timeout: float | None = DEFAULT_CELL_TIMEOUT, start_timeout: float = KERNEL_START_TIMEOUT,
                     attempts: int | None = None, log: str | os.PathLike[str] | None = None,
                     kernel: Any = None) -> Execution:
    """Execute the notebook ``source`` with papermill into ``target``, with the ``python3`` kernel.

    Parameters
    ----------
    source, target : path-like
        The notebook to run and the executed notebook to write (written even when a cell fails).
    parameters : mapping
        Injected after the cell tagged ``parameters``.
    cwd : path-like
        The kernel's working folder.
    env : mapping, optional
        The kernel's environment (default: :func:`kernel_environment`).
    cell_timeout : float or None
        Seconds one cell may run; ``None`` for no limit.
    start_timeout : float
        Seconds to wait for a kernel to start.
    attempts : int, optional
        Kernel starts to try (default ``KERNEL_START_ATTEMPTS``).
    log : path-like, optional
        A file for papermill's messages and the kernel process's own output (removed again if nothing was
        written); by default they go to the terminal.
    kernel : KernelSlot, optional
        A running kernel to execute the notebook in (its working folder and environment are the caller's to set,
        see :meth:`~rmkit.runs.kernels.KernelSlot.clear`); ``cwd``, ``env`` and ``start_timeout`` then do not apply
        and the kernel is left running.

    Returns
    -------
    Execution
        ``failure`` describes a cell that raised or timed out, a kernel that died, or a kernel that never started.
    """
    import papermill

    _register_engine()
    attempts = attempts or KERNEL_START_ATTEMPTS
    environment = dict(env) if env is not None else kernel_environment()
    with _logging_to(log) as handle:
        return _attempts(papermill.execute_notebook, dict(
            input_path=os.fspath(source), output_path=os.fspath(target), parameters=dict(parameters),
            engine_name=ENGINE_NAME, kernel_name=KERNEL_NAME, progress_bar=False, log_output=False,
            start_timeout=start_timeout, execution_timeout=cell_timeout, kernel_cwd=os.fspath(cwd),
            kernel_env=environment, kernel_output=handle, request_save_on_cell_execute=False,
            save_path=os.fspath(target), kernel_slot=kernel,
        ), 1 if kernel is not None else attempts)


def _attempts(execute: Any, kwargs: dict[str, Any], attempts: int) -> Execution:
    from papermill.exceptions import PapermillExecutionError

    last_error: KernelStartError | None = None
    for attempt in range(1, attempts + 1):
        try:
            execute(**kwargs)
            return Execution(attempt)
        except PapermillExecutionError as exc:
            failure = CellFailure(exc.cell_index, exc.exec_count, first_source_line(exc.source), exc.ename, exc.evalue)
            return Execution(attempt, failure)
        except KernelStartError as exc:
            last_error = exc
            if attempt < attempts:
                delay = KERNEL_START_BACKOFF * 2 ** (attempt - 1) * (1 + random.random() / 2)
                logging.getLogger("papermill.rmkit").warning(
                    "the kernel did not start (attempt %d of %d: %s); trying again in %.1f s", attempt, attempts, exc, delay)
                time.sleep(delay)
        except CellStopped as stop:
            if stop.notebook is not None:
                from papermill.iorw import write_ipynb

                with suppress(Exception):
                    write_ipynb(stop.notebook, kwargs["output_path"])
            return Execution(attempt, stop.failure)
        except Exception as exc:  # an unreadable notebook, a missing parameter: the phase fails, the run goes on
            return Execution(attempt, CellFailure(None, None, "", type(exc).__name__, str(exc).strip()))
    message = f"the '{KERNEL_NAME}' kernel did not start ({attempts} attempts); last: {last_error}"
    return Execution(attempts, CellFailure(None, None, "", "KernelStartError", message))


_LOG_LOCK = threading.Lock()
_LOGS_OPEN = [0]


@contextmanager
def _logging_to(path: str | os.PathLike[str] | None) -> Iterator[IO[str] | None]:
    """Send papermill's log to ``path`` while executing (and yield the open file for the kernel's output); only the
    records of this thread, as phases may run in threads at the same time."""
    if path is None:
        yield None
        return
    logger = logging.getLogger("papermill")
    thread = threading.get_ident()
    with open(path, "a", encoding="utf-8") as handle:
        handler = logging.StreamHandler(handle)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        handler.addFilter(lambda record: record.thread == thread)
        with _LOG_LOCK:
            if _LOGS_OPEN[0] == 0:
                _LOGS_OPEN.append(logger.propagate)
            _LOGS_OPEN[0] += 1
            logger.addHandler(handler)
            logger.propagate = False
        try:
            yield handle
        finally:
            with _LOG_LOCK:
                logger.removeHandler(handler)
                _LOGS_OPEN[0] -= 1
                if _LOGS_OPEN[0] == 0:
                    logger.propagate = _LOGS_OPEN.pop()
    if os.path.getsize(path) == 0:
        os.unlink(path)


def over_ipc(manager: Any) -> Any:
    """``manager`` (a Jupyter kernel manager, before its kernel starts) with its kernel listening on local IPC
    sockets (POSIX) beside its connection file, in Jupyter's private runtime folder, rather than TCP on 127.0.0.1: no
    other local user can connect or listen in, and the kernel logs no "running over TCP without encryption" warning.
    Elsewhere, or when the socket path would be too long for a Unix socket (~100 bytes), TCP as usual."""
    if os.name == "posix":
        import uuid

        from jupyter_core.paths import jupyter_runtime_dir

        runtime = Path(jupyter_runtime_dir())
        runtime.mkdir(parents=True, exist_ok=True, mode=0o700)
        socket = runtime / f"rmkit-{uuid.uuid4().hex[:12]}"  # absolute: the kernel runs in another folder
        if len(os.fsencode(socket)) < 90:
            manager.transport, manager.ip = "ipc", os.fspath(socket)
    return manager


def prepare_engine() -> None:
    """Import papermill and register rmkit's engine now (otherwise done by the first :func:`execute_notebook`)."""
    _register_engine()


@functools.cache
def _register_engine() -> type:
    """Register (once) a papermill engine that starts the kernel with a given working folder and environment and
    turns any failure to start it into :class:`KernelStartError`."""
    import nbformat
    from nbclient.exceptions import CellTimeoutError, DeadKernelError
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.log import logger
    from papermill.utils import remove_args

    class Client(PapermillNotebookClient):  # type: ignore[misc]
        def create_kernel_manager(self) -> Any:
            """The kernel talks to papermill over local IPC sockets (beside its connection file, in Jupyter's
            private runtime folder) rather than TCP on 127.0.0.1: no other local user can connect or listen in, and
            the kernel does not log its "running over TCP without encryption" warning into every phase log."""
            return over_ipc(super().create_kernel_manager())

        def start_new_kernel(self, **kwargs: Any) -> None:
            try:
                super().start_new_kernel(**kwargs)
            except Exception as exc:
                with suppress(Exception):
                    self._cleanup_kernel()
                raise KernelStartError(f"{type(exc).__name__}: {exc}") from exc

        def start_new_kernel_client(self) -> Any:
            try:
                return super().start_new_kernel_client()
            except Exception as exc:  # nbclient has already shut the kernel down
                raise KernelStartError(f"{type(exc).__name__}: {exc}") from exc

        def execute_cell(self, cell: Any, cell_index: int, *args: Any, **kwargs: Any) -> Any:
            """Papermill records a cell that raised; record a cell that timed out or whose kernel died too."""
            try:
                return super().execute_cell(cell, cell_index, *args, **kwargs)
            except (CellTimeoutError, DeadKernelError) as exc:
                if isinstance(exc, CellTimeoutError):
                    ename, evalue = "CellTimeoutError", f"the cell ran longer than the timeout of {self.timeout:g} s"
                else:
                    ename, evalue = "DeadKernelError", "the kernel died while running this cell (out of memory, or killed)"
                cell.setdefault("outputs", []).append(
                    nbformat.v4.new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"]))
                self.nb_man.cell_exception(cell, cell_index=cell_index, exception=exc)
                failure = CellFailure(cell_index, cell.get("execution_count"), first_source_line(cell.source), ename,
                                      evalue)
                raise CellStopped(failure, self.nb_man.nb) from exc

    class Engine(NBClientEngine):  # type: ignore[misc]
        @classmethod
        def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, log_output: bool = False,
                                     stdout_file: Any = None, stderr_file: Any = None, start_timeout: float = 60,
                                     execution_timeout: float | None = None, kernel_cwd: str | None = None,
                                     kernel_env: Mapping[str, str] | None = None, kernel_output: IO[str] | None = None,
                                     save_path: str | None = None, kernel_slot: Any = None, **kwargs: Any) -> Any:
            kwargs = remove_args(["input_path", "timeout", "startup_timeout"], **kwargs)
            if save_path is not None:
                _save_now_and_then(nb_man, save_path)
            if kernel_slot is not None:  # a running kernel, kept by the caller: not started, not shut down here
                client = Client(nb_man, km=kernel_slot.km, timeout=execution_timeout, kernel_name=kernel_name,
                                log=logger, log_output=log_output, stdout_file=stdout_file, stderr_file=stderr_file,
                                **kwargs)
                client.kc = kernel_slot.kc
                return client.execute()
            startup = [f"--IPKernelApp.exec_lines={line}" for line in KERNEL_STARTUP]
            kwargs["extra_arguments"] = [*kwargs.get("extra_arguments", []), *startup]
            client = Client(nb_man, timeout=execution_timeout, startup_timeout=start_timeout, kernel_name=kernel_name,
                            log=logger, log_output=log_output, stdout_file=stdout_file, stderr_file=stderr_file,
                            **kwargs)
            start = {key: value for key, value in (("cwd", kernel_cwd), ("env", kernel_env), ("stdout", kernel_output),
                                                   ("stderr", kernel_output)) if value is not None}
            return client.execute(**start)

    papermill_engines.register(ENGINE_NAME, Engine)
    return Engine


def _save_now_and_then(nb_man: Any, path: str) -> None:
    """Make papermill's execution manager save the notebook to ``path`` at most every :data:`SAVE_EVERY` seconds
    (instead of on every cell's start and end); papermill writes it once more when it ends."""
    save = nb_man.save
    nb_man.output_path = path

    def throttled(**kwargs: Any) -> Any:
        if (nb_man.now() - nb_man.last_save_time).total_seconds() >= SAVE_EVERY:
            return save(**kwargs)
        return None

    nb_man.save = throttled
