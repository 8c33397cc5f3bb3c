"""The pairing board's open and Lock in Python (no browser), at a given size, against one plain
``scipy.optimize.linear_sum_assignment`` on the same score matrix measured in the same run.

Usage: python benchmarks/bench_board_python.py [PEOPLE ...]   (default 200 1000 4000; mentors = mentees = PEOPLE / 2)
A Lock of a proposed pair keeps the proposal without solving again (rmkit.pairing.incremental); target <= 0.3 s.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main(sizes: list[int]) -> None:
    from scipy.optimize import linear_sum_assignment

    from rmkit.cohort import load_cohort
    from rmkit.cohort.synthetic import generate_cohort, write_cohort
    from rmkit.dashboards.pairing_board import PairingBoard

    for people in sizes:
        half = people // 2
        folder = Path(tempfile.mkdtemp()) / f"board-{people}"
        write_cohort(generate_cohort(n_mentors=half, n_mentees=half, seed=11, name=folder.name), folder)
        cohort = load_cohort(folder)
        start = time.perf_counter()
        board = PairingBoard(cohort)
        opened = time.perf_counter() - start
        start = time.perf_counter()
        linear_sum_assignment(board.problem.score, maximize=True)
        reference = time.perf_counter() - start
        locks = []
        for k in range(5):
            mentor, mentee = board.visible().query("not locked").iloc[k][["mentor_id", "mentee_id"]]
            start = time.perf_counter()
            board.lock(mentor, mentee)
            locks.append(time.perf_counter() - start)
        lock = statistics.median(locks)
        print(f"{people} people: open {opened:.2f} s ({opened / reference:.1f} x one linear_sum_assignment of "
              f"{reference:.3f} s); Lock median {lock:.3f} s of 5 ({lock / reference:.2f} x; target 0.3 s)", flush=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [200, 1000, 4000])
