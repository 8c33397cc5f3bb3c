"""Small phase notebooks for testing the run machinery (rmkit run, batch, the report) without the real phases.

Each notebook follows the phase contract: a cell tagged ``parameters`` with ``cohort_dir = None`` and
``output_dir = None``. They import nothing heavy, so a kernel runs one in a second or two.
"""

from __future__ import annotations

from pathlib import Path

import nbformat

PARAMETERS = "cohort_dir = None\noutput_dir = None"

SVG = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="120" height="60" '
       'viewBox="0 0 120 60"><defs><clipPath id="clip1"><rect width="60" height="60"/></clipPath></defs>'
       '<g clip-path="url(#clip1)"><circle cx="30" cy="30" r="25" fill="#0b5394"/></g>'
       '<text x="70" y="35">chart-marker-svg</text></svg>')

TABLES_AND_CHART = [
    ("markdown", "# Tables and a chart\n\nWhat this phase shows, with a [link](https://example.org/docs).", []),
    ("code", PARAMETERS, ["parameters"]),
    ("code", """\
import csv, os, sys
from pathlib import Path
from IPython.display import HTML, SVG, display

rows = list(csv.DictReader(open(Path(cohort_dir) / "participants.csv", encoding="utf-8-sig")))
tables = Path(output_dir) / "tables"
tables.mkdir(parents=True, exist_ok=True)
with open(tables / "demo.csv", "w", newline="", encoding="utf-8") as handle:
    writer = csv.writer(handle)
    writer.writerow(["person_id", "role"])
    writer.writerows([r["person_id"], r["role"]] for r in rows)
Path("kernel.txt").write_text(os.getcwd() + "\\n" + __import__("rmkit").__file__, encoding="utf-8")
print(f"people: {len(rows)}")""", []),
    ("markdown", "## The chart\n\nA static chart, inline.", []),
    ("code", f"display(SVG({SVG!r}), metadata={{'rmkit': {{'chart': 'demo'}}}})", []),  # as Phase.chart marks it
    ("code", f"display(SVG({SVG.replace('chart-marker-svg', 'foreign-svg')!r}))", []),  # not one of rmkit's charts
    ("code", """\
display(HTML('<b>kept-bold</b><img src="https://cdn.example.org/x.png">'
             '<script src="https://cdn.example.org/x.js"></script><link rel="stylesheet" href="https://cdn.example.org/s.css">'))
display({"application/vnd.jupyter.widget-view+json": {"model_id": "abc", "version_major": 2, "version_minor": 0},
         "text/plain": "IntSlider(value=3)"}, raw=True)""", []),
]

PRINTS = [
    ("code", PARAMETERS, ["parameters"]),
    ("code", 'print("hello from the prints phase")', []),
]

LEAKS_A_NAME = [
    ("code", PARAMETERS, ["parameters"]),
    ("code", """\
import csv
from pathlib import Path
first = next(csv.DictReader(open(Path(cohort_dir) / "participants.csv", encoding="utf-8-sig")))
print("leaked:", first["name"], first["email"])""", []),
]

RAISES_IN_THIRD_CELL = [
    ("code", PARAMETERS, ["parameters"]),
    ("code", "x = 1", []),
    ("code", 'raise ValueError("boom in the third cell")', []),
    ("code", 'print("never printed")', []),
]

FAILS_FOR_SOME_COHORTS = [
    ("code", PARAMETERS, ["parameters"]),
    ("code", """\
import os
from pathlib import Path
name = Path(cohort_dir).name
if "crash" in name:
    os.kill(os.getppid(), 9)   # the process running this cohort dies
if "failing" in name:
    raise RuntimeError(f"this phase fails for {name}")
print("fine")""", []),
]

SLEEPS = [
    ("code", PARAMETERS, ["parameters"]),
    ("code", "import time\ntime.sleep(60)", []),
]

KILLS_ITS_KERNEL = [
    ("code", PARAMETERS, ["parameters"]),
    ("code", "import os\nos._exit(3)", []),
]


def write_notebook(path: Path, cells: list[tuple[str, str, list[str]]]) -> Path:
    """Write a notebook of (kind, source, tags) cells, without outputs, with the python3 kernelspec."""
    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    for kind, source, tags in cells:
        cell = nbformat.v4.new_markdown_cell(source) if kind == "markdown" else nbformat.v4.new_code_cell(source)
        if tags:
            cell.metadata["tags"] = tags
        notebook.cells.append(cell)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(notebook, str(path))
    return path


def write_notebooks(folder: Path, notebooks: dict[str, list[tuple[str, str, list[str]]]]) -> Path:
    """Write ``{file name: cells}`` into ``folder``; return the folder."""
    for name, cells in notebooks.items():
        write_notebook(folder / name, cells)
    return folder
