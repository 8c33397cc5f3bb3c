"""When pairs meet: time slots read in each person's own time zone, the first coffee chat, the cadence, the end.

Decisions (the README's "Introductions" repeats them):

- an ``availability`` slot is a weekday and a part of the day in the person's **own** time zone
  (``participants.timezone``, hours from UTC): ``Mon AM`` is Monday 09:00–12:00, ``PM`` 13:00–17:00, ``evening``
  17:00–20:00; ``Tue 14:00`` is the hour from 14:00, ``Thu 14-16`` that window. Days may be written out
  (``Monday morning``). A person without a readable slot counts as free on weekdays 09:00–17:00; a person
  without a time zone is taken to be in their partner's (UTC when neither says);
- the **first coffee chat** (30 minutes) is the earliest half hour, from ``start_date`` on and within
  ``checkins.first_meeting_within_days`` of it, in which both are free by their own slots, avoiding a time a
  person already has with another partner; when no such time exists it is the first weekday at 10:00 in the
  mentee's time zone, marked *to confirm*;
- the **recurring meeting** (60 minutes) starts one cadence (``checkin_every_weeks``, default 3) after the coffee
  chat, at the same time, and repeats every cadence until the **planned end**, ``start_date`` +
  ``duration_weeks`` (24 weeks when it is not set);
- without a ``start_date`` the program starts the day after the kit is made;
- the **facilitator's check-ins** are the weeks ``program.yaml: feedback`` names ("facilitator check-in at weeks
  6, 12 and 18", "every 4 weeks"); when it names none, every two cadences until the end.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["Slot", "Person", "Meeting", "parse_slot", "first_meeting", "series_dates", "planned_end", "program_start",
           "cadence_days", "feedback_weeks", "local_time", "DEFAULT_DURATION_WEEKS", "DEFAULT_CADENCE"]

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
PARTS = {"am": (9 * 60, 12 * 60), "morning": (9 * 60, 12 * 60), "pm": (13 * 60, 17 * 60),
         "afternoon": (13 * 60, 17 * 60), "evening": (17 * 60, 20 * 60)}
DEFAULT_DURATION_WEEKS = 24
DEFAULT_CADENCE = 3.0
COFFEE_MINUTES = 30
MEETING_MINUTES = 60
_SLOT = re.compile(r"^(mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?\s+(?:(am|pm|morning|afternoon|evening)"
                   r"|(\d{1,2})(?::(\d{2}))?(?:\s*[-–]\s*(\d{1,2})(?::(\d{2}))?)?)$", re.I)


@dataclass(frozen=True)
class Slot:
    """A weekly window in a person's own time: ``weekday`` (0 = Monday), minutes from midnight."""

    weekday: int
    start: int
    end: int

    def holds(self, weekday: int, minute: int, length: int) -> bool:
        return weekday == self.weekday and self.start <= minute and minute + length <= self.end


def parse_slot(text: object) -> Slot | None:
    """A slot from its text, or ``None`` when it cannot be read.

    Examples
    --------
    >>> parse_slot("Mon AM"), parse_slot("thursday afternoon"), parse_slot("Tue 14:00"), parse_slot("lunch")
    (Slot(weekday=0, start=540, end=720), Slot(weekday=3, start=780, end=1020), Slot(weekday=1, start=840, end=900), None)
    """
    match = _SLOT.match(" ".join(str(text).split()))
    if match is None:
        return None
    day = DAYS.index(match[1][:3].casefold())
    if match[2]:
        start, end = PARTS[match[2].casefold()]
        return Slot(day, start, end)
    start = int(match[3]) * 60 + int(match[4] or 0)
    end = int(match[5]) * 60 + int(match[6] or 0) if match[5] else start + 60
    if not 0 <= start < end <= 24 * 60:
        return None
    return Slot(day, start, end)


