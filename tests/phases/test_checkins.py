"""Pair health: each rule fires on a pair built to trip exactly it (dates worked out by hand in the comments)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from rmkit.cohort.config import ProgramConfig
from rmkit.phases.checkins import (
    health_counts,
    health_date_note,
    health_dates,
    meeting_timeline,
    pair_health,
    pulse_trend,
)

# Start Monday 2026-01-05, judged as of Monday 2026-03-02 (56 days later), cadence 2 weeks = 14 days:
# overdue (at risk) beyond 1.5 × 14 = 21 days; due (needs check-in) beyond 14 days; 4 meetings expected (56 / 14).
PROGRAM = ProgramConfig(start_date="2026-01-05", as_of="2026-03-02", checkin_every_weeks=2, duration_weeks=24)


def meetings(*rows: tuple[str, str, int | None]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"mentor_id": f"m{pair}", "mentee_id": f"e{pair}", "date": pd.Timestamp(date), "pulse": pulse} for pair, date, pulse in rows]
    )


def health(frame: pd.DataFrame, pairs: list[str], program: ProgramConfig = PROGRAM, **kw) -> pd.DataFrame:
    published = pd.DataFrame({"mentor_id": [f"m{p}" for p in pairs], "mentee_id": [f"e{p}" for p in pairs]})
    return pair_health(published, frame, program, **kw).set_index("mentor_id")


@pytest.mark.parametrize(
    ("rows", "status", "rule"),
    [
        # never met, 56 days after the start (> 10)
        ([], "at risk", "no first meeting within 10 days of the start"),
        # last met 2026-02-02: 28 days before 2026-03-02 > 21
        ([("1", "2026-01-08", 4), ("1", "2026-02-02", 4)], "at risk", "no meeting for 28 days (more than 1.5 × the 14-day cadence)"),
        # on cadence but the last two pulses average (2 + 2) / 2 = 2 < 2.5
        ([("1", "2026-01-12", 4), ("1", "2026-02-16", 2), ("1", "2026-02-28", 2)], "at risk", "recent pulse 2.0 is below 2.5"),
        # last met 2026-02-12: 18 days ago, > 14 but not > 21
        ([("1", "2026-01-08", 4), ("1", "2026-02-12", 4)], "needs check-in", "a meeting is due: the last one was 18 days ago (cadence 14 days)"),
        # mean pulse (5 + 5 + 3) / 3 = 4.33; last 3 <= 4.33 − 1; recent (5 + 3) / 2 = 4 is not low
        ([("1", "2026-01-20", 5), ("1", "2026-02-10", 5), ("1", "2026-02-25", 3)], "needs check-in", "pulse falling: last 3 against an average of 4.3"),
        ([("1", "2026-01-09", 4), ("1", "2026-01-23", 4), ("1", "2026-02-06", 5), ("1", "2026-02-20", 4)], "on track", "meeting at the cadence"),
    ],
)
def test_each_rule(rows, status, rule) -> None:
    frame = meetings(*rows) if rows else meetings(("9", "2026-01-09", 4))
    row = health(frame, ["1"]).loc["m1"]
    assert (row["status"], row["rule"]) == (status, rule)


def test_not_met_yet_but_still_within_the_first_days() -> None:
    program = ProgramConfig(start_date="2026-01-05", as_of="2026-01-10", checkin_every_weeks=2)  # 5 days in
    row = health(meetings(("9", "2026-01-06", 4)), ["1"], program).loc["m1"]
    assert (row["status"], row["rule"]) == ("needs check-in", "not met yet; the first meeting is due")


def test_counts_adherence_and_order() -> None:
    frame = meetings(("1", "2026-01-09", 4), ("1", "2026-01-23", 4), ("2", "2026-01-08", 4))
    table = health(frame, ["1", "2", "3"])
    assert table.loc["m1", "meetings"] == 2 and table.loc["m1", "expected_meetings"] == 4
    assert table.loc["m1", "adherence"] == 50.0  # 2 of the 4 the cadence expects
    assert list(table.index) == ["m3", "m2", "m1"]  # never met, then longest gap, then the rest
    counts = health_counts(table.reset_index())
    assert counts.to_dict("records") == [
        {"status": "on track", "pairs": 0, "percent": 0.0},
        {"status": "needs check-in", "pairs": 0, "percent": 0.0},
        {"status": "at risk", "pairs": 3, "percent": 100.0},
    ]


def test_meetings_after_as_of_and_of_unpublished_pairs_are_ignored() -> None:
    frame = meetings(("1", "2026-01-09", 4), ("1", "2026-03-20", 1), ("7", "2026-02-28", 1))
    table = health(frame, ["1"])
    assert list(table.index) == ["m1"] and table.loc["m1", "meetings"] == 1


def test_dates_are_clamped_to_the_program_end() -> None:
    program = ProgramConfig(start_date="2026-01-05", as_of="2027-01-01", duration_weeks=8)
    start, as_of = health_dates(program, None)
    assert (start, as_of) == (pd.Timestamp("2026-01-05"), pd.Timestamp("2026-03-02"))  # 8 weeks after the start


def test_start_comes_from_the_data_and_as_of_is_today_when_program_is_silent() -> None:
    frame = meetings(("1", "2026-01-09", 4), ("1", "2026-02-20", 4))
    assert health_dates(ProgramConfig(), frame, today=dt.date(2026, 4, 24)) == (pd.Timestamp("2026-01-09"), pd.Timestamp("2026-04-24"))


def test_a_program_nobody_updated_for_two_months_shows_its_pairs_at_risk() -> None:
    # Before: as_of defaulted to the last meeting (2026-02-20), so this pair looked on track forever.
    # The last meeting is 63 days before "today" (2026-04-24), more than 1.5 x the 14-day cadence = 21 days.
    program = ProgramConfig(start_date="2026-01-05", checkin_every_weeks=2, duration_weeks=24)
    frame = meetings(("1", "2026-01-09", 4), ("1", "2026-01-23", 4), ("1", "2026-02-06", 4), ("1", "2026-02-20", 4))
    table = health(frame, ["1"], program, today=dt.date(2026, 4, 24))
    assert table.loc["m1", "status"] == "at risk" and table.loc["m1", "days_since_last"] == 63
    assert health_date_note(program, frame, today=dt.date(2026, 4, 24)) == "as of 24 April 2026 (today), 109 days after the start"


def test_today_is_capped_at_the_planned_end() -> None:
    # 2026-01-05 + 24 weeks = 2026-06-22 (168 days)
    program = ProgramConfig(start_date="2026-01-05", duration_weeks=24)
    assert health_dates(program, None, today=dt.date(2027, 1, 1))[1] == pd.Timestamp("2026-06-22")
    assert "(the planned end of the program" in health_date_note(program, None, today=dt.date(2027, 1, 1))


def test_each_threshold_leads_to_the_status_the_template_comment_names() -> None:
    """The template's checkins comments and the judged statuses come from CHECKIN_THRESHOLDS; check both ends."""
    from rmkit.cohort.config import CHECKIN_THRESHOLDS
    from rmkit.resources import templates_dir

    template = (templates_dir() / "program.yaml").read_text(encoding="utf-8")
    # one pair per threshold, built to trip it alone (dates as in PROGRAM: judged 56 days after the start)
    tripped = {
        "first_meeting_within_days": health(meetings(("9", "2026-01-09", 4)), ["1"]).loc["m1"],            # never met
        "overdue_factor": health(meetings(("1", "2026-01-20", 4)), ["1"]).loc["m1"],                       # 41 days ago
        "low_pulse": health(meetings(("1", "2026-02-16", 2), ("1", "2026-02-27", 2)), ["1"]).loc["m1"],    # pulse 2
    }
    for key, threshold in CHECKIN_THRESHOLDS.items():
        assert tripped[key]["status"] == threshold.status, key
        line = next(line for line in template.splitlines() if line.strip().startswith(f"{key}:"))
        assert line.split("#", 1)[1].strip().startswith(f'"{threshold.status}"'), line
    assert "needs check-in\" if a pair has not met" not in template  # the wording that disagreed with the code


