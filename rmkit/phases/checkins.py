"""Check-in health: which pairs are on track, which need a check-in, which are at risk — and which rule said so.

The rules follow what mentoring platforms track (shared/DOMAIN.md) with the thresholds of ``program.yaml``
(``checkins:`` and ``checkin_every_weeks``):

========================  =================================================================================
status                    fires when (first matching rule wins, most severe first)
========================  =================================================================================
at risk                   no first meeting within ``first_meeting_within_days`` of the start
at risk                   no meeting for longer than ``overdue_factor`` × the cadence
at risk                   recent pulse (mean of the last two ratings) below ``low_pulse``
needs check-in            a meeting is due: the last one is older than the cadence
needs check-in            the pulse is falling: the last rating is a point or more below the pair's mean
needs check-in            not met yet, still within ``first_meeting_within_days`` of the start
on track                  none of the above
========================  =================================================================================

Dates: the start is ``program.yaml: start_date`` (else the first meeting in ``checkins.csv``); health is judged
**as of** ``program.yaml: as_of`` (else the latest meeting in the file), but never after the program's planned end
(start + ``duration_weeks``): after a program ends its pairs are judged as they stood at the end. The cadence is
``checkin_every_weeks`` (3 weeks when it is not set).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..cohort.config import ProgramConfig

__all__ = ["STATUSES", "pairs_to_watch", "health_dates", "pair_health", "health_counts", "meeting_timeline", "pulse_trend", "DEFAULT_CADENCE_WEEKS"]

STATUSES = ("on track", "needs check-in", "at risk")
DEFAULT_CADENCE_WEEKS = 3.0
_RANK = {s: k for k, s in enumerate(STATUSES)}


def pairs_to_watch(pairs: pd.DataFrame | None, checkins: pd.DataFrame | None) -> pd.DataFrame:
    """The pairs whose health is judged: the published ``pairs.csv``, else every pair that appears in
    ``checkins.csv`` (``mentor_id``, ``mentee_id``)."""
    if pairs is not None and len(pairs):
        return pairs[["mentor_id", "mentee_id"]].drop_duplicates().reset_index(drop=True)
    if checkins is not None:
        return checkins[["mentor_id", "mentee_id"]].drop_duplicates().reset_index(drop=True)
    return pd.DataFrame(columns=["mentor_id", "mentee_id"])


def health_dates(program: ProgramConfig, checkins: pd.DataFrame | None) -> tuple[pd.Timestamp | None, pd.Timestamp | None]:
    """The (start, as_of) dates health is judged with; either may be ``None`` when nothing tells it."""
    dates = checkins["date"].dropna() if checkins is not None and len(checkins) else pd.Series([], dtype="datetime64[us]")
    start = pd.Timestamp(program.start_date) if program.start_date else (dates.min() if len(dates) else None)
    as_of = pd.Timestamp(program.as_of) if program.as_of else (dates.max() if len(dates) else None)
    if start is not None and as_of is not None and program.duration_weeks:
        as_of = min(as_of, start + pd.Timedelta(weeks=program.duration_weeks))
    return start, as_of


def pair_health(
    pairs: pd.DataFrame,
    checkins: pd.DataFrame,
    program: ProgramConfig,
    *,
    as_of: dt.date | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """The health of every pair.

    Parameters
    ----------
    pairs : DataFrame
        The published pairs (``mentor_id``, ``mentee_id``). Meetings of a pair that is not in ``pairs`` are ignored.
    checkins : DataFrame
        ``checkins.csv`` as loaded (``mentor_id``, ``mentee_id``, ``date``, ``pulse``).
    program : ProgramConfig
        Cadence, thresholds, start and end.
    as_of : date, optional
        Overrides the date health is judged at.

    Returns
    -------
    DataFrame
        One row per pair: ``mentor_id``, ``mentee_id``, ``status``, ``rule`` (the rule that fired, in words),
        ``meetings``, ``first_meeting``, ``last_meeting``, ``days_since_last``, ``expected_meetings``,
        ``adherence`` (meetings held as a percentage of those the cadence expects so far, at most 100),
        ``pulse_mean``, ``pulse_recent`` (mean of the last two), ``pulse_last``. Sorted most urgent first.

    Examples
    --------
    >>> from rmkit.cohort.config import ProgramConfig
    >>> program = ProgramConfig(start_date="2026-01-05", as_of="2026-03-02", checkin_every_weeks=2)
    >>> pairs = pd.DataFrame({"mentor_id": ["m1", "m2", "m3"], "mentee_id": ["e1", "e2", "e3"]})
    >>> meetings = pd.DataFrame({"mentor_id": ["m1", "m1", "m1", "m2"], "mentee_id": ["e1", "e1", "e1", "e2"],
    ...                          "date": pd.to_datetime(["2026-01-08", "2026-02-05", "2026-02-23", "2026-01-09"]),
    ...                          "pulse": [4, 4, 5, 3]})
    >>> pair_health(pairs, meetings, program)[["mentor_id", "status", "rule"]].to_string(index=False)
    'mentor_id   status                                                  rule\\n       m3  at risk                  no first meeting within 10 days of the start\\n       m2  at risk no meeting for 52 days (more than 1.5 × the 14-day cadence)\\n       m1 on track                                  meeting at the cadence'
    """
    rules = program.checkins
    cadence_days = 7 * (program.checkin_every_weeks or DEFAULT_CADENCE_WEEKS)
    start, default_as_of = health_dates(program, checkins)
    as_of = pd.Timestamp(as_of) if as_of is not None else default_as_of
    keys = ["mentor_id", "mentee_id"]
    base = pairs[keys].drop_duplicates().reset_index(drop=True)
    meetings = checkins.merge(base, on=keys, how="inner")
    if as_of is not None:
        meetings = meetings[meetings["date"] <= as_of]
    meetings = meetings.sort_values(keys + ["date"], kind="stable")
    grouped = meetings.groupby(keys, sort=False)
    stats = grouped.agg(meetings=("date", "size"), first_meeting=("date", "min"), last_meeting=("date", "max"),
                        pulse_mean=("pulse", "mean")).reset_index()
    rated = meetings.dropna(subset=["pulse"]).groupby(keys, sort=False)["pulse"]
    recent = rated.apply(lambda s: s.tail(2).mean()).rename("pulse_recent").reset_index()
    last = rated.last().rename("pulse_last").reset_index()
    out = base.merge(stats, on=keys, how="left").merge(recent, on=keys, how="left").merge(last, on=keys, how="left")
    out["meetings"] = out["meetings"].fillna(0).astype(int)
    now = as_of if as_of is not None else out["last_meeting"].max()
    out["days_since_last"] = (now - out["last_meeting"]).dt.days if now is not None else np.nan
    elapsed = (now - start).days if (now is not None and start is not None) else np.nan
    expected = max(1, int(np.floor(elapsed / cadence_days))) if elapsed == elapsed and elapsed >= rules.first_meeting_within_days else 0
    out["expected_meetings"] = expected
    out["adherence"] = (100 * out["meetings"] / expected).clip(upper=100).round(1) if expected else np.nan
    statuses, fired = [], []
    for row in out.itertuples(index=False):
        status, rule = _judge(row, elapsed, cadence_days, rules)
        statuses.append(status)
        fired.append(rule)
    out["status"] = statuses
    out["rule"] = fired
    out["_rank"] = out["status"].map(_RANK)
    out = out.sort_values(["_rank", "days_since_last"], ascending=[False, False], kind="stable", na_position="first")
    columns = keys + ["status", "rule", "meetings", "first_meeting", "last_meeting", "days_since_last", "expected_meetings",
                      "adherence", "pulse_mean", "pulse_recent", "pulse_last"]
    return out[columns].reset_index(drop=True)


def _judge(row, elapsed: float, cadence_days: float, rules) -> tuple[str, str]:
    overdue = rules.overdue_factor * cadence_days
    if row.meetings == 0:
        if elapsed == elapsed and elapsed > rules.first_meeting_within_days:
            return "at risk", f"no first meeting within {rules.first_meeting_within_days} days of the start"
        return "needs check-in", "not met yet; the first meeting is due"
    days = row.days_since_last
    if days > overdue:
        return "at risk", f"no meeting for {days:.0f} days (more than {rules.overdue_factor:g} × the {cadence_days:.0f}-day cadence)"
    if row.pulse_recent == row.pulse_recent and row.pulse_recent < rules.low_pulse:
        return "at risk", f"recent pulse {row.pulse_recent:.1f} is below {rules.low_pulse:g}"
    if days > cadence_days:
        return "needs check-in", f"a meeting is due: the last one was {days:.0f} days ago (cadence {cadence_days:.0f} days)"
    if row.pulse_last == row.pulse_last and row.pulse_mean == row.pulse_mean and row.pulse_last <= row.pulse_mean - 1:
        return "needs check-in", f"pulse falling: last {row.pulse_last:.0f} against an average of {row.pulse_mean:.1f}"
    return "on track", "meeting at the cadence"


def health_counts(health: pd.DataFrame) -> pd.DataFrame:
    """Pairs per status (``status``, ``pairs``, ``percent``), every status listed."""
    counts = health["status"].value_counts().reindex(list(STATUSES), fill_value=0)
    total = max(1, int(counts.sum()))
    return pd.DataFrame({"status": counts.index, "pairs": counts.to_numpy(), "percent": (100 * counts.to_numpy() / total).round(1)})


def meeting_timeline(health: pd.DataFrame, checkins: pd.DataFrame) -> pd.DataFrame:
    """Meetings with their pair's status, for the timeline chart: ``pair`` (``mentor_id → mentee_id``), ``date``,
    ``pulse``, ``status``, ``status_rank`` (0 = at risk). Pairs that never met are listed once without a date."""
    keys = ["mentor_id", "mentee_id"]
    frame = health[keys + ["status"]].merge(checkins[keys + ["date", "pulse"]], on=keys, how="left")
    frame["pair"] = frame["mentor_id"] + " → " + frame["mentee_id"]
    frame["status_rank"] = frame["status"].map({"at risk": 0, "needs check-in": 1, "on track": 2})
    return frame[["pair", "date", "pulse", "status", "status_rank"]]


def pulse_trend(checkins: pd.DataFrame, *, freq: str = "MS", min_ratings: int = 1) -> pd.DataFrame:
    """Mean pulse per period (month by default) with the interquartile range: ``period``, ``mean``, ``low``,
    ``high``, ``n``. Periods with fewer than ``min_ratings`` ratings are left out (pass ``min_group_size`` for
    reports)."""
    rated = checkins.dropna(subset=["pulse", "date"])
    if rated.empty:
        return pd.DataFrame(columns=["period", "mean", "low", "high", "n"])
    grouped = rated.groupby(rated["date"].dt.to_period(freq[0]).dt.start_time)["pulse"]
    out = pd.DataFrame({"mean": grouped.mean(), "low": grouped.quantile(0.25), "high": grouped.quantile(0.75), "n": grouped.size()})
    out = out[out["n"] >= min_ratings].reset_index(names="period")
    return out
