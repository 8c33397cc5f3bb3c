"""Planning: is the cohort big enough to see its targets? The minimum detectable change of each scale objective and
the power to detect its target, for the paired design the evaluation uses (first to last wave, same people).

For each objective whose ``measure`` is a scale of the instrument (:func:`plan_table`):

- ``n``: the people who will be measured, the participants of the group whose learning the scale describes (the
  mentees for an ``audience: mentee`` scale, the mentors for ``mentor``, everyone for ``all``);
- ``sd``: the objective's ``expected_sd`` (the expected SD of individual change) when ``program.yaml`` gives one
  (``sd_source`` = ``expected_sd``); else the SD of that group's scores at the first wave, when responses exist and
  at least ``min_group_size`` people answered it (``sd_source`` = ``first_wave``: a stand-in, as the SD of change is
  not known before the program); else no SD (``sd_source`` = ``none``, and no detectable change is computed: none
  is invented);
- ``mde``: the smallest mean change a two-sided paired t-test at α = 0.05 detects with 80 % power among ``n``
  people, in the scale's units (Cohen's d_z from :class:`statsmodels.stats.power.TTestPower` × ``sd``);
- ``power_at_target``: the power of that test to detect ``target_change`` (d_z = |target| / sd).

statsmodels is imported inside the functions (it is heavy).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..cohort import Cohort
from ..cohort.config import Objective

__all__ = ["PLAN_COLUMNS", "ALPHA", "POWER", "detectable_change", "power_to_detect", "plan_table", "undetectable_targets"]

PLAN_COLUMNS = ["objective", "measure", "n", "sd", "sd_source", "target_change", "mde", "power_at_target"]
ALPHA = 0.05
POWER = 0.80


def detectable_change(n: int, sd: float, *, alpha: float = ALPHA, power: float = POWER) -> float:
    """The minimum detectable mean change of a two-sided paired t-test among ``n`` people whose individual changes
    have SD ``sd`` (NaN for fewer than 2 people or no positive SD).

    Notes
    -----
    The paired test is a one-sample t-test of the differences: d_z solves
    :math:`P(|T_{n-1}(\\delta)| > t_{1-\\alpha/2,\\,n-1}) = power` with noncentrality :math:`\\delta = d_z\\sqrt n`
    (statsmodels' ``TTestPower``), and the change is :math:`d_z \\times sd`.

    Examples
    --------
    >>> round(detectable_change(34, 1.0), 3)  # G*Power: d = 0.5 needs n = 34 at 80 % power
    0.495
    """
    if n < 2 or not (sd > 0) or not math.isfinite(sd):
        return float("nan")
    from statsmodels.stats.power import TTestPower

    d = TTestPower().solve_power(effect_size=None, nobs=n, alpha=alpha, power=power, alternative="two-sided")
    return float(np.asarray(d).item()) * float(sd)


def power_to_detect(change: float, n: int, sd: float, *, alpha: float = ALPHA) -> float:
    """The power of the two-sided paired t-test at ``alpha`` to detect a mean change ``change`` among ``n`` people
    (NaN for fewer than 2 people, no positive SD or no change given).

    Examples
    --------
    >>> round(power_to_detect(0.5, 34, 1.0), 3)  # G*Power: actual power 0.808 at n = 34, d = 0.5
    0.808
    """
    if n < 2 or not (sd > 0) or not math.isfinite(sd) or change is None or not math.isfinite(change):
        return float("nan")
    from statsmodels.stats.power import TTestPower

    return float(TTestPower().power(effect_size=abs(change) / sd, nobs=n, alpha=alpha, alternative="two-sided"))


def _audience_ids(cohort: Cohort, audience: str) -> set[str]:
    people = cohort.participants
    if audience in {"mentor", "mentee"}:
        people = people[people["role"] == audience]
    return set(people["person_id"].astype(str))


def _first_wave_sd(cohort: Cohort, scale: str, ids: set[str]) -> tuple[float, str | None]:
    """The SD of the group's scores at the first wave with responses, and that wave (NaN, None if too few)."""
    responses = cohort.responses
    if responses is None or responses.empty:
        return float("nan"), None
    from .scoring import score_responses

    waves = list(cohort.program.waves)
    present = list(dict.fromkeys(responses["wave"].dropna().astype(str)))
    order = [w for w in waves if w in present] + [w for w in present if w not in waves]
    if not order:
        return float("nan"), None
    first = order[0]
    scores = score_responses(responses[responses["wave"].astype(str) == first], cohort.instrument, waves=waves)
    values = scores.loc[(scores["scale"] == scale) & scores["person_id"].astype(str).isin(ids), "score"]
    values = pd.to_numeric(values, errors="coerce").dropna()
    if len(values) < max(2, cohort.program.min_group_size):
        return float("nan"), first
    return float(values.std(ddof=1)), first


def _expected_sd(objective: Objective) -> float | None:
    value = getattr(objective, "expected_sd", None)  # optional key of program.yaml (objectives[].expected_sd)
    try:
        value = float(value) if value is not None else None
    except (TypeError, ValueError):
        return None
    return value if value is not None and math.isfinite(value) and value > 0 else None


def plan_table(cohort: Cohort, *, alpha: float = ALPHA, power: float = POWER) -> pd.DataFrame:
    """The power plan of every scale objective of a cohort.

    Returns
    -------
    pandas.DataFrame
        Exactly :data:`PLAN_COLUMNS`: ``objective``, ``measure``, ``n`` (people to be measured), ``sd``,
        ``sd_source`` (``expected_sd``, ``first_wave`` or ``none``), ``target_change``, ``mde`` (minimum
        detectable change at ``power`` and ``alpha``, paired design) and ``power_at_target``; one row per
        objective measured by a scale, in ``program.yaml`` order. ``sd``, ``mde`` and ``power_at_target`` are
        empty where no SD is known; ``power_at_target`` also where there is no target.

    Examples
    --------
    >>> from rmkit.cohort import load_cohort
    >>> from rmkit.resources import example_cohort_dir
    >>> plan = plan_table(load_cohort(example_cohort_dir()))
    >>> list(plan.columns)
    ['objective', 'measure', 'n', 'sd', 'sd_source', 'target_change', 'mde', 'power_at_target']
    """
    scales = {s.id: s for s in cohort.instrument.scales}
    rows = []
    for objective in cohort.program.objectives:
        scale = scales.get(objective.measure)
        if scale is None:
            continue  # retention, ROI and goals are not planned by a paired t-test
        ids = _audience_ids(cohort, scale.audience)
        n = len(ids)
        sd, source = _expected_sd(objective), "expected_sd"
        if sd is None:
            sd, _ = _first_wave_sd(cohort, scale.id, ids)
            source = "first_wave" if math.isfinite(sd) else "none"
        sd = float(sd) if sd is not None and math.isfinite(sd) else float("nan")
        target = float(objective.target_change) if objective.target_change is not None else float("nan")
        rows.append({
            "objective": objective.id, "measure": objective.measure, "n": n,
            "sd": sd, "sd_source": source, "target_change": target,
            "mde": detectable_change(n, sd, alpha=alpha, power=power),
            "power_at_target": power_to_detect(target, n, sd, alpha=alpha),
        })
    table = pd.DataFrame(rows, columns=PLAN_COLUMNS)
    return table.astype({"n": "int64"}) if not table.empty else table


def undetectable_targets(plan: pd.DataFrame) -> pd.DataFrame:
    """The rows of a plan whose target is smaller than the change the cohort can detect (|target| < mde)."""
    if plan.empty:
        return plan
    known = plan["mde"].notna() & plan["target_change"].notna()
    return plan[known & (plan["target_change"].abs() < plan["mde"])]
