"""Reading what users have: CSV in UTF-8, UTF-8 with BOM, Windows-1252 and semicolons, and XLSX, all alike."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from rmkit.cohort import load_cohort
from rmkit.cohort.tables import neutralize_formula, read_raw_table, write_table

from ..helpers.cohort_builder import write_tiny_cohort

ACCENTED = "Zoë Ñúñez-Gåård"


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    folder = write_tiny_cohort(tmp_path / "utf8")
    path = folder / "participants.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("Ana Example", ACCENTED), encoding="utf-8")
    return folder


def _variant(tiny: Path, tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copytree(tiny, target)
    text = (tiny / "participants.csv").read_text(encoding="utf-8")
    path = target / "participants.csv"
    if name == "bom":
        path.write_bytes(text.encode("utf-8-sig"))
    elif name == "cp1252":
        path.write_bytes(text.replace("\n", "\r\n").encode("cp1252"))
    elif name == "semicolon":
        rows = [line.split(",") for line in text.splitlines()]
        path.write_text("\n".join(";".join(f'"{c}"' if ";" in c else c for c in row) for row in rows) + "\n", encoding="utf-8")
    elif name == "xlsx":
        path.unlink()
        raw = pd.read_csv(tiny / "participants.csv", dtype=str, keep_default_na=False)
        with pd.ExcelWriter(target / "participants.xlsx") as writer:
            pd.DataFrame({"column": ["person_id"], "description": ["key"]}).to_excel(writer, sheet_name="README", index=False)
            raw.to_excel(writer, sheet_name="participants", index=False)
    return target


@pytest.mark.parametrize("variant", ["bom", "cp1252", "semicolon", "xlsx"])
def test_every_encoding_loads_identically(tiny: Path, tmp_path: Path, variant: str) -> None:
    reference = load_cohort(tiny).participants
    other = load_cohort(_variant(tiny, tmp_path, variant)).participants
    assert reference["name"].iloc[0] == ACCENTED
    pd.testing.assert_frame_equal(reference, other)


def test_xlsx_numbers_and_dates_read_as_a_user_typed_them(tmp_path: Path) -> None:
    import datetime as dt

    frame = pd.DataFrame({"mentor_id": ["m1"], "mentee_id": ["e1"], "date": [dt.datetime(2026, 1, 12)], "pulse": [4.0]})
    frame.to_excel(tmp_path / "checkins.xlsx", index=False)
    table = read_raw_table(tmp_path / "checkins.xlsx")
    assert table.frame.to_dict("records") == [{"mentor_id": "m1", "mentee_id": "e1", "date": "2026-01-12", "pulse": "4"}]
    assert table.rows == [2]


def test_blank_rows_keep_spreadsheet_numbering(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,2\n,\n3,4\n")
    table = read_raw_table(path)
    assert table.rows == [2, 4]


def test_quoted_newlines_count_as_one_spreadsheet_row(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text('a,b\n"line one\nline two",2\n3,4\n')
    assert read_raw_table(path).rows == [2, 3]


def test_undecodable_and_binary_files_are_problems(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(b"a,b\n\x81\x8d,1\n")  # bytes undefined in both UTF-8 and Windows-1252
    assert [str(p) for p in read_raw_table(path).problems] == [
        "t.csv: cannot be decoded as UTF-8 or Windows-1252 text; save it as CSV UTF-8"
    ]
    path.write_bytes(b"PK\x03\x04\x00\x00")
    assert "binary" in str(read_raw_table(path).problems[0])
    bad = tmp_path / "t.xlsx"
    bad.write_bytes(b"not a zip")
    assert str(read_raw_table(bad).problems[0]).startswith("t.xlsx: is not a readable XLSX workbook")


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=1+2", "'=1+2"),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A2)", "'@SUM(A1:A2)"),
        ("\t=1", "'\t=1"),
        ("-3.5", "-3.5"),
        ("+44", "+44"),
        ("plain", "plain"),
    ],
)
def test_formula_neutralization(cell: str, safe: str) -> None:
    # OWASP "CSV injection": cells starting with = + - @ tab or CR are run by spreadsheets.
    assert neutralize_formula(cell) == safe


def test_write_table_is_safe_and_keeps_numbers(tmp_path: Path) -> None:
    frame = pd.DataFrame({"note": ["=HYPERLINK(\"x\")", "ok"], "value": [-1.5, 2.0], "topics": [["a", "b"], []]})
    path = write_table(frame, tmp_path / "out.csv")
    assert path.read_text().splitlines() == ["note,value,topics", "\"'=HYPERLINK(\"\"x\"\")\",-1.5,a; b", "ok,2.0,"]
    write_table(frame, tmp_path / "out.xlsx")
    back = pd.read_excel(tmp_path / "out.xlsx")
    assert back["note"].tolist() == ["'=HYPERLINK(\"x\")", "ok"]
    assert list(tmp_path.iterdir()).__len__() == 2  # no temporary files left behind
