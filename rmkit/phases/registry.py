"""The phase notebooks: finding them (``NN_name.ipynb``), choosing among them, the order to start them in, and
checking their contract.

The contract every phase notebook follows: a cell tagged ``parameters`` that sets at least ``cohort_dir`` and
``output_dir`` (``None`` meaning the bundled example cohort and a default folder), so that papermill can pass the
cohort folder and the run folder.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError

__all__ = ["PHASE_FILE", "PhaseNotebook", "find_phases", "select_phases", "start_order", "parameter_problems"]

PHASE_FILE = re.compile(r"^(?P<number>\d{2})_(?P<name>[a-z][a-z0-9_]*)\.ipynb$")
"""A phase notebook's file name: two digits, ``_``, the phase name (``03_pairing.ipynb``)."""


@dataclass(frozen=True)
class PhaseNotebook:
    """A phase notebook: ``number`` and ``name`` come from its file name (``02_intake.ipynb``)."""

    number: int
    name: str
    path: Path

    @property
    def filename(self) -> str:
        return self.path.name

    @property
    def title(self) -> str:
        """``Intake``, ``Check-ins``: the name as a heading."""
        return {"checkins": "Check-ins"}.get(self.name, self.name.replace("_", " ").capitalize())


def find_phases(notebooks: str | os.PathLike[str] | None = None) -> list[PhaseNotebook]:
    """The phase notebooks in ``notebooks`` (default: rmkit's own), in phase order.

    Raises
    ------
    UsageError
        If the folder does not exist or holds no ``NN_name.ipynb`` notebook.

    Examples
    --------
    >>> [p.filename for p in find_phases()][:2]
    ['01_objectives.ipynb', '02_intake.ipynb']
    """
    from ..resources import notebooks_dir

    folder = Path(notebooks) if notebooks is not None else notebooks_dir()
    if not folder.is_dir():
        raise UsageError(f"{folder}: no such notebooks folder")
    found = []
    for path in folder.iterdir():
        match = PHASE_FILE.match(path.name)
        if match and path.is_file():
            found.append(PhaseNotebook(int(match["number"]), match["name"], path.resolve()))
    if not found:
        raise UsageError(f"{folder}: no phase notebooks (files named like 01_objectives.ipynb)")
    found.sort(key=lambda p: (p.number, p.name))
    return found


def select_phases(available: Sequence[PhaseNotebook], wanted: Sequence[str] | None) -> list[PhaseNotebook]:
    """The phases named in ``wanted`` (names, numbers or file stems; ``None`` or empty: all), in phase order.

    Raises
    ------
    UsageError
        If a phase is unknown; the message lists the phases there are.

    Examples
    --------
    >>> phases = [PhaseNotebook(1, "objectives", Path("01_objectives.ipynb")),
    ...           PhaseNotebook(4, "checkins", Path("04_checkins.ipynb"))]
    >>> [p.name for p in select_phases(phases, ["check-ins", "1"])]
    ['objectives', 'checkins']
    >>> select_phases(phases, ["pairing"])
    Traceback (most recent call last):
    ...
    rmkit.errors.UsageError: unknown phase 'pairing'; the phases are: 01 objectives, 04 checkins
    """
    if not wanted:
        return list(available)
    chosen: set[PhaseNotebook] = set()
    for token in (t.strip() for item in wanted for t in str(item).split(",")):
        if not token:
            continue
        key = token.casefold().replace("-", "").replace(" ", "")
        matches = [p for p in available
                   if key in {p.name.replace("_", ""), p.name, p.path.stem}
                   or (key.isdigit() and int(key) == p.number)]
        if not matches:
            listing = ", ".join(f"{p.number:02d} {p.name}" for p in available)
            raise UsageError(f"unknown phase {token!r}; the phases are: {listing}")
        chosen.update(matches)
    return [p for p in available if p in chosen]


def start_order(notebooks: Sequence[PhaseNotebook], durations: Mapping[str, float] | None = None) -> list[PhaseNotebook]:
    """The order in which to start phases that run at the same time: the longest first, so that the run does not
    wait at its end for a long phase that started last. A phase's length is its duration in ``durations`` (seconds
    by phase name, from an earlier run of the same cohort), else the size of its code cells; ties keep phase order.

    Examples
    --------
    >>> a, b, c = (PhaseNotebook(n, name, Path(f"{n:02d}_{name}.ipynb")) for n, name in [(1, "a"), (2, "b"), (3, "c")])
    >>> [p.name for p in start_order([a, b, c], {"a": 1.0, "b": 4.5, "c": 2.0})]
    ['b', 'c', 'a']
    """
    durations = durations or {}
    if all(p.name in durations for p in notebooks):
        length = {p: durations[p.name] for p in notebooks}
    else:
        length = {p: float(_code_size(p)) for p in notebooks}
    return sorted(notebooks, key=lambda p: (-length[p], p.number))


def _code_size(notebook: PhaseNotebook) -> int:
    try:
        cells = json.loads(notebook.path.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError, AttributeError):
        return 0
    return sum(len("".join(c.get("source", ""))) for c in cells if c.get("cell_type") == "code")


def parameter_problems(notebook: PhaseNotebook) -> list[str]:
    """What the notebook contract misses: a cell tagged ``parameters`` assigning ``cohort_dir`` and ``output_dir``."""
    try:
        cells = json.loads(notebook.path.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError, AttributeError):
        return []  # papermill reports an unreadable notebook as the phase's failure
    sources = ["".join(c.get("source", "")) for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if not sources:
        return [f"{notebook.filename}: no cell is tagged 'parameters'; cohort_dir and output_dir were put first"]
    return [f"{notebook.filename}: the parameters cell does not set {name}, so the notebook may not use it"
            for name in ("cohort_dir", "output_dir")
            if not re.search(rf"^\s*{name}\s*(:[^=\n]*)?=", "\n".join(sources), flags=re.M)]
