"""Kernels kept for several phases: one kernel per phase worker of a run, started once, cleared between phases.

A run's phases each paid a kernel's start (~1 s) and its first imports (rmkit, pandas, altair: 1.5–3.5 s), the
largest part of a run's time above papermill's own floor. A :class:`KernelSlot` belongs to one worker thread of
:func:`~rmkit.runs.cohort_run.run_cohort`; it starts its kernel as soon as the run begins (while the cohort is still
being validated), imports what every phase imports (:data:`WARM_UP`), and runs one phase after another in it.

Between two phases the kernel is cleared by silent code (:meth:`KernelSlot.clear`), so that a phase sees what a
fresh kernel would show it:

- the working folder and the environment are set to exactly the phase's own (variables the previous phase set or
  removed are undone; ``RMKIT_PHASE_FILES`` names the phase's own claim file);
- ``%reset -f`` empties the namespace (the phase cannot see the previous phase's variables), the execution counter
  starts at 1 again (``In [1]`` in the executed notebook, as in a fresh kernel), and garbage is collected;
- imported modules stay imported: that is the point.

A phase whose cell raised, timed out or killed the kernel leaves a kernel that is not trusted: it is shut down and
the next phase gets a fresh one. ``run_cohort(kernel_per_phase=True)`` (``rmkit run --kernel-per-phase``) gives every
phase its own fresh kernel, as before.

:class:`PhaseWorkers` are the run's worker threads, each with its :class:`PhaseSlot` (its number and its kept
kernel), taking phases from one queue; papermill itself is imported in the background meanwhile.

The kernel talks to the run over IPC sockets in Jupyter's private runtime folder (:func:`~rmkit.runs.execute.over_ipc`), so
no other local user can connect, and its own output (start-up and shutdown messages) goes to a private temporary
file that becomes ``logs/kernel-N.log`` in the run folder only when it holds something.
"""

from __future__ import annotations

import json
import os
import queue
import random
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..phases.registry import PhaseNotebook
    from .results import PhaseResult

__all__ = ["WARM_UP", "KernelSlot", "PhaseSlot", "PhaseWorkers"]

WARM_UP = "import pandas, altair, rmkit.charts, rmkit.runs.phase_context"
"""What every phase notebook imports first: imported once, when a kept kernel starts, before any phase runs (also
importing what only some phases use, the evaluation's statsmodels among them, made runs no faster on 2 cores)."""


