"""Every validation rule of the data contract, with the exact FILE:ROW:COLUMN it reports (header = row 1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rmkit.cohort import load_cohort, validate_cohort
from rmkit.errors import UsageError, ValidationError

from ..helpers.cohort_builder import set_cell, write_tiny_cohort


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    return write_tiny_cohort(tmp_path / "tiny")


def errors(folder: Path) -> list[str]:
    return [str(p) for p in validate_cohort(folder).errors]


def warnings(folder: Path) -> list[str]:
    return [str(p) for p in validate_cohort(folder).warnings]


def test_tiny_cohort_is_valid(tiny: Path) -> None:
    report = validate_cohort(tiny)
    assert report.ok, report.lines()
    assert report.warnings == []
    cohort = report.cohort
    assert cohort is not None and cohort.name == "tiny"
    assert cohort.participants["offers"].tolist()[0] == ["social media", "AI tools"]
    assert cohort.participants.loc[cohort.participants.person_id == "m3", "capacity"].item() == 1  # default for mentors
    assert cohort.participants.loc[cohort.participants.person_id == "e1", "capacity"] is not None
    assert cohort.costs["attribution"].tolist() == [1.0, 0.5]  # default 1
    assert cohort.pairs["locked"].tolist() == [False, True]
    assert str(cohort.responses["submitted_at"].iloc[4]) == "2026-07-02 07:30:00+00:00"  # converted to UTC


# --------------------------------------------------------------------------------------------- files and columns


def test_missing_required_files(tmp_path: Path) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    assert errors(folder) == [
        "program.yaml: required file is missing; `rmkit init` writes a commented one",
        "participants.csv: required file is missing (a .csv or .xlsx file)",
    ]


def test_optional_files_may_be_absent(tmp_path: Path) -> None:
    folder = write_tiny_cohort(tmp_path / "c", skip=("responses", "checkins", "outcomes", "costs", "pairs", "decisions"))
    report = validate_cohort(folder)
    assert report.ok and report.cohort.responses is None and report.cohort.checkins is None


def test_missing_required_column(tiny: Path) -> None:
    path = tiny / "participants.csv"
    lines = path.read_text().splitlines()
    lines = [",".join(c for k, c in enumerate(line.split(",")) if k != 7) for line in lines]  # drop "offers"
    path.write_text("\n".join(lines) + "\n")
    assert errors(tiny)[0].startswith("participants.csv:1:offers: required column is missing; the header has: person_id, role")


def test_headers_match_case_insensitively(tiny: Path) -> None:
    path = tiny / "participants.csv"
    text = path.read_text()
    path.write_text(text.replace("person_id,role", "Person_ID , Role", 1))
    assert validate_cohort(tiny).ok


def test_both_csv_and_xlsx(tiny: Path) -> None:
    load_cohort(tiny).costs.to_excel(tiny / "costs.xlsx", index=False)
    assert errors(tiny) == ["costs.xlsx: both costs.csv and costs.xlsx exist; keep one (costs.csv was read)"]


def test_row_with_too_many_cells(tiny: Path) -> None:
    path = tiny / "costs.csv"
    path.write_text(path.read_text() + "cost,venue,1000,1,1,booked, then paid\n")
    assert errors(tiny) == ["costs.csv:4:: has 7 cells but the header has 6 columns; a value lies outside every column (an unquoted separator?)"]


# --------------------------------------------------------------------------------------------- participants


@pytest.mark.parametrize(
    ("row", "column", "value", "expected"),
    [
        (3, "role", "mentr", "participants.csv:3:role: found 'mentr'; allowed: mentor, mentee"),
        (4, "tenure_years", "two", "participants.csv:4:tenure_years: found 'two'; expected a number (at least 0)"),
        (4, "tenure_years", "-1", "participants.csv:4:tenure_years: found -1; must be 0 or more"),
        (5, "timezone", "15", "participants.csv:5:timezone: found 15; allowed: -12 to 14"),
        # a newcomer types the zone's name: the message says which offset to write (New York: -5, -4 in summer)
        (5, "timezone", "America/New_York", "participants.csv:5:timezone: found 'America/New_York'; expected a number "
                                            "from -12 to 14; 'America/New_York' is a time-zone name: write its UTC offset "
                                            "in hours, -5 (-4 in summer)"),
        (5, "timezone", "Madrid", "participants.csv:5:timezone: found 'Madrid'; expected a number from -12 to 14"),
        (2, "capacity", "-1", "participants.csv:2:capacity: found -1; must be 0 or more"),
        (2, "capacity", "1.5", "participants.csv:2:capacity: found '1.5'; expected a whole number (at least 0)"),
        (2, "manager_id", "m1", "participants.csv:2:manager_id: found 'm1': a person cannot be their own manager"),
        (6, "person_id", "", "participants.csv:6:person_id: is empty; a value is required"),
        (6, "role", "", "participants.csv:6:role: is empty; a value is required"),
    ],
)
def test_participant_cell_rules(tiny: Path, row: int, column: str, value: str, expected: str) -> None:
    set_cell(tiny, "participants", row, column, value)
    assert expected in errors(tiny)


def test_role_is_case_insensitive(tiny: Path) -> None:
    set_cell(tiny, "participants", 2, "role", " Mentor ")
    assert validate_cohort(tiny).ok


def test_duplicate_person_id_names_every_row(tiny: Path) -> None:
    set_cell(tiny, "participants", 4, "person_id", "m2")
    assert errors(tiny) == [
        "participants.csv:3:person_id: found 'm2' in rows 3, 4; each person_id may appear only once",
        "participants.csv:4:person_id: found 'm2' in rows 3, 4; each person_id may appear only once",
    ]


def test_warnings_do_not_fail(tiny: Path) -> None:
    set_cell(tiny, "participants", 6, "wants", "")
    set_cell(tiny, "participants", 5, "capacity", "2")
    report = validate_cohort(tiny)
    assert report.ok
    assert [str(p) for p in report.warnings] == [
        "participants.csv:5:capacity: warning: capacity applies to mentors only; it is ignored for mentee e1",
        "participants.csv:6:wants: warning: mentee e2 has no wants: the skill gap cannot be used to pair them",
    ]


# --------------------------------------------------------------------------------------------- responses


def test_response_rules(tiny: Path) -> None:
    set_cell(tiny, "responses", 2, "s1", "7")  # outside 1–5
    set_cell(tiny, "responses", 3, "s2", "2.5")  # not a whole number
    set_cell(tiny, "responses", 4, "wave", "month3")  # not declared
    set_cell(tiny, "responses", 5, "person_id", "zz")  # unknown person
    set_cell(tiny, "responses", 6, "submitted_at", "yesterday")
    assert errors(tiny) == [
        "responses.csv:2:s1: found 7; allowed: 1 to 5",
        "responses.csv:3:s2: found '2.5'; expected a whole number from 1 to 5",
        "responses.csv:4:wave: found 'month3'; allowed: a wave of program.yaml (baseline, month6)",
        "responses.csv:5:person_id: found 'zz'; it is not a person_id of participants.csv, nor a comparison person of outcomes.csv",
        "responses.csv:6:submitted_at: found 'yesterday'; expected a date (YYYY-MM-DD) or an ISO date-time (YYYY-MM-DDTHH:MM)",
    ]


def test_duplicate_person_wave(tiny: Path) -> None:
    set_cell(tiny, "responses", 5, "wave", "baseline")
    assert errors(tiny) == [
        "responses.csv:2:person_id: person_id 'm1', wave 'baseline' appears in rows 2, 5; each person_id × wave may appear only once",
        "responses.csv:5:person_id: person_id 'm1', wave 'baseline' appears in rows 2, 5; each person_id × wave may appear only once",
    ]


def test_unknown_and_missing_item_columns_warn(tiny: Path) -> None:
    path = tiny / "responses.csv"
    path.write_text(path.read_text().replace("s1,s2,h1", "s1,s2,happy1", 1))
    assert warnings(tiny) == [
        "responses.csv:1:happy1: warning: is not an item of instrument tiny; it is ignored",
        "responses.csv:1:: warning: has no column for item(s) h1: they count as unanswered",
    ]


# --------------------------------------------------------------------------------------------- check-ins, outcomes, costs


def test_checkin_rules(tiny: Path) -> None:
    set_cell(tiny, "checkins", 2, "mentor_id", "e1")  # a mentee in the mentor column
    set_cell(tiny, "checkins", 2, "date", "2026-02-30")  # a date that does not exist
    set_cell(tiny, "checkins", 3, "mentee_id", "x9")  # unknown
    set_cell(tiny, "checkins", 3, "pulse", "6")
    set_cell(tiny, "checkins", 3, "duration_min", "-5")
    assert errors(tiny) == [
        "checkins.csv:2:mentor_id: found 'e1'; that person is a mentee in participants.csv, not a mentor",
        "checkins.csv:2:date: found '2026-02-30'; expected a date as YYYY-MM-DD",
        "checkins.csv:3:mentee_id: found 'x9'; it is not a person_id of participants.csv",
        "checkins.csv:3:duration_min: found -5; must be 0 or more",
        "checkins.csv:3:pulse: found 6; allowed: 1 to 5",
    ]


def test_outcome_rules(tiny: Path) -> None:
    set_cell(tiny, "outcomes", 2, "group", "treatment")
    set_cell(tiny, "outcomes", 3, "end_date", "2025-12-31")  # before start_date
    set_cell(tiny, "outcomes", 4, "start_date", "")
    assert errors(tiny) == [
        "outcomes.csv:2:group: found 'treatment'; allowed: participant, comparison",
        "outcomes.csv:3:end_date: found 2025-12-31; end_date must not be before start_date (2026-01-05)",
        "outcomes.csv:4:start_date: is empty; a value is required",
    ]


def test_cost_rules(tiny: Path) -> None:
    set_cell(tiny, "costs", 2, "kind", "expense")
    set_cell(tiny, "costs", 2, "amount", "-100")
    set_cell(tiny, "costs", 3, "attribution", "1.5")
    set_cell(tiny, "costs", 3, "confidence", "-0.1")
    assert errors(tiny) == [
        "costs.csv:2:kind: found 'expense'; allowed: cost, benefit",
        "costs.csv:2:amount: found -100; must be 0 or more",
        "costs.csv:3:attribution: found 1.5; allowed: 0 to 1",
        "costs.csv:3:confidence: found -0.1; allowed: 0 to 1",
    ]


# --------------------------------------------------------------------------------------------- pairs and decisions


def test_pair_and_decision_rules(tiny: Path) -> None:
    set_cell(tiny, "pairs", 2, "mentee_id", "m2")  # a mentor in the mentee column
    set_cell(tiny, "pairs", 3, "locked", "maybe")
    set_cell(tiny, "decisions", 2, "action", "approve")
    set_cell(tiny, "decisions", 2, "mentee_id", "")
    set_cell(tiny, "decisions", 3, "at", "31/12/2025")
    assert errors(tiny) == [
        "pairs.csv:2:mentee_id: found 'm2'; that person is a mentor in participants.csv, not a mentee",
        "pairs.csv:3:locked: found 'maybe'; expected true or false",
        "decisions.csv:2:action: found 'approve'; allowed: lock, forbid, unlock, unforbid, publish",
        "decisions.csv:2:mentee_id: is empty; a approve decision names both mentor_id and mentee_id",
        "decisions.csv:3:at: found '31/12/2025'; expected a date (YYYY-MM-DD) or an ISO date-time (YYYY-MM-DDTHH:MM)",
    ]


def test_mentee_with_two_published_mentors(tiny: Path) -> None:
    set_cell(tiny, "pairs", 3, "mentee_id", "e1")
    found = errors(tiny)
    assert "pairs.csv:2:mentee_id: mentee 'e1' appears in rows 2, 3; a mentee has one mentor" in found
    assert "pairs.csv:3:mentee_id: mentee 'e1' appears in rows 2, 3; a mentee has one mentor" in found


def test_decisions_are_ordered_by_time(tiny: Path) -> None:
    path = tiny / "decisions.csv"
    path.write_text(
        "at,by,action,mentor_id,mentee_id,note\n"
        "2026-01-02T10:00:00Z,f,forbid,m1,e1,\n"
        "2026-01-01T10:00:00Z,f,lock,m1,e1,\n"
    )
    log = load_cohort(tiny).decisions
    assert log["action"].tolist() == ["lock", "forbid"]  # the latest decision is last


# --------------------------------------------------------------------------------------------- YAML files


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("strategy: optimal", "strategy: best", "program.yaml:pairing.strategy: found 'best'; allowed: 'optimal', 'fair' or 'stable'"),
        ("skill_gap: 1", "skill_gap: -1", "program.yaml:pairing.weights.skill_gap: found -1; must be >= 0.0"),
        ("min_group_size: 2", "min_group_size: 0", "program.yaml:min_group_size: found 0; must be >= 1"),
        ("measure: skills", "measure: skils", "program.yaml:objectives[0].measure: found 'skils'; allowed: a scale of instrument tiny or a program metric (skills, happy, retention_12m, roi_percent, bcr, goals_done)"),
        ("waves: [baseline, month6]", "waves: [baseline, baseline]", "program.yaml:waves: wave 'baseline' is declared twice"),
        ("instrument: tiny.yaml", "instrument: nosuch", "program.yaml:instrument: found 'nosuch'; expected the id of a bundled instrument (rm-core) or a YAML file in the cohort folder"),
        ("start_date: 2026-01-05", "start_date: 2026-02-30", "program.yaml:start_date: found '2026-02-30'; expected a valid date or datetime, day value is outside expected range"),
        ("weights: {skill_gap: 1, interests: 0.5}", "weights: {skill_gap: 0, interests: 0}", "program.yaml:pairing.weights: at least one weight must be positive"),
    ],
)
def test_program_rules(tiny: Path, old: str, new: str, expected: str) -> None:
    path = tiny / "program.yaml"
    path.write_text(path.read_text().replace(old, new, 1))
    assert expected in errors(tiny)


def test_program_yaml_syntax_error(tiny: Path) -> None:
    (tiny / "program.yaml").write_text("program: x\npairing: {strategy: [optimal\n")
    found = errors(tiny)
    assert found[0].startswith("program.yaml:3:1: not valid YAML")


def test_unknown_program_key_warns(tiny: Path) -> None:
    path = tiny / "program.yaml"
    path.write_text(path.read_text() + "stratgy: fair\n")
    assert warnings(tiny) == ["program.yaml:stratgy: warning: unknown key; it is ignored"]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("scale: skills, text: I know things", "scale: skils, text: I know things", "tiny.yaml:items[0].scale: found 'skils'; allowed: a declared scale (skills, happy)"),
        ("scoring: mean", "scoring: median", "tiny.yaml:scales[0].scoring: found 'median'; allowed: 'mean', 'sum', 'percent_favorable' or 'pomp'"),
        ("{min: 1, max: 5,", "{min: 5, max: 1,", "tiny.yaml:response_scale: max (1) must be greater than min (5)"),
    ],
)
def test_instrument_rules(tiny: Path, old: str, new: str, expected: str) -> None:
    path = tiny / "tiny.yaml"
    path.write_text(path.read_text().replace(old, new, 1))
    assert expected in errors(tiny)


# --------------------------------------------------------------------------------------------- all at once


def test_every_problem_is_reported_in_one_pass(tiny: Path) -> None:
    (tiny / "program.yaml").write_text((tiny / "program.yaml").read_text().replace("strategy: optimal", "strategy: best"))
    set_cell(tiny, "participants", 4, "role", "boss")
    set_cell(tiny, "responses", 2, "s1", "9")
    set_cell(tiny, "checkins", 2, "date", "2026-13-01")
    set_cell(tiny, "outcomes", 2, "group", "x")
    set_cell(tiny, "costs", 2, "amount", "lots")
    report = validate_cohort(tiny)
    files = [p.file for p in report.errors]
    assert files == ["program.yaml", "participants.csv", "responses.csv", "checkins.csv", "outcomes.csv", "costs.csv"], report.lines()
    with pytest.raises(ValidationError) as caught:
        load_cohort(tiny)
    assert len(caught.value.errors) == 6


def test_not_a_folder(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such cohort folder"):
        validate_cohort(tmp_path / "missing")
    (tmp_path / "file").write_text("x")
    with pytest.raises(UsageError, match="not a folder"):
        validate_cohort(tmp_path / "file")


def test_validation_never_writes(tiny: Path) -> None:
    from ..conftest import file_hashes

    before = file_hashes(tiny)
    set_cell(tiny, "participants", 3, "role", "boss")
    changed = file_hashes(tiny)
    validate_cohort(tiny)
    assert file_hashes(tiny) == changed != before


# --------------------------------------------------------------------------------------------- agreements, both sides


def test_agreement_rules(tiny: Path) -> None:
    (tiny / "agreements.csv").write_text(
        "mentor_id,mentee_id,goal,side,target_date,status\n"
        "m1,e1,post weekly on LinkedIn,mentee,2026-03-01,done\n"   # fine
        "m1,e1,learn how budgets are set,,2026-04-01,\n"           # a goal of the pair; status defaults to open
        "e1,e1,x,both,2026-13-01,finished\n"                       # a mentee as mentor, bad side, date, status
        "m3,e2,,mentor,,open\n"                                    # empty goal; not a published pair (a warning)
        , encoding="utf-8")
    assert errors(tiny) == [
        "agreements.csv:4:mentor_id: found 'e1'; that person is a mentee in participants.csv, not a mentor",
        "agreements.csv:4:side: found 'both'; allowed: mentor, mentee",
        "agreements.csv:4:target_date: found '2026-13-01'; expected a date as YYYY-MM-DD",
        "agreements.csv:4:status: found 'finished'; allowed: open, done, dropped",
        "agreements.csv:5:goal: is empty; a value is required",
    ]
    set_cell(tiny, "agreements", 4, "mentor_id", "m1")
    set_cell(tiny, "agreements", 4, "side", "mentor")
    set_cell(tiny, "agreements", 4, "target_date", "2026-05-01")
    set_cell(tiny, "agreements", 4, "status", "dropped")
    set_cell(tiny, "agreements", 5, "goal", "shadow a board meeting")
    assert errors(tiny) == []
    assert "agreements.csv:5:mentee_id: warning: m3 → e2 is not a published pair of pairs.csv; its goals are still counted" \
        in warnings(tiny)
    goals = load_cohort(tiny).agreements
    assert goals["status"].tolist() == ["done", "open", "dropped", "open"]
    assert goals["side"].tolist()[:2] == ["mentee", None]


def test_reported_by_is_mentor_or_mentee(tiny: Path) -> None:
    path = tiny / "checkins.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [lines[0] + ",reported_by", lines[1] + ",Mentee", lines[2] + ",coach"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert errors(tiny) == ["checkins.csv:3:reported_by: found 'coach'; allowed: mentor, mentee"]
    set_cell(tiny, "checkins", 3, "reported_by", "")
    assert load_cohort(tiny).checkins["reported_by"].tolist() == ["mentee", None]
