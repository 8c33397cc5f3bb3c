"""Retention: the percentage of people still employed 12 months after their ``start_date``, participants against a
comparison group, with Kaplan–Meier curves (censoring handled), the log-rank test and the difference in points.

How time is counted (the same everywhere in rmkit):

- each person's time is counted in days from ``start_date``;
- a person who left has an event at ``end_date - start_date`` days; a person still employed (no ``end_date``) is
  censored at ``as_of - start_date`` days, ``as_of`` being the date the data describe (``program.yaml: as_of``,
  default today); an ``end_date`` after ``as_of`` is not known yet on that date and is censored at ``as_of`` too;
- people whose ``start_date`` is after ``as_of`` have not started: they are left out;
- **12 months = 365 days**: "retained at 12 months" means *not left within 365 days*, i.e. the Kaplan–Meier
  survival :math:`S(365) = P(T > 365)`; someone whose ``end_date`` is 365 days or less after ``start_date`` counts
  as having left within 12 months;
- when nobody in a group was followed for 365 days (and the curve has not reached 0), the 12-month rate cannot be
  estimated and is left empty rather than extrapolated.

The Kaplan–Meier estimate and its pointwise CI come from :func:`scipy.stats.ecdf` on
:class:`scipy.stats.CensoredData` (Greenwood's variance, the default "linear" interval clipped to 0–100 %); the
log-rank test is :func:`scipy.stats.logrank`; the difference between the groups' 12-month rates has the CI
:math:`\\Delta \\pm z \\sqrt{V_1 + V_2}` with the two Greenwood variances (independent groups).
"""

from __future__ import annotations

import datetime as dt
import warnings
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "RETENTION_DAYS",
    "GROUPS",
    "follow_up",
    "kaplan_meier",
    "retention_rates",
    "compare_retention",
]

RETENTION_DAYS = 365
GROUPS = ("participant", "comparison")


def _as_of(as_of: dt.date | pd.Timestamp | str | None) -> pd.Timestamp:
    if as_of is None:
        return pd.Timestamp(dt.date.today())
    return pd.Timestamp(as_of).tz_localize(None) if pd.Timestamp(as_of).tzinfo else pd.Timestamp(as_of)


def follow_up(outcomes: pd.DataFrame, *, as_of: dt.date | str | None = None) -> pd.DataFrame:
    """Each person's follow-up time in days and whether they left (the input of a survival analysis).

    Parameters
    ----------
    outcomes : pandas.DataFrame
        ``person_id``, ``group``, ``start_date``, ``end_date`` (empty = still employed).
    as_of : date, optional
        The date the data describe (default: today).

    Returns
    -------
    pandas.DataFrame
        ``person_id``, ``group``, ``days`` (to leaving, or to ``as_of`` for people still employed) and ``left``
        (bool); people who start after ``as_of`` are left out.

    Examples
    --------
    >>> outcomes = pd.DataFrame({"person_id": ["a", "b", "c"], "group": ["participant"] * 3,
    ...     "start_date": pd.to_datetime(["2025-01-01"] * 3),
    ...     "end_date": pd.to_datetime(["2025-03-02", None, "2026-06-01"])})
    >>> follow_up(outcomes, as_of="2026-01-01")
      person_id        group  days   left
    0         a  participant    60   True
    1         b  participant   365  False
    2         c  participant   365  False
    """
    end_of_data = _as_of(as_of)
    start = pd.to_datetime(outcomes["start_date"])
    end = pd.to_datetime(outcomes["end_date"])
    keep = (start <= end_of_data).to_numpy()
    left = (end.notna() & (end <= end_of_data)).to_numpy()
    stop = end.where(left, end_of_data)
    days = (stop - start).dt.days.to_numpy()
    frame = pd.DataFrame({
        "person_id": outcomes["person_id"].to_numpy(dtype=object),
        "group": outcomes["group"].astype(str).str.strip().str.casefold().to_numpy(dtype=object),
        "days": days,
        "left": left,
    })
    return frame[keep].reset_index(drop=True).astype({"days": "int64", "left": bool})


def _censored(times: pd.DataFrame) -> Any:
    from scipy import stats

    return stats.CensoredData(uncensored=times.loc[times["left"], "days"].to_numpy(dtype="float64"),
                              right=times.loc[~times["left"], "days"].to_numpy(dtype="float64"))


def _interval(result: Any, confidence: float) -> Any:
    with warnings.catch_warnings():
        # scipy warns that Greenwood's interval is undefined where the curve reaches 0; it is then NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        return result.sf.confidence_interval(confidence)


def _groups(times: pd.DataFrame) -> list[str]:
    present = list(dict.fromkeys(times["group"]))
    return [g for g in GROUPS if g in present] + sorted(g for g in present if g not in GROUPS)


