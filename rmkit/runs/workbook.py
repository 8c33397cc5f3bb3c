"""``tables.xlsx``: every table a run wrote (``tables/*.csv``) as one sheet of a workbook, for people who live in a
spreadsheet.

Each sheet has readable headers (the labels of :mod:`rmkit.phases.readable`, with their units), numbers as numbers,
true/false as yes/no, a frozen header row and columns wide enough to read; every text cell a spreadsheet would run
as a formula is neutralized (:func:`rmkit.cohort.tables.neutralize_frame`). A first sheet, ``About``, lists each
sheet with the file it comes from and its rows. Sheet names are the table names in words, at most 31 characters
(Excel's limit), made unique.

A table of more than :data:`MAX_SHEET_CELLS` cells (at 2,000 + 2,000 people, the 2,000 × 2,000 compatibility
matrix: writing its 4 million cells took minutes) is not copied into the workbook: the About sheet lists it with
its size and says to open its CSV, which holds every cell.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

__all__ = ["write_workbook", "sheet_name", "MAX_SHEET_CELLS"]

MAX_SHEET_CELLS = 500_000  # rows × columns of the largest table copied into tables.xlsx (about 10 s to write)


def sheet_name(stem: str, taken: set[str]) -> str:
    """A valid, unique sheet name for a table file's stem.

    Examples
    --------
    >>> taken = set()
    >>> sheet_name("pair_health", taken), sheet_name("pair/health", taken), sheet_name("x" * 40, taken)[-3:]
    ('Pair health', 'Pair health (2)', 'xxx')
    """
    words = re.sub(r"[\[\]:*?/\\]", " ", stem.replace("_", " ")).strip() or "table"
    base = (words[:1].upper() + words[1:])[:31]
    name, k = base, 2
    while name.casefold() in {t.casefold() for t in taken}:
        suffix = f" ({k})"
        name, k = base[: 31 - len(suffix)] + suffix, k + 1
    taken.add(name)
    return name


def write_workbook(tables_dir: str | os.PathLike[str], path: str | os.PathLike[str]) -> Path | None:
    """Write every ``*.csv`` of ``tables_dir`` into the workbook ``path`` (atomically); ``None`` when there is no
    table."""
    import pandas as pd

    from ..cohort.tables import atomic_write, neutralize_frame
    from ..phases.readable import column_label

    files = sorted(Path(tables_dir).glob("*.csv")) if Path(tables_dir).is_dir() else []
    if not files:
        return None
    taken: set[str] = {"About"}
    sheets, about = [], []
    for file in files:
        try:
            columns = len(pd.read_csv(file, nrows=0).columns)  # the size first, without parsing a table left out
        except pd.errors.EmptyDataError:  # a table with no columns at all (written by a notebook of one's own)
            about.append({"sheet": "(not in this workbook)", "file": f"tables/{file.name}", "rows": 0,
                          "note": "no columns and no rows"})
            continue
        frame_rows = _count_rows(file)
        if frame_rows * max(columns, 1) > MAX_SHEET_CELLS:
            about.append({"sheet": "(not in this workbook)", "file": f"tables/{file.name}", "rows": frame_rows,
                          "note": f"{frame_rows:,} rows × {columns:,} columns: too large for a sheet here; open the CSV"})
            continue
        frame = pd.read_csv(file, keep_default_na=True, low_memory=False)
        for column in frame.columns:
            values = frame[column].dropna()
            if len(values) and values.map(lambda v: isinstance(v, bool)).all():
                frame[column] = frame[column].map(lambda v: v if v != v else ("yes" if v else "no"))
        labels: list[str] = []
        for column in frame.columns:  # two ids may share a label (scale and label): keep both, told apart
            label = column_label(str(column))
            labels.append(label if label not in labels else f"{label} ({column})")
        frame.columns = labels
        name = sheet_name(file.stem, taken)
        sheets.append((name, neutralize_frame(frame)))
        about.append({"sheet": name, "file": f"tables/{file.name}", "rows": len(frame), "note": ""})
    path = Path(path)
    from openpyxl.utils import get_column_letter

    sheets.insert(0, ("About", pd.DataFrame(about).rename(columns=str.capitalize)))
    with atomic_write(path, "wb") as handle, pd.ExcelWriter(handle, engine="openpyxl") as writer:
        for name, frame in sheets:
            frame.to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            sheet.freeze_panes = "A2"
            for k, column in enumerate(frame.columns, start=1):  # wide enough for the longest value, at most 60
                values = frame[column].dropna()
                width = max(len(str(column)), int(values.astype(str).str.len().max()) if len(values) else 0)
                sheet.column_dimensions[get_column_letter(k)].width = min(60, max(8, width + 2))
    return path


def _count_rows(file: Path) -> int:
    """Data rows of a CSV (records, as pandas parses them), reading one column at a time in chunks."""
    import pandas as pd

    return sum(len(chunk) for chunk in pd.read_csv(file, usecols=[0], chunksize=200_000, dtype=str))
