"""``rmkit batch --scheduler``: cohorts as tasks of a Dask cluster give what the local batch gives."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ..conftest import rmkit_env
from ..helpers.phase_notebooks import FAILS_FOR_SOME_COHORTS, PARAMETERS, write_notebooks

pytestmark = pytest.mark.notebook

ORDER = ["good", "failing", "third"]
SLOW = [("code", PARAMETERS, ["parameters"]), ("code", "import time\ntime.sleep(6)\nprint('slept')", [])]


@pytest.fixture
def cohorts(tmp_path: Path, example_dir: Path) -> list[Path]:
    return [shutil.copytree(example_dir, tmp_path / name) for name in ORDER]


def _runs(out: Path) -> list[dict]:
    """Each run folder: its files, status, phases' statuses and worker, in the order the cohorts were given."""
    found = []
    for manifest_file in sorted(out.glob("*/*/manifest.json")):
        manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
        found.append({"cohort": Path(manifest["cohort"]["path"]).name, "status": manifest["status"],
                      "phases": [p["status"] for p in manifest["phases"]], "worker": manifest["worker"],
                      "files": sorted(str(f.relative_to(manifest_file.parent)) for f in manifest_file.parent.rglob("*")
                                      if f.is_file() and f.parent.name != "logs")})
    return sorted(found, key=lambda run: ORDER.index(run["cohort"]))


def _same(outcomes) -> list[tuple]:
    """What must agree between a local and a cluster batch: all but durations, workers and timestamped paths."""
    def neutral(message: str) -> str:
        return re.sub(r"/(local|dask)/(.*)/\d{8}T\d{6}Z(-\d+)?/", r"/OUT/\2/RUN/", message)

    return [(o.cohort, o.status, [neutral(m) for m in o.messages],
             o.report.name if o.report else None) for o in outcomes]


def test_a_local_cluster_gives_the_local_batch(tmp_path: Path, cohorts: list[Path]) -> None:
    from distributed import LocalCluster

    from rmkit.runs.batch_run import run_batch

    notebooks = write_notebooks(tmp_path / "nb", {"01_maybe.ipynb": FAILS_FOR_SOME_COHORTS})
    local = run_batch(cohorts, workers=2, runs_dir=tmp_path / "local", notebooks=notebooks, progress=False)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=":0") as cluster:
        addresses = set(cluster.workers[name].address for name in cluster.workers)
        remote = run_batch(cohorts, runs_dir=tmp_path / "dask", notebooks=notebooks, progress=False,
                           scheduler=cluster.scheduler_address)
    assert [o.status for o in local.outcomes] == ["ok", "failed", "ok"]
    assert _same(remote.outcomes) == _same(local.outcomes) and remote.exit_code == local.exit_code == 1
    assert {o.worker for o in local.outcomes} == {"local"} and {o.worker for o in remote.outcomes} <= addresses
    local_runs, remote_runs = _runs(tmp_path / "local"), _runs(tmp_path / "dask")
    assert [{**r, "worker": None} for r in remote_runs] == [{**r, "worker": None} for r in local_runs]
    assert [r["worker"] for r in remote_runs] == [o.worker for o in remote.outcomes]
    assert not (tmp_path / "dask" / ".rmkit-batch").exists()  # the attempts ledger is removed at the end
    assert "worker" in remote.summary_table()[0] and remote.outcomes[0].worker in remote.summary_table()[1]


