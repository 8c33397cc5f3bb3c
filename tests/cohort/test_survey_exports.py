"""Survey exports in the layouts the tools really write, which the importers refused before.

Fixtures are written here, each from its tool's documented layout and public sample exports (origin per test);
expected answers are the labels written into them (rm-core: Strongly disagree 1 … Strongly agree 5); expected
times are worked out by hand from the zone database's offsets (EEST = UTC+3, IST in India = UTC+5:30)."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from rmkit.cohort import load_cohort
from rmkit.cohort.importers import import_responses
from rmkit.cohort.survey_exports import parse_export_time
from rmkit.errors import ValidationError

LABELS = {1: "Strongly disagree", 2: "Disagree", 3: "Neither agree nor disagree", 4: "Agree", 5: "Strongly agree"}


@pytest.fixture(scope="module")
def cohort(example_dir):
    return load_cohort(example_dir)


def first(cohort, k):
    rows = cohort.participants.head(k)
    return list(zip(rows.person_id, rows.email, strict=True))


def write_rows(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)


def test_qualtrics_2016_layout_with_python_style_third_row(tmp_path, cohort):
    """Origin: Qualtrics' 2016–2017 CSV layout: three header rows, the third a Python-style dict per column with
    single quotes ({'ImportId': 'QID1-1'}, {'ImportId': 'startDate', 'timeZone': 'America/Denver'}), as public
    fixtures of Qualtrics readers show it. Before, every question column was lost, even with --map."""
    items = cohort.instrument.items[:3]
    header = ["StartDate", "EndDate", "Status", "RecipientEmail", "RecordedDate"] + [f"Q1_{k}" for k in range(1, 4)]
    texts = ["Start Date", "End Date", "Response Type", "Recipient Email", "Recorded Date"] + [
        f"How much do you agree? - {i.text}" for i in items]
    third = ["{'ImportId': 'startDate', 'timeZone': 'America/Denver'}", "{'ImportId': 'endDate', 'timeZone': 'America/Denver'}",
             "{'ImportId': 'status'}", "{'ImportId': 'recipientEmail'}", "{'ImportId': 'recordedDate', 'timeZone': 'America/Denver'}"] + [
        f"{{'ImportId': 'QID1-{k}'}}" for k in range(1, 4)]
    (pid, email), = first(cohort, 1)
    body = ["2017-03-01 09:00:00", "2017-03-01 09:05:00", "IP Address", email, "2017-03-01 09:05:01",
            LABELS[4], LABELS[2], LABELS[5]]
    export = tmp_path / "qualtrics-2016.csv"
    write_rows(export, [header, texts, third, body])
    result = import_responses(export, "qualtrics", cohort.instrument, wave="baseline", participants=cohort.participants)
    row = result.responses.iloc[0]
    assert row["person_id"] == pid and [row[i.id] for i in items] == [4, 2, 5]
    assert row["submitted_at"] == "2017-03-01T16:05:01+00:00"  # Denver in March 2017 is MST, UTC-7


def test_qualtrics_legacy_two_header_rows(tmp_path, cohort):
    """Origin: Qualtrics' legacy export ("Use legacy exports"): V1…V10 then question ids, and a second row naming
    ResponseID, ResponseSet, Name, ExternalDataReference, EmailAddress, IPAddress, Status, StartDate, EndDate,
    Finished, then the question texts. Before, the layout was not recognised at all."""
    items = cohort.instrument.items[:2]
    header = [f"V{k}" for k in range(1, 11)] + ["Q1_1", "Q1_2"]
    second = ["ResponseID", "ResponseSet", "Name", "ExternalDataReference", "EmailAddress", "IPAddress", "Status",
              "StartDate", "EndDate", "Finished"] + [f"Please rate - {i.text}" for i in items]
    (p1, e1), (p2, e2) = first(cohort, 2)
    rows = [["R_1", "Default Response Set", "Anonymous", "", e1, "203.0.113.4", "0", "2016-05-02 10:00:00", "2016-05-02 10:04:00", "1", "4", "5"],
            ["R_2", "Default Response Set", "Anonymous", "", e2, "203.0.113.5", "1", "2016-05-02 11:00:00", "2016-05-02 11:04:00", "1", "1", "1"],
            ["R_3", "Default Response Set", "Anonymous", "", e2, "203.0.113.5", "0", "2016-05-03 11:00:00", "2016-05-03 11:04:00", "1", "3", "2"]]
    export = tmp_path / "legacy.csv"
    write_rows(export, [header, second, *rows])
    result = import_responses(export, "qualtrics", cohort.instrument, wave="baseline", participants=cohort.participants)
    out = result.responses.set_index("person_id")
    assert list(out.index) == [p1, p2]  # the preview (Status 1) is skipped
    assert [out.loc[p1, i.id] for i in items] == [4, 5] and [out.loc[p2, i.id] for i in items] == [3, 2]
    assert out.loc[p1, "submitted_at"] == "2016-05-02T10:04:00+00:00"  # EndDate, read in --timezone (UTC)
    assert any("a survey preview; the row is skipped" in str(w) for w in result.warnings)


def test_google_forms_timestamps_with_zone_abbreviations_and_names(tmp_path, cohort):
    """Origin: Google Forms' CSV download writes the respondent's zone after the time ("2025/07/31 11:59:34 am
    EEST"), by abbreviation, or by IANA name. Before, such times were dropped. Offsets from the zone database."""
    item = cohort.instrument.items[0]
    (p1, e1), (p2, e2), (p3, e3) = first(cohort, 3)
    export = tmp_path / "google.csv"
    write_rows(export, [["Timestamp", "Email Address", f"How do you feel? [{item.text}]"],
                        ["2025/07/31 11:59:34 am EEST", e1, "Agree"],
                        ["2025/07/31 11:59:34 pm IST", e2, "Agree"],
                        ["2025/07/31 11:59:34 Europe/Helsinki", e3, "Agree"]])
    # IST is ambiguous on that date (Ireland UTC+1, India UTC+5:30): without --timezone it is left empty, said so
    result = import_responses(export, "google", cohort.instrument, wave="baseline", participants=cohort.participants)
    times = dict(zip(result.responses.person_id, result.responses.submitted_at, strict=True))
    assert times[p1] == "2025-07-31T08:59:34+00:00" and times[p3] == "2025-07-31T08:59:34+00:00"
    assert times[p2] == "" and any("IST is ambiguous" in str(w) and ":3:Timestamp:" in str(w) for w in result.warnings)
    decided = import_responses(export, "google", cohort.instrument, wave="baseline", participants=cohort.participants,
                               timezone="Asia/Kolkata").responses
    assert decided.set_index("person_id").loc[p2, "submitted_at"] == "2025-07-31T18:29:34+00:00"


def test_zone_abbreviations_come_from_the_zone_database() -> None:
    # CST on 15 January 2025: US Central (UTC-6), China (UTC+8), Cuba (UTC-5): ambiguous
    assert parse_export_time("2025-01-15 08:00 CST")[0] is None
    assert parse_export_time("2025-01-15 08:00 CST", "America/Chicago")[0] == pd.Timestamp("2025-01-15 14:00", tz="UTC")
    assert parse_export_time("2025-01-15 08:00 JST")[0] == pd.Timestamp("2025-01-14 23:00", tz="UTC")  # Japan, UTC+9
    # PST is also Philippine Standard Time in the zone database: ambiguous unless --timezone says which
    assert "ambiguous" in parse_export_time("2025-01-15 08:00 PST")[1]
    assert parse_export_time("2025-01-15 08:00 PST", "America/Los_Angeles")[0] == pd.Timestamp("2025-01-15 16:00", tz="UTC")
    assert "not an abbreviation" in parse_export_time("2025-01-15 08:00 XYZT")[1]


def test_repeated_question_titles_are_kept_apart_and_mapped(tmp_path, cohort):
    """Origin: grid questions export the same statement under several headings (Google grids, Microsoft Forms
    Likert questions headed by the statement alone). Before, the reader refused the duplicate headers before any
    map could name them; now they are 'X (C)' and 'X (D)' by spreadsheet column, and --map picks one."""
    item = cohort.instrument.items[0]
    (pid, email), = first(cohort, 1)
    export = tmp_path / "grid.csv"
    write_rows(export, [["Timestamp", "Email Address", item.text, item.text], ["2025-02-28 10:00", email, "Agree", "Disagree"]])
    with pytest.raises(ValidationError) as info:  # both match the item: the map must say which
        import_responses(export, "google", cohort.instrument, wave="baseline", participants=cohort.participants)
    assert any(f"{item.text} (D)" in str(p) and f"{item.text} (C)" in str(p) for p in info.value.errors)
    mapping = tmp_path / "map.csv"
    write_rows(mapping, [["column", "item"], [f"{item.text} (C)", ""], [f"{item.text} (D)", item.id]])
    out = import_responses(export, "google", cohort.instrument, wave="baseline", participants=cohort.participants,
                           mapping=mapping).responses
    assert out.iloc[0][item.id] == 2


def test_msforms_likert_headed_by_the_statement_alone(tmp_path, cohort):
    """Origin: Microsoft Forms' Excel download heads each Likert row by its statement alone (no "Question." prefix),
    with ID, Start time, Completion time, Email, Name and Last modified time first."""
    from openpyxl import Workbook

    items = cohort.instrument.items[:3]
    (pid, email), = first(cohort, 1)
    book = Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet.append(["ID", "Start time", "Completion time", "Email", "Name", "Last modified time", *[i.text for i in items]])
    sheet.append([1, "3/2/26 9:00:00", "3/2/26 9:06:00", email, "x", "", LABELS[5], LABELS[1], LABELS[3]])
    export = tmp_path / "msforms.xlsx"
    book.save(export)
    out = import_responses(export, "msforms", cohort.instrument, wave="baseline", participants=cohort.participants).responses
    assert [out.iloc[0][i.id] for i in items] == [5, 1, 3]
