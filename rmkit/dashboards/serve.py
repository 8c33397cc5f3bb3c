"""``rmkit dashboard``: serve a phase notebook as a Voilà dashboard on 127.0.0.1.

Sources are hidden, one kernel is preheated (the page is ready in ~2–3 s instead of running the whole notebook on
load), idle kernels are culled, and charts render offline (the notebooks use ``alt.JupyterChart`` offline in a
dashboard). The cohort reaches the notebook through ``RMKIT_COHORT_DIR``; ``RMKIT_DASHBOARD=1`` tells the
notebook to show the live boards. Voilà refuses execute requests from the browser; the boards' callbacks only ever
read the widgets' values, never evaluate them.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError

__all__ = ["BOARDS", "DashboardServer", "voila_command", "free_port", "start_dashboard"]

#: board name -> phase notebook
BOARDS = {"pairing": "03_pairing.ipynb", "checkins": "04_checkins.ipynb", "evaluation": "05_evaluation.ipynb"}
DEFAULT_PORT = 8866
IDLE_KERNEL_SECONDS = 1800
CULL_INTERVAL_SECONDS = 120
#: Front-end extensions a board page does not need, not loaded so the page opens sooner: Voilà's JupyterLab preview
#: extension is for JupyterLab only. (The pairing board loads anywidget: its "Your name" field is one.)
UNUSED_EXTENSIONS = {
    "pairing": ["@voila-dashboards/jupyterlab-preview"],
    "checkins": ["@voila-dashboards/jupyterlab-preview"],
    "evaluation": ["@voila-dashboards/jupyterlab-preview"],
}


def free_port(start: int = DEFAULT_PORT, attempts: int = 50) -> int:
    """The first port from ``start`` on which nothing listens on 127.0.0.1."""
    for port in range(start, start + attempts):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise UsageError(f"no free port between {start} and {start + attempts - 1}; pass --port")


def voila_command(notebook: Path, port: int, *, pool_size: int = 1, skip_extensions: list[str] | None = None) -> list[str]:
    """The Voilà command line for one board; ``skip_extensions`` are front-end extensions the page does not load."""
    skip = [f"--VoilaConfiguration.extension_denylist={name}" for name in skip_extensions or []]
    return [
        sys.executable, "-m", "voila", str(notebook),
        "--no-browser",
        f"--port={port}",
        "--Voila.ip=127.0.0.1",
        "--strip_sources=True",
        "--show_tracebacks=False",
        "--preheat_kernel=True",
        f"--pool_size={pool_size}",
        f"--MappingKernelManager.cull_idle_timeout={IDLE_KERNEL_SECONDS}",
        f"--MappingKernelManager.cull_interval={CULL_INTERVAL_SECONDS}",
        "--MappingKernelManager.cull_connected=False",
        "--template=rmkit",
        "--Voila.log_level=ERROR",
        *skip,
    ]


@dataclass
class DashboardServer:
    """A running Voilà process serving one board; Voilà's and its kernels' messages go to ``log``."""

    board: str
    url: str
    process: subprocess.Popen[bytes]
    log: Path | None = None

    def stop(self, timeout: float = 20) -> None:
        """Stop Voilà cleanly, then kill it if it hangs.

        SIGTERM is Voilà's own stop signal: it stops serving and shuts its kernels down. (SIGINT is not used: a
        process started from a background job inherits SIGINT ignored.) A kernel left behind by a killed Voilà
        exits by itself once its parent is gone.
        """
        if self.process.poll() is not None:
            return
        try:
            self.process.terminate()
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)


def _log_tail(log: Path | None, lines: int = 15) -> str:
    if log is None or not log.is_file():
        return ""
    tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
    return "\n" + "\n".join(tail) if tail else ""


def _wait_until_listening(port: int, process: subprocess.Popen[bytes], timeout: float, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise UsageError(f"Voilà stopped before serving (exit code {process.returncode}); its log {log}:{_log_tail(log)}")
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise UsageError(f"Voilà did not start listening on port {port} within {timeout:.0f} s")


def start_dashboard(board: str, cohort_dir: str | os.PathLike[str], *, port: int | None = None, timeout: float = 60) -> DashboardServer:
    """Validate the cohort and start Voilà for ``board``; returns when the server accepts connections.

    Raises
    ------
    ValidationError
        If the cohort does not validate (the dashboard is not started).
    UsageError
        For an unknown board, a missing notebook or a server that does not start.
    """
    from ..cohort.validation import require_valid
    from ..resources import notebooks_dir

    if board not in BOARDS:
        raise UsageError(f"unknown board {board!r}; boards: {', '.join(BOARDS)}")
    report = require_valid(str(cohort_dir))
    notebook = notebooks_dir() / BOARDS[board]
    if not notebook.is_file():
        raise UsageError(f"the {board} notebook is missing: {notebook}")
    port = port or free_port()
    env = dict(os.environ)
    templates = Path(__file__).resolve().parent / "jupyter"  # rmkit's Voilà template (no CDN)
    env["JUPYTER_PATH"] = str(templates) + (os.pathsep + env["JUPYTER_PATH"] if env.get("JUPYTER_PATH") else "")
    env.update({
        "RMKIT_DASHBOARD": "1",
        "RMKIT_COHORT_DIR": str(Path(report.path).resolve()),
        "PYTHONUNBUFFERED": "1",
    })
    root = Path(__file__).resolve().parents[2]
    if (root / "rmkit" / "__init__.py").is_file():  # a source checkout: the kernel imports this rmkit
        env["PYTHONPATH"] = str(root) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    # Voilà's and its kernels' messages go to a log file, not the facilitator's terminal.
    log = Path(tempfile.gettempdir()) / f"rmkit-dashboard-{board}-{port}.log"
    with open(log, "wb") as handle:
        # Its own session: a Ctrl-C in the terminal reaches rmkit only, which then stops Voilà exactly once.
        process = subprocess.Popen(voila_command(notebook, port, skip_extensions=UNUSED_EXTENSIONS[board]), env=env, cwd=notebook.parent, stdin=subprocess.DEVNULL,
                                   stdout=handle, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_until_listening(port, process, timeout, log)
    except BaseException:
        DashboardServer(board, "", process, log).stop()
        raise
    return DashboardServer(board, f"http://127.0.0.1:{port}/", process, log)
