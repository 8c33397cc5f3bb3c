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
needs check-in            the two sides rate their meetings far apart: the mentor's and the mentee's recent
                          pulse (each side's last 3 ratings, ``reported_by``) differ by ``pulse_gap`` or more
needs check-in            learning slid into one-way, top-down mentoring: under ``one_way_share`` of the topics
                          of the last ``recent_meetings`` meetings serve the mentee's wants (see
                          :func:`reciprocity`; only when the participants are given)
needs check-in            the pulse is falling: the last meeting's rating is a point or more below the pair's mean
needs check-in            not met yet, still within ``first_meeting_within_days`` of the start
on track                  none of the above
========================  =================================================================================

Dates: the start is ``program.yaml: start_date`` (else the first meeting in ``checkins.csv``); health is judged
**as of** ``program.yaml: as_of`` (else today: a program whose pairs stopped logging meetings shows them at risk),
but never after the program's planned end (start + ``duration_weeks``): after a program ends its pairs are judged
as they stood at the end. :func:`health_date_note` says in words which date was used and why. The cadence is
``checkin_every_weeks`` (3 weeks when it is not set).

Both sides speak: ``checkins.csv`` may hold one row per side and meeting (``reported_by``). A meeting is a pair's
date, however many rows report it; its pulse is the mean of its ratings and its topics the union of both sides'.

Agreements: :func:`agreement_progress` counts each pair's goals (``agreements.csv``) set, done, open, dropped and
overdue (open after their ``target_date``).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..cohort.config import CHECKIN_THRESHOLDS, ProgramConfig

__all__ = ["STATUSES", "pairs_to_watch", "health_dates", "health_date_note", "pair_health", "health_counts",
           "meeting_timeline", "pulse_trend", "DEFAULT_CADENCE_WEEKS", "meetings_of", "side_pulse", "reciprocity",
           "agreement_progress", "DIRECTIONS"]

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
    participants: pd.DataFrame | None = None,
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
    participants : DataFrame, optional
        ``participants.csv`` (``person_id``, ``wants``): with it, whether learning still flows both ways is judged
        from the topics (:func:`reciprocity`).

    Returns
    -------
    DataFrame
        One row per pair: ``mentor_id``, ``mentee_id``, ``status``, ``rule`` (the rule that fired, in words),
        ``meetings`` (distinct dates), ``first_meeting``, ``last_meeting``, ``days_since_last``,
        ``expected_meetings``, ``adherence`` (meetings held as a percentage of those the cadence expects so far, at
        most 100), ``pulse_mean``, ``pulse_recent`` (mean of the last two meetings), ``pulse_last``,
        ``pulse_mentor`` and ``pulse_mentee`` (each side's last 3 ratings, when ``reported_by`` says who rated),
        ``direction`` (see :func:`reciprocity`; empty without participants). Sorted most urgent first.

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
    reports = checkins.merge(base, on=keys, how="inner")
    if as_of is not None:
        reports = reports[reports["date"] <= as_of]
    meetings = meetings_of(reports)
    grouped = meetings.groupby(keys, sort=False)
    stats = grouped.agg(meetings=("date", "size"), first_meeting=("date", "min"), last_meeting=("date", "max"),
                        pulse_mean=("pulse", "mean")).reset_index()
    rated = meetings.dropna(subset=["pulse"]).groupby(keys, sort=False)["pulse"]
    recent = rated.apply(lambda s: s.tail(2).mean()).rename("pulse_recent").reset_index()
    last = rated.last().rename("pulse_last").reset_index()
    sides = side_pulse(reports)
    out = base.merge(stats, on=keys, how="left").merge(recent, on=keys, how="left").merge(last, on=keys, how="left")
    out = out.merge(sides[keys + ["pulse_mentor", "pulse_mentee"]], on=keys, how="left")
    if participants is not None:
        flows = reciprocity(base, reports, participants, recent=rules.recent_meetings, one_way_share=rules.one_way_share)
        out = out.merge(flows[keys + ["direction", "recent_to_mentee", "recent_to_mentor"]], on=keys, how="left")
    else:
        out["direction"], out["recent_to_mentee"], out["recent_to_mentor"] = None, np.nan, np.nan
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
                      "adherence", "pulse_mean", "pulse_recent", "pulse_last", "pulse_mentor", "pulse_mentee", "direction"]
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
    mentor, mentee = row.pulse_mentor, row.pulse_mentee
    if mentor == mentor and mentee == mentee and abs(mentor - mentee) >= rules.pulse_gap:
        return "needs check-in", (f"the two sides rate their meetings far apart: mentor {mentor:.1f}, mentee {mentee:.1f} "
                                  f"(a gap of {rules.pulse_gap:g} or more)")
    if row.direction == "top-down only":
        return "needs check-in", (f"learning flows one way, top-down: of the topics of the last {rules.recent_meetings} "
                                  f"meetings, {row.recent_to_mentor:.0f} served the mentor's wants and "
                                  f"{row.recent_to_mentee:.0f} the mentee's")
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
    frame = health[keys + ["status"]].merge(meetings_of(checkins)[keys + ["date", "pulse"]], on=keys, how="left")
    frame["pair"] = frame["mentor_id"] + " → " + frame["mentee_id"]
    frame["status_rank"] = frame["status"].map({"at risk": 0, "needs check-in": 1, "on track": 2})
    return frame[["pair", "date", "pulse", "status", "status_rank"]]


