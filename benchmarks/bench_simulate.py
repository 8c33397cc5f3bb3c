"""Benchmark: ``rmkit simulate --reps N`` on the example cohort, in this process against a local 2-worker cluster.

    python benchmarks/bench_simulate.py [--reps 200] [--seed 0]

Four fresh ``rmkit simulate`` processes on the bundled example cohort (3 scale objectives, a comparison group,
3 waves; 5 effect sizes x paired change, difference-in-differences and the mixed model): ``--reps 1`` (the fixed
cost: start-up, validation, reading the design, the report and its charts), ``--reps N`` in-process, and ``--reps
N`` in-process again with one BLAS thread (``OMP_NUM_THREADS=1``: the mixed model's many tiny matrix solves
lose time to BLAS threads on a busy machine, and Dask's workers run with one thread), and ``--reps
N --scheduler`` pointed at a ``LocalCluster`` of 2 single-thread worker processes started beforehand (its start-up
is not counted: a cluster serves many runs). Seconds per rep = (time − fixed time) / (N − 1); the scaling
efficiency of 2 workers = one-thread in-process per rep / (2 × cluster per rep). Also checks that both give the same
``power.csv`` (the same seed, whatever the workers).
"""

from __future__ import annotations

import argparse
import filecmp
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from rmkit.resources import example_cohort_dir  # noqa: E402
from rmkit.runs.execute import kernel_environment  # noqa: E402

ONE_THREAD = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}


def simulate(out: Path, reps: int, seed: int, extra: list[str], env: dict[str, str] | None = None) -> float:
    clock = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "rmkit", "simulate", str(example_cohort_dir()), "--reps", str(reps),
                             "--seed", str(seed), "--out", str(out), *extra],
                            env={**kernel_environment(), **(env or {})}, capture_output=True, text=True)
    elapsed = time.perf_counter() - clock
    if result.returncode != 0:
        sys.exit(f"rmkit simulate {' '.join(extra)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=200)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    if args.reps < 2:
        sys.exit("--reps must be 2 or more")
    from distributed import LocalCluster

    with tempfile.TemporaryDirectory() as temp:
        folder = Path(temp)
        fixed = simulate(folder / "one", 1, args.seed, [])
        local = simulate(folder / "local", args.reps, args.seed, [])
        single = simulate(folder / "single", args.reps, args.seed, [], ONE_THREAD)
        with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster:
            remote = simulate(folder / "dask", args.reps, args.seed, ["--scheduler", cluster.scheduler_address])
        same = all(filecmp.cmp(folder / "local" / "power.csv", folder / run / "power.csv", shallow=False)
                   for run in ("single", "dask"))
    per_local = (local - fixed) / (args.reps - 1)
    per_single = (single - fixed) / (args.reps - 1)
    per_remote = (remote - fixed) / (args.reps - 1)
    print(f"rmkit simulate --reps {args.reps} on the example cohort (seed {args.seed})")
    print(f"  fixed cost (--reps 1)     {fixed:7.1f} s")
    print(f"  in this process           {local:7.1f} s   {per_local:6.3f} s per rep (BLAS threads as installed)")
    print(f"  in this process, 1 thread {single:7.1f} s   {per_single:6.3f} s per rep (OMP/OPENBLAS_NUM_THREADS=1)")
    print(f"  2 Dask workers            {remote:7.1f} s   {per_remote:6.3f} s per rep (1 thread each, as Dask sets)")
    print(f"  speed-up of 2 workers: {per_single / per_remote:4.2f}x against 1 thread, {per_local / per_remote:4.2f}x "
          f"against the default; scaling efficiency {100 * per_single / (2 * per_remote):5.1f} %")
    print(f"  same power.csv: {'yes' if same else 'NO'}")


if __name__ == "__main__":
    main()
