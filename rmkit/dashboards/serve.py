"""``rmkit dashboard``: serve a phase notebook as a Voilà dashboard on 127.0.0.1.

Sources are hidden, one kernel is preheated (the page is ready in ~2–3 s instead of running the whole notebook on
load), and charts render offline (the notebooks use ``alt.JupyterChart`` offline in a dashboard). The cohort
reaches the notebook through ``RMKIT_COHORT_DIR``; ``RMKIT_DASHBOARD=1`` tells the notebook to show the live
boards. Voilà refuses execute requests from the browser; the boards' callbacks only ever read the widgets' values,
never evaluate them.

Who can reach a board (:mod:`rmkit.dashboards.voila_server`): every start makes a new random token, which the
printed address carries and the server requires of the page and of every kernel connection; requests whose
``Host`` is not ``127.0.0.1``/``localhost`` and websockets from another origin are refused. ``no_token=True``
(``rmkit dashboard --no-token``) is for a trusted kiosk only.

Kernels do not pile up: a page's kernel is shut down about a minute after its tab closed or reloaded (culled when
it has had no connection for :data:`IDLE_KERNEL_SECONDS`), the preheated kernel is kept, and at most
:data:`~rmkit.dashboards.voila_server.MAX_PAGES` pages are served at once.

Voilà's messages go to a log file in a private folder (``0700``) under the user's cache folder
(:func:`log_folder`), opened without following a symbolic link.
"""

from __future__ import annotations

import os
import secrets
import socket
import stat
import subprocess
import sys
import time
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError

__all__ = ["BOARDS", "DashboardServer", "voila_command", "free_port", "start_dashboard", "log_folder"]