def pulse_trend(checkins: pd.DataFrame, *, freq: str = "MS", min_ratings: int = 1, by_side: bool = False) -> pd.DataFrame:
    """Mean pulse per period (month by default) with the interquartile range: ``period``, ``mean``, ``low``,
    ``high``, ``n``. Periods with fewer than ``min_ratings`` ratings are left out (pass ``min_group_size`` for
    reports). With ``by_side``, one row per period and side (``side``: ``mentor``, ``mentee``, or ``pair`` for rows
    without ``reported_by``), each side's ratings counted on their own."""
    columns = ["period", "side", "mean", "low", "high", "n"] if by_side else ["period", "mean", "low", "high", "n"]
    rated = checkins.dropna(subset=["pulse", "date"])
    if rated.empty:
        return pd.DataFrame(columns=columns)
    keys = [rated["date"].dt.to_period(freq[0]).dt.start_time.rename("period")]
    if by_side:
        side = rated["reported_by"] if "reported_by" in rated.columns else pd.Series(None, index=rated.index)
        keys.append(side.fillna("pair").astype(str).rename("side"))
    grouped = rated.groupby(keys)["pulse"]
    out = pd.DataFrame({"mean": grouped.mean(), "low": grouped.quantile(0.25), "high": grouped.quantile(0.75), "n": grouped.size()})
    out = out[out["n"] >= min_ratings].reset_index()
    return out[columns]


# --------------------------------------------------------------------------------------------- both sides


