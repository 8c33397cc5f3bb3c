"""Big tables are read, converted and written by whole columns: the results must be those of the cell-by-cell path.

``read_raw_table`` reads a plain CSV (UTF-8, no quotes) with pandas' C parser; every other file takes the general
path (Python's csv module, cell by cell). Hypothesis writes CSV texts from an alphabet of the awkward characters
(separators, quotes, spaces of several kinds, CR and CRLF, blank lines, short and long rows) and checks that both
paths give the same table, rows and problems.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rmkit.cohort import tables
from rmkit.cohort.tables import neutralize_formula, neutralize_frame, read_raw_table

PLAIN = ["a", "b", "1", "-", "=", " ", "\xa0", "\u2003", "é", "+", "@", "."]
AWKWARD = [*PLAIN, ";", ",", "\t", '"', "\ufeff", "\r"]


@st.composite
def csv_texts(draw: st.DrawFn) -> str:
    separator = draw(st.sampled_from([",", ";", "\t"]))
    width = draw(st.integers(1, 4))
    header = draw(st.permutations(["person_id", "Role ", " wave", "x", "note"]))[:width]
    if draw(st.integers(0, 4)) == 0:  # sometimes a header cell repeated or empty
        header[-1] = draw(st.sampled_from(["", "x", "PERSON_ID", header[0]]))
    cell = st.text(alphabet=AWKWARD if draw(st.integers(0, 3)) == 0 else PLAIN, max_size=4)
    end = draw(st.sampled_from(["\n", "\r\n", "\r"])) if draw(st.booleans()) else "\n"
    lines = [separator.join(header)]
    for _ in range(draw(st.integers(0, 6))):
        size = width if draw(st.integers(0, 3)) else draw(st.integers(0, width + 1))  # mostly full rows
        cells = draw(st.lists(cell, min_size=size, max_size=size))
        lines.append(separator.join(cells))
    return end.join(lines) + (end if draw(st.booleans()) else "")


def _general(path: Path, **kwargs):
    original = tables._plain_csv_table
    tables._plain_csv_table = lambda *args: None
    try:
        return read_raw_table(path, **kwargs)
    finally:
        tables._plain_csv_table = original


def _same(fast, slow) -> None:
    pd.testing.assert_frame_equal(fast.frame, slow.frame, check_index_type=False, check_column_type=False)
    assert fast.rows == slow.rows
    assert fast.problems == slow.problems
    assert fast.original_columns == slow.original_columns


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=csv_texts(), bom=st.booleans())
def test_plain_csv_reads_as_the_general_path(tmp_path: Path, text: str, bom: bool) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(text.encode("utf-8-sig" if bom else "utf-8"))
    aliases = {"person_id": "person_id", "role": "role", "wave": "wave"}
    _same(read_raw_table(path, aliases=aliases), _general(path, aliases=aliases))


def test_the_fast_path_is_taken_for_a_plain_file(tmp_path: Path) -> None:
    path = tmp_path / "responses.csv"
    path.write_text("person_id,wave,q1\r\np1, baseline ,4\r\n\r\n,,\r\np2,month6\r\n", encoding="utf-8")
    assert tables._plain_csv_table(path.read_bytes(), "responses.csv", {}) is not None
    table = read_raw_table(path)
    assert table.frame.to_dict("records") == [{"person_id": "p1", "wave": "baseline", "q1": "4"},
                                              {"person_id": "p2", "wave": "month6", "q1": ""}]
    assert table.rows == [2, 5]


def _cell_by_cell(frame: pd.DataFrame) -> pd.DataFrame:
    """How neutralize_frame worked before it went by distinct values: each cell through neutralize_formula."""
    out = frame.copy()
    for column in out.columns:
        dtype = out[column].dtype
        if pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype) or isinstance(dtype, pd.CategoricalDtype):
            values = out[column].astype(object) if isinstance(dtype, pd.CategoricalDtype) else out[column]
            out[column] = values.map(lambda v: neutralize_formula(tables.join_list(v) if isinstance(v, list | tuple) else v))
    out.columns = [neutralize_formula(str(c)) for c in out.columns]
    return out


VALUES = ["=1+2", "-3.5", "- a bullet", "@SUM(A1)", "+44 20", "\tx", "\rx", "plain", "", "12%", " =x", "-", "+", "1e5",
          "-.5", "1,5", ["=a", "b"], ("-x",), None, 3, 2.5, float("nan"), True]


@pytest.mark.parametrize("value", VALUES)
def test_neutralizing_a_column_is_neutralizing_each_cell(value) -> None:
    frame = pd.DataFrame({"a": pd.Series([value, "x", value, "=y"], dtype=object), "b": ["=c", "d", "=c", None],
                          "=c": pd.Categorical(["=c", "d", "d", "=c"]), "n": [1.0, -2.0, 3.0, 4.0]})
    expected, got = _cell_by_cell(frame), neutralize_frame(frame)
    assert list(got.columns) == list(expected.columns)
    for column in expected.columns:
        assert got[column].astype(object).tolist() == pytest.approx(expected[column].astype(object).tolist(), nan_ok=True) \
            if column == "n" else _cells(got[column]) == _cells(expected[column])


@settings(max_examples=200, deadline=None)
@given(cells=st.lists(st.one_of(st.none(), st.text(alphabet=PLAIN + ["\t", "\r", "%", "e"], max_size=5),
                                st.lists(st.text(alphabet=PLAIN, max_size=3), max_size=2)), min_size=1, max_size=8))
def test_neutralize_frame_as_cell_by_cell(cells) -> None:
    frame = pd.DataFrame({"v": pd.Series(cells, dtype=object)})
    assert _cells(neutralize_frame(frame)["v"]) == _cells(_cell_by_cell(frame)["v"])


def _cells(series: pd.Series) -> list:
    return ["<NA>" if not isinstance(v, list | tuple | str) and pd.isna(v) else v for v in series.astype(object)]


@pytest.mark.parametrize("kind", ["number", "integer", "date", "datetime", "bool"])
def test_a_long_column_converts_by_distinct_value_as_cell_by_cell(kind: str) -> None:
    from rmkit.cohort.schemas import Column, _convert_text, convert_column

    cells = ["1", "2", "", "3,5", "-0", "x", "1e3", "inf", "4.0", "2026-03-01", "2026-03-01T10:15", "2026-13-01",
             "yes", "No", " 5", "7"]
    text = pd.Series([cells[k % len(cells)] for k in range(5000)], dtype=str)
    column = Column("c", kind, "", min=1, max=5)  # type: ignore[arg-type]
    values, bad = convert_column(column, text)
    expected_values, expected_bad = _convert_text(column, text)
    pd.testing.assert_series_equal(values, expected_values, check_names=False)
    pd.testing.assert_series_equal(bad, expected_bad, check_names=False)
    assert bad.any() and not bad.all()
