"""Benchmark: ``rmkit batch`` of N example cohorts, the local default against ``--scheduler`` on a 2-worker cluster.

    python benchmarks/bench_batch_dask.py [--cohorts 8] [--phases objectives,...]

Both batches run the same cohorts (copies of the bundled example) with the same phases, in fresh ``rmkit batch``
processes: first the default (a pool of 2 worker processes on this machine), then ``--scheduler`` pointed at a
``LocalCluster`` of 2 single-thread worker processes started beforehand (its start-up is not counted: a cluster is
started once and serves many batches). Prints wall-clock seconds, cohorts per minute and the overhead of Dask
(cluster time / local time - 1; the issue's target is at most 10 %).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from rmkit.resources import example_cohort_dir  # noqa: E402
from rmkit.runs.execute import kernel_environment  # noqa: E402


def batch(folder: Path, cohorts: list[str], out: str, extra: list[str]) -> float:
    clock = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "rmkit", "batch", *cohorts, "--workers", "2", "--out", out, *extra],
                            cwd=folder, env=kernel_environment(), capture_output=True, text=True)
    elapsed = time.perf_counter() - clock
    if result.returncode != 0:
        sys.exit(f"rmkit batch {' '.join(extra)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cohorts", type=int, default=8)
    parser.add_argument("--phases", default=None, help="comma-separated phases (default: all)")
    args = parser.parse_args()
    from distributed import LocalCluster

    extra = ["--phases", args.phases] if args.phases else []
    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        names = [f"cohort{i}" for i in range(args.cohorts)]
        for name in names:
            shutil.copytree(example_cohort_dir(), folder / name)
        local = batch(folder, names, "local", extra)
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
            remote = batch(folder, names, "dask", [*extra, "--scheduler", cluster.scheduler_address])
    print(f"{args.cohorts} cohorts, 2 workers")
    print(f"  local default      {local:7.1f} s   {60 * args.cohorts / local:5.1f} cohorts/min")
    print(f"  --scheduler (Dask) {remote:7.1f} s   {60 * args.cohorts / remote:5.1f} cohorts/min")
    print(f"  Dask overhead      {100 * (remote / local - 1):+6.1f} %")


if __name__ == "__main__":
    main()