def meetings_of(checkins: pd.DataFrame) -> pd.DataFrame:
    """One row per pair and meeting date: ``mentor_id``, ``mentee_id``, ``date``, ``pulse`` (the mean of that
    meeting's ratings, both sides'), ``topics`` (both sides' topics, each once, in the order reported),
    ``reports`` (rows that reported it), sorted by pair and date.

    Examples
    --------
    >>> rows = pd.DataFrame({"mentor_id": ["m1", "m1", "m1"], "mentee_id": ["e1", "e1", "e1"],
    ...                      "date": pd.to_datetime(["2026-01-08", "2026-01-08", "2026-01-29"]), "pulse": [5, 3, 4],
    ...                      "topics": [["AI tools"], ["AI tools", "strategy"], []], "reported_by": ["mentor", "mentee", None]})
    >>> meetings_of(rows)[["date", "pulse", "topics", "reports"]].to_dict("records")[0]
    {'date': Timestamp('2026-01-08 00:00:00'), 'pulse': 4.0, 'topics': ['AI tools', 'strategy'], 'reports': 2}
    """
    keys = ["mentor_id", "mentee_id", "date"]
    columns = [*keys, "pulse", "topics", "reports"]
    if checkins is None:
        return pd.DataFrame({"mentor_id": pd.Series(dtype=object), "mentee_id": pd.Series(dtype=object),
                             "date": pd.Series(dtype="datetime64[us]"), "pulse": pd.Series(dtype=float),
                             "topics": pd.Series(dtype=object), "reports": pd.Series(dtype=int)})
    frame = checkins.dropna(subset=["date"])
    if frame.empty:
        return frame[keys].assign(pulse=pd.Series(dtype=float), topics=pd.Series(dtype=object), reports=pd.Series(dtype=int))
    topics = frame["topics"] if "topics" in frame.columns else pd.Series([[]] * len(frame), index=frame.index)
    if "pulse" not in frame.columns:
        frame = frame.assign(pulse=np.nan)
    frame = frame.assign(topics=topics.map(lambda v: list(v) if isinstance(v, list | tuple) else []))
    grouped = frame.groupby(keys, sort=True)
    out = grouped.agg(pulse=("pulse", "mean"), reports=("date", "size")).reset_index()
    merged = grouped["topics"].agg(lambda cells: list(dict.fromkeys(t for cell in cells for t in cell)))
    out["topics"] = merged.to_numpy()
    return out[columns]


def side_pulse(checkins: pd.DataFrame, *, last: int = 3) -> pd.DataFrame:
    """Each side's own rating of a pair's meetings (``reported_by``): ``mentor_id``, ``mentee_id``,
    ``pulse_mentor`` and ``pulse_mentee`` (the mean of that side's last ``last`` ratings), ``ratings_mentor``,
    ``ratings_mentee`` (how many ratings each side gave), ``gap`` (mentor − mentee). Pairs without ``reported_by``
    ratings have empty values.

    Examples
    --------
    >>> rows = pd.DataFrame({"mentor_id": ["m1"] * 4, "mentee_id": ["e1"] * 4,
    ...                      "date": pd.to_datetime(["2026-01-08", "2026-01-08", "2026-01-29", "2026-01-29"]),
    ...                      "pulse": [5, 2, 4, 2], "reported_by": ["mentor", "mentee", "mentor", "mentee"]})
    >>> side_pulse(rows)[["pulse_mentor", "pulse_mentee", "gap"]].to_dict("records")
    [{'pulse_mentor': 4.5, 'pulse_mentee': 2.0, 'gap': 2.5}]
    """
    keys = ["mentor_id", "mentee_id"]
    columns = [*keys, "pulse_mentor", "pulse_mentee", "ratings_mentor", "ratings_mentee", "gap"]
    if checkins is None or checkins.empty or "reported_by" not in checkins.columns:
        return pd.DataFrame(columns=columns)
    rated = checkins.dropna(subset=["pulse", "reported_by"]).sort_values([*keys, "date"], kind="stable")
    if rated.empty:
        return pd.DataFrame(columns=columns)
    grouped = rated.groupby([*keys, "reported_by"])["pulse"]
    table = pd.DataFrame({"pulse": grouped.apply(lambda v: v.tail(last).mean()), "ratings": grouped.size()}).unstack("reported_by")
    out = pd.DataFrame(index=table.index)
    for side in ("mentor", "mentee"):
        out[f"pulse_{side}"] = table[("pulse", side)] if ("pulse", side) in table.columns else np.nan
        out[f"ratings_{side}"] = table[("ratings", side)].fillna(0).astype(int) if ("ratings", side) in table.columns else 0
    out["gap"] = out["pulse_mentor"] - out["pulse_mentee"]
    return out.reset_index()[columns]