def test_the_template_comments_are_current() -> None:
    from rmkit.cohort.templates import program_template
    from rmkit.resources import templates_dir

    text = (templates_dir() / "program.yaml").read_text(encoding="utf-8")
    assert program_template(text) == text, "regenerate: python -m rmkit.cohort.templates data/templates"


def test_timeline_and_trend() -> None:
    frame = meetings(("1", "2026-01-09", 4), ("1", "2026-01-23", 2), ("2", "2026-02-03", 5))
    table = pair_health(pd.DataFrame({"mentor_id": ["m1", "m2"], "mentee_id": ["e1", "e2"]}), frame, PROGRAM)
    timeline = meeting_timeline(table, frame)
    assert set(timeline["pair"]) == {"m1 → e1", "m2 → e2"} and len(timeline) == 3
    trend = pulse_trend(frame)
    assert trend[["mean", "n"]].to_dict("records") == [{"mean": 3.0, "n": 2}, {"mean": 5.0, "n": 1}]  # Jan (4+2)/2, Feb 5
    assert pulse_trend(frame, min_ratings=2)["n"].tolist() == [2]


def test_example_cohort_has_a_realistic_share_on_track(example_dir) -> None:
    from rmkit.cohort import load_cohort

    cohort = load_cohort(example_dir)
    counts = health_counts(pair_health(cohort.pairs, cohort.checkins, cohort.program)).set_index("status")
    assert 60 <= counts.loc["on track", "percent"] <= 80  # shared/DOMAIN.md: 60–80% of pairs on track