class KernelSlot:
    """One kernel kept for the phases that one worker thread runs, one after the other.

    Every method must be called from the thread that owns the slot: the kernel client's sockets belong to that
    thread's event loop.

    Parameters
    ----------
    number : int
        The slot's number in its run (``logs/kernel-<number>.log``).
    env : mapping
        The environment the kernel starts with (each phase then gets its own, see :meth:`clear`).
    cwd : path-like
        The folder the kernel starts in (each phase then gets its own).
    start_timeout : float
        Seconds to wait for the kernel to answer after it started.
    """

    def __init__(self, number: int, *, env: Mapping[str, str], cwd: str | os.PathLike[str],
                 start_timeout: float = 60.0):
        self.number = number
        self.env = dict(env)
        self.cwd = os.fspath(cwd)
        self.start_timeout = start_timeout
        self.km: Any = None
        self.kc: Any = None
        self.starts = 0
        """Kernels this slot started, over its life (a failed phase costs a fresh one)."""
        self.phases_run = 0
        """Phases run in the current kernel."""
        self._output: IO[str] | None = None
        self._output_path: Path | None = None
        self._logs: list[Path] = []

    # ----------------------------------------------------------------------------------------- life cycle

    @property
    def alive(self) -> bool:
        return self.km is not None and self.kc is not None

    def start(self, attempts: int, *, notes: list[str] | None = None) -> int:
        """Start the kernel (retried up to ``attempts`` times with growing pauses, as kernels starting together can
        collide on ports) and import :data:`WARM_UP`. Returns the number of attempts it took; raises
        :class:`~rmkit.runs.execute.KernelStartError` when every attempt failed. Each failed attempt adds a line
        to ``notes`` (for the log of the phase that gets the kernel)."""
        from jupyter_core.utils import run_sync

        from . import execute

        last: Exception | None = None
        for attempt in range(1, attempts + 1):
            try:
                run_sync(self._start)([f"--IPKernelApp.exec_lines={line}" for line in execute.KERNEL_STARTUP])
                self.starts += 1
                self.phases_run = 0
                self.run_code(WARM_UP, what="importing what every phase imports")
                return attempt
            except Exception as exc:  # noqa: BLE001 - every way a start fails is retried the same way
                last = exc
                self.discard(now=True)
                if attempt < attempts:
                    delay = execute.KERNEL_START_BACKOFF * 2 ** (attempt - 1) * (1 + random.random() / 2)
                    if notes is not None:
                        notes.append(f"{time.strftime('%Y-%m-%d %H:%M:%S')} WARNING rmkit: the kernel did not start "
                                     f"(attempt {attempt} of {attempts}: {type(exc).__name__}: {exc}); trying again "
                                     f"in {delay:.1f} s")
                    time.sleep(delay)
        raise execute.KernelStartError(f"{type(last).__name__}: {last}")

    async def _start(self, extra_arguments: list[str]) -> None:
        self._open_output()
        from jupyter_client.manager import AsyncKernelManager

        from .execute import over_ipc

        self.km = over_ipc(AsyncKernelManager(kernel_name="python3"))
        await self.km.start_kernel(extra_arguments=extra_arguments, cwd=self.cwd, env=self.env,
                                   stdout=self._output, stderr=self._output)
        kc = self.km.client()
        kc.start_channels()
        try:
            await kc.wait_for_ready(timeout=self.start_timeout)
        except Exception:
            kc.stop_channels()
            raise
        kc.allow_stdin = False
        self.kc = kc

    def discard(self, *, now: bool = False) -> None:
        """Shut the kernel down (``now``: kill it rather than ask it to stop) and forget it; the slot can start
        another one."""
        from jupyter_core.utils import run_sync

        km, kc, self.km, self.kc = self.km, self.kc, None, None
        if kc is not None:
            with suppress(Exception):
                kc.stop_channels()
        if km is not None:
            async def stop() -> None:
                with suppress(Exception):
                    if await km.is_alive():
                        await km.shutdown_kernel(now=now)
                with suppress(Exception):
                    await km.cleanup_resources()

            with suppress(Exception):
                run_sync(stop)()
        self._close_output()

    def close(self, logs: Path | None = None, *, now: bool = False) -> list[Path]:
        """Shut the kernel down and move what kernels of this slot printed into ``logs`` (when there is any);
        returns the log files written."""
        self.discard(now=now)
        written = []
        for index, path in enumerate(self._logs, start=1):
            if path.stat().st_size and logs is not None:
                logs.mkdir(exist_ok=True)
                name = f"kernel-{self.number}.log" if len(self._logs) == 1 else f"kernel-{self.number}-{index}.log"
                target = logs / name
                with suppress(OSError):
                    target.write_bytes(path.read_bytes())
                    written.append(target)
            with suppress(OSError):
                path.unlink()
        self._logs = []
        return written

    def _open_output(self) -> None:
        self._close_output()
        handle, name = tempfile.mkstemp(prefix="rmkit-kernel-", suffix=".log")  # private: mode 0600
        self._output = os.fdopen(handle, "w", encoding="utf-8")
        self._output_path = Path(name)
        self._logs.append(self._output_path)

    def _close_output(self) -> None:
        if self._output is not None:
            with suppress(OSError):
                self._output.close()
        self._output = None

    # ----------------------------------------------------------------------------------------- phases

    def clear(self, *, cwd: str | os.PathLike[str], env: Mapping[str, str]) -> None:
        """Make the kept kernel look fresh to the next phase (see the module's docstring)."""
        code = "\n".join([
            "import os as _rmkit_os, gc as _rmkit_gc",
            f"_rmkit_os.chdir({os.fspath(cwd)!r})",
            "_rmkit_os.environ.clear()",
            f"_rmkit_os.environ.update(__import__('json').loads({json.dumps(dict(env))!r}))",
            "get_ipython().run_line_magic('reset', '-f')",
            "get_ipython().execution_count = 1",
            "__import__('gc').collect()",
        ])
        self.run_code(code, what="clearing between phases")

    def run_code(self, code: str, *, what: str, timeout: float = 120.0) -> None:
        """Run ``code`` silently in the kernel (not in any notebook, not in its history); raise ``RuntimeError``
        when it raised or did not answer in ``timeout`` seconds."""
        from jupyter_core.utils import run_sync

        async def run() -> dict[str, Any]:
            msg_id = self.kc.execute(code, silent=True, store_history=False, allow_stdin=False)
            deadline = time.monotonic() + timeout
            while True:
                reply = await self.kc.get_shell_msg(timeout=max(0.1, deadline - time.monotonic()))
                if reply.get("parent_header", {}).get("msg_id") == msg_id:
                    return reply["content"]

        if not self.alive:
            raise RuntimeError(f"{what}: the kernel is not running")
        content = run_sync(run)()
        if content.get("status") != "ok":
            raise RuntimeError(f"{what} failed in the kernel: {content.get('ename')}: {content.get('evalue')}")


# --------------------------------------------------------------------------------------------- phase workers

