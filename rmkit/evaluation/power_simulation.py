"""Power by simulation (``rmkit simulate``, :func:`simulate_power`): for the cohort's own design, how often would
each estimator the evaluation reports see an effect of a given size?

For each scale objective, :mod:`rmkit.evaluation.simulated_design` reads the design (who is measured, the
comparison group, the waves, who answered which wave, the SDs, and where each comes from). Then, ``reps`` times, a
synthetic cohort of that design is drawn with an effect injected into the participants' mean change from the first
to the last wave, and analysed by exactly the estimators of the evaluation phase:

- ``paired_change``: the participants' paired change, first to last wave, among the people scored at both
  (:func:`rmkit.evaluation.change.paired_statistics`, what :func:`~rmkit.evaluation.change.paired_change` computes
  per group), with the 95% paired t-interval;
- ``did``: the difference-in-differences against the comparison group with the person-clustered OLS interval
  (:func:`rmkit.evaluation.effects.did`), when the design has a comparison group;
- ``mixed``: the mixed model's estimate at the last wave, participants against the comparison group
  (:func:`rmkit.evaluation.mixed_model.mixed_effects`), when the design has a comparison group and that module is
  installed.

Each objective is analysed among the people whose learning it measures: the participants of its scale's audience
(the evaluation's ``role=mentee`` row for a mentees' scale) and the comparison group.

**Power** is the share of the ``reps`` synthetic cohorts whose 95% interval excludes 0 (two-sided α = 0.05; a rep
whose estimator gives no interval, or whose estimate the evaluation would suppress because a group has fewer than
``min_group_size`` people, counts as not detected, and a note says how many), with its Monte-Carlo standard
error :math:`\\sqrt{p(1-p)/N}`. Effects are **standardized**: ``effect`` is the true mean change divided by the SD
of individual change (Cohen's :math:`d_z`, the effect size of ``rmkit plan`` and of statsmodels'
``TTestPower``). By default the curve has the effects 0, ½, 1, 1½ and 2 × the objective's ``target_change``
(in those units); with ``effect=D``, 0 … 2 × D for every objective. Effect 0 gives each estimator's type-I error
(≈ 0.05 when it holds its level).

Reproducible: rep ``r`` draws its cohorts from ``numpy.random.SeedSequence(seed).spawn(reps)[r]`` (spawned once
more per objective), whichever process computes it; reps are cut into chunks of :data:`CHUNK_REPS` and mapped over
a ``dask.distributed`` client when one is given (``client=None``: in this process); outcomes are gathered in rep
order and counted, so the same seed gives the same table on one worker or many.
"""

from __future__ import annotations

import importlib.util
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..cohort import Cohort
from .simulated_design import SurveyDesign, cohort_designs, design_table, draw_scores

__all__ = ["POWER_COLUMNS", "CURVE", "CHUNK_REPS", "ESTIMATORS", "PowerPlan", "PowerSimulation", "mixed_available",
           "plan_simulation", "simulate_reps", "count_power", "simulate_power"]

POWER_COLUMNS = ["objective", "estimator", "effect", "reps", "power", "mcse"]
CURVE = (0.0, 0.5, 1.0, 1.5, 2.0)
"""The multiples of the objective's effect on the power curve."""
CHUNK_REPS = 10
"""Reps per task on a Dask cluster."""
ESTIMATORS = ("paired_change", "did", "mixed")
SUPPRESSED, UNDEFINED, MISSED, DETECTED = -2, -1, 0, 1


def mixed_available() -> bool:
    """Whether the mixed model of the evaluation (:mod:`rmkit.evaluation.mixed_model`) is installed."""
    return importlib.util.find_spec("rmkit.evaluation.mixed_model") is not None


@dataclass(frozen=True)
class PowerPlan:
    """What every rep simulates: the designs, each one's standardized effects and estimators."""

    designs: tuple[SurveyDesign, ...]
    effects: tuple[tuple[float, ...], ...]
    estimators: tuple[tuple[str, ...], ...]

    def cells(self) -> list[tuple[int, str, float]]:
        """(design index, estimator, effect) in the order of a rep's outcomes."""
        return [(k, e, d) for k in range(len(self.designs)) for e in self.estimators[k] for d in self.effects[k]]


