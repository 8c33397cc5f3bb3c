"""Benchmark: the evaluation phase on a synthetic 2,000 mentors + 2,000 mentees cohort with 2,000 comparison
respondents and 3 waves, and the share of its time spent in the mixed models (every scale, wave x group and
wave x role), in one run.

    python benchmarks/bench_evaluation.py [--mentors N] [--mentees N] [--comparison N] [--notebook]

Measured in the same process: ``evaluate(cohort)`` (everything the phase computes, mixed models included), then the
mixed models alone on the same score frame (:func:`rmkit.evaluation.mixed_model.mixed_fits` and
:func:`~rmkit.evaluation.mixed_model.mixed_role_effects`), and their ratio. ``--notebook`` also runs the evaluation
notebook through papermill on the cohort (wall-clock, a separate process).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mentors", type=int, default=2000)
    parser.add_argument("--mentees", type=int, default=2000)
    parser.add_argument("--comparison", type=int, default=2000)
    parser.add_argument("--notebook", action="store_true")
    args = parser.parse_args()

    from rmkit.cohort import load_cohort
    from rmkit.cohort.synthetic import generate_cohort, write_cohort
    from rmkit.evaluation.comparison import survey_scores
    from rmkit.evaluation.metrics_table import evaluate
    from rmkit.evaluation.mixed_model import mixed_fits, mixed_role_effects
    from rmkit.evaluation.scoring import score_responses

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        synthetic = generate_cohort(n_mentors=args.mentors, n_mentees=args.mentees, seed=1,
                                    n_comparison=args.comparison, comparison_respondents=args.comparison,
                                    with_pairs=False)
        folder = write_cohort(synthetic, Path(tmp) / "big")
        cohort = load_cohort(folder)
        print(f"cohort: {args.mentors} mentors + {args.mentees} mentees, {args.comparison} comparison respondents, "
              f"waves {', '.join(cohort.program.waves)} (built in {time.perf_counter() - start:.1f} s)")

        start = time.perf_counter()
        evaluate(cohort)
        total = time.perf_counter() - start

        waves = list(cohort.program.waves)
        frame = survey_scores(cohort, score_responses(cohort.responses, cohort.instrument, waves=waves),
                              score_responses(cohort.comparison_responses, cohort.instrument, waves=waves))
        start = time.perf_counter()
        fits = mixed_fits(frame, waves=waves)
        roles = mixed_role_effects(frame, waves=waves)
        mixed = time.perf_counter() - start
        scales = fits["scale"].nunique()
        print(f"evaluate():                    {total:7.1f} s")
        print(f"mixed models ({scales} scales, x group and x role): {mixed:7.1f} s "
              f"({len(fits)} + {len(roles)} rows, all converged: {bool(fits.converged.all() and roles.converged.all())})")
        print(f"share of evaluate() in mixed models: {mixed / total:.0%}")
        if args.notebook:
            repo = Path(__file__).resolve().parents[1]
            out = Path(tmp) / "run"
            start = time.perf_counter()
            subprocess.run([sys.executable, "-m", "papermill", str(repo / "notebooks" / "05_evaluation.ipynb"),
                            str(out / "05.ipynb"), "-p", "cohort_dir", str(folder), "-p", "output_dir", str(out),
                            "-k", "python3"], check=True, capture_output=True)
            notebook = time.perf_counter() - start
            print(f"evaluation notebook (papermill): {notebook:7.1f} s; mixed models {mixed / notebook:.0%} of it")


if __name__ == "__main__":
    main()