class PhaseSlot:
    """One phase worker: its number and, unless every phase gets a fresh kernel, the kernel it keeps."""

    def __init__(self, number: int, kept: bool):
        self.number = number
        self.kernel: Any = None
        self.attempts = 0
        self.start_error: Exception | None = None
        self.notes: list[str] = []
        self.max_attempts = 1
        self.done = threading.Event()
        """Set when the worker has no more phases to run."""
        if kept:
            from .execute import kernel_environment
            from .kernels import KernelSlot

            self.kernel = KernelSlot(number, env=kernel_environment(), cwd=os.getcwd())

    def start(self) -> None:
        """Start the kept kernel now (the first phase retries if this failed)."""
        from . import execute

        self.max_attempts = execute.KERNEL_START_ATTEMPTS
        try:
            self.attempts = self.kernel.start(self.max_attempts, notes=self.notes)
        except Exception as exc:  # noqa: BLE001 - kept for the first phase, which reports it
            self.start_error, self.attempts = exc, self.max_attempts

    def ready(self, *, cwd: Path, env: dict[str, str], log: Path) -> tuple[bool, int]:
        """The kept kernel, started if need be and cleared for a phase: (whether it is fresh, start attempts)."""
        from .execute import KernelStartError

        fresh = self.kernel.phases_run == 0
        attempts = self.attempts if fresh else 1
        if self.start_error is not None:
            error, self.start_error = self.start_error, None
            self._log(log)
            raise KernelStartError(f"the 'python3' kernel did not start ({self.max_attempts} attempts); last: {error}")
        if not self.kernel.alive:
            self.notes.clear()
            attempts = self.kernel.start(self.max_attempts, notes=self.notes)
            fresh = True
        self._log(log)
        self.kernel.clear(cwd=cwd, env=env)
        self.kernel.phases_run += 1
        return fresh, attempts

    def _log(self, log: Path) -> None:
        if self.notes:
            with open(log, "a", encoding="utf-8") as handle:
                handle.writelines(f"{note}\n" for note in self.notes)
            self.notes.clear()


class PhaseWorkers:
    """The threads that run a cohort's phases: each owns a :class:`PhaseSlot` (and its kept kernel, which only that
    thread may use) and takes the next phase from a queue, in the order given."""

    def __init__(self, count: int, *, kept: bool):
        self.slots = [PhaseSlot(number, kept) for number in range(1, count + 1)]
        self.queue: queue.Queue[Any] = queue.Queue()
        self.threads: list[threading.Thread] = []
        self.job: Callable[[PhaseNotebook, PhaseResult, PhaseSlot], None] | None = None
        self.logs: Path | None = None
        self.errors: list[BaseException] = []
        import jupyter_client.manager  # noqa: F401 - here, before threads that import it and papermill at once
        import jupyter_core.utils  # noqa: F401

        from .execute import prepare_engine

        self.engine = threading.Thread(target=prepare_engine, name="rmkit-papermill", daemon=True)
        self.engine.start()  # papermill's imports, while the cohort is validated and the kernels start
        for slot in self.slots:
            thread = threading.Thread(target=self._work, args=(slot,), name=f"rmkit-phase-{slot.number}", daemon=True)
            thread.start()
            self.threads.append(thread)

    def _work(self, slot: PhaseSlot) -> None:
        try:
            if slot.kernel is not None:
                slot.start()
            self.engine.join()
            while (item := self.queue.get()) is not None:
                assert self.job is not None
                try:
                    self.job(*item, slot)
                except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
                    self.errors.append(exc)
        finally:
            slot.done.set()  # the run goes on to its report while the kernel shuts down
            if slot.kernel is not None:
                slot.kernel.close(self.logs, now=True)  # every notebook is saved: nothing to wait for

    def start(self, todo: Sequence[tuple[PhaseNotebook, PhaseResult]],
              job: Callable[[PhaseNotebook, PhaseResult, PhaseSlot], None], *, logs: Path) -> None:
        """Have the workers run ``job(notebook, phase, slot)`` for every phase, in the order given."""
        self.job, self.logs = job, logs
        for item in todo:
            self.queue.put(item)

    def wait(self) -> None:
        """Wait until every phase is done (the kept kernels shut down meanwhile, see :meth:`stop`); re-raise what a
        job raised."""
        for _ in self.threads:
            self.queue.put(None)
        while not all(slot.done.is_set() for slot in self.slots):
            for slot in self.slots:
                slot.done.wait()
        if self.errors:
            raise self.errors[0]

    def __enter__(self) -> PhaseWorkers:
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        if kind is not None:  # on success the run joins the workers after its report (see run_cohort)
            self.stop()

    def stop(self) -> None:
        """No more phases: each worker ends after its current one and shuts its kernel down; wait for them."""
        for _ in self.threads:
            self.queue.put(None)
        try:
            for thread in self.threads:
                thread.join()
        except KeyboardInterrupt:
            with suppress(queue.Empty):
                while True:
                    self.queue.get_nowait()
            for _ in self.threads:
                self.queue.put(None)
            raise
