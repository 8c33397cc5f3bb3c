"""The introduction kit of a cohort: :func:`build_intro_kit` makes every file's content (pure), and
:func:`write_intro_kit` writes them into a new folder (``rmkit intro COHORT --out DIR``)::

    DIR/README.txt                                 what the files are; they hold personal data
    DIR/briefs/<mentor_id>-<mentee_id>.html        one printable page per pair
    DIR/calendar/<mentor_id>-<mentee_id>.ics       the pair's coffee chat and recurring meetings
    DIR/calendar/facilitator-checkins.ics          the facilitator's check-ins (program.yaml: feedback)
    DIR/mailmerge.csv                              one row per person and pair (formula-safe)

The pairs are the published ``pairs.csv``; goals already in ``agreements.csv`` are written into the agreement.
File names keep letters, digits, ``.``, ``_`` and ``-`` of the ids (anything else becomes ``_``).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..cohort import Cohort
from ..errors import InputError, UsageError
from ..pairing.explain import TermIndex, first_name, overlap_of
from . import schedule
from .briefs import PairBrief, Side, agenda, pair_brief, render_brief
from .calendars import facilitator_calendar, pair_calendar
from .mailmerge import mailmerge_table

__all__ = ["IntroKit", "build_intro_kit", "write_intro_kit", "README_TEXT"]

README_TEXT = """\
Introduction kit: {program} ({cohort}), made {made}.

THESE FILES CONTAIN PERSONAL DATA (names, e-mail addresses): they are for the facilitator only.
Share each brief and calendar file with the two people of its pair only; delete the kit when the
program ends.

briefs/      one printable page per pair: who the partner is, why they were matched, conversation
             starters, and a mentoring agreement to fill in together at the first coffee chat
calendar/    one calendar file per pair (the coffee chat, then a meeting every {cadence} until
             {end}), and facilitator-checkins.ics (weeks {weeks})
mailmerge.csv  one row per person and pair: name, e-mail, role, partner, brief, calendar, first meeting

