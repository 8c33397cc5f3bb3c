"""``rmkit intro``: a brief, a calendar file and mail-merge rows per published pair; calendars read back with
icalendar and expanded with dateutil (an independent implementation of RFC 5545 recurrence)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from rmkit.cohort import load_cohort
from rmkit.kit.schedule import parse_slot
from rmkit.runs.report import external_references


@pytest.fixture(scope="module")
def kit(tmp_path_factory: pytest.TempPathFactory, example_dir: Path):
    import subprocess
    import sys

    from ..conftest import rmkit_env

    out = tmp_path_factory.mktemp("kit") / "intro"
    done = subprocess.run([sys.executable, "-m", "rmkit", "intro", str(example_dir), "--out", str(out)],
                          env=rmkit_env(), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return out, done.stdout


def test_a_brief_a_calendar_and_two_mail_merge_rows_per_pair(kit, example_dir: Path) -> None:
    out, stdout = kit
    pairs = pd.read_csv(example_dir / "pairs.csv")
    stems = {f"{m}-{e}" for m, e in zip(pairs["mentor_id"], pairs["mentee_id"], strict=True)}
    assert {p.stem for p in (out / "briefs").glob("*.html")} == stems
    assert {p.stem for p in (out / "calendar").glob("*.ics")} == stems | {"facilitator-checkins"}
    mail = pd.read_csv(out / "mailmerge.csv", dtype=str)
    assert len(mail) == 2 * len(pairs) and set(mail["brief"]) == {f"briefs/{s}.html" for s in stems}
    assert list(mail.columns[:6]) == ["person_id", "name", "email", "role", "partner_id", "partner_name"]
    people = pd.read_csv(example_dir / "participants.csv").set_index("person_id")
    row = mail.iloc[0]
    assert (row["name"], row["email"]) == (people.loc[row["person_id"], "name"], people.loc[row["person_id"], "email"])
    assert f"{len(pairs)} pairs introduced" in stdout and "PERSONAL DATA" in (out / "README.txt").read_text()


def test_calendars_repeat_at_the_cadence_until_the_planned_end(kit, example_dir: Path) -> None:
    import icalendar
    from dateutil.rrule import rrulestr

    out, _ = kit
    cohort = load_cohort(example_dir)
    program = cohort.program
    start, end = program.start_date, program.start_date + dt.timedelta(weeks=program.duration_weeks)
    people = cohort.participants.set_index("person_id")
    for path in sorted((out / "calendar").glob("p*.ics")):
        mentor, mentee = path.stem.split("-")
        cal = icalendar.Calendar.from_ical(path.read_bytes())
        coffee, meetings = cal.walk("VEVENT")
        first = coffee.decoded("dtstart")
        assert first.tzinfo is not None and first.utcoffset() == dt.timedelta(0)
        assert start <= first.date() < start + dt.timedelta(days=program.checkins.first_meeting_within_days)
        # the coffee chat lies in both people's availability, read in each one's own time zone (or is to confirm)
        if coffee["status"] == "CONFIRMED":
            for person in (mentor, mentee):
                here = first.astimezone(dt.timezone(dt.timedelta(hours=float(people.loc[person, "timezone"]))))
                minute = here.hour * 60 + here.minute
                slots = [parse_slot(s) for s in people.loc[person, "availability"]]
                assert any(s.weekday == here.weekday() and s.start <= minute and minute + 30 <= s.end for s in slots), path
        emails = sorted(str(a).removeprefix("mailto:") for a in meetings.get("attendee"))
        assert emails == sorted([people.loc[mentor, "email"], people.loc[mentee, "email"]])
        assert "Agenda:" in coffee["description"] and "mentoring agreement" in coffee["description"]
        # the recurrence, expanded by dateutil: every 3 weeks from one cadence after the coffee chat, the last on or
        # before the planned end (start + 24 weeks)
        rule = meetings["rrule"].to_ical().decode()
        assert rule.startswith("FREQ=WEEKLY") and "INTERVAL=3" in rule
        dates = list(rrulestr(rule, dtstart=meetings.decoded("dtstart")))
        expected, day = [], first + dt.timedelta(weeks=3)
        while day.date() <= end:
            expected.append(day)
            day += dt.timedelta(weeks=3)
        assert dates == expected and dates[-1].date() > end - dt.timedelta(weeks=3)


def test_the_facilitator_calendar_holds_the_feedback_weeks(kit, example_dir: Path) -> None:
    import icalendar

    out, _ = kit
    start = load_cohort(example_dir).program.start_date
    cal = icalendar.Calendar.from_ical((out / "calendar" / "facilitator-checkins.ics").read_bytes())
    days = [event.decoded("dtstart") for event in cal.walk("VEVENT")]
    # program.yaml: "facilitator check-in at weeks 6, 12 and 18"
    assert days == [start + dt.timedelta(weeks=w) for w in (6, 12, 18)]


def test_briefs_are_offline_escaped_and_say_what_the_issue_asks(kit, example_dir: Path) -> None:
    out, _ = kit
    page = next((out / "briefs").glob("*.html")).read_text(encoding="utf-8")
    assert external_references(page) == [] and "<script" not in page.lower()
    assert "default-src 'none'; img-src data:; style-src 'unsafe-inline'" in page
    for part in ("Why you were matched", "What you can offer each other", "Three conversation starters",
                 "Our mentoring agreement", "Confidentiality", "Asking for a change", "both learn"):
        assert part in page
    assert len(re.findall(r"<li>[^<]{12,}</li>", page.split("Three conversation starters")[1].split("</ol>")[0])) == 3


def hostile_cohort(tmp_path: Path, example_dir: Path) -> Path:
    folder = tmp_path / "hostile"
    shutil.copytree(example_dir, folder)
    people = pd.read_csv(folder / "participants.csv", dtype=str, keep_default_na=False)
    pairs = pd.read_csv(folder / "pairs.csv", dtype=str)
    mentor = pairs["mentor_id"].iloc[0]
    people.loc[people.person_id == mentor, "name"] = '=HYPERLINK("http://x.example","<img src=x onerror=alert(1)>")'
    people.loc[people.person_id == mentor, "department"] = "<script>alert(1)</script>"
    people.loc[people.person_id == mentor, ["timezone", "availability", "email"]] = ""
    people.to_csv(folder / "participants.csv", index=False)
    text = (folder / "program.yaml").read_text(encoding="utf-8")
    text = re.sub(r"(?m)^(start_date|duration_weeks|feedback|checkin_every_weeks):.*\n(  .*\n)*", "", text)
    (folder / "program.yaml").write_text(text, encoding="utf-8")
    return folder


def test_markup_formulas_and_a_newcomers_gaps(tmp_path: Path, example_dir: Path) -> None:
    import icalendar

    from rmkit.kit.intro_kit import build_intro_kit, write_intro_kit

    cohort = load_cohort(hostile_cohort(tmp_path, example_dir))
    kit = build_intro_kit(cohort, today=dt.date(2026, 1, 7))
    assert any("no start_date" in n for n in kit.notes) and any("duration_weeks" in n for n in kit.notes)
    write_intro_kit(kit, tmp_path / "kit")
    stem = f"{cohort.pairs['mentor_id'].iloc[0]}-{cohort.pairs['mentee_id'].iloc[0]}"
    page = (tmp_path / "kit" / "briefs" / f"{stem}.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and "<img src=x" not in page and "&lt;script&gt;" in page
    mail = pd.read_csv(tmp_path / "kit" / "mailmerge.csv", dtype=str, keep_default_na=False)
    assert mail.loc[mail.person_id == cohort.pairs["mentor_id"].iloc[0], "name"].iloc[0].startswith("'=HYPERLINK")
    cal = icalendar.Calendar.from_ical((tmp_path / "kit" / "calendar" / f"{stem}.ics").read_bytes())
    coffee, meetings = cal.walk("VEVENT")
    assert coffee.decoded("dtstart").date() >= dt.date(2026, 1, 8)  # no start_date: the day after the kit was made
    assert len([meetings.get("attendee")] if not isinstance(meetings.get("attendee"), list) else meetings.get("attendee")) == 1
    assert "No e-mail address for" in coffee["description"]
    assert "UNTIL=20260625" in meetings["rrule"].to_ical().decode()  # 8 Jan 2026 + 24 weeks (the default)
    with pytest.raises(Exception, match="not empty"):
        write_intro_kit(kit, tmp_path / "kit")


def test_no_published_pairs_is_bad_input(run_rmkit, cohort_copy: Path, tmp_path: Path) -> None:
    (cohort_copy / "pairs.csv").unlink()
    (cohort_copy / "agreements.csv").unlink()
    done = run_rmkit("intro", cohort_copy, "--out", tmp_path / "kit")
    assert done.returncode == 2 and "pairs.csv: no published pairs yet" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "kit").exists()
    inside = run_rmkit("intro", cohort_copy, "--out", cohort_copy / "kit")
    assert inside.returncode == 2


@pytest.mark.browser
def test_a_brief_prints_on_one_page(kit) -> None:
    from playwright.sync_api import sync_playwright

    from ..helpers.browser import CHROMIUM_ARGS, require_chromium

    out, _ = kit
    briefs = sorted((out / "briefs").glob("*.html"))
    longest = max(briefs, key=lambda p: len(p.read_text(encoding="utf-8")))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=require_chromium(), args=CHROMIUM_ARGS)
        page = browser.new_page()
        for path in (briefs[0], longest):
            page.goto(path.as_uri())
            for size in ("A4", "Letter"):
                assert len(re.findall(rb"/Type\s*/Page[^s]", page.pdf(format=size))) == 1, (path.name, size)
        browser.close()