def plan_simulation(designs: Sequence[SurveyDesign], *, effect: float | None = None, curve: Sequence[float] = CURVE,
                    estimators: Sequence[str] | None = None) -> tuple[PowerPlan, list[str]]:
    """The effects and estimators of each design (see the module notes), and a note for each design left out
    (no target and no ``effect``)."""
    wanted = tuple(estimators) if estimators is not None else ESTIMATORS
    unknown = set(wanted) - set(ESTIMATORS)
    if unknown:
        raise ValueError(f"estimators {', '.join(sorted(unknown))} not known; allowed: {', '.join(ESTIMATORS)}")
    if effect is not None and not (math.isfinite(effect) and effect != 0):
        raise ValueError(f"effect must be a finite number other than 0 (the curve always has 0); found {effect!r}")
    kept, effects, chosen, notes = [], [], [], []
    for design in designs:
        size = effect
        if size is None:
            if not (math.isfinite(design.target_change) and design.target_change != 0 and design.sd_change > 0):
                notes.append(f"{design.objective}: no target_change (and no effect given), so no effect to simulate")
                continue
            size = design.target_change / design.sd_change
        names = [e for e in wanted if e == "paired_change" or design.has_comparison]
        names = [e for e in names if e != "mixed" or mixed_available()]
        if not names:
            continue
        kept.append(design)
        effects.append(tuple(dict.fromkeys(float(m) * size + 0.0 for m in curve)))
        chosen.append(tuple(names))
    return PowerPlan(tuple(kept), tuple(effects), tuple(chosen)), notes


def _code(low: float, high: float, *, hidden: bool = False) -> int:
    if hidden:
        return SUPPRESSED
    if not (math.isfinite(low) and math.isfinite(high)):
        return UNDEFINED
    return DETECTED if (low > 0 or high < 0) else MISSED


def _long_frame(design: SurveyDesign, scores: np.ndarray, participant: np.ndarray) -> pd.DataFrame:
    """The score frame of :mod:`rmkit.evaluation.effects`, one ``scale`` per effect (``e0``, ``e1``, …)."""
    n_effects, n, n_waves = scores.shape
    keep = np.isfinite(scores)
    effect_index, person, wave = np.nonzero(keep)
    roles = np.array([*design.roles, *([None] * design.n_comparison)], dtype=object)
    return pd.DataFrame({
        "person_id": np.char.add("s", person.astype(str)).astype(object),
        "wave": np.asarray(design.waves, dtype=object)[wave],
        "scale": np.char.add("e", effect_index.astype(str)).astype(object),
        "score": scores[keep],
        "group": np.where(participant[person], "participant", "comparison").astype(object),
        "role": roles[person],
    })


def _analyse(design: SurveyDesign, names: Sequence[str], scores: np.ndarray, participant: np.ndarray) -> list[int]:
    """The outcome code of every (estimator, effect) of one synthetic cohort, estimators outermost."""
    from .change import paired_statistics

    n_effects = scores.shape[0]
    first, last = design.waves[0], design.waves[-1]
    k = design.min_group_size
    codes: list[int] = []
    frame = _long_frame(design, scores, participant) if set(names) - {"paired_change"} else None
    for name in names:
        if name == "paired_change":
            for j in range(n_effects):
                before, after = scores[j, participant, 0], scores[j, participant, -1]
                both = np.isfinite(before) & np.isfinite(after)
                stats = paired_statistics(before[both], after[both])
                codes.append(_code(stats["ci_low"], stats["ci_high"], hidden=int(both.sum()) < k))
            continue
        if name == "did":
            from .effects import did

            table = did(frame, first=first, last=last, waves=design.waves, groups=("all",))
            rows = table[table["group"] == "all"]
            hidden = dict(zip(rows["scale"].astype(str), (rows["n_participant"] < k) | (rows["n_comparison"] < k),
                              strict=True))
        else:
            from .mixed_model import mixed_effects

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # convergence warnings: the fit's `converged` says it
                table = mixed_effects(frame, waves=list(design.waves))
            rows = table[(table["wave"].astype(str) == last) & (table["group"] == "participant")]
            scored = np.isfinite(scores[0]).any(axis=1)  # the same people answer at every effect size
            small = int((scored & participant).sum()) < k or int((scored & ~participant).sum()) < k
            hidden = dict.fromkeys(rows["scale"].astype(str), small)
        found = {str(r.scale): (float(r.ci_low), float(r.ci_high)) for r in rows.itertuples(index=False)}
        nan = (float("nan"), float("nan"))
        codes += [_code(*found.get(f"e{j}", nan), hidden=bool(hidden.get(f"e{j}", False))) for j in range(n_effects)]
    return codes


