"""Checks shared by the commands that write a table for users (``score``, ``metrics``, ``import``)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from ..errors import UsageError

SUFFIXES = (".csv", ".xlsx")


def output_path(out: str | os.PathLike[str], inputs: Iterable[Path]) -> Path:
    """The path to write, after checking that it is a ``.csv`` or ``.xlsx`` file and not one of the ``inputs``
    (a command never overwrites the files it reads, above all a cohort's own files)."""
    path = Path(out)
    if path.suffix.lower() not in SUFFIXES:
        raise UsageError(f"{path}: the output must be a .csv or .xlsx file")
    if path.is_dir():
        raise UsageError(f"{path}: is a folder; give a file name ending in .csv or .xlsx")
    target = path.resolve()
    for source in inputs:
        if Path(source).resolve() == target:
            raise UsageError(f"{path}: is an input file; rmkit never overwrites its inputs, choose another --out")
    return path