#: board name -> phase notebook
BOARDS = {"pairing": "03_pairing.ipynb", "checkins": "04_checkins.ipynb", "evaluation": "05_evaluation.ipynb"}
DEFAULT_PORT = 8866
#: a kernel without a connection (its tab closed or reloaded) for this long is shut down
IDLE_KERNEL_SECONDS = 60
CULL_INTERVAL_SECONDS = 15
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
    """The Voilà command line for one board (:mod:`rmkit.dashboards.voila_server`: Voilà with a token, local host
    names only and a bound on open pages); ``skip_extensions`` are front-end extensions the page does not load.
    The token is not an argument: a command line is visible to every user of the computer."""
    skip = [f"--VoilaConfiguration.extension_denylist={name}" for name in skip_extensions or []]
    return [
        sys.executable, "-m", "rmkit.dashboards.voila_server", str(notebook),
        "--no-browser",
        f"--port={port}",
        "--Voila.ip=127.0.0.1",
        "--Voila.port_retries=0",  # the port asked for, or fail: never a board on another port than the one printed
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
    """A running Voilà process serving one board; Voilà's and its kernels' messages go to ``log``. ``url`` carries
    the token of this start (empty ``token``: none is required)."""

    board: str
    url: str
    process: subprocess.Popen[bytes]
    log: Path | None = None
    token: str = ""

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


def _listens(process: subprocess.Popen[bytes], port: int) -> bool:
    """Whether ``process`` itself listens on ``port`` (Linux: its sockets against ``/proc/net/tcp``), not another
    program that took the port meanwhile; elsewhere, whether anything accepts connections there."""
    try:
        sockets = {os.readlink(f"/proc/{process.pid}/fd/{fd}") for fd in os.listdir(f"/proc/{process.pid}/fd")}
        table = Path("/proc/net/tcp").read_text().splitlines()[1:]
    except OSError:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            return sock.connect_ex(("127.0.0.1", port)) == 0
    for line in table:
        fields = line.split()
        if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port and f"socket:[{fields[9]}]" in sockets:
            return True
    return False


def _wait_until_listening(port: int, process: subprocess.Popen[bytes], timeout: float, log: Path | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise UsageError(f"Voilà stopped before serving (exit code {process.returncode}); its log {log}:{_log_tail(log)}")
        if _listens(process, port):
            return
        time.sleep(0.2)
    raise UsageError(f"Voilà did not start listening on port {port} within {timeout:.0f} s")


def log_folder() -> Path:
    """The private folder of the boards' logs: ``rmkit/dashboards`` under the user's cache folder
    (``$XDG_CACHE_HOME`` or ``~/.cache`` on Linux), made ``0700``; refused if it, or the cache folder of rmkit, is a
    symbolic link or belongs to someone else (another user could then read or redirect the log).

    Examples
    --------
    >>> import stat
    >>> stat.S_IMODE(log_folder().stat().st_mode) == 0o700
    True
    """
    try:
        from platformdirs import user_cache_dir

        base = Path(user_cache_dir("rmkit", appauthor=False))
    except ImportError:  # pragma: no cover - platformdirs comes with jupyter_core
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "rmkit"
    folder = base / "dashboards"
    for path in (base, folder):
        with suppress(FileExistsError):  # a file or a link in its place: refused below
            path.mkdir(mode=0o700, parents=path is base, exist_ok=True)
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
            raise UsageError(f"{path} is a symbolic link or not a folder; remove it: the boards' logs go there")
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            raise UsageError(f"{path} belongs to another user; remove it: the boards' logs go there")
        if stat.S_IMODE(info.st_mode) & 0o077:
            os.chmod(path, 0o700)
    return folder


def _open_log(path: Path) -> int:
    """Open ``path`` for writing, owner-only, never through a symbolic link (``O_NOFOLLOW``)."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags, 0o600)
    except OSError as exc:
        raise UsageError(f"cannot write the board's log {path}: {exc.strerror}") from None
    if hasattr(os, "fchmod"):
        os.fchmod(fd, 0o600)
    return fd


def start_dashboard(board: str, cohort_dir: str | os.PathLike[str], *, port: int | None = None, timeout: float = 60,
                    no_token: bool = False, max_pages: int | None = None) -> DashboardServer:
    """Validate the cohort and start Voilà for ``board``; returns when the server accepts connections.

    A new random token is made for this start (none with ``no_token``, for a trusted kiosk); ``max_pages`` bounds
    the pages served at once (default :data:`rmkit.dashboards.voila_server.MAX_PAGES`).

    Raises
    ------
    ValidationError
        If the cohort does not validate (the dashboard is not started).
    UsageError
        For an unknown board, a missing notebook or a server that does not start.
    """
    from ..cohort.verdict import require_valid
    from ..resources import notebooks_dir

    if board not in BOARDS:
        raise UsageError(f"unknown board {board!r}; boards: {', '.join(BOARDS)}")
    report = require_valid(str(cohort_dir))
    notebook = notebooks_dir() / BOARDS[board]
    if not notebook.is_file():
        raise UsageError(f"the {board} notebook is missing: {notebook}")
    chosen = port
    env = dict(os.environ)
    templates = Path(__file__).resolve().parent / "jupyter"  # rmkit's Voilà template (no CDN)
    env["JUPYTER_PATH"] = str(templates) + (os.pathsep + env["JUPYTER_PATH"] if env.get("JUPYTER_PATH") else "")
    from .voila_server import MAX_PAGES_VARIABLE, TOKEN_VARIABLE

    token = "" if no_token else secrets.token_urlsafe(24)
    env.update({
        "RMKIT_DASHBOARD": "1",
        "RMKIT_COHORT_DIR": str(Path(report.path).resolve()),
        "PYTHONUNBUFFERED": "1",
        TOKEN_VARIABLE: token,  # the environment: only this user can read it, unlike a command line
    })
    if max_pages is not None:
        env[MAX_PAGES_VARIABLE] = str(max_pages)
    root = Path(__file__).resolve().parents[2]
    if (root / "rmkit" / "__init__.py").is_file():  # a source checkout: the kernel imports this rmkit
        env["PYTHONPATH"] = str(root) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    for attempt in range(1 if chosen else 5):  # a free port can be taken by another program before Voilà binds it
        port = chosen or free_port(DEFAULT_PORT + 7 * attempt)
        # Voilà's and its kernels' messages go to a private log file, not the facilitator's terminal.
        log = log_folder() / f"{board}-{port}.log"
        with os.fdopen(_open_log(log), "wb") as handle:
            # Its own session: a Ctrl-C in the terminal reaches rmkit only, which then stops Voilà exactly once.
            process = subprocess.Popen(voila_command(notebook, port, skip_extensions=UNUSED_EXTENSIONS[board]), env=env,
                                       cwd=notebook.parent, stdin=subprocess.DEVNULL, stdout=handle,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        try:
            _wait_until_listening(port, process, timeout, log)
            break
        except UsageError:
            DashboardServer(board, "", process, log).stop()
            if chosen or "no available port" not in _log_tail(log):
                raise
        except BaseException:
            DashboardServer(board, "", process, log).stop()
            raise
    else:
        raise UsageError("every port tried was taken by another program meanwhile; pass --port")
    url = f"http://127.0.0.1:{port}/" + (f"?token={token}" if token else "")
    return DashboardServer(board, url, process, log, token)