Times in the calendar files are in UTC; each event's description gives both people's local times.
"""


@dataclass
class IntroKit:
    """Everything ``rmkit intro`` writes, as content: ``files`` maps a path inside the kit folder to its text or
    bytes; ``notes`` are what the facilitator should know (one line each)."""

    cohort: str
    briefs: list[PairBrief]
    mailmerge: pd.DataFrame
    files: dict[str, str | bytes] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]", "_", text).lstrip(".") or "_"


def _text(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return ""
    return " ".join(str(value).split())


def _side(row: pd.Series, role: str) -> Side:
    name = _text(row.get("name")) or str(row["person_id"])
    return Side(person_id=str(row["person_id"]), name=name, first=first_name(name) or name, role=role,
                department=_text(row.get("department")), level=_text(row.get("level")),
                location=_text(row.get("location")), offers=tuple(row.get("offers") or ()),
                wants=tuple(row.get("wants") or ()))


def _zone(value: object) -> float | None:
    return None if value is None or value is pd.NA or (isinstance(value, float) and value != value) else float(value)


def build_intro_kit(cohort: Cohort, *, today: dt.date | None = None, stamp: dt.datetime | None = None) -> IntroKit:
    """The kit of a cohort with published pairs (see the module's docstring).

    Raises
    ------
    InputError
        When the cohort has no published pairs (``pairs.csv``) yet.
    """
    pairs = cohort.pairs
    if pairs is None or pairs.empty:
        raise InputError("pairs.csv", None, None, "no published pairs yet; publish them first (the pairing board's "
                         "Publish pairs, or rmkit pair COHORT --publish), then make the introduction kit")
    program = cohort.program
    today = today or dt.date.today()
    stamp = stamp or dt.datetime.now(dt.UTC).replace(microsecond=0)
    notes: list[str] = []
    start = schedule.program_start(program.start_date, today)
    if program.start_date is None:
        notes.append(f"program.yaml has no start_date: the program is taken to start on {start:%d %B %Y}")
    end = schedule.planned_end(start, program.duration_weeks)
    if program.duration_weeks is None:
        notes.append(f"program.yaml has no duration_weeks: meetings are planned for {schedule.DEFAULT_DURATION_WEEKS} weeks")
    every = schedule.cadence_days(program.checkin_every_weeks)
    weeks_text = f"{every // 7} weeks" if every % 7 == 0 else f"{every} days"
    cadence = f"every {weeks_text}, 60 minutes, until {end:%d %B %Y}"
    people = cohort.participants.drop_duplicates("person_id").set_index("person_id", drop=False)
    goals = cohort.agreements if cohort.agreements is not None else pd.DataFrame(columns=["mentor_id", "mentee_id", "side", "goal"])
    busy: dict[str, set[tuple[int, int]]] = {}
    briefs, mail, files = [], [], {}
    unconfirmed = 0
    for pair in pairs.drop_duplicates(["mentor_id", "mentee_id"]).itertuples(index=False):
        mentor_row, mentee_row = people.loc[pair.mentor_id], people.loc[pair.mentee_id]
        mentor, mentee = _side(mentor_row, "mentor"), _side(mentee_row, "mentee")
        index_m = TermIndex.of(people.loc[[pair.mentor_id]])
        index_e = TermIndex.of(people.loc[[pair.mentee_id]])
        overlap = overlap_of(index_m, index_e, 0, 0)
        zone_m, zone_e = _zone(mentor_row.get("timezone")), _zone(mentee_row.get("timezone"))
        taken = busy.setdefault(mentor.person_id, set()) | busy.setdefault(mentee.person_id, set())
        first = schedule.first_meeting(
            schedule.Person(mentor.person_id, zone_m, tuple(mentor_row.get("availability") or ())),
            schedule.Person(mentee.person_id, zone_e, tuple(mentee_row.get("availability") or ())),
            start=start, within_days=program.checkins.first_meeting_within_days, busy=taken)
        key = (first.start.weekday(), first.start.hour * 60 + first.start.minute)
        busy[mentor.person_id].add(key)
        busy[mentee.person_id].add(key)
        unconfirmed += not first.in_shared_slot
        zones = [(mentor.first, zone_m if zone_m is not None else zone_e),
                 (mentee.first, zone_e if zone_e is not None else zone_m)]
        when = schedule.describe_time(first.start, zones)
        mine = goals[(goals["mentor_id"] == pair.mentor_id) & (goals["mentee_id"] == pair.mentee_id)]
        brief = pair_brief(program=program.program or cohort.name, sponsor=program.sponsor, mentor=mentor, mentee=mentee,
                           overlap=overlap, first_meeting=when, first_to_confirm=not first.in_shared_slot,
                           cadence=cadence, goals=[(s if isinstance(s, str) else None, str(g))
                                                   for s, g in zip(mine["side"], mine["goal"], strict=True)])
        stem = _safe(mentor.person_id) + "-" + _safe(mentee.person_id)
        briefs.append(brief)
        files[f"briefs/{stem}.html"] = render_brief(brief)
        files[f"calendar/{stem}.ics"] = pair_calendar(
            uid=_safe(f"{cohort.name}-{stem}"), title=f"{mentor.name} & {mentee.name}",
            people=[(mentor.name, _text(mentor_row.get("email")) or None), (mentee.name, _text(mentee_row.get("email")) or None)],
            first=first, every_days=every, until=end, coffee_agenda=agenda(brief), stamp=stamp, note=first.note,
            meeting_agenda=["What each of you tried since last time, and how it went.",
                            f"One subject each way: {mentee.first} learning from {mentor.first}, then the other way round.",
                            "Look at your agreement's goals: done, still open, or to change?",
                            "After the meeting, each of you rates it (pulse 1–5) and notes the topics."])
        local = {mentor.person_id: schedule.local_time(first.start, zones[0][1]),
                 mentee.person_id: schedule.local_time(first.start, zones[1][1])}
        for me, other, row, other_row in ((mentor, mentee, mentor_row, mentee_row), (mentee, mentor, mentee_row, mentor_row)):
            mail.append({"person_id": me.person_id, "name": me.name, "email": _text(row.get("email")), "role": me.role,
                         "partner_id": other.person_id, "partner_name": other.name,
                         "partner_email": _text(other_row.get("email")), "brief": f"briefs/{stem}.html",
                         "calendar": f"calendar/{stem}.ics", "first_meeting": first.start.isoformat().replace("+00:00", "Z"),
                         "first_meeting_local": local[me.person_id].strftime("%Y-%m-%d %H:%M UTC%z"),
                         "to_confirm": "yes" if not first.in_shared_slot else "no"})
    weeks, how = schedule.feedback_weeks(program.feedback, duration_weeks=program.duration_weeks,
                                         every_weeks=program.checkin_every_weeks)
    files["calendar/facilitator-checkins.ics"] = facilitator_calendar(
        uid=_safe(cohort.name), program=program.program or cohort.name, start=start, weeks=weeks, how=how, stamp=stamp,
        pairs=[f"{b.mentor.name} ({b.mentor.person_id}) & {b.mentee.name} ({b.mentee.person_id})" for b in briefs])
    notes.append(f"facilitator check-ins at weeks {', '.join(map(str, weeks))} ({how})")
    if unconfirmed:
        notes.append(f"{unconfirmed} pair(s) have no time in both people's availability within the first "
                     f"{program.checkins.first_meeting_within_days} days: their coffee chat is marked to confirm")
    files["README.txt"] = README_TEXT.format(program=program.program or cohort.name, cohort=cohort.name,
                                             made=f"{stamp:%d %B %Y}", cadence=weeks_text, end=f"{end:%d %B %Y}",
                                             weeks=", ".join(map(str, weeks)))
    return IntroKit(cohort=cohort.name, briefs=briefs, mailmerge=mailmerge_table(mail), files=files, notes=notes)


def write_intro_kit(kit: IntroKit, out: str | os.PathLike[str]) -> list[Path]:
    """Write the kit into ``out``, which must be a new or empty folder (a kit is never overwritten). Returns the
    files written."""
    from ..cohort.tables import atomic_write, write_table

    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder}: exists and is not a folder")
    if folder.is_dir() and any(folder.iterdir()):
        raise UsageError(f"{folder}: already exists and is not empty; the kit is written into a new or empty folder")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, content in kit.files.items():
        path = folder / name
        if isinstance(content, bytes):
            with atomic_write(path, "wb") as handle:
                handle.write(content)
        else:
            with atomic_write(path, "w", encoding="utf-8") as handle:
                handle.write(content)
        written.append(path)
    written.append(write_table(kit.mailmerge, folder / "mailmerge.csv"))
    return written