DIRECTIONS = ("both ways", "top-down only", "reverse only", "too few topics")


def reciprocity(pairs: pd.DataFrame, checkins: pd.DataFrame, participants: pd.DataFrame, *, recent: int = 4,
                one_way_share: float = 0.2, min_topics: int = 3) -> pd.DataFrame:
    """Whether learning still flows both ways, from the topics of the check-ins.

    A topic that matches one of the **mentee's** ``wants`` is learning in the reverse-mentoring direction (the
    junior mentor teaching the senior mentee); one that matches the **mentor's** ``wants`` is the senior teaching
    the junior (top-down). Matching ignores case and spacing; a topic matching neither counts for neither. The last
    ``recent`` meetings are judged: with fewer than ``min_topics`` matching topics there is too little to say;
    when under ``one_way_share`` of them go one way, learning flows the other way only. Hierarchy pulling a pair back
    into ordinary top-down mentoring is the most reported failure of reverse mentoring, so ``top-down only`` is a
    reason for a check-in.

    Returns
    -------
    DataFrame
        ``mentor_id``, ``mentee_id``, ``meetings``, ``to_mentee`` and ``to_mentor`` (matching topics over all
        meetings), ``recent_to_mentee``, ``recent_to_mentor`` (in the last ``recent`` meetings),
        ``reverse_share`` (recent share to the mentee, %), ``direction`` (one of :data:`DIRECTIONS`) and ``slid``
        (true when the earlier meetings went both ways and the recent ones do not).

    Examples
    --------
    >>> people = pd.DataFrame({"person_id": ["m1", "e1"], "wants": [["strategy", "finance"], ["AI tools"]]})
    >>> rows = pd.DataFrame({"mentor_id": ["m1"] * 6, "mentee_id": ["e1"] * 6,
    ...                      "date": pd.date_range("2026-01-05", periods=6, freq="14D"),
    ...                      "topics": [["ai tools", "strategy"], ["AI Tools"], ["finance"], ["strategy"], ["finance"],
    ...                                 ["strategy", "finance"]]})
    >>> r = reciprocity(rows[["mentor_id", "mentee_id"]].drop_duplicates(), rows, people)
    >>> r[["to_mentee", "to_mentor", "recent_to_mentee", "recent_to_mentor", "direction", "slid"]].to_dict("records")
    [{'to_mentee': 2, 'to_mentor': 6, 'recent_to_mentee': 0, 'recent_to_mentor': 5, 'direction': 'top-down only', 'slid': True}]
    """
    from ..pairing.compatibility import normalize_term

    keys = ["mentor_id", "mentee_id"]
    wants = {pid: {normalize_term(t) for t in (w if isinstance(w, list | tuple) else [])}
             for pid, w in zip(participants["person_id"], participants["wants"], strict=True)}
    meetings = meetings_of(checkins)
    by_pair = {key: group for key, group in meetings.groupby(keys, sort=False)} if not meetings.empty else {}
    rows = []
    for mentor, mentee in pairs[keys].drop_duplicates().itertuples(index=False):
        group = by_pair.get((mentor, mentee))
        topics = [] if group is None else [{normalize_term(t) for t in cell} for cell in group["topics"]]
        to_mentee = [len(t & wants.get(mentee, set())) for t in topics]
        to_mentor = [len(t & wants.get(mentor, set())) for t in topics]
        recent_e, recent_m = sum(to_mentee[-recent:]), sum(to_mentor[-recent:])
        direction = _direction(recent_e, recent_m, one_way_share, min_topics)
        earlier = _direction(sum(to_mentee[:-recent]), sum(to_mentor[:-recent]), one_way_share, min_topics)             if len(topics) > recent else "too few topics"
        rows.append({"mentor_id": mentor, "mentee_id": mentee, "meetings": len(topics), "to_mentee": sum(to_mentee),
                     "to_mentor": sum(to_mentor), "recent_to_mentee": recent_e, "recent_to_mentor": recent_m,
                     "reverse_share": 100 * recent_e / (recent_e + recent_m) if recent_e + recent_m else np.nan,
                     "direction": direction, "slid": earlier == "both ways" and direction in {"top-down only", "reverse only"}})
    columns = [*keys, "meetings", "to_mentee", "to_mentor", "recent_to_mentee", "recent_to_mentor", "reverse_share",
               "direction", "slid"]
    return pd.DataFrame(rows, columns=columns)


