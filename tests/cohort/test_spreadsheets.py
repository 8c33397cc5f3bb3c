"""Tables the way spreadsheets really are: hidden sheets, mixed encodings, UTF-16, stray byte-order marks and
formulas without a saved value. Each file is written here as the named program writes it."""

from __future__ import annotations

from pathlib import Path

from rmkit.cohort import validate_cohort
from rmkit.cohort.tables import read_raw_table

from ..runs.test_new_cohorts import make_cohort


def lines(report) -> list[str]:
    return [str(p) for p in report.problems] + [str(w) for w in report.warnings]


def test_the_first_visible_sheet_is_read_and_other_data_sheets_are_warned_about(tmp_path: Path) -> None:
    """Excel keeps hidden sheets in the workbook; openpyxl marks them sheet_state 'hidden'. Before, the hidden first
    sheet was read silently."""
    from openpyxl import Workbook

    book = Workbook()
    old = book.active
    old.title = "old"
    old.append(["person_id", "role"])
    old.append(["x1", "mentor"])
    old.sheet_state = "hidden"
    data = book.create_sheet("participants")
    data.append(["person_id", "role"])
    data.append(["m1", "mentor"])
    notes = book.create_sheet("notes")
    notes.append(["call Ana on Monday"])
    book.create_sheet("README").append(["column", "description"])
    path = tmp_path / "participants.xlsx"
    book.save(path)
    table = read_raw_table(path)
    assert table.frame.to_dict("records") == [{"person_id": "m1", "role": "mentor"}]
    assert [str(p) for p in table.problems] == [
        "participants.xlsx: warning: the sheet 'notes' holds data too; only the first visible sheet, 'participants', is read"]


def test_a_formula_without_a_saved_value_says_so(tmp_path: Path) -> None:
    """openpyxl (like other scripts) writes formulas without their value; Excel would calculate and store it."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["person_id", "capacity"])
    sheet.append(["m1", "=1+1"])
    path = tmp_path / "participants.xlsx"
    book.save(path)
    table = read_raw_table(path)
    assert table.frame.iloc[0]["capacity"] == ""
    assert [str(p) for p in table.problems] == [
        "participants.xlsx:2:B: warning: holds the formula '=1+1' with no saved value; open the file in Excel or "
        "LibreOffice and save it, so the value is stored"]


def test_mixed_utf8_and_windows_1252_rows_are_reported(tmp_path: Path) -> None:
    """A UTF-8 file with one row pasted from a Windows-1252 file. Before, the whole file was decoded as
    Windows-1252 (Zoë became ZoÃ«) and validation passed."""
    cohort = make_cohort(tmp_path / "c", {})
    path = cohort / "participants.csv"
    rows = path.read_bytes().split(b"\n")
    rows[2] = rows[2].replace(b"Ben", "Benoît".encode())  # UTF-8
    rows[3] = rows[3].decode("utf-8").encode("cp1252")  # Zoë in Windows-1252
    path.write_bytes(b"\n".join(rows))
    report = validate_cohort(cohort)
    assert not report.ok
    assert [line for line in lines(report) if line.startswith("participants.csv:4:")][0].startswith(
        "participants.csv:4:: is not UTF-8, as the rest of the file is")
    table = read_raw_table(path)
    assert table.frame["name"].iloc[1] == "Benoît"  # the UTF-8 rows stay right


def test_utf16_is_read_with_its_mark_and_refused_by_name_without(tmp_path: Path) -> None:
    """Excel's "Unicode text" is tab-separated UTF-16LE with a byte-order mark."""
    text = "person_id\trole\tname\nm1\tmentor\tZoë\n"
    marked = tmp_path / "marked.csv"
    marked.write_bytes(text.encode("utf-16"))
    assert read_raw_table(marked).frame.to_dict("records") == [{"person_id": "m1", "role": "mentor", "name": "Zoë"}]
    bare = tmp_path / "bare.csv"
    bare.write_bytes(text.encode("utf-16-le"))
    problems = [str(p) for p in read_raw_table(bare).problems]
    assert problems and "UTF-16" in problems[0] and "save it as CSV UTF-8" in problems[0]


def test_a_byte_order_mark_inside_a_cell_is_removed_and_warned_about(tmp_path: Path) -> None:
    """Two CSV files pasted together leave the second one's mark inside a cell. Before, it stayed in the id, and the
    error appeared in another file (a check-in naming 'm2' matched no participant)."""
    cohort = make_cohort(tmp_path / "c", {"checkins": "one row"})
    path = cohort / "participants.csv"
    path.write_bytes(path.read_bytes().replace(b"\nm2,", b"\n\xef\xbb\xbfm2,"))
    report = validate_cohort(cohort)
    assert report.ok, lines(report)
    assert "m2" in set(report.cohort.participants["person_id"])
    assert any(line.startswith("participants.csv:3:person_id: warning: held an invisible byte-order mark") for line in lines(report))
