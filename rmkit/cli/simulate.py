"""``rmkit simulate COHORT --reps N [--effect D] [--seed S] [--scheduler ADDRESS] --out DIR``: power by simulation
for the cohort's own design."""

from __future__ import annotations

import argparse
import math

NAME = "simulate"
HELP = "power by simulation: how likely the evaluation is to see each objective's effect, for this cohort's design"
DESCRIPTION = """\
Validate the cohort, read its survey design for each objective measured by a scale (who is measured,
the comparison group, the waves, who answered which wave, the SDs and the correlation over time: from
its responses, else from program.yaml's expected_sd or the first wave), then simulate N cohorts of that
design per effect size, with the effect injected into the participants' change, and analyse each as
the evaluation phase does: paired change, and with a comparison group difference-in-differences and
the mixed model. Power = the share of simulated cohorts whose 95% interval excludes 0, with its
Monte-Carlo SE. Effects are standardized (change / SD of change, Cohen's d_z); the curve has 0, 0.5,
1, 1.5 and 2 x --effect D, or x each objective's target_change when --effect is not given.
DIR (new or empty) gets power.csv (objective, estimator, effect, reps, power, mcse), design.csv (the
design and where each figure comes from), effects.csv (effects in scale points), a curve per objective
in figures/ and an offline report.html. The same --seed gives the same power.csv in this process and
on a Dask cluster (--scheduler tcp://host:8786 or a scheduler file), whatever its number of workers.
Exit 0 when done, 2 on bad input or usage (FILE:ROW:COLUMN lines; no scale objective, no survey design,
a DIR that is not empty, a scheduler that cannot be reached)."""


def _whole(least: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, {least} or more; found {text!r}") from None
        if value < least:
            raise argparse.ArgumentTypeError(f"expected a whole number, {least} or more; found {text!r}")
        return value

    return parse


def _effect(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number (a standardized effect such as 0.5); found {text!r}") from None
    if not math.isfinite(value) or value == 0:
        raise argparse.ArgumentTypeError(f"expected a finite number other than 0 (the curve always has 0); found {text!r}")
    return value



def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("cohort", metavar="COHORT", help="the cohort folder")
    parser.add_argument("--reps", metavar="N", type=_whole(1), required=True,
                        help="simulated cohorts per effect size (e.g. 200; the MCSE is at most 0.5/sqrt(N))")
    parser.add_argument("--effect", metavar="D", type=_effect, default=None,
                        help="the standardized effect of the curve's 1x (default: each objective's target_change)")
    parser.add_argument("--seed", metavar="S", type=_whole(0), default=0, help="random seed (default 0)")
    parser.add_argument("--scheduler", metavar="ADDRESS", default=None,
                        help="simulate on this Dask cluster (tcp://host:port or a scheduler file)")
    parser.add_argument("--out", metavar="DIR", required=True, help="a new or empty folder for the results")


#: BLAS thread settings for a simulation in this process, unless the user set them: its many small matrix solves
#: gain nothing from several BLAS threads (0.132 s per rep with one, 0.147 s as installed, measured with
#: ``benchmarks/bench_simulate.py``; ~3× slower with several when the mixed model was statsmodels' MixedLM).
ONE_BLAS_THREAD = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def one_blas_thread() -> bool:
    """Ask for one BLAS thread if numpy is not loaded yet (BLAS reads these once, when it loads) and the user set
    none of them; True if it could."""
    import os
    import sys

    if "numpy" in sys.modules or any(name in os.environ for name in ONE_BLAS_THREAD):
        return False
    for name in ONE_BLAS_THREAD:
        os.environ[name] = "1"
    return True


def run(args: argparse.Namespace) -> int:
    if args.scheduler is None:
        one_blas_thread()
    from ..cohort.verdict import require_valid
    from ..errors import InputError
    from ..evaluation.power_simulation import simulate_power
    from ..runs.power_report import write_power
    from .pool import prepare_out

    cohort = require_valid(args.cohort).cohort
    assert cohort is not None
    scales = set(cohort.instrument.scale_ids)
    if not any(o.measure in scales for o in cohort.program.objectives):
        raise InputError("program.yaml", None, "objectives", "no objective is measured by a survey scale of the "
                         "instrument, so there is no power to simulate")
    out = prepare_out(args.out, [cohort], command="rmkit simulate")
    client = None
    if args.scheduler:
        from ..runs.dask_batch import connect

        client = connect(args.scheduler)
    try:
        try:
            result = simulate_power(cohort, reps=args.reps, effect=args.effect, seed=args.seed, client=client)
        except ValueError as exc:
            raise InputError("program.yaml", None, "objectives", str(exc)) from None
    finally:
        if client is not None:
            client.close()
    out.mkdir(parents=True, exist_ok=True)
    report = write_power(result, out, cohort=cohort.name)
    who = {"mentee": "mentees", "mentor": "mentors", "all": "participants"}
    for design, row in zip(result.plan.designs, result.design.itertuples(index=False), strict=True):
        versus = f"{row.n_comparison} comparison people" if row.n_comparison else "no comparison group"
        print(f"{row.objective}: {row.n_participant} {who.get(row.audience, row.audience)} measured, {versus}; "
              f"SD of change {row.sd_change:.2f} (SD from {row.sd_source.replace('_', ' ')}, attrition from "
              f"{row.attrition_source}); estimators: {row.estimators}")
        if design.target_change != design.target_change or not design.sd_change > 0:
            continue
        target = design.target_change / design.sd_change
        rows = result.power[(result.power["objective"] == design.objective)
                            & ((result.power["effect"] - target).abs() < 1e-9)]
        for power in rows.itertuples(index=False):
            print(f"  power to detect the target {design.target_change:g} (effect {target:.2f}) by "
                  f"{power.estimator}: {power.power:.2f} (MCSE {power.mcse:.3f})")
    for note in result.notes:
        print(f"note: {note}")
    where = f"on {result.workers} Dask worker(s)" if client is not None else "in this process"
    print(f"simulated {result.reps} cohorts per effect size {where}, seed {result.seed}; wrote {out / 'power.csv'}; "
          f"report: {report}")
    return 0