def _generators(seed: int, rep: int, count: int) -> list[np.random.Generator]:
    """Rep ``rep``'s generators, one per design: ``SeedSequence(seed).spawn(reps)[rep].spawn(count)``."""
    child = np.random.SeedSequence(seed, spawn_key=(rep,))
    return [np.random.default_rng(s) for s in child.spawn(count)]


def simulate_reps(plan: PowerPlan, seed: int, reps: Sequence[int]) -> np.ndarray:
    """The outcomes of the reps ``reps``: an int8 array, one row per rep, one column per cell of
    :meth:`PowerPlan.cells` (1 the interval excludes 0, 0 it does not, −1 no interval, −2 hidden: a group had fewer
    than ``min_group_size`` people, so the evaluation would show no estimate)."""
    out = np.empty((len(reps), len(plan.cells())), dtype=np.int8)
    for row, rep in enumerate(reps):
        codes: list[int] = []
        for design, rng, names, effects in zip(plan.designs, _generators(seed, int(rep), len(plan.designs)),
                                               plan.estimators, plan.effects, strict=True):
            points = [d * design.sd_change for d in effects]
            scores, participant = draw_scores(design, rng, points)
            codes += _analyse(design, names, scores, participant)
        out[row] = codes
    return out


def count_power(plan: PowerPlan, outcomes: np.ndarray) -> tuple[pd.DataFrame, list[str]]:
    """The power table (:data:`POWER_COLUMNS`) of the outcomes of all reps, and a note per cell with reps that
    gave no interval."""
    reps = int(outcomes.shape[0])
    rows, notes = [], []
    for c, (k, estimator, effect) in enumerate(plan.cells()):
        detected = int((outcomes[:, c] == DETECTED).sum())
        undefined = int((outcomes[:, c] == UNDEFINED).sum())
        suppressed = int((outcomes[:, c] == SUPPRESSED).sum())
        p = detected / reps
        rows.append({"objective": plan.designs[k].objective, "estimator": estimator, "effect": effect, "reps": reps,
                     "power": p, "mcse": math.sqrt(p * (1 - p) / reps)})
        if undefined:
            notes.append(f"{plan.designs[k].objective}, {estimator}, effect {effect:g}: {undefined} of {reps} "
                         "simulated cohorts gave no interval (counted as not detected)")
        if suppressed:
            notes.append(f"{plan.designs[k].objective}, {estimator}, effect {effect:g}: in {suppressed} of {reps} "
                         f"simulated cohorts a group had fewer than {plan.designs[k].min_group_size} people, so the "
                         "evaluation would show no estimate (counted as not detected)")
    table = pd.DataFrame(rows, columns=POWER_COLUMNS)
    return table.astype({"reps": "int64"}) if not table.empty else table, notes


@dataclass
class PowerSimulation:
    """The result of :func:`simulate_power`: ``power`` (:data:`POWER_COLUMNS`), ``design`` (one row per simulated
    objective: :func:`~rmkit.evaluation.simulated_design.design_table`), ``effects`` (objective, effect, change in
    scale points), the plan, ``notes``, the seed and the workers used."""

    power: pd.DataFrame
    design: pd.DataFrame
    effects: pd.DataFrame
    plan: PowerPlan
    notes: list[str]
    reps: int
    seed: int
    workers: int = 1


