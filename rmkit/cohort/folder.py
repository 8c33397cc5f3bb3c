"""The cohort folder: the typed :class:`Cohort`, finding its files, and reading the decision log.

:func:`rmkit.cohort.validation.validate_cohort` reads the files and builds a :class:`Cohort`; this module holds what
it builds and the small readers it shares with the rest of rmkit. Files are only read, never written.

Typed tables (every contract column is present; an absent optional column is added empty):

- list columns (``offers``, ``wants``, ``interests``, ``availability``, ``topics``) hold lists of trimmed strings;
- numbers are ``float64`` (``capacity`` is ``Int64``, 1 for a mentor who leaves it empty); ``locked`` is boolean;
- dates (``date``, ``start_date``, ``end_date``) are ``datetime64``; ``submitted_at`` and ``at`` are UTC timestamps;
- ``role``, ``group``, ``kind`` and ``action`` are lower-case;
- a table's spreadsheet row numbers are in ``Cohort.rows[name]``.

The decision log is ordered by ``at`` (rows written at the same time keep their file order; a row without ``at``
counts as the earliest), so the latest decision on a pair is its last row.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import Problem
from .config import Instrument, ProgramConfig
from .schemas import TABLES, TableSpec, convert_table
from .tables import decode_text, read_raw_table

__all__ = ["Cohort", "find_table", "resolve_instrument", "read_text_file", "read_decisions", "read_published_pairs", "order_decisions",
           "table_spec", "folder_fingerprint", "TABLE_NAMES", "OPTIONAL_TABLES"]

TABLE_NAMES = tuple(TABLES)
OPTIONAL_TABLES = tuple(name for name in TABLE_NAMES if not TABLES[name].required)


def folder_fingerprint(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """Name, size and modification time of every file in the cohort folder (to notice any change since it was
    read; hidden files such as the decision log's lock file are left out). Empty when the folder cannot be listed
    (validation then says why)."""
    entries = []
    try:
        for path in sorted(folder.iterdir()):
            if path.is_file() and not path.name.startswith("."):
                stat = path.stat()
                entries.append((path.name, stat.st_size, stat.st_mtime_ns))
    except OSError:
        return ()
    return tuple(entries)


@dataclass
class Cohort:
    """A loaded, valid cohort folder."""

    path: Path
    program: ProgramConfig
    instrument: Instrument
    participants: pd.DataFrame
    preferences: pd.DataFrame | None = None
    responses: pd.DataFrame | None = None  # the participants' answers
    checkins: pd.DataFrame | None = None
    agreements: pd.DataFrame | None = None
    outcomes: pd.DataFrame | None = None
    costs: pd.DataFrame | None = None
    pairs: pd.DataFrame | None = None
    decisions: pd.DataFrame | None = None
    #: pairs of earlier cycles (``pairing.history``): mentor_id, mentee_id, cycle (0 = the oldest), source
    history: pd.DataFrame | None = None
    #: person_ids left unmatched in the last earlier cycle (``pairing.history``'s last entry)
    unmatched_last_cycle: frozenset[str] = frozenset()
    files: dict[str, Path] = field(default_factory=dict)
    rows: dict[str, list[int]] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    #: the answers of comparison people (``outcomes.csv`` group comparison, not in ``participants.csv``) from
    #: ``responses.csv``; ``responses`` holds the participants' only. ``None`` when there is no responses file.
    comparison_responses: pd.DataFrame | None = None

    @property
    def name(self) -> str:
        """The cohort id (``program.yaml: cohort``, else the folder's name)."""
        return self.program.cohort or self.path.name

    @property
    def mentors(self) -> pd.DataFrame:
        return self.participants[self.participants["role"] == "mentor"]

    @property
    def mentees(self) -> pd.DataFrame:
        return self.participants[self.participants["role"] == "mentee"]

    def table(self, name: str) -> pd.DataFrame | None:
        """A table by name (``participants``, ``responses``, …); ``None`` when its file is absent."""
        if name not in TABLES:
            raise ValueError(f"unknown table {name!r}; tables: {', '.join(TABLES)}")
        return getattr(self, name)

    def input_files(self) -> list[Path]:
        """Every input file this cohort was read from (program, instrument when it is the cohort's own, tables)."""
        return sorted(set(self.files.values()))

    # -- how a cohort shows itself in a notebook: counts only, never a name or an e-mail ----------------------

    def counts(self) -> dict[str, int | None]:
        """Rows per table (``None`` for an absent file)."""
        return {name: (None if getattr(self, name) is None else len(getattr(self, name))) for name in TABLES}

    def __repr__(self) -> str:
        """A one-line summary with counts (a bare ``cohort`` in a cell or ``print(cohort)`` shows no personal data).

        Examples
        --------
        >>> from rmkit.cohort import load_cohort
        >>> from rmkit.resources import example_cohort_dir
        >>> load_cohort(example_cohort_dir())
        Cohort 'acme-2025-spring': 80 participants (40 mentors, 40 mentees), 3 waves, ... responses rows, ...
        """
        counts = self.counts()
        parts = [f"{len(self.participants)} participants ({len(self.mentors)} mentors, {len(self.mentees)} mentees)",
                 f"{len(self.program.waves)} waves"]
        labels = {"responses": "responses rows", "checkins": "check-ins", "outcomes": "outcomes", "costs": "cost lines",
                  "pairs": "published pairs", "decisions": "decisions"}
        parts += [f"{counts[name]} {label}" if counts[name] is not None else f"no {name}.csv" for name, label in labels.items()]
        return f"Cohort {self.name!r}: " + ", ".join(parts)

    __str__ = __repr__

    def _repr_html_(self) -> str:
        """A small table of the cohort's files and their row counts (JupyterLab's rich display)."""
        import html

        rows = "".join(
            f"<tr><td>{html.escape(name)}</td><td style='text-align:right'>{'–' if n is None else n}</td>"
            f"<td>{html.escape(self.files[name].name) if name in self.files else ('absent' if n is None else '')}</td></tr>"
            for name, n in self.counts().items())
        return (f"<div><b>Cohort {html.escape(self.name)}</b>: {len(self.mentors)} mentors, {len(self.mentees)} mentees, "
                f"waves {html.escape(', '.join(self.program.waves) or 'none')}, minimum group size {self.program.min_group_size}"
                f"<table><thead><tr><th>table</th><th>rows</th><th>file</th></tr></thead><tbody>{rows}</tbody></table></div>")


# --------------------------------------------------------------------------------------------- files


def find_table(folder: Path, name: str) -> tuple[Path | None, list[Problem]]:
    """The file holding table ``name`` in ``folder`` (``name.csv`` or ``name.xlsx``, any letter case)."""
    matches = []
    try:
        entries = sorted(os.listdir(folder))
    except OSError:
        return None, []
    for entry in entries:
        stem, dot, suffix = entry.rpartition(".")
        if dot and stem.casefold() == name and suffix.casefold() in {"csv", "xlsx"} and (folder / entry).is_file():
            matches.append(folder / entry)
    if len(matches) > 1:
        return matches[0], [
            Problem(matches[1].name, None, None, f"both {matches[0].name} and {matches[1].name} exist; keep one ({matches[0].name} was read)")
        ]
    return (matches[0] if matches else None), []


def resolve_instrument(name: str, folder: Path) -> Path | None:
    """Find the instrument named in ``program.yaml``: a path relative to the cohort folder (``.yaml`` optional),
    else an instrument bundled with rmkit by id (``rm-core``)."""
    from ..resources import instruments_dir

    candidates = [folder / name, folder / f"{name}.yaml", folder / f"{name}.yml"]
    if "/" not in name and "\\" not in name:
        candidates += [instruments_dir() / f"{name}.yaml", instruments_dir() / f"{name}.yml"]
    return next((c for c in candidates if c.is_file()), None)


def read_text_file(path: Path, file: str) -> tuple[str | None, list[Problem]]:
    """A text file's content (UTF-8 or Windows-1252), or the problem that stops it being read."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, [Problem(file, None, None, f"cannot be read: {exc.strerror or exc}")]
    if b"\x00" in data:
        return None, [Problem(file, None, None, "is not a text file")]
    try:
        return decode_text(data)[0], []
    except UnicodeDecodeError:
        return None, [Problem(file, None, None, "cannot be decoded as UTF-8 or Windows-1252 text")]



def order_decisions(log: pd.DataFrame) -> tuple[pd.DataFrame, list[int]]:
    """The decision log in time order (rows without ``at`` first, equal times in file order); also returns the
    original positions in the new order."""
    order = log["at"].isna().map({True: 0, False: 1})
    ordered = log.assign(_has_time=order).sort_values(["_has_time", "at"], kind="stable", na_position="first")
    return ordered.drop(columns="_has_time").reset_index(drop=True), [int(i) for i in ordered.index]


def read_decisions(cohort_dir: str | os.PathLike[str]) -> pd.DataFrame:
    """Read just the decision log of a cohort folder, typed and in time order (an empty log when there is none).

    The dashboards re-read it after every decision, so that a second facilitator's decisions are seen too; hold
    :func:`rmkit.cohort.publishing.decisions_lock` while reading to never see a row half-written.
    """
    spec = TABLES["decisions"]
    path, _ = find_table(Path(cohort_dir), "decisions")
    if path is None:
        return convert_table(spec, pd.DataFrame({c: pd.Series(dtype=object) for c in spec.names}), [], "decisions.csv")[0]
    raw = read_raw_table(path, aliases={c.name.casefold(): c.name for c in spec.columns})
    frame, _ = convert_table(spec, raw.frame, raw.rows, path.name)
    return order_decisions(frame)[0]


def read_published_pairs(cohort_dir: str | os.PathLike[str]) -> pd.DataFrame | None:
    """Read just the published ``pairs.csv`` of a cohort folder as it is now (``None`` when there is none), so a
    board compares a proposal with what a colleague may have published meanwhile."""
    spec = TABLES["pairs"]
    path, _ = find_table(Path(cohort_dir), "pairs")
    if path is None:
        return None
    raw = read_raw_table(path, aliases={c.name.casefold(): c.name for c in spec.columns})
    return convert_table(spec, raw.frame, raw.rows, path.name)[0]


def table_spec(name: str) -> TableSpec:
    """The declared columns of a table (see :data:`rmkit.cohort.schemas.TABLES`)."""
    return TABLES[name]