def _greenwood(times: pd.DataFrame, day: float) -> tuple[float, float]:
    """Kaplan–Meier S(day) and Greenwood's variance, from the counts (used for the difference between groups)."""
    events = times.loc[times["left"], "days"].to_numpy()
    all_times = np.sort(times["days"].to_numpy())
    event_days, d = np.unique(events[events <= day], return_counts=True)
    at_risk = len(all_times) - np.searchsorted(all_times, event_days, "left")
    s = float(np.prod(1 - d / at_risk)) if len(d) else 1.0
    alive = at_risk > d
    total = float(np.sum(d[alive] / (at_risk[alive] * (at_risk[alive] - d[alive]))))
    return s, s * s * total


def kaplan_meier(outcomes: pd.DataFrame, *, as_of: dt.date | str | None = None, confidence: float = 0.95) -> pd.DataFrame:
    """Kaplan–Meier retention curves per group, with pointwise confidence intervals.

    Parameters
    ----------
    outcomes : pandas.DataFrame
        ``person_id``, ``group``, ``start_date``, ``end_date``.
    as_of : date, optional
        The date the data describe (default: today); see the module notes.
    confidence : float
        Confidence level of the pointwise intervals.

    Returns
    -------
    pandas.DataFrame
        ``group``, ``day``, ``at_risk`` (still followed just before that day), ``left`` and ``censored`` (on that
        day), ``retained`` (the Kaplan–Meier estimate, in %), ``ci_low``, ``ci_high`` (in %). Each group starts with
        day 0 at 100 %; then one row per day on which someone left or stopped being followed.

    Examples
    --------
    >>> outcomes = pd.DataFrame({"person_id": list("abcd"), "group": ["participant"] * 4,
    ...     "start_date": pd.to_datetime(["2025-01-01"] * 4),
    ...     "end_date": pd.to_datetime(["2025-01-11", None, "2025-01-31", None])})
    >>> kaplan_meier(outcomes, as_of="2025-01-21")[["day", "at_risk", "left", "censored", "retained"]]
       day  at_risk  left  censored  retained
    0    0        4     0         0     100.0
    1   10        4     1         0      75.0
    2   20        3     0         3      75.0
    """
    from scipy import stats

    times = follow_up(outcomes, as_of=as_of)
    frames = []
    for group in _groups(times):
        part = times[times["group"] == group]
        result = stats.ecdf(_censored(part))
        days = result.sf.quantiles
        interval = _interval(result, confidence)
        all_days = np.sort(part["days"].to_numpy())
        left_days = np.sort(part.loc[part["left"], "days"].to_numpy())
        ended = np.searchsorted(left_days, days, "right") - np.searchsorted(left_days, days, "left")
        stopped = np.searchsorted(all_days, days, "right") - np.searchsorted(all_days, days, "left")
        curve = pd.DataFrame({
            "group": group,
            "day": days.astype("int64"),
            "at_risk": len(all_days) - np.searchsorted(all_days, days, "left"),
            "left": ended,
            "censored": stopped - ended,
            "retained": result.sf.probabilities * 100,
            "ci_low": interval.low.probabilities * 100,
            "ci_high": interval.high.probabilities * 100,
        })
        if len(days) == 0 or days[0] > 0:
            start = pd.DataFrame([{"group": group, "day": 0, "at_risk": len(part), "left": 0, "censored": 0,
                                   "retained": 100.0, "ci_low": 100.0, "ci_high": 100.0}])
            curve = pd.concat([start, curve], ignore_index=True)
        frames.append(curve)
    columns = ["group", "day", "at_risk", "left", "censored", "retained", "ci_low", "ci_high"]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns].astype(
        {"day": "int64", "at_risk": "int64", "left": "int64", "censored": "int64"})