def simulate_power(cohort: Cohort, *, reps: int, effect: float | None = None, seed: int = 0,
                   curve: Sequence[float] = CURVE, estimators: Sequence[str] | None = None, client: Any = None,
                   chunk_reps: int = CHUNK_REPS) -> PowerSimulation:
    """Power by simulation of every scale objective of a cohort, for its own design.

    Parameters
    ----------
    cohort : rmkit.cohort.Cohort
        A loaded cohort: its participants, comparison group, waves, responses and ``program.yaml``.
    reps : int
        Synthetic cohorts per effect size (1 or more); the Monte-Carlo SE is at most 0.5 / √reps.
    effect : float, optional
        The standardized effect (d_z) of the curve's 1 ×; default each objective's ``target_change`` / SD of change.
    seed : int
        The same seed gives the same table, whatever the ``client``.
    curve : sequence of float
        Multiples of the effect on the power curve (default 0, 0.5, 1, 1.5, 2).
    estimators : sequence of str, optional
        A subset of ``paired_change``, ``did``, ``mixed`` (default: each that the design allows).
    client : distributed.Client, optional
        Map the chunks of reps over this cluster; ``None``: in this process.

    Returns
    -------
    PowerSimulation

    Raises
    ------
    ValueError
        If ``reps`` or ``seed`` is not a whole number ≥ 1 (≥ 0), ``effect`` is 0 or not finite, no objective is
        measured by a survey scale, or none can be simulated (the reason of each is in the message).

    Examples
    --------
    >>> from rmkit.cohort import load_cohort
    >>> from rmkit.resources import example_cohort_dir
    >>> result = simulate_power(load_cohort(example_cohort_dir()), reps=3, curve=(0, 1), estimators=["paired_change"])
    >>> list(result.power.columns), len(result.power)
    (['objective', 'estimator', 'effect', 'reps', 'power', 'mcse'], 6)
    """
    for name, value, least in (("reps", reps, 1), ("seed", seed, 0), ("chunk_reps", chunk_reps, 1)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < least:
            raise ValueError(f"{name} must be a whole number, {least} or more; found {value!r}")
    scales = set(cohort.instrument.scale_ids)
    if not any(o.measure in scales for o in cohort.program.objectives):
        raise ValueError("no objective of program.yaml is measured by a survey scale, so there is nothing to simulate")
    designs, notes = cohort_designs(cohort)
    plan, more = plan_simulation(designs, effect=effect, curve=curve, estimators=estimators)
    notes += more
    if not plan.designs:
        raise ValueError("no scale objective has a survey design to simulate: " + "; ".join(notes))
    chunks = [range(s, min(s + int(chunk_reps), int(reps))) for s in range(0, int(reps), int(chunk_reps))]
    workers = 1
    if client is None:
        parts = [simulate_reps(plan, int(seed), chunk) for chunk in chunks]
    else:
        workers = len(client.scheduler_info(n_workers=-1)["workers"]) if hasattr(client, "scheduler_info") else 1
        shared = client.scatter(plan, broadcast=True)
        futures = client.map(simulate_reps, [shared] * len(chunks), [int(seed)] * len(chunks), chunks, pure=False)
        parts = client.gather(futures)
    power, more = count_power(plan, np.concatenate(parts, axis=0))
    for design in plan.designs:
        notes += [f"{design.objective}: {n}" for n in design.notes]
    effects = pd.DataFrame([{"objective": d.objective, "effect": e, "change": e * d.sd_change}
                            for d, values in zip(plan.designs, plan.effects, strict=True) for e in values],
                           columns=["objective", "effect", "change"])
    table = design_table(plan.designs)
    table["estimators"] = [", ".join(names) for names in plan.estimators]
    return PowerSimulation(power, table, effects, plan, notes + more, int(reps), int(seed), workers)