def test_a_folder_the_workers_do_not_see_is_refused(tmp_path: Path, cohorts: list[Path], monkeypatch) -> None:
    from distributed import LocalCluster

    from rmkit.errors import UsageError
    from rmkit.runs import dask_batch
    from rmkit.runs.batch_run import run_batch

    elsewhere = tmp_path / "the-workers-disk"
    elsewhere.mkdir()

    def write_elsewhere(folder: str, token: str, index: int) -> str:  # a worker with its own, unshared disk
        return dask_batch.MARKER.format(token=token, index=index) if (elsewhere / "m").write_text(token) else ""

    monkeypatch.setattr(dask_batch, "_write_marker", write_elsewhere)
    with (LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0") as cluster,
          pytest.raises(UsageError, match="must go to a path every Dask worker sees")):
        run_batch(cohorts, runs_dir=tmp_path / "out", progress=False, scheduler=cluster.scheduler_address)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("address, message", [
    ("tcp://127.0.0.1:9", "cannot reach the Dask scheduler"),
    ("no-such-file.json", "expected a scheduler address such as tcp://host:8786"),
])
def test_a_bad_scheduler_exits_2(run_rmkit, tmp_path: Path, cohorts: list[Path], address: str, message: str) -> None:
    result = run_rmkit("batch", "good", "--scheduler", address, cwd=tmp_path, timeout=120)
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "runs").exists()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def cluster(tmp_path: Path):
    """A real ``dask scheduler`` and two ``dask worker`` processes on 127.0.0.1, each in its own process group."""
    dask = str(Path(sys.executable).parent / "dask")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    started = []

    def start(*args: str, name: str) -> subprocess.Popen:
        folder = tmp_path / name
        folder.mkdir()
        with open(folder / "log", "w") as log:
            process = subprocess.Popen([dask, *args], cwd=folder, env=rmkit_env(), start_new_session=True,
                                       stdout=log, stderr=subprocess.STDOUT)
        started.append(process)
        return process

    start("scheduler", "--host", "127.0.0.1", "--port", str(port), "--dashboard-address", ":0", name="scheduler")
    workers = [start("worker", address, "--nthreads", "1", "--host", "127.0.0.1", "--dashboard-address", ":0",
                     "--name", f"w{i}", name=f"w{i}") for i in (1, 2)]
    from distributed import Client

    with Client(address, timeout=60) as client:
        client.wait_for_workers(2, timeout=120)
    try:
        yield address, workers
    finally:
        for process in started:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in started:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@pytest.mark.slow
def test_a_real_cluster_gives_the_local_batch(run_rmkit, tmp_path: Path, cohorts: list[Path], cluster) -> None:
    address, _ = cluster
    notebooks = write_notebooks(tmp_path / "nb", {"01_maybe.ipynb": FAILS_FOR_SOME_COHORTS})
    local = run_rmkit("batch", *ORDER, "--out", "local", "--notebooks", notebooks, cwd=tmp_path)
    remote = run_rmkit("batch", *ORDER, "--out", "dask", "--notebooks", notebooks, "--scheduler", address,
                       cwd=tmp_path)
    assert local.returncode == remote.returncode == 1, remote.stderr

    def table(stdout: str) -> list[list[str]]:
        lines = stdout.strip().splitlines()
        start = next(i for i, line in enumerate(lines) if line.startswith("cohort"))
        return [[line.split()[0], line.split()[1], line.split()[-1].split("/")[-1]] for line in lines[start + 1: start + 4]]

    assert table(remote.stdout) == table(local.stdout) == [
        ["good", "ok", "report.html"], ["failing", "failed", "report.html"], ["third", "ok", "report.html"]]
    assert "tcp://127.0.0.1:" in remote.stdout and "3/3" in remote.stderr and "cohort" in remote.stderr
    local_runs, remote_runs = _runs(tmp_path / "local"), _runs(tmp_path / "dask")
    assert [{**r, "worker": None} for r in remote_runs] == [{**r, "worker": None} for r in local_runs]
    assert all(r["worker"].startswith("tcp://127.0.0.1:") for r in remote_runs)


@pytest.mark.slow
def test_killing_a_worker_mid_batch_loses_no_cohort(tmp_path: Path, cohorts: list[Path], cluster) -> None:
    from rmkit.runs.batch_run import run_batch

    address, workers = cluster
    notebooks = write_notebooks(tmp_path / "nb", {"01_slow.ipynb": SLOW})
    out = tmp_path / "out"

    def kill_when_both_run() -> None:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and len(list(out.glob("*/*/01_slow.ipynb"))) < 2:
            time.sleep(0.2)
        os.killpg(workers[0].pid, signal.SIGKILL)

    import threading

    killer = threading.Thread(target=kill_when_both_run)
    killer.start()
    result = run_batch(cohorts, runs_dir=out, notebooks=notebooks, progress=False, scheduler=address)
    killer.join()
    assert [o.status for o in result.outcomes] == ["ok", "ok", "ok"], [o.messages for o in result.outcomes]
    retried = [o for o in result.outcomes if any("was lost; run again on" in m for m in o.messages)]
    assert len(retried) == 1
    statuses = sorted(r["status"] for r in _runs(out))
    assert statuses == ["crashed", "ok", "ok", "ok"]  # the lost attempt's folder says it will never finish