@dataclass(frozen=True)
class Person:
    """What scheduling needs of a participant."""

    person_id: str
    timezone: float | None
    availability: tuple[str, ...] = ()

    @property
    def slots(self) -> tuple[Slot, ...]:
        parsed = (parse_slot(s) for s in self.availability)
        return tuple(s for s in parsed if s is not None)


@dataclass(frozen=True)
class Meeting:
    """A scheduled meeting: ``start`` in UTC, its length, and how it was found."""

    start: dt.datetime
    minutes: int
    in_shared_slot: bool
    note: str = ""

    @property
    def end(self) -> dt.datetime:
        return self.start + dt.timedelta(minutes=self.minutes)


def local_time(moment: dt.datetime, hours: float | None) -> dt.datetime:
    """``moment`` (aware) in the fixed UTC offset ``hours``.

    Examples
    --------
    >>> local_time(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC), 5.5).isoformat()
    '2026-03-02T14:30:00+05:30'
    """
    return moment.astimezone(dt.timezone(dt.timedelta(hours=hours or 0)))


def _free(person: Person, zone: float, moment: dt.datetime, length: int) -> bool:
    here = local_time(moment, zone)
    minute = here.hour * 60 + here.minute
    slots = person.slots
    if not slots:
        return here.weekday() < 5 and minute >= 9 * 60 and minute + length <= 17 * 60
    return any(s.holds(here.weekday(), minute, length) for s in slots)


def first_meeting(mentor: Person, mentee: Person, *, start: dt.date, within_days: int,
                  busy: Iterable[tuple[int, int]] = (), minutes: int = COFFEE_MINUTES) -> Meeting:
    """The first coffee chat of a pair (see the module's decisions).

    ``busy`` holds ``(weekday, minute)`` in UTC that one of the two already has with another partner.

    Examples
    --------
    >>> ana = Person("m1", 0.0, ("Mon AM", "Wed PM"))   # London: Wednesday 13:00–17:00 UTC
    >>> max_ = Person("e1", 1.0, ("Wed PM", "Thu AM"))  # Berlin: Wednesday 13:00–17:00 there is 12:00–16:00 UTC
    >>> first_meeting(ana, max_, start=dt.date(2026, 3, 2), within_days=10).start.isoformat()
    '2026-03-04T13:00:00+00:00'
    >>> raj = Person("e2", 5.5, ("Wed PM",))            # India: Wednesday 07:30–11:30 UTC, never when Ana is free
    >>> first_meeting(ana, raj, start=dt.date(2026, 3, 2), within_days=10).note
    "no time in both people's availability within the first days: to confirm with both"
    """
    zone_m = mentor.timezone if mentor.timezone is not None else mentee.timezone
    zone_e = mentee.timezone if mentee.timezone is not None else mentor.timezone
    zone_m, zone_e = zone_m or 0.0, zone_e or 0.0
    taken = set(busy)
    first = dt.datetime.combine(start, dt.time(0), tzinfo=dt.UTC) - dt.timedelta(hours=14)
    last_day = start + dt.timedelta(days=within_days)
    for step in range((within_days + 2) * 48):
        moment = first + dt.timedelta(minutes=30 * step)
        day = local_time(moment, zone_e).date()
        if day < start or local_time(moment, zone_m).date() < start:
            continue
        if day >= last_day:
            break
        if (moment.weekday(), moment.hour * 60 + moment.minute) in taken:
            continue
        if _free(mentor, zone_m, moment, minutes) and _free(mentee, zone_e, moment, minutes):
            shared = bool(mentor.slots) and bool(mentee.slots)
            note = "" if shared else "one of the two gave no availability: the time assumes office hours"
            return Meeting(moment, minutes, shared, note)
    day = start
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    local = dt.datetime.combine(day, dt.time(10), tzinfo=dt.timezone(dt.timedelta(hours=zone_e)))
    return Meeting(local.astimezone(dt.UTC), minutes, False,
                   "no time in both people's availability within the first days: to confirm with both")


