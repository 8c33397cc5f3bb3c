"""Blank input templates (CSV and XLSX with a README sheet) and ``rmkit init``.

The templates are generated from the table declarations in :mod:`rmkit.cohort.schemas`, so their columns and descriptions
never drift from what validation expects; ``data/templates/`` holds the generated copies for people who download them
directly. Regenerate with ``python -m rmkit.cohort.templates data/templates``.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import pandas as pd

from ..errors import UsageError
from .schemas import TABLES, TableSpec

__all__ = ["template_frame", "readme_frame", "program_template", "write_templates", "init_cohort", "INIT_TABLES", "templates_readme"]

#: The tables ``rmkit init`` creates; pairs.csv and decisions.csv are written later by publishing and the dashboard.
INIT_TABLES = ("participants", "responses", "checkins", "agreements", "outcomes", "costs")


def _item_ids() -> list[str]:
    from ..resources import instruments_dir
    from .config import parse_instrument

    instrument, _ = parse_instrument((instruments_dir() / "rm-core.yaml").read_text(encoding="utf-8"), file="rm-core.yaml")
    return instrument.item_ids if instrument else []


def template_frame(spec: TableSpec) -> pd.DataFrame:
    """An empty table with the spec's columns (responses also get the rm-core item columns)."""
    columns = spec.names + (_item_ids() if spec.name == "responses" else [])
    return pd.DataFrame(columns=columns)


def readme_frame(spec: TableSpec) -> pd.DataFrame:
    """One row per column: name, required, description, example."""
    rows = [
        {"column": c.name, "required": "yes" if c.required else "", "description": c.description, "example": c.example}
        for c in spec.columns
    ]
    if spec.name == "responses":
        rows.append({"column": "<item id>", "required": "", "description": "one column per item of the instrument, "
                     "answers as whole numbers (rm-core: 1 = strongly disagree … 5 = strongly agree)", "example": "4"})
    return pd.DataFrame(rows)


def templates_readme() -> str:
    """The text of ``data/templates/README.md``."""
    lines = [
        "# rmkit input templates",
        "",
        "Blank tables for a cohort folder, in CSV (UTF-8) and XLSX (the data on the first sheet, column",
        "descriptions on a README sheet). `rmkit init DIR` copies them, with a commented `program.yaml`, into a",
        "new cohort folder; `rmkit validate DIR` checks what you filled in. Lists in a cell are separated by `;`.",
        "Required columns are in **bold**. `instruments/rm-core.yaml` is the default survey instrument.",
        "",
    ]
    for spec in TABLES.values():
        need = "required" if spec.required else (f"optional, for {spec.needed_for}" if spec.needed_for else "optional")
        lines += [f"## {spec.name}.csv ({need})", "", spec.description, "", "| column | description |", "| --- | --- |"]
        for c in spec.columns:
            name = f"**{c.name}**" if c.required else c.name
            lines.append(f"| {name} | {c.description} |")
        if spec.name == "responses":
            lines.append("| *item ids* | one column per item of the instrument (rm-core: dig1 … app3), answers as whole numbers |")
        lines.append("")
    return "\n".join(lines)


def _write_xlsx(spec: TableSpec, path: Path) -> None:
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        template_frame(spec).to_excel(writer, index=False, sheet_name=spec.name)
        readme_frame(spec).to_excel(writer, index=False, sheet_name="README")


def program_template(text: str) -> str:
    """``program.yaml``'s template text with the ``checkins:`` comments written from
    :data:`rmkit.cohort.config.CHECKIN_THRESHOLDS` (what the check-ins phase does with each threshold).

    Examples
    --------
    >>> print(program_template("checkins:\\n  low_pulse: 2.5   # old words\\n"))
    checkins:
      low_pulse: 2.5                  # "at risk" if the recent pulse average (last two ratings, 1-5) is below this
    <BLANKLINE>
    """
    from .config import CHECKIN_THRESHOLDS

    def line(match: re.Match[str]) -> str:
        key, value = match.group(1), match.group(2)
        return f"  {f'{key}: {value}':<32}# {CHECKIN_THRESHOLDS[key].comment()}"

    keys = "|".join(CHECKIN_THRESHOLDS)
    return re.sub(rf"^  ({keys}): (\S+).*$", line, text, flags=re.MULTILINE)


def write_templates(folder: str | os.PathLike[str]) -> list[Path]:
    """Write a blank CSV and XLSX for every table, and ``README.md``, into ``folder``; rewrite the ``checkins:``
    comments of the ``program.yaml`` there (see :func:`program_template`)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    program = folder / "program.yaml"
    if program.exists():
        text = program.read_text(encoding="utf-8")
        if program_template(text) != text:
            program.write_text(program_template(text), encoding="utf-8")
        written.append(program)
    for spec in TABLES.values():
        csv_path = folder / f"{spec.name}.csv"
        template_frame(spec).to_csv(csv_path, index=False, lineterminator="\n")
        xlsx_path = folder / f"{spec.name}.xlsx"
        _write_xlsx(spec, xlsx_path)
        written += [csv_path, xlsx_path]
    readme = folder / "README.md"
    readme.write_text(templates_readme(), encoding="utf-8")
    written.append(readme)
    return written


def init_cohort(folder: str | os.PathLike[str], *, xlsx: bool = False) -> list[Path]:
    """Create a new cohort folder from the templates: a commented ``program.yaml`` and blank tables.

    Refuses (``UsageError``) to write into an existing folder that is not empty.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "my-cohort"
    >>> sorted(p.name for p in init_cohort(target))
    ['agreements.csv', 'checkins.csv', 'costs.csv', 'outcomes.csv', 'participants.csv', 'program.yaml', 'responses.csv']
    """
    from ..resources import templates_dir

    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder}: exists and is not a folder")
    if folder.is_dir() and any(folder.iterdir()):
        raise UsageError(f"{folder}: the folder exists and is not empty; choose a new folder (nothing was changed)")
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    program = (templates_dir() / "program.yaml").read_text(encoding="utf-8")
    program = re.sub(r"^cohort: \S+", f"cohort: {folder.name}", program, count=1, flags=re.MULTILINE)
    (folder / "program.yaml").write_text(program, encoding="utf-8")
    written.append(folder / "program.yaml")
    for name in INIT_TABLES:
        suffix = ".xlsx" if xlsx else ".csv"
        source = templates_dir() / f"{name}{suffix}"
        shutil.copyfile(source, folder / source.name)
        written.append(folder / source.name)
    return written


if __name__ == "__main__":  # python -m rmkit.cohort.templates data/templates
    for path in write_templates(sys.argv[1] if len(sys.argv) > 1 else "data/templates"):
        print(path)
