"""Survey imports (rmkit.cohort.importers and ``rmkit import``) on export files written here the way Qualtrics, Microsoft
Forms and Google Forms write them, against the example cohort's participants and the rm-core instrument.

Expected values are the answers written into the files (label -> number by rm-core's labels: Strongly disagree 1,
Disagree 2, Neither agree nor disagree 3, Agree 4, Strongly agree 5)."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pytest

from rmkit.cohort import load_cohort, validate_cohort
from rmkit.cohort.importers import import_responses, match_columns, normalize_text, read_mapping
from rmkit.errors import UsageError, ValidationError

from ..conftest import file_hashes

LABELS = {1: "Strongly disagree", 2: "Disagree", 3: "Neither agree nor disagree", 4: "Agree", 5: "Strongly agree"}


@pytest.fixture(scope="module")
def cohort(example_dir):
    return load_cohort(example_dir)


def people(cohort, k: int) -> list[tuple[str, str, str]]:
    """The first k participants: (person_id, e-mail, name)."""
    rows = cohort.participants.head(k)
    return list(zip(rows.person_id, rows.email, rows.name, strict=True))


def answers_for(k: int, items: list[str]) -> dict[str, int]:
    """A deterministic answer 1-5 per person and item."""
    return {item: 1 + (k * 3 + j) % 5 for j, item in enumerate(items)}


def write_qualtrics(path: Path, cohort, rows: list[dict], *, extra_rows: list[list[str]] = ()) -> None:
    inst = cohort.instrument
    meta = ["StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)", "Finished",
            "RecordedDate", "ResponseId", "RecipientLastName", "RecipientFirstName", "RecipientEmail",
            "ExternalReference", "LocationLatitude", "LocationLongitude", "DistributionChannel", "UserLanguage"]
    meta_text = ["Start Date", "End Date", "Response Type", "IP Address", "Progress", "Duration (in seconds)",
                 "Finished", "Recorded Date", "Response ID", "Recipient Last Name", "Recipient First Name",
                 "Recipient Email", "External Data Reference", "Location Latitude", "Location Longitude",
                 "Distribution Channel", "User Language"]
    meta_ids = ["startDate", "endDate", "status", "ipAddress", "progress", "duration", "finished", "recordedDate",
                "_recordId", "recipientLastName", "recipientFirstName", "recipientEmail", "externalDataReference",
                "locationLatitude", "locationLongitude", "distributionChannel", "userLanguage"]
    ids, texts, imports = [], [], []
    for block, scale in enumerate(inst.scales, start=1):
        for j, item in enumerate(inst.items_of(scale.id), start=1):
            ids.append(f"Q{block}_{j}")
            texts.append(f"How much do you agree with each statement? - {item.text}")
            imports.append(json.dumps({"ImportId": f"QID{block}_{j}"}))
    ids.append("Q99")
    texts.append("Is there anything else you would like to tell us?")
    imports.append(json.dumps({"ImportId": "QID99_TEXT"}))
    time_import = [json.dumps({"ImportId": i, "timeZone": "Europe/London"}) if "Date" in i else json.dumps({"ImportId": i})
                   for i in meta_ids]
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(meta + ids)
        writer.writerow(meta_text + texts)
        writer.writerow(time_import + imports)
        for row in rows:
            writer.writerow(row["meta"] + row["answers"] + [row.get("comment", "")])
        for row in extra_rows:
            writer.writerow(row)


def qualtrics_row(person, answers: dict[str, int], cohort, *, status: str = "IP Address", as_labels=True,
                  recorded: str = "2025-08-28 10:21:03", override: dict[str, str] | None = None) -> dict:
    pid, email, name = person
    first, last = name.split(" ", 1)
    meta = ["2025-08-28 10:15:32", "2025-08-28 10:21:02", status, "203.0.113.4", "100", "330", "True", recorded,
            f"R_{pid}", last, first, email, "", "51.5", "-0.12", "email", "EN"]
    cells = []
    for item in cohort.instrument.item_ids:
        value = answers[item]
        cells.append(LABELS[value] if as_labels else str(value))
    for item, text in (override or {}).items():
        cells[cohort.instrument.item_ids.index(item)] = text
    return {"meta": meta, "answers": cells, "comment": "Great program, thanks!"}


def test_qualtrics(tmp_path, cohort):
    items = cohort.instrument.item_ids
    who = people(cohort, 4)
    rows = [qualtrics_row(p, answers_for(k, items), cohort, as_labels=k % 2 == 0) for k, p in enumerate(who)]
    rows[1]["meta"][11] = rows[1]["meta"][11].upper()  # e-mail case does not matter
    rows[2]["answers"][0] = "  strongly AGREE "  # nor label case and spacing
    rows[3]["answers"][5] = ""  # a skipped question
    preview = qualtrics_row(who[0], answers_for(0, items), cohort, status="Survey Preview")
    export = tmp_path / "qualtrics.csv"
    write_qualtrics(export, cohort, rows + [preview])
    result = import_responses(export, "qualtrics", cohort.instrument, wave="month6", participants=cohort.participants)
    out = result.responses
    assert list(out.columns) == ["person_id", "wave", "submitted_at", *items]
    assert list(out.person_id) == [p[0] for p in who]
    assert (out.wave == "month6").all()
    # RecordedDate 2025-08-28 10:21:03 in Europe/London (BST, UTC+1) -> 09:21:03 UTC
    assert out.submitted_at.iloc[0] == "2025-08-28T09:21:03+00:00"
    for k in range(4):
        expected = answers_for(k, items)
        if k == 2:
            expected[items[0]] = 5
        got = {i: out.iloc[k][i] for i in items}
        if k == 3:
            assert pd.isna(got.pop(items[5]))
            expected.pop(items[5])
        assert got == expected
    assert result.mapping["Q1_1"] == "dig1" and "Q99" not in result.mapping
    lines = [str(p) for p in result.warnings]
    assert "qualtrics.csv:8:Status: warning: a survey preview; the row is skipped" in lines
    assert any(line.startswith("qualtrics.csv:1:Q99: warning: matches no item") for line in lines)


def test_qualtrics_unknown_labels_are_all_reported(tmp_path, cohort):
    items = cohort.instrument.item_ids
    who = people(cohort, 3)
    rows = [qualtrics_row(p, answers_for(k, items), cohort) for k, p in enumerate(who)]
    rows[0]["answers"][2] = "Agre"
    rows[2]["answers"][7] = "6"
    rows[2]["meta"][11] = "someone.else@example.org"
    export = tmp_path / "q.csv"
    write_qualtrics(export, cohort, rows)
    with pytest.raises(ValidationError) as info:
        import_responses(export, "qualtrics", cohort.instrument, wave="baseline", participants=cohort.participants)
    errors = [str(p) for p in info.value.errors]
    # data start at spreadsheet row 4 (three header rows); Q1_3 is dig3, Q2_4 is biz4
    assert errors == [
        "q.csv:4:Q1_3: found 'Agre'; expected a whole number from 1 to 5 or one of the labels Strongly disagree, "
        "Disagree, Neither agree nor disagree, Agree, Strongly agree",
        "q.csv:6:RecipientEmail: found 'someone.else@example.org'; it is not an e-mail of participants.csv",
        "q.csv:6:Q2_4: found '6'; expected a whole number from 1 to 5 or one of the labels Strongly disagree, "
        "Disagree, Neither agree nor disagree, Agree, Strongly agree",
    ]


def write_msforms(path: Path, cohort, who, *, title_prefix: bool = True, bad: tuple[int, str, str] | None = None) -> None:
    from openpyxl import Workbook

    items = cohort.instrument.items
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Sheet1"
    header = ["ID", "Start time", "Completion time", "Email", "Name"]
    header += [f"{cohort.instrument.scale(i.scale).title}.{i.text}" if title_prefix else i.text for i in items]
    sheet.append(header)
    for k, (_, email, name) in enumerate(who):
        answers = answers_for(k, [i.id for i in items])
        cells = [LABELS[answers[i.id]] for i in items]
        if bad and bad[0] == k:
            cells[[i.id for i in items].index(bad[1])] = bad[2]
        start = dt.datetime(2026, 3, 2, 9, 0) + dt.timedelta(minutes=7 * k)
        sheet.append([k + 1, start, start + dt.timedelta(minutes=6), email, name, *cells])
    workbook.save(path)


def test_msforms_xlsx(tmp_path, cohort):
    who = people(cohort, 5)
    export = tmp_path / "Reverse mentoring survey(1-5).xlsx"
    write_msforms(export, cohort, who)
    result = import_responses(export, "msforms", cohort.instrument, wave="month12", participants=cohort.participants,
                              timezone="Europe/Berlin")
    out = result.responses
    assert list(out.person_id) == [p[0] for p in who]
    assert len(result.mapping) == len(cohort.instrument.item_ids)
    # Completion time 2026-03-02 09:06 in Berlin (UTC+1) -> 08:06 UTC
    assert out.submitted_at.iloc[0] == "2026-03-02T08:06:00+00:00"
    items = cohort.instrument.item_ids
    assert {i: out.iloc[3][i] for i in items} == answers_for(3, items)
    assert not result.warnings


def test_msforms_bad_label_location(tmp_path, cohort):
    who = people(cohort, 3)
    export = tmp_path / "forms.xlsx"
    write_msforms(export, cohort, who, title_prefix=False, bad=(1, "val2", "Somewhat agree"))
    with pytest.raises(ValidationError) as info:
        import_responses(export, "msforms", cohort.instrument, wave="month12", participants=cohort.participants)
    text = next(i.text for i in cohort.instrument.items if i.id == "val2")
    assert [str(p) for p in info.value.errors] == [
        f"forms.xlsx:3:{text}: found 'Somewhat agree'; expected a whole number from 1 to 5 or one of the labels "
        "Strongly disagree, Disagree, Neither agree nor disagree, Agree, Strongly agree"]


def write_google(path: Path, cohort, who, *, numbers: bool = True) -> None:
    items = cohort.instrument.items
    header = ["Timestamp", "Email Address"]
    header += [f"How much do you agree with each statement? [{i.text.rstrip('.')}]" for i in items]
    header.append("Any other comments?")
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for k, (_, email, _) in enumerate(who):
            answers = answers_for(k, [i.id for i in items])
            cells = [str(answers[i.id]) if numbers else LABELS[answers[i.id]] for i in items]
            writer.writerow([f"2025/02/2{k} 10:15:32 AM GMT+1", email, *cells, ""])


def test_google_forms(tmp_path, cohort):
    who = people(cohort, 3)
    export = tmp_path / "responses (Google Forms).csv"
    write_google(export, cohort, who)
    result = import_responses(export, "google", cohort.instrument, wave="baseline", participants=cohort.participants)
    out = result.responses
    items = cohort.instrument.item_ids
    assert list(out.person_id) == [p[0] for p in who]
    assert out.submitted_at.iloc[1] == "2025-02-21T09:15:32+00:00"  # 10:15:32 AM GMT+1
    assert {i: out.iloc[2][i] for i in items} == answers_for(2, items)
    assert [str(p) for p in result.warnings] == [
        "responses (Google Forms).csv:1:Any other comments?: warning: matches no item of instrument rm-core "
        "('Any other comments?'); the column is ignored"]


def test_explicit_map(tmp_path, cohort):
    # short headers that match nothing by text; a YAML map and a CSV map say which item each one is
    items = cohort.instrument.item_ids[:3]
    export = tmp_path / "short.csv"
    export.write_text("Timestamp,Email Address,Q-A,Q-B,Q-C,Notes\n"
                      f"2025-02-28 10:00,{people(cohort, 1)[0][1]},Agree,2,Strongly agree,x\n", encoding="utf-8")
    yaml_map = tmp_path / "map.yaml"
    yaml_map.write_text(f"Q-A: {items[0]}\nQ-B: {items[1]}\nQ-C: {items[2]}\nNotes:\n", encoding="utf-8")
    result = import_responses(export, "google", cohort.instrument, wave="baseline", participants=cohort.participants,
                              mapping=yaml_map)
    assert result.mapping == {"Q-A": items[0], "Q-B": items[1], "Q-C": items[2]}
    assert [result.responses.iloc[0][i] for i in items] == [4, 2, 5]
    assert not any("Notes" in str(w) for w in result.warnings)  # mapped to nothing: ignored on purpose
    csv_map = tmp_path / "map.csv"
    csv_map.write_text(f"column,item\nQ-A,{items[0]}\nQ-B,{items[1]}\nQ-C,nope\n", encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        import_responses(export, "google", cohort.instrument, wave="baseline", participants=cohort.participants,
                         mapping=csv_map)
    assert "map.csv:4:item: found 'nope'; allowed: an item id of instrument rm-core" in [str(p) for p in info.value.errors]


def test_duplicate_and_missing_people(tmp_path, cohort):
    who = people(cohort, 2)
    export = tmp_path / "g.csv"
    write_google(export, cohort, [who[0], who[1], who[0], (None, "", None)])
    with pytest.raises(ValidationError) as info:
        import_responses(export, "google", cohort.instrument, wave="baseline", participants=cohort.participants)
    errors = [str(p) for p in info.value.errors]
    assert f"g.csv:4:Email Address: {who[0][0]} also answered in row 2; keep one of the two rows" in errors
    assert "g.csv:5:Email Address: is empty: the answers cannot be matched to a participant" in errors


def test_person_id_column_needs_no_participants(tmp_path, cohort):
    export = tmp_path / "ids.csv"
    export.write_text("Timestamp,person_id,dig1,dig2\n2025-02-28 10:00,p07,Agree,3\n", encoding="utf-8")
    result = import_responses(export, "google", cohort.instrument, wave="baseline")
    assert result.responses.iloc[0].person_id == "p07" and result.responses.iloc[0].dig1 == 4


def test_emails_need_participants(tmp_path, cohort):
    export = tmp_path / "g.csv"
    write_google(export, cohort, people(cohort, 1))
    with pytest.raises(UsageError, match="--participants"):
        import_responses(export, "google", cohort.instrument, wave="baseline")


def test_participants_file_without_emails(tmp_path, cohort):
    export = tmp_path / "g.csv"
    write_google(export, cohort, people(cohort, 1))
    participants = tmp_path / "people.csv"
    participants.write_text("person_id,role\np01,mentor\n", encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        import_responses(export, "google", cohort.instrument, wave="baseline", participants=participants)
    assert "people.csv:1:email: required column is missing" in [str(p) for p in info.value.errors]


def test_two_columns_for_one_item(cohort):
    text = cohort.instrument.items[0].text
    found, problems = match_columns([("A", text), ("B", f"Again: {text}")], cohort.instrument, file="x.csv")
    assert [str(p) for p in problems if p.severity == "error"] == [
        "x.csv:1:B: matches item dig1, as column 'A' does; give an explicit map (--map) to say which one is the item"]


def test_normalize_and_read_mapping(tmp_path, cohort):
    assert normalize_text("Ideas from other departments are welcome in my team!") == normalize_text(
        "ideas FROM other departments   are welcome in my team")
    path = tmp_path / "m.yaml"
    path.write_text("columns:\n  'Question 1': dig1\n", encoding="utf-8")
    mapping, problems = read_mapping(path, cohort.instrument)
    assert mapping == {"question 1": "dig1"} and not problems


# ----------------------------------------------------------------------------------------- the command line


def test_cli_import_into_a_cohort(tmp_path, cohort_copy, run_rmkit):
    cohort = load_cohort(cohort_copy)
    who = people(cohort, 6)
    export = tmp_path / "forms.xlsx"
    write_msforms(export, cohort, who)
    (cohort_copy / "responses.csv").unlink()
    before = file_hashes(cohort_copy)
    result = run_rmkit("import", "msforms", export, "--cohort", cohort_copy, "--wave", "baseline",
                       "--out", cohort_copy / "responses.csv")
    assert result.returncode == 0, result.stderr
    assert "imported 6 responses for wave baseline" in result.stdout
    written = (cohort_copy / "responses.csv").read_text(encoding="utf-8")
    assert "@" not in written and who[0][2] not in written  # no e-mail, no name
    assert file_hashes(cohort_copy).items() >= before.items()  # nothing that was there changed
    report = validate_cohort(cohort_copy)
    assert report.ok, report.lines()
    assert list(report.cohort.responses.person_id) == [p[0] for p in who]


def test_cli_bad_labels_exit_2(tmp_path, cohort, run_rmkit):
    export = tmp_path / "q.csv"
    items = cohort.instrument.item_ids
    rows = [qualtrics_row(p, answers_for(k, items), cohort) for k, p in enumerate(people(cohort, 2))]
    rows[1]["answers"][0] = "Very much"
    write_qualtrics(export, cohort, rows)
    participants = cohort.path / "participants.csv"
    out = tmp_path / "out.csv"
    result = run_rmkit("import", "qualtrics", export, "--instrument", "rm-core", "--participants", participants,
                       "--wave", "baseline", "--out", out)
    assert result.returncode == 2
    assert "q.csv:5:Q1_1: found 'Very much'; expected a whole number from 1 to 5" in result.stderr
    assert "Traceback" not in result.stderr and not out.exists()


def test_cli_refuses_to_overwrite_inputs(tmp_path, cohort_copy, capsys):
    from rmkit.cli import main  # in-process: the same entry point as `rmkit`, without starting Python again

    cohort = load_cohort(cohort_copy)
    export = tmp_path / "g.csv"
    write_google(export, cohort, people(cohort, 2))
    before = file_hashes(cohort_copy)
    base = ["import", "google", str(export), "--cohort", str(cohort_copy)]
    assert main([*base, "--wave", "baseline", "--out", str(cohort_copy / "responses.csv")]) == 2
    assert "never overwrites its inputs" in capsys.readouterr().err
    assert main([*base, "--wave", "baseline", "--out", str(export)]) == 2  # nor the export itself
    assert "never overwrites its inputs" in capsys.readouterr().err
    assert main([*base, "--wave", "month3", "--out", str(tmp_path / "x.csv")]) == 2
    assert "allowed: baseline, month6, month12" in capsys.readouterr().err
    assert file_hashes(cohort_copy) == before


def test_cli_xlsx_output(tmp_path, cohort):
    from rmkit.cli import main

    export = tmp_path / "g.csv"
    write_google(export, cohort, people(cohort, 2), numbers=False)
    out = tmp_path / "responses.xlsx"
    assert main(["import", "google", str(export), "--instrument", "rm-core", "--participants",
                 str(cohort.path / "participants.csv"), "--wave", "baseline", "--out", str(out)]) == 0
    frame = pd.read_excel(out)
    assert list(frame.columns[:3]) == ["person_id", "wave", "submitted_at"] and len(frame) == 2