def _direction(to_mentee: int, to_mentor: int, one_way_share: float, min_topics: int) -> str:
    total = to_mentee + to_mentor
    if total < min_topics:
        return "too few topics"
    if to_mentee / total < one_way_share:
        return "top-down only"
    if to_mentor / total < one_way_share:
        return "reverse only"
    return "both ways"


# --------------------------------------------------------------------------------------------- agreements


def agreement_progress(pairs: pd.DataFrame, agreements: pd.DataFrame | None, *,
                       as_of: dt.date | pd.Timestamp | None = None) -> pd.DataFrame:
    """Each pair's goals (``agreements.csv``): ``mentor_id``, ``mentee_id``, ``goals``, ``done``, ``open``,
    ``dropped``, ``overdue`` (open with a ``target_date`` before ``as_of``), ``goals_mentor``, ``goals_mentee``
    (each side's own goals), ``done_share`` (% of the goals done). Every pair is listed, with zeros when it set no
    goal; goals of pairs not in ``pairs`` are left out.

    Examples
    --------
    >>> pairs = pd.DataFrame({"mentor_id": ["m1", "m2"], "mentee_id": ["e1", "e2"]})
    >>> goals = pd.DataFrame({"mentor_id": ["m1", "m1", "m1"], "mentee_id": ["e1", "e1", "e1"], "goal": ["a", "b", "c"],
    ...                       "side": ["mentee", "mentor", None], "status": ["done", "open", "open"],
    ...                       "target_date": pd.to_datetime(["2026-02-01", "2026-02-01", "2026-06-01"])})
    >>> agreement_progress(pairs, goals, as_of="2026-03-01")[["goals", "done", "overdue", "done_share"]].to_dict("records")
    [{'goals': 3, 'done': 1, 'overdue': 1, 'done_share': 33.3}, {'goals': 0, 'done': 0, 'overdue': 0, 'done_share': nan}]
    """
    keys = ["mentor_id", "mentee_id"]
    counts = ["goals", "done", "open", "dropped", "overdue", "goals_mentor", "goals_mentee"]
    base = pairs[keys].drop_duplicates().reset_index(drop=True)
    if agreements is None or agreements.empty:
        out = base.assign(**{c: 0 for c in counts})
    else:
        goals = agreements.merge(base, on=keys, how="inner")
        status = goals["status"].fillna("open")
        due = goals["target_date"] if "target_date" in goals.columns else pd.Series(pd.NaT, index=goals.index)
        late = (status == "open") & due.notna() & (due < pd.Timestamp(as_of)) if as_of is not None else status != status
        side = goals["side"] if "side" in goals.columns else pd.Series(None, index=goals.index)
        flags = pd.DataFrame({"goals": 1, "done": status == "done", "open": status == "open",
                              "dropped": status == "dropped", "overdue": late, "goals_mentor": side == "mentor",
                              "goals_mentee": side == "mentee"}, index=goals.index).astype(int)
        summed = pd.concat([goals[keys], flags], axis=1).groupby(keys, sort=False).sum().reset_index()
        out = base.merge(summed, on=keys, how="left")
        out[counts] = out[counts].fillna(0).astype(int)
    out["done_share"] = (100 * out["done"] / out["goals"].where(out["goals"] > 0)).round(1)
    return out[[*keys, *counts, "done_share"]]