def retention_rates(outcomes: pd.DataFrame, *, as_of: dt.date | str | None = None, days: int = RETENTION_DAYS,
                    confidence: float = 0.95) -> pd.DataFrame:
    """The percentage of each group still employed ``days`` after ``start_date`` (Kaplan–Meier), with its CI.

    Parameters
    ----------
    outcomes : pandas.DataFrame
        ``person_id``, ``group``, ``start_date``, ``end_date``.
    as_of : date, optional
        The date the data describe (default: today).
    days : int
        The horizon (default 365: 12 months).
    confidence : float
        Confidence level.

    Returns
    -------
    pandas.DataFrame
        ``group`` (participant, comparison, then any other), ``n`` (people followed), ``left`` (left within the
        horizon), ``censored_early`` (stopped being followed before the horizon while still employed), ``value``
        (the retention in %), ``se`` (Greenwood's standard error, in points), ``ci_low``, ``ci_high`` (in %).

    Notes
    -----
    :math:`\\hat S(t) = \\prod_{t_i \\le t} (1 - d_i / n_i)` with :math:`d_i` leavers and :math:`n_i` people at
    risk on day :math:`t_i`; Greenwood: :math:`\\widehat{V}[\\hat S(t)] = \\hat S(t)^2 \\sum_{t_i \\le t}
    d_i / (n_i (n_i - d_i))`. Without censoring before the horizon, :math:`\\hat S` is the plain share retained.

    References
    ----------
    .. [1] Kaplan, E. L., & Meier, P. (1958). Nonparametric estimation from incomplete observations. JASA 53, 457–481.
    .. [2] Greenwood, M. (1926). The natural duration of cancer. Reports on Public Health and Medical Subjects 33.

    Examples
    --------
    >>> outcomes = pd.DataFrame({"person_id": list("abcde"), "group": ["participant"] * 5,
    ...     "start_date": pd.to_datetime(["2025-01-01"] * 5),
    ...     "end_date": pd.to_datetime(["2025-06-01", None, None, None, "2026-02-01"])})
    >>> retention_rates(outcomes, as_of="2026-03-01")[["group", "n", "left", "value"]]
             group  n  left  value
    0  participant  5     1   80.0
    """
    from scipy import stats

    times = follow_up(outcomes, as_of=as_of)
    rows = []
    for group in _groups(times):
        part = times[times["group"] == group]
        result = stats.ecdf(_censored(part))
        survival = float(result.sf.evaluate(days))
        interval = _interval(result, confidence)
        low, high = float(interval.low.evaluate(days)), float(interval.high.evaluate(days))
        _, variance = _greenwood(part, days)
        estimable = bool((part["days"] >= days).any()) or survival == 0
        if not estimable:
            survival = low = high = variance = float("nan")
        rows.append({
            "group": group, "n": len(part),
            "left": int((part["left"] & (part["days"] <= days)).sum()),
            "censored_early": int((~part["left"] & (part["days"] < days)).sum()),
            "value": survival * 100, "se": float(np.sqrt(variance)) * 100, "ci_low": low * 100, "ci_high": high * 100,
        })
    columns = ["group", "n", "left", "censored_early", "value", "se", "ci_low", "ci_high"]
    return pd.DataFrame(rows, columns=columns)


def compare_retention(outcomes: pd.DataFrame, *, as_of: dt.date | str | None = None, days: int = RETENTION_DAYS,
                      confidence: float = 0.95) -> pd.DataFrame:
    """Participants against the comparison group: the difference in retention at ``days`` and the log-rank test.

    Returns
    -------
    pandas.DataFrame
        One row: ``participant``, ``comparison`` (retention in %), ``difference`` (participant − comparison, in
        points), ``ci_low``, ``ci_high`` (:math:`\\Delta \\pm z\\sqrt{V_p + V_c}`, Greenwood variances),
        ``n_participant``, ``n_comparison``, ``logrank_z`` and ``p_value`` (:func:`scipy.stats.logrank`, over the
        whole follow-up, two-sided). Empty values when a group is missing.

    Examples
    --------
    >>> from rmkit.cohort import load_cohort
    >>> from rmkit.resources import example_cohort_dir
    >>> cohort = load_cohort(example_cohort_dir())
    >>> row = compare_retention(cohort.outcomes, as_of=cohort.program.as_of).iloc[0]
    >>> int(row.n_participant), int(row.n_comparison)
    (80, 120)
    """
    from scipy import stats

    times = follow_up(outcomes, as_of=as_of)
    rates = retention_rates(outcomes, as_of=as_of, days=days, confidence=confidence).set_index("group")
    nan = float("nan")
    row: dict[str, float] = {"participant": nan, "comparison": nan, "difference": nan, "ci_low": nan, "ci_high": nan,
                             "n_participant": 0, "n_comparison": 0, "logrank_z": nan, "p_value": nan}
    for group in GROUPS:
        if group in rates.index:
            row[group] = float(rates.loc[group, "value"])
            row[f"n_{group}"] = int(rates.loc[group, "n"])
    if row["n_participant"] and row["n_comparison"]:
        z = float(stats.norm.ppf((1 + confidence) / 2))
        difference = row["participant"] - row["comparison"]
        se = float(np.hypot(rates.loc["participant", "se"], rates.loc["comparison", "se"]))
        row.update(difference=difference, ci_low=difference - z * se, ci_high=difference + z * se)
        test = stats.logrank(_censored(times[times["group"] == "participant"]),
                             _censored(times[times["group"] == "comparison"]))
        row.update(logrank_z=float(test.statistic), p_value=float(test.pvalue))
    return pd.DataFrame([row]).astype({"n_participant": "int64", "n_comparison": "int64"})
