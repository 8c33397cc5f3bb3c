"""Check-in health: which pairs are on track, which need a check-in, which are at risk — and which rule said so.

The rules follow what mentoring platforms track (first meeting, cadence, pulse) with the thresholds of
``program.yaml`` (``checkins:`` and ``checkin_every_weeks``; the status each threshold leads to is declared once, in
:data:`rmkit.cohort.config.CHECKIN_THRESHOLDS`, which also writes the template's comments):

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
**as of** ``program.yaml: as_of`` (else today: a program whose pairs stopped logging meetings shows them at risk),
but never after the program's planned end (start + ``duration_weeks``): after a program ends its pairs are judged
as they stood at the end. :func:`health_date_note` says in words which date was used and why. The cadence is
``checkin_every_weeks`` (3 weeks when it is not set).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..cohort.config import CHECKIN_THRESHOLDS, ProgramConfig

__all__ = ["STATUSES", "pairs_to_watch", "health_dates", "health_date_note", "pair_health", "health_counts", "meeting_timeline", "pulse_trend", "DEFAULT_CADENCE_WEEKS"]

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


def _today(today: dt.date | None) -> pd.Timestamp:
    return pd.Timestamp(today if today is not None else dt.date.today())


def health_dates(program: ProgramConfig, checkins: pd.DataFrame | None, *,
                 today: dt.date | None = None) -> tuple[pd.Timestamp | None, pd.Timestamp]:
    """The (start, as_of) dates health is judged with.

    ``start`` is ``program.yaml: start_date``, else the first meeting logged (``None`` when neither exists).
    ``as_of`` is ``program.yaml: as_of``, else ``today`` (default: the current date), capped at the planned end.

    Examples
    --------
    >>> program = ProgramConfig(start_date="2026-01-05", duration_weeks=8)
    >>> health_dates(program, None, today=dt.date(2026, 2, 1))
    (Timestamp('2026-01-05 00:00:00'), Timestamp('2026-02-01 00:00:00'))
    >>> health_dates(program, None, today=dt.date(2027, 1, 1))[1]  # after the planned end: the end
    Timestamp('2026-03-02 00:00:00')
    """
    dates = checkins["date"].dropna() if checkins is not None and len(checkins) else pd.Series([], dtype="datetime64[us]")
    start = pd.Timestamp(program.start_date) if program.start_date else (dates.min() if len(dates) else None)
    as_of = pd.Timestamp(program.as_of) if program.as_of else _today(today)
    end = planned_end(program, start)
    if end is not None:
        as_of = min(as_of, end)
    return start, as_of


def planned_end(program: ProgramConfig, start: pd.Timestamp | None) -> pd.Timestamp | None:
    """start + ``duration_weeks``, or ``None`` when either is unknown."""
    if start is None or not program.duration_weeks:
        return None
    return start + pd.Timedelta(weeks=program.duration_weeks)


def health_date_note(program: ProgramConfig, checkins: pd.DataFrame | None, *, today: dt.date | None = None) -> str:
    """The date health is judged at, and where it comes from, in words (for the board and the report).

    Examples
    --------
    >>> program = ProgramConfig(start_date="2026-01-05", duration_weeks=8)
    >>> health_date_note(program, None, today=dt.date(2026, 2, 1))
    'as of 1 February 2026 (today), 27 days after the start'
    >>> health_date_note(program, None, today=dt.date(2027, 1, 1))
    'as of 2 March 2026 (the planned end of the program: start_date + duration_weeks), 56 days after the start'
    >>> health_date_note(ProgramConfig(as_of="2026-02-10"), None)
    'as of 10 February 2026 (program.yaml: as_of); no start_date and no meeting logged yet'
    """
    start, as_of = health_dates(program, checkins, today=today)
    wanted = pd.Timestamp(program.as_of) if program.as_of else _today(today)
    if as_of < wanted:
        source = "the planned end of the program: start_date + duration_weeks"
    elif program.as_of:
        source = "program.yaml: as_of"
    else:
        source = "today"
    text = f"as of {as_of.day} {as_of:%B %Y} ({source})"
    if start is None:
        return text + "; no start_date and no meeting logged yet"
    days = (as_of - start).days
    if days < 0:
        return text + f", {-days} days before the start ({start.day} {start:%B %Y})"
    return text + f", {days} days after the start"


def pair_health(
    pairs: pd.DataFrame,
    checkins: pd.DataFrame,
    program: ProgramConfig,
    *,
    as_of: dt.date | pd.Timestamp | None = None,
    today: dt.date | None = None,
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
        Overrides the date health is judged at (default: :func:`health_dates`, that is ``program.yaml: as_of``,
        else today, capped at the planned end).
    today : date, optional
        What "today" is (default: the current date); for reproducible results.

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
    start, default_as_of = health_dates(program, checkins, today=today)
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
            return CHECKIN_THRESHOLDS["first_meeting_within_days"].status, f"no first meeting within {rules.first_meeting_within_days} days of the start"
        return "needs check-in", "not met yet; the first meeting is due"
    days = row.days_since_last
    if days > overdue:
        return CHECKIN_THRESHOLDS["overdue_factor"].status, f"no meeting for {days:.0f} days (more than {rules.overdue_factor:g} × the {cadence_days:.0f}-day cadence)"
    if row.pulse_recent == row.pulse_recent and row.pulse_recent < rules.low_pulse:
        return CHECKIN_THRESHOLDS["low_pulse"].status, f"recent pulse {row.pulse_recent:.1f} is below {rules.low_pulse:g}"
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
