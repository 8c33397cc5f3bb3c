"""``tables.xlsx``: every table a run wrote (``tables/*.csv``) as one sheet of a workbook, for people who live in a
spreadsheet.

Each sheet has readable headers (the labels of :mod:`rmkit.phases.readable`, with their units), numbers as numbers,
true/false as yes/no, a frozen header row and columns wide enough to read; every text cell a spreadsheet would run
as a formula is neutralized (:func:`rmkit.cohort.tables.neutralize_frame`). A first sheet, ``About``, lists each
sheet with the file it comes from and its rows. Sheet names are the table names in words, at most 31 characters
(Excel's limit), made unique.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

__all__ = ["write_workbook", "sheet_name"]


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
        about.append({"sheet": name, "file": f"tables/{file.name}", "rows": len(frame)})
    path = Path(path)
    with atomic_write(path, "wb") as handle, pd.ExcelWriter(handle, engine="openpyxl") as writer:
        pd.DataFrame(about).rename(columns=str.capitalize).to_excel(writer, sheet_name="About", index=False)
        for name, frame in sheets:
            frame.to_excel(writer, sheet_name=name, index=False)
        for sheet in writer.book.worksheets:
            sheet.freeze_panes = "A2"
            for cells in sheet.columns:
                width = max((len(str(c.value)) for c in cells if c.value is not None), default=8)
                sheet.column_dimensions[cells[0].column_letter].width = min(60, max(8, width + 2))
    return path
