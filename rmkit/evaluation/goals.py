"""Kirkpatrick level 3 (behaviour) from the mentoring agreements: the share of the goals pairs set that were done.

A goal in ``agreements.csv`` is something a person agreed to apply on the job ("use AI tools in a real piece of
work", "shadow a budget decision"): done goals are behaviour, the level the field finds hardest to evidence.

Decisions:

- the share is **done ÷ goals set**, dropped goals included in the denominator (a dropped goal was not applied);
  open goals count as not done yet, so the share rises as the program runs;
- groups: ``all`` (every goal, a pair's shared goals too), ``role=mentor`` and ``role=mentee`` (each side's own goals,
  ``side``); ``n`` is the number of **pairs** with goals in the group, because goals of one pair are not independent:
  the pairs are the respondents, and ``min_group_size`` applies to them;
- the interval treats pairs as clusters: the ratio estimate with its cluster-robust standard error (CR1, the
  correction G / (G − 1)) and Student's t with G − 1 degrees of freedom, clipped to 0–100 — what an OLS of
  "done" on a constant with standard errors clustered by pair gives (statsmodels ``cov_type="cluster"``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["GOAL_COLUMNS", "goal_completion"]

GOAL_COLUMNS = ["group", "n", "goals", "done", "dropped", "value", "ci_low", "ci_high"]


def goal_completion(agreements: pd.DataFrame | None, *, confidence: float = 0.95) -> pd.DataFrame:
    """The share of goals done (%), for the whole cohort and each side.

    Parameters
    ----------
    agreements : pandas.DataFrame or None
        ``agreements.csv`` as loaded (``mentor_id``, ``mentee_id``, ``side``, ``status``).
    confidence : float
        Confidence level of the interval.

    Returns
    -------
    pandas.DataFrame
        ``group`` (``all``, ``role=mentor``, ``role=mentee``; a side without goals has no row), ``n`` (pairs),
        ``goals``, ``done``, ``dropped``, ``value`` (% done), ``ci_low``, ``ci_high`` (empty with a single pair).

    Examples
    --------
    >>> goals = pd.DataFrame({"mentor_id": ["m1", "m1", "m2", "m2", "m3"], "mentee_id": ["e1", "e1", "e2", "e2", "e3"],
    ...                       "side": ["mentee", "mentor", "mentee", "mentor", "mentee"],
    ...                       "status": ["done", "done", "done", "open", "dropped"]})
    >>> goal_completion(goals)[["group", "n", "goals", "done", "value"]].round(1).to_dict("records")[0]
    {'group': 'all', 'n': 3, 'goals': 5, 'done': 3, 'value': 60.0}
    """
    if agreements is None or agreements.empty:
        return pd.DataFrame(columns=GOAL_COLUMNS)
    status = agreements["status"].fillna("open")
    side = agreements["side"] if "side" in agreements.columns else pd.Series(None, index=agreements.index)
    pair = agreements["mentor_id"].astype(str) + "\x1f" + agreements["mentee_id"].astype(str)
    rows = []
    for group, mask in (("all", pd.Series(True, index=agreements.index)), ("role=mentor", side == "mentor"),
                        ("role=mentee", side == "mentee")):
        if not mask.any():
            continue
        done = (status[mask] == "done").to_numpy(dtype=float)
        value, low, high = _clustered_share(done, pair[mask].to_numpy(), confidence)
        rows.append({"group": group, "n": int(pair[mask].nunique()), "goals": int(mask.sum()), "done": int(done.sum()),
                     "dropped": int((status[mask] == "dropped").sum()), "value": value, "ci_low": low, "ci_high": high})
    return pd.DataFrame(rows, columns=GOAL_COLUMNS)


def _clustered_share(done: np.ndarray, clusters: np.ndarray, confidence: float) -> tuple[float, float, float]:
    from scipy import stats

    n = len(done)
    share = float(done.mean())
    _, codes = np.unique(clusters, return_inverse=True)
    g = int(codes.max()) + 1
    if g < 2:
        return 100 * share, float("nan"), float("nan")
    residual_sums = np.bincount(codes, weights=done - share, minlength=g)
    se = float(np.sqrt(g / (g - 1) * np.sum(residual_sums**2)) / n)
    half = float(stats.t.ppf(0.5 + confidence / 2, g - 1)) * se
    return 100 * share, float(max(0.0, 100 * (share - half))), float(min(100.0, 100 * (share + half)))