# --------------------------------------------------------------------------------------------- both sides speak


def reports(*rows: tuple[str, str, int | None, str | None, str]) -> pd.DataFrame:
    """(pair, date, pulse, reported_by, topics separated by ;)."""
    return pd.DataFrame([{"mentor_id": f"m{pair}", "mentee_id": f"e{pair}", "date": pd.Timestamp(date), "pulse": pulse,
                          "reported_by": side, "topics": [t.strip() for t in topics.split(";") if t.strip()]}
                         for pair, date, pulse, side, topics in rows])


PEOPLE = pd.DataFrame({"person_id": ["m1", "e1"], "wants": [["strategy", "finance"], ["AI tools", "LinkedIn"]]})


def test_a_meeting_both_sides_report_counts_once() -> None:
    # 2 dates reported by both sides: 2 meetings, not 4; the pulse of a meeting is the mean of its ratings.
    frame = reports(("1", "2026-02-16", 5, "mentor", ""), ("1", "2026-02-16", 3, "mentee", ""),
                    ("1", "2026-02-27", 4, "mentor", ""), ("1", "2026-02-27", 4, "mentee", ""))
    row = health(frame, ["1"]).loc["m1"]
    assert row["meetings"] == 2 and row["pulse_last"] == 4.0 and row["pulse_mean"] == 4.0  # (4 + 4) / 2 = 4
    assert row["pulse_mentor"] == 4.5 and row["pulse_mentee"] == 3.5  # each side's own ratings


@pytest.mark.parametrize(("mentee_pulses", "flagged"), [((3, 3), True), ((4, 3), False)])
def test_sides_far_apart_need_a_check_in(mentee_pulses, flagged) -> None:
    # the mentor rates 5 and 5; the mentee 3 and 3 (a gap of 2) or 4 and 3 (a gap of 5 − 3.5 = 1.5), against 1.6
    first, second = mentee_pulses
    frame = reports(("1", "2026-02-16", 5, "mentor", ""), ("1", "2026-02-16", first, "mentee", ""),
                    ("1", "2026-02-27", 5, "mentor", ""), ("1", "2026-02-27", second, "mentee", ""))
    program = ProgramConfig(start_date="2026-01-05", as_of="2026-03-02", checkin_every_weeks=2,
                            checkins={"pulse_gap": 1.6})  # 5 − 3.5 = 1.5 < 1.6; 5 − 3 = 2 ≥ 1.6
    row = health(frame, ["1"], program).loc["m1"]
    if flagged:
        assert (row["status"], row["rule"]) == ("needs check-in", "the two sides rate their meetings far apart: "
                                                "mentor 5.0, mentee 3.0 (a gap of 1.6 or more)")
    else:
        assert row["status"] == "on track"


