"""Speed of the pairing engine (a benchmark, not a test: run it by hand and read the figures).

1. ``rmkit pair`` as a whole process on a synthetic 2,000 × 2,000 cohort, against a lean reference measured in
   the same run (``benchmarks/lean_reference.py``: read the CSV, sparse one-hot products for the criteria, mask the
   rules, one ``linear_sum_assignment``). Target: at most 1.5 × the reference. Both runs must find the same total.
2. ``rmkit pair`` on 5,000 × 5,000 (must complete).
3. The ``stable`` solver at 1,000 × 1,000 (target: well under a second), and ``fair`` at 1,000 × 1,000.
4. Re-solving after a decision at 100 + 100, as the dashboard does after every click (target: under 0.3 s).
5. Deferred acceptance (``stable`` on stated preferences) on 2,000 × 2,000 complete random preference lists,
   against the ``matching`` package's ``HospitalResident`` (resident-optimal) in the same run: the ratio, and the
   same matching pair for pair (``--da-only`` runs just this; ``--da-n`` sets the size).
6. The robustness map (300 re-solves with perturbed weights) at 200 + 200 and 1,000 + 1,000, against one solve of
   the same problem measured in the same run (the ratio is about the number of re-solves when only the solver
   runs again); ``--robustness-only`` runs just this.

The cohort folders hold ``program.yaml`` and ``participants.csv``: a cohort at the pairing phase (``--full`` adds
the survey, outcome and cost tables of ``rmkit.cohort.synthetic``, which ``rmkit pair`` validates too).

Usage: python benchmarks/bench_pairing.py [--n 2000] [--big 5000] [--repeat 3] [--full] [--skip-big] [--da-n 2000] [--da-only] [--robustness-only]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def make_cohort(folder: Path, n: int, *, full: bool, seed: int = 1) -> Path:
    from rmkit.cohort.synthetic import generate_cohort, write_cohort

    cohort = generate_cohort(n_mentors=n, n_mentees=n, seed=seed, with_pairs=False)
    if not full:
        cohort.tables = {"participants": cohort.tables["participants"]}
    return write_cohort(cohort, folder, overwrite=True)


def timed(command: list[str], *, env: dict[str, str] | None = None) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr}")
    return elapsed, done


def best_of(repeat: int, command: list[str], env: dict[str, str] | None = None) -> float:
    return min(timed(command, env=env)[0] for _ in range(repeat))


def total_of(path: Path) -> tuple[int, float]:
    import pandas as pd

    pairs = pd.read_csv(path)
    return len(pairs), float(pairs["score"].sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=2000, help="mentors = mentees for the ratio (default 2000)")
    parser.add_argument("--big", type=int, default=5000, help="size of the must-complete run (default 5000)")
    parser.add_argument("--repeat", type=int, default=3, help="best of this many runs (default 3)")
    parser.add_argument("--full", action="store_true", help="write every table of the synthetic cohort, not only participants")
    parser.add_argument("--skip-big", action="store_true", help="skip the must-complete run")
    parser.add_argument("--da-n", type=int, default=2000, help="mentors = mentees for deferred acceptance (default 2000)")
    parser.add_argument("--da-only", action="store_true", help="run only the deferred-acceptance comparison")
    parser.add_argument("--robustness-only", action="store_true", help="only the robustness map (item 5)")
    args = parser.parse_args()
    if args.da_only:
        deferred_acceptance_figures(args.da_n, args.repeat)
        return
    if args.robustness_only:
        with tempfile.TemporaryDirectory(prefix="rmkit-bench-") as tmp:
            robustness_figures(Path(tmp))
        return

    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="rmkit-bench-") as tmp:
        work = Path(tmp)
        print(f"generating {args.n} x {args.n} ...", flush=True)
        cohort = make_cohort(work / f"cohort{args.n}", args.n, full=args.full)
        out, ref_out = work / "pairs.csv", work / "reference.csv"
        rmkit_cmd = [python, "-m", "rmkit", "pair", str(cohort), "--out", str(out)]
        ref_cmd = [python, str(REPO / "benchmarks" / "lean_reference.py"), str(cohort), str(ref_out)]
        # interleave the runs, so that a busy machine slows both alike
        rmkit_times, ref_times = [], []
        for _ in range(args.repeat):
            ref_times.append(timed(ref_cmd, env=env)[0])
            rmkit_times.append(timed(rmkit_cmd, env=env)[0])
        ours, reference = min(rmkit_times), min(ref_times)
        (n_ours, total_ours), (n_ref, total_ref) = total_of(out), total_of(ref_out)
        print(f"rmkit pair      {args.n} x {args.n}: {ours:6.2f} s (best of {args.repeat}; all: {', '.join(f'{t:.2f}' for t in rmkit_times)})")
        print(f"lean reference  {args.n} x {args.n}: {reference:6.2f} s (best of {args.repeat}; all: {', '.join(f'{t:.2f}' for t in ref_times)})")
        print(f"ratio: {ours / reference:.2f} x (target <= 1.5)")
        same = n_ours == n_ref and abs(total_ours - total_ref) < 1e-6
        print(f"same result: {same} (rmkit {n_ours} pairs, total {total_ours:.6f}; reference {n_ref} pairs, total {total_ref:.6f})")

        if not args.skip_big:
            print(f"generating {args.big} x {args.big} ...", flush=True)
            big = make_cohort(work / f"cohort{args.big}", args.big, full=False)
            elapsed, done = timed([python, "-m", "rmkit", "pair", str(big), "--out", str(work / "big.csv")], env=env)
            print(f"rmkit pair      {args.big} x {args.big}: {elapsed:6.2f} s; {done.stdout.splitlines()[1]}")
            elapsed, _ = timed([python, str(REPO / "benchmarks" / "lean_reference.py"), str(big), str(work / "big-ref.csv")], env=env)
            print(f"lean reference  {args.big} x {args.big}: {elapsed:6.2f} s")

        solver_figures(work)
        robustness_figures(work)
    deferred_acceptance_figures(args.da_n, args.repeat)


def deferred_acceptance_figures(n: int, repeat: int) -> None:
    """rmkit's deferred acceptance against matching's HospitalResident on n x n complete random lists."""
    import threading

    import numpy as np

    from rmkit.pairing.preferences import StatedRanks
    from rmkit.pairing.strategies import solve

    rng = np.random.default_rng(7)
    by_mentor = np.argsort(rng.random((n, n)), axis=1).argsort(axis=1) + 1  # each row a random permutation of 1..n
    by_mentee = (np.argsort(rng.random((n, n)), axis=0).argsort(axis=0) + 1)
    capacity = np.ones(n, dtype=np.int64)
    allowed = np.ones((n, n), dtype=bool)
    score = np.zeros((n, n))
    ranks = StatedRanks(by_mentor, by_mentee)
    ours_times = []
    for _ in range(repeat):
        start = time.perf_counter()
        a = solve(score, allowed, capacity, None, strategy="stable", ranks=ranks)
        ours_times.append(time.perf_counter() - start)
    ours = sorted(zip(a.mentor.tolist(), a.mentee.tolist(), strict=True))

    residents = {f"e{j}": [f"m{i}" for i in np.argsort(by_mentee[:, j])] for j in range(n)}
    hospitals = {f"m{i}": [f"e{j}" for j in np.argsort(by_mentor[i])] for i in range(n)}
    out: dict[str, object] = {}

    def reference() -> None:
        from matching.games import HospitalResident

        sys.setrecursionlimit(1_000_000)
        start = time.perf_counter()
        game = HospitalResident.create_from_dictionaries(residents, hospitals, {h: 1 for h in hospitals})
        built = time.perf_counter()
        solution = game.solve(optimal="resident")
        out["times"] = (built - start, time.perf_counter() - built)
        out["pairs"] = sorted((int(h.name[1:]), int(r.name[1:])) for h, rs in solution.items() for r in rs)

    threading.stack_size(1 << 29)  # matching recurses once per proposal
    worker = threading.Thread(target=reference)
    worker.start()
    worker.join()
    build, solve_time = out["times"]
    print(f"deferred acceptance {n} x {n} (complete lists): rmkit {min(ours_times):.2f} s (best of {repeat}; all: "
          f"{', '.join(f'{t:.2f}' for t in ours_times)}); matching {build + solve_time:.2f} s "
          f"(building the game {build:.2f} s, solving {solve_time:.2f} s)")
    print(f"ratio: {min(ours_times) / (build + solve_time):.3f} x the matching package "
          f"({min(ours_times) / solve_time:.3f} x its solve alone); same matching: {ours == out['pairs']}")


def solver_figures(work: Path) -> None:
    import pandas as pd

    from rmkit.cohort import load_cohort
    from rmkit.pairing import prepare_pairing
    from rmkit.pairing.strategies import solve_fair, solve_stable

    cohort = load_cohort(make_cohort(work / "cohort1000", 1000, full=False, seed=2))
    problem = prepare_pairing(cohort.participants, cohort.program)
    c = problem.constraints
    for name, solver in (("stable", solve_stable), ("fair", solve_fair)):
        times = []
        for _ in range(3):
            start = time.perf_counter()
            solver(problem.score, c.allowed, c.capacity, c.locked)
            times.append(time.perf_counter() - start)
        print(f"{name:6s} solver 1000 x 1000: {min(times):.3f} s (best of 3)")
    start = time.perf_counter()
    result = problem.solve("stable")
    _ = result.pairs, result.unmatched
    print(f"stable solve + explanations 1000 x 1000: {time.perf_counter() - start:.3f} s")

    small = load_cohort(make_cohort(work / "cohort100", 100, full=False, seed=3))
    start = time.perf_counter()
    problem = prepare_pairing(small.participants, small.program)
    first = problem.solve()
    prepared = time.perf_counter() - start
    times = []
    for k in range(5):
        mentor, mentee = first.pairs.iloc[k][["mentor_id", "mentee_id"]]
        log = pd.DataFrame({"action": ["forbid"], "mentor_id": [mentor], "mentee_id": [mentee]})
        start = time.perf_counter()
        result = problem.with_decisions(log).solve()
        _ = result.pairs, result.unmatched
        times.append(time.perf_counter() - start)
    print(f"dashboard 100 + 100: first solve {prepared:.3f} s; re-solve after a decision {max(times):.3f} s (worst of 5)")


def robustness_figures(work: Path, draws: int = 300) -> None:
    from rmkit.cohort import load_cohort
    from rmkit.pairing import pair_robustness, prepare_pairing
    from rmkit.pairing.strategies import solve

    for n in (200, 1000):
        cohort = load_cohort(make_cohort(work / f"robust{n}", n, full=False, seed=4))
        problem = prepare_pairing(cohort.participants, cohort.program)
        result = problem.solve()
        c = problem.constraints
        one = []
        for _ in range(3):
            start = time.perf_counter()
            solve(problem.score, c.allowed, c.capacity, c.locked, strategy=result.strategy)
            one.append(time.perf_counter() - start)
        start = time.perf_counter()
        share = pair_robustness(result, draws=draws, seed=0)
        elapsed = time.perf_counter() - start
        fragile = int((share["robustness"] < 0.5).sum())
        print(f"robustness {n} + {n}: {draws} re-solves {elapsed:.2f} s; one solve {min(one):.3f} s (best of 3); "
              f"ratio {elapsed / min(one):.0f} x = {elapsed / draws / min(one):.2f} x one solve per re-solve; "
              f"{fragile} of {len(share)} pairs fragile")


if __name__ == "__main__":
    main()
