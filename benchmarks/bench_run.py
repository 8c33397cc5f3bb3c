"""Benchmark: ``rmkit run`` and ``rmkit batch`` on the bundled example cohort, against the floor of papermill.

    python benchmarks/bench_run.py [--repeat R] [--skip-batch]

1. ``rmkit run EXAMPLE`` in a fresh process, against the floor: a fresh Python process that imports papermill and
   executes as many trivial notebooks (a ``parameters`` cell and ``pass``) with the ``python3`` kernel as there are
   phases, one after the other. The ratio says what rmkit's run costs on top of papermill itself; the per-phase
   table says where the time goes: kernel start (papermill's notebook start to the first cell), the cells (with the
   slowest one), and the rest (kernel shutdown, saving), read from the papermill metadata of the executed notebooks;
   the process's remaining time (start-up, imports, validation, hashing, the report) is shown too.
2. ``rmkit batch`` with 2 workers on 2 cohorts against 2 × the same batch of 1 cohort (both in fresh processes).

Times are wall-clock seconds, best of ``--repeat`` runs, with the CPU time (user + system) of all the processes
involved: a run keeps about one core busy, so on 2 cores 2 cohorts cannot take less than about one cohort's time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from rmkit.phases.registry import find_phases  # noqa: E402
from rmkit.resources import example_cohort_dir  # noqa: E402
from rmkit.runs.execute import kernel_environment  # noqa: E402

FLOOR = """
import sys, papermill
for k, out in enumerate(sys.argv[2:]):
    papermill.execute_notebook(sys.argv[1], out, parameters={"cohort_dir": "x", "output_dir": "y"},
                               kernel_name="python3", progress_bar=False)
"""


def trivial_notebook(path: Path) -> Path:
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    parameters = nbformat.v4.new_code_cell("cohort_dir = None\noutput_dir = None")
    parameters.metadata["tags"] = ["parameters"]
    notebook.cells = [parameters, nbformat.v4.new_code_cell("pass")]
    nbformat.write(notebook, str(path))
    return path


CPU: dict[float, float] = {}  # wall time of a measurement -> CPU seconds (user + system) of its processes


def timed(command: list[str], cwd: Path) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=kernel_environment(), capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    CPU[elapsed] = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return elapsed


def phase_breakdown(run_dir: Path) -> list[tuple[str, float, float, float, str, float]]:
    """Per phase: total, kernel start, cells, the slowest cell (its first line and seconds)."""
    rows = []
    for phase in json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))["phases"]:
        if phase["status"] == "skipped":
            continue
        notebook = json.loads((run_dir / phase["notebook"]).read_text(encoding="utf-8"))
        meta = notebook["metadata"]["papermill"]
        cells = [c for c in notebook["cells"] if c.get("metadata", {}).get("papermill", {}).get("start_time")]
        first = dt.datetime.fromisoformat(cells[0]["metadata"]["papermill"]["start_time"])
        kernel_start = (first - dt.datetime.fromisoformat(meta["start_time"])).total_seconds()
        durations = [(c["metadata"]["papermill"].get("duration") or 0.0, c) for c in cells]
        cell_total = sum(d for d, _ in durations)
        slowest, cell = max(durations, key=lambda item: item[0])
        line = next((x.strip() for x in "".join(cell["source"]).splitlines() if x.strip()), "")[:48]
        rows.append((phase["name"], phase["duration_s"], kernel_start, cell_total, line, slowest))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--skip-batch", action="store_true")
    args = parser.parse_args()
    cohort = example_cohort_dir()
    phases = find_phases()
    python = sys.executable
    print(f"{len(phases)} phases ({', '.join(p.name for p in phases)}), {os.cpu_count()} CPUs, "
          f"best of {args.repeat}\n")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        trivial = trivial_notebook(root / "trivial.ipynb")
        floors, runs, run_dirs = [], [], []
        for k in range(args.repeat):
            outs = [str(root / f"floor{k}-{i}.ipynb") for i in range(len(phases))]
            floors.append(timed([python, "-c", FLOOR, str(trivial), *outs], root))
            run_dir = root / f"run{k}"
            runs.append(timed([python, "-m", "rmkit", "run", str(cohort), "--out", str(run_dir)], root))
            run_dirs.append(run_dir)
        floor, run = min(floors), min(runs)
        best = run_dirs[runs.index(run)]
        print(f"rmkit run (example cohort):           {run:6.1f} s   (CPU {CPU[run]:.1f} s)")
        print(f"floor: papermill, {len(phases)} trivial notebooks: {floor:6.1f} s   (CPU {CPU[floor]:.1f} s; "
              f"{floor / len(phases):.1f} s each)")
        print(f"ratio run / floor:                     {run / floor:6.2f}\n")
        print("where the time of the best run goes (s):")
        print(f"  {'phase':<11} {'total':>6} {'kernel':>7} {'cells':>6}   slowest cell")
        rows = phase_breakdown(best)
        for name, total, kernel, cells, line, slowest in rows:
            print(f"  {name:<11} {total:6.1f} {kernel:7.1f} {cells:6.1f}   {slowest:4.1f} s  {line}")
        in_phases = sum(r[1] for r in rows)
        print(f"  phases run at the same time: {in_phases:.1f} s of phase time in a {run:.1f} s run "
              "(the rest: start-up, imports, validation, hashing, report.html)")
        if args.skip_batch:
            return
        print()
        ones, twos = [], []
        for k in range(args.repeat):
            ones.append(timed([python, "-m", "rmkit", "batch", str(cohort), "--workers", "1",
                               "--out", str(root / f"b1-{k}")], root))
            twos.append(timed([python, "-m", "rmkit", "batch", str(cohort), str(cohort), "--workers", "2",
                               "--out", str(root / f"b2-{k}")], root))
        one, two = min(ones), min(twos)
        print(f"rmkit batch, 1 cohort:                 {one:6.1f} s   (CPU {CPU[one]:.1f} s)")
        print(f"rmkit batch, 2 cohorts, 2 workers:     {two:6.1f} s   (CPU {CPU[two]:.1f} s)")
        print(f"ratio 2 cohorts / (2 × 1 cohort):      {two / (2 * one):6.2f}")


if __name__ == "__main__":
    main()