def test_one_way_top_down_needs_a_check_in_only_with_participants() -> None:
    # six meetings on the cadence; the last four discuss only the mentor's wants (strategy, finance)
    frame = reports(("1", "2026-01-08", 4, None, "AI tools; strategy"), ("1", "2026-01-19", 4, None, "LinkedIn"),
                    ("1", "2026-01-30", 4, None, "strategy"), ("1", "2026-02-10", 4, None, "finance"),
                    ("1", "2026-02-19", 4, None, "Strategy"), ("1", "2026-02-27", 4, None, "finance; strategy"))
    assert health(frame, ["1"]).loc["m1", "status"] == "on track"  # without participants, no reciprocity
    row = health(frame, ["1"], participants=PEOPLE).loc["m1"]
    assert (row["status"], row["direction"]) == ("needs check-in", "top-down only")
    assert row["rule"] == ("learning flows one way, top-down: of the topics of the last 4 meetings, "
                           "5 served the mentor's wants and 0 the mentee's")


def test_reciprocity_counts_each_direction() -> None:
    from rmkit.phases.checkins import reciprocity

    # both sides report the same meeting: its topics count once (the union), case and spacing ignored
    frame = reports(("1", "2026-01-08", 4, "mentor", "AI  tools; strategy"), ("1", "2026-01-08", 4, "mentee", "ai tools"),
                    ("1", "2026-01-22", 4, "mentee", "LinkedIn; sustainability"))
    row = reciprocity(frame[["mentor_id", "mentee_id"]].drop_duplicates(), frame, PEOPLE).iloc[0]
    assert (row["to_mentee"], row["to_mentor"], row["direction"]) == (2, 1, "both ways")  # AI tools, LinkedIn; strategy
    assert row["reverse_share"] == pytest.approx(200 / 3)
    few = reciprocity(frame[["mentor_id", "mentee_id"]].drop_duplicates(), frame.head(1), PEOPLE).iloc[0]
    assert few["direction"] == "too few topics"  # 2 matching topics < 3


def test_agreement_progress_against_a_count_by_hand() -> None:
    from rmkit.phases.checkins import agreement_progress

    pairs = pd.DataFrame({"mentor_id": ["m1", "m2", "m3"], "mentee_id": ["e1", "e2", "e3"]})
    goals = pd.DataFrame({
        "mentor_id": ["m1", "m1", "m1", "m2", "m9"], "mentee_id": ["e1", "e1", "e1", "e2", "e9"],
        "goal": list("abcde"), "side": ["mentor", "mentee", None, "mentee", "mentor"],
        "target_date": pd.to_datetime(["2026-02-01", "2026-04-01", None, "2026-01-15", "2026-01-01"]),
        "status": ["open", "done", None, "dropped", "open"],
    })
    table = agreement_progress(pairs, goals, as_of="2026-03-01").set_index("mentor_id")
    # m1: 3 goals, 1 done, 2 open (one without status), 1 overdue (a: open, due 1 Feb < 1 Mar); m9 is not a pair
    assert table.loc["m1", ["goals", "done", "open", "dropped", "overdue", "goals_mentor", "goals_mentee"]].tolist() == [3, 1, 2, 0, 1, 1, 1]
    assert table.loc["m1", "done_share"] == 33.3
    assert table.loc["m2", ["goals", "dropped", "overdue"]].tolist() == [1, 1, 0]  # a dropped goal is never overdue
    assert table.loc["m3", "goals"] == 0 and pd.isna(table.loc["m3", "done_share"])


def test_pulse_trend_by_side() -> None:
    frame = reports(("1", "2026-01-08", 5, "mentor", ""), ("1", "2026-01-08", 3, "mentee", ""),
                    ("1", "2026-01-22", 4, None, ""))
    trend = pulse_trend(frame, by_side=True)
    assert trend[["side", "mean", "n"]].to_dict("records") == [
        {"side": "mentee", "mean": 3.0, "n": 1}, {"side": "mentor", "mean": 5.0, "n": 1}, {"side": "pair", "mean": 4.0, "n": 1}]


def test_example_cohort_flags_both_new_rules(example_dir) -> None:
    from rmkit.cohort import load_cohort

    cohort = load_cohort(example_dir)
    table = pair_health(cohort.pairs, cohort.checkins, cohort.program, participants=cohort.participants)
    rules = " | ".join(table["rule"])
    assert "far apart" in rules and "top-down" in rules