def cadence_days(every_weeks: float | None) -> int:
    """The cadence in whole days (``checkin_every_weeks`` × 7, at least 1; 3 weeks when unset)."""
    return max(1, round(7 * (every_weeks or DEFAULT_CADENCE)))


def series_dates(first: dt.datetime, *, every_days: int, until: dt.date) -> list[dt.datetime]:
    """The recurring meetings: one cadence after ``first``, then every cadence, the last on or before ``until``.

    Examples
    --------
    >>> [d.date().isoformat() for d in series_dates(dt.datetime(2026, 3, 4, 13, tzinfo=dt.UTC), every_days=21,
    ...                                            until=dt.date(2026, 5, 15))]
    ['2026-03-25', '2026-04-15', '2026-05-06']
    """
    out, moment = [], first + dt.timedelta(days=every_days)
    while moment.date() <= until:
        out.append(moment)
        moment += dt.timedelta(days=every_days)
    return out


def program_start(start_date: dt.date | None, today: dt.date) -> dt.date:
    """``start_date``, else the day after ``today``."""
    return start_date or today + dt.timedelta(days=1)


def planned_end(start: dt.date, duration_weeks: int | None) -> dt.date:
    """The planned end: the start + ``duration_weeks`` (24 when unset)."""
    return start + dt.timedelta(weeks=duration_weeks or DEFAULT_DURATION_WEEKS)


def feedback_weeks(text: str | None, *, duration_weeks: int | None, every_weeks: float | None) -> tuple[list[int], str]:
    """The weeks of the facilitator's check-ins, and how they were found.

    Examples
    --------
    >>> feedback_weeks("Pulse rating after each meeting; facilitator check-in at weeks 6, 12 and 18", duration_weeks=24,
    ...                every_weeks=3)
    ([6, 12, 18], 'the weeks program.yaml: feedback names')
    >>> feedback_weeks("a facilitator call every 8 weeks", duration_weeks=24, every_weeks=3)
    ([8, 16, 24], 'every 8 weeks, as program.yaml: feedback says')
    >>> feedback_weeks(None, duration_weeks=12, every_weeks=2)
    ([4, 8, 12], 'program.yaml: feedback names no weeks: every two cadences (4 weeks)')
    """
    end = duration_weeks or DEFAULT_DURATION_WEEKS
    words = text or ""
    every = re.search(r"every\s+(\d+)\s+weeks?", words, re.I)
    if every and int(every[1]) > 0:
        step = int(every[1])
        return list(range(step, end + 1, step)), f"every {step} weeks, as program.yaml: feedback says"
    named = re.search(r"weeks?\s+(\d+(?:\s*(?:,|and|&|/)\s*\d+)*)", words, re.I)
    if named:
        weeks = sorted({int(n) for n in re.findall(r"\d+", named[1]) if 0 < int(n) <= end})
        if weeks:
            return weeks, "the weeks program.yaml: feedback names"
    step = max(1, math.ceil(2 * (every_weeks or DEFAULT_CADENCE)))
    return (list(range(step, end + 1, step)),
            f"program.yaml: feedback names no weeks: every two cadences ({step} weeks)")


def describe_time(moment: dt.datetime, zones: Sequence[tuple[str, float | None]]) -> str:
    """``Wednesday 4 March 2026, 13:00 for Ana (UTC+0), 18:30 for Raj (UTC+5:30)``."""
    parts = []
    for who, hours in zones:
        here = local_time(moment, hours)
        parts.append(f"{here:%H:%M} for {who} ({_offset(hours)})")
    day = local_time(moment, zones[-1][1] if zones else 0)
    return f"{DAY_NAMES[day.weekday()]} {day.day} {day:%B %Y}, " + ", ".join(parts)


def _offset(hours: float | None) -> str:
    hours = hours or 0.0
    sign = "+" if hours >= 0 else "−"
    whole, minutes = divmod(round(abs(hours) * 60), 60)
    return f"UTC{sign}{whole}" + (f":{minutes:02d}" if minutes else "")
