"""`rmkit dashboard`: refuses invalid cohorts, serves on 127.0.0.1 only, prints the URL, stops cleanly on Ctrl-C."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from rmkit.dashboards.serve import UNUSED_EXTENSIONS, free_port, voila_command

from ..conftest import rmkit_env
from ..helpers.cohort_builder import set_cell, write_tiny_cohort


def test_invalid_cohort_is_refused(run_rmkit, tmp_path: Path) -> None:
    folder = write_tiny_cohort(tmp_path / "tiny")
    set_cell(folder, "participants", 2, "role", "boss")
    result = run_rmkit("dashboard", "pairing", folder)
    assert result.returncode == 2
    assert "participants.csv:2:role: found 'boss'; allowed: mentor, mentee" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_board_and_bad_port(run_rmkit, example_dir: Path) -> None:
    assert run_rmkit("dashboard", "payroll", example_dir).returncode == 2
    result = run_rmkit("dashboard", "checkins", example_dir, "--port", "70000")
    assert result.returncode == 2 and "expected a port number" in result.stderr
    result = run_rmkit("dashboard", "checkins", example_dir, "--max-pages", "0")
    assert result.returncode == 2 and "--max-pages 0: expected 1 or more" in result.stderr


def test_voila_is_configured_for_a_workshop(tmp_path: Path) -> None:
    command = voila_command(tmp_path / "nb.ipynb", 9999)
    assert "--Voila.ip=127.0.0.1" in command and "--strip_sources=True" in command
    assert command[1:3] == ["-m", "rmkit.dashboards.voila_server"] and "--Voila.port_retries=0" in command
    assert not any("token" in c for c in command)  # never on a command line, which every local user can read
    assert "--preheat_kernel=True" in command and any("cull_idle_timeout" in c for c in command)
    assert "--template=rmkit" in command
    skipping = voila_command(tmp_path / "nb.ipynb", 9999, skip_extensions=UNUSED_EXTENSIONS["pairing"])
    assert "--VoilaConfiguration.extension_denylist=@voila-dashboards/jupyterlab-preview" in skipping
    assert not any("anywidget" in c for c in skipping)  # the pairing board's "Your name" field is an anywidget
    assert not any("anywidget" in c for c in voila_command(tmp_path / "nb.ipynb", 9999, skip_extensions=UNUSED_EXTENSIONS["evaluation"]))


def _children(pid: int) -> list[int]:
    """The child processes of ``pid`` (Linux's /proc); empty where that is not available."""
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"  # a zombie has exited
    except OSError:
        return False


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # what a shell does to a background job without job control


def _serve_checkins(example_dir: Path, port: int, *, sigint_ignored: bool = False, extra: tuple[str, ...] = ()) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "rmkit", "dashboard", "checkins", str(example_dir), "--port", str(port), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=rmkit_env(),
                            preexec_fn=_ignore_sigint if sigint_ignored else None)


def _assert_stops_cleanly(process: subprocess.Popen[str], port: int, signum: int) -> None:
    def server_and_kernels() -> list[int]:
        return [pid for voila in _children(process.pid) for pid in [voila, *_children(voila)]]

    if Path(f"/proc/{process.pid}/task/{process.pid}/children").exists():  # wait for the preheated kernel's start
        deadline = time.monotonic() + 30
        while len(server_and_kernels()) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(server_and_kernels()) >= 2, "expected Voilà and its preheated kernel to be running"
    running = server_and_kernels()
    process.send_signal(signum)
    assert process.wait(timeout=40) == 0
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in running) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not [pid for pid in running if _alive(pid)], "Voilà or a kernel outlived the dashboard"
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        assert sock.connect_ex(("127.0.0.1", port)) != 0  # Voilà is gone too
    assert "Traceback" not in process.stderr.read()


def test_serves_on_localhost_and_stops_on_ctrl_c(example_dir: Path) -> None:
    """Ctrl-C stops the board even when rmkit was started with SIGINT ignored, as a shell does to background jobs."""
    port = free_port(9100)
    process = _serve_checkins(example_dir, port, sigint_ignored=True)
    try:
        line = process.stdout.readline()
        url = line.strip().rsplit(" ", 1)[-1]
        assert url.startswith(f"http://127.0.0.1:{port}/?token="), line
        with urllib.request.urlopen(url, timeout=60) as response:  # the printed address, with its token
            assert response.status == 200
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:  # not reachable on other interfaces
            outside = socket.gethostbyname(socket.gethostname())
            if not outside.startswith("127."):
                assert sock.connect_ex((outside, port)) != 0
        _assert_stops_cleanly(process, port, signal.SIGINT)
    finally:
        if process.poll() is None:
            process.kill()


def test_stops_on_sigterm(example_dir: Path) -> None:
    """A service manager's or ``kill``'s SIGTERM stops the board, its Voilà server and its kernels. (Started with
    ``--no-token``, for a kiosk: the address has no token, and a warning says what that means.)"""
    port = free_port(9150)
    process = _serve_checkins(example_dir, port, extra=("--no-token",))
    try:
        assert process.stdout.readline().strip().endswith(f"is at http://127.0.0.1:{port}/")
        assert "warning: --no-token" in process.stderr.readline()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=120) as response:
            assert response.status == 200
        _assert_stops_cleanly(process, port, signal.SIGTERM)
    finally:
        if process.poll() is None:
            process.kill()
