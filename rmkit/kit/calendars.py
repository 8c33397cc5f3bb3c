"""The iCalendar files of the kit (RFC 5545, written with the ``icalendar`` library, imported when a calendar is
made so that ``import rmkit`` stays fast).

- a pair's calendar: the **coffee chat** and the **recurring meeting** (``RRULE`` weekly with ``INTERVAL`` = the
  cadence in weeks, or daily with the cadence in days when it is not a whole number of weeks, ``UNTIL`` the planned
  end), both people as ``ATTENDEE`` (``mailto:`` their e-mail, ``CN`` their name; a person without an e-mail is
  named in the description instead), the brief's agenda in ``DESCRIPTION``;
- the facilitator's calendar: an all-day event at each check-in week, listing the pairs to check in with.

Times are written in UTC (``…Z``): a fixed UTC offset has no time-zone name a calendar program would recognise, and
UTC is shown correctly in every one. The descriptions give each person's local time. ``UID`` values are stable for
a cohort and pair, so importing a regenerated file updates the events instead of duplicating them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from .schedule import Meeting

__all__ = ["pair_calendar", "facilitator_calendar", "recurrence"]

PRODID = "-//rmkit//reverse mentoring//EN"


def recurrence(every_days: int, until: dt.date) -> dict[str, object]:
    """The ``RRULE`` of the recurring meeting.

    Examples
    --------
    >>> recurrence(21, dt.date(2026, 8, 17))
    {'freq': 'weekly', 'interval': 3, 'until': datetime.datetime(2026, 8, 17, 23, 59, 59, tzinfo=datetime.timezone.utc)}
    >>> recurrence(10, dt.date(2026, 8, 17))["freq"]
    'daily'
    """
    end = dt.datetime.combine(until, dt.time(23, 59, 59), tzinfo=dt.UTC)
    if every_days % 7 == 0:
        return {"freq": "weekly", "interval": every_days // 7, "until": end}
    return {"freq": "daily", "interval": every_days, "until": end}


def _calendar(name: str):
    import icalendar

    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    return cal


def _attendee(name: str, email: str):
    import icalendar

    address = icalendar.vCalAddress(f"mailto:{email}")
    address.params["cn"] = name
    address.params["role"] = "REQ-PARTICIPANT"
    return address


def pair_calendar(*, uid: str, title: str, people: Sequence[tuple[str, str | None]], first: Meeting,
                  every_days: int, until: dt.date, coffee_agenda: Sequence[str], meeting_agenda: Sequence[str],
                  stamp: dt.datetime, note: str = "") -> bytes:
    """A pair's calendar: the coffee chat, then the recurring meeting (see the module's docstring).

    ``people`` are ``(name, e-mail or None)``; ``uid`` identifies the pair (e.g. ``cohort-mentor-mentee``).
    """
    import icalendar

    cal = _calendar(title)
    missing = [name for name, email in people if not email]
    invite = [(name, email) for name, email in people if email]
    extra = ([note] if note else []) + ([f"No e-mail address for {', '.join(missing)}: send them this invitation."]
                                        if missing else [])
    start = first.start.astimezone(dt.UTC)
    coffee = icalendar.Event()
    coffee.add("uid", f"{uid}-coffee@rmkit")
    coffee.add("dtstamp", stamp)
    coffee.add("dtstart", start)
    coffee.add("dtend", start + dt.timedelta(minutes=first.minutes))
    coffee.add("summary", f"Coffee chat: {title}")
    coffee.add("description", "\n".join([*extra, "Agenda:", *(f"{k}. {line}" for k, line in enumerate(coffee_agenda, 1))]))
    coffee.add("status", "TENTATIVE" if not first.in_shared_slot else "CONFIRMED")
    for name, email in invite:
        coffee.add("attendee", _attendee(name, email))
    cal.add_component(coffee)
    series_start = start + dt.timedelta(days=every_days)
    if series_start.date() <= until:
        meeting = icalendar.Event()
        meeting.add("uid", f"{uid}-meetings@rmkit")
        meeting.add("dtstamp", stamp)
        meeting.add("dtstart", series_start)
        meeting.add("dtend", series_start + dt.timedelta(minutes=60))
        meeting.add("rrule", recurrence(every_days, until))
        meeting.add("summary", f"Reverse mentoring: {title}")
        meeting.add("description", "\n".join(["Agenda:", *(f"{k}. {line}" for k, line in enumerate(meeting_agenda, 1))]))
        for name, email in invite:
            meeting.add("attendee", _attendee(name, email))
        cal.add_component(meeting)
    return cal.to_ical()


def facilitator_calendar(*, uid: str, program: str, start: dt.date, weeks: Sequence[int], how: str,
                         pairs: Sequence[str], stamp: dt.datetime) -> bytes:
    """An all-day event per facilitator check-in week (``start`` + the week × 7 days), listing ``pairs``."""
    import icalendar

    cal = _calendar(f"{program}: facilitator check-ins")
    for week in weeks:
        day = start + dt.timedelta(weeks=week)
        event = icalendar.Event()
        event.add("uid", f"{uid}-facilitator-week{week}@rmkit")
        event.add("dtstamp", stamp)
        event.add("dtstart", day)
        event.add("dtend", day + dt.timedelta(days=1))
        event.add("summary", f"Facilitator check-in, week {week}: {program}")
        event.add("description", "\n".join([
            f"Scheduled from {how}.",
            "Ask both people of each pair, separately, what is working and what is not; look at the check-in board "
            "(rmkit dashboard checkins COHORT) for the pairs at risk first.",
            f"Pairs ({len(pairs)}):", *pairs,
        ]))
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    return cal.to_ical()
