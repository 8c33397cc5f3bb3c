"""The pairing inputs that span files: stated preferences, levels, the manager chain and earlier cycles.

:mod:`rmkit.cohort.validation` calls these after the tables are read; each returns :class:`~rmkit.errors.Problem`
lines in the ``FILE:ROW:COLUMN`` form.

- ``preferences.csv``: both ids are people of ``participants.csv``, of different roles; a rank is used once per
  person (the same partner twice is caught by the table's own uniqueness check);
- ``participants.level`` must be one of ``program.yaml: levels`` (matched ignoring case and spaces) when a rule
  compares levels (``mentor_more_junior``, ``min_level_gap``); an empty level is then an error too;
- a cycle in the ``manager_id`` chain (A reports to B who reports to A) is an error, reported on the row of each
  person in the cycle;
- ``pairing.history`` entries are paths relative to the cohort folder: an earlier cohort folder (its ``pairs.csv``
  is read, and its ``participants.csv`` says who was left unmatched) or a ``pairs*.csv``/``.xlsx`` file (a
  ``participants.csv`` beside it, if any, says who was left unmatched). A missing path, a folder without
  ``pairs.csv`` or a file without ``mentor_id`` and ``mentee_id`` is an error. The last entry is the last cycle.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..errors import Problem, shown
from .config import ProgramConfig
from .folder import find_table
from .schemas import TABLES, convert_table
from .tables import read_raw_table

__all__ = ["preference_problems", "level_problems", "manager_cycle_problems", "read_history", "level_key"]


def level_key(value: object) -> str:
    """A level as compared: inner spaces collapsed, case folded (``"Vice  President"`` → ``"vice president"``)."""
    return " ".join(str(value).split()).casefold()


def preference_problems(prefs: pd.DataFrame, rows: list[int], file: str, people: pd.DataFrame | None) -> list[Problem]:
    """Unknown ids, a ranking within one role, and a rank repeated by one person.

    Examples
    --------
    >>> people = pd.DataFrame({"person_id": ["m1", "m2", "e1"], "role": ["mentor", "mentor", "mentee"]})
    >>> prefs = pd.DataFrame({"person_id": ["e1", "e1", "m1", "x"], "ranks": ["m1", "m2", "m2", "m1"], "rank": [1, 1, 1, 1]})
    >>> for p in preference_problems(prefs, [2, 3, 4, 5], "preferences.csv", people): print(p)
    preferences.csv:3:rank: e1 gives rank 1 twice (rows 2, 3); each rank once per person
    preferences.csv:4:ranks: m1 and m2 are both mentors; a person ranks people of the other role
    preferences.csv:5:person_id: found 'x'; it is not a person_id of participants.csv
    """
    problems: list[Problem] = []
    if people is None or prefs.empty:
        return problems
    role = dict(zip(people["person_id"], people["role"], strict=True))
    seen: dict[tuple[str, int], int] = {}
    for k, (who, whom, rank) in enumerate(zip(prefs["person_id"], prefs["ranks"], prefs["rank"], strict=True)):
        row = rows[k]
        if who is None or whom is None:
            continue
        bad = False
        for column, pid in (("person_id", who), ("ranks", whom)):
            if pid not in role:
                problems.append(Problem(file, row, column, f"found {shown(pid)}; it is not a person_id of participants.csv"))
                bad = True
        if bad:
            continue
        if role[who] == role[whom] and role[who] in ("mentor", "mentee"):
            problems.append(Problem(file, row, "ranks", f"{who} and {whom} are both {role[who]}s; a person ranks people of the other role"))
        if rank is None or pd.isna(rank):
            continue
        key = (who, int(rank))
        if key in seen:
            problems.append(Problem(file, row, "rank", f"{who} gives rank {int(rank)} twice (rows {seen[key]}, {row}); each rank once per person"))
        else:
            seen[key] = row
    return problems


def level_problems(people: pd.DataFrame, rows: list[int], file: str, program: ProgramConfig | None) -> list[Problem]:
    """``participants.level`` against ``program.yaml: levels`` when a rule compares levels.

    Examples
    --------
    >>> from rmkit.cohort.config import parse_program
    >>> program, _ = parse_program("levels: [analyst, manager]\\npairing: {rules: {mentor_more_junior: true}}")
    >>> people = pd.DataFrame({"person_id": ["a", "b", "c"], "level": ["Analyst", "VP", None]})
    >>> for p in level_problems(people, [2, 3, 4], "participants.csv", program): print(p)
    participants.csv:3:level: found 'VP'; allowed: a level of program.yaml (analyst, manager)
    participants.csv:4:level: is empty; pairing.rules compare levels, so every participant needs one
    """
    if program is None or not program.pairing.rules.uses_levels:
        return []
    if not program.levels:
        return [Problem("program.yaml", None, "levels", "is missing: pairing.rules compare levels (mentor_more_junior, "
                        "min_level_gap); list the levels in order, most junior first, e.g. [analyst, associate, manager]")]
    known = {level_key(v) for v in program.levels}
    allowed = ", ".join(program.levels)
    problems = []
    for k, value in enumerate(people["level"] if "level" in people.columns else []):
        if value is None or pd.isna(value) or not str(value).strip():
            problems.append(Problem(file, rows[k], "level", "is empty; pairing.rules compare levels, so every participant needs one"))
        elif level_key(value) not in known:
            problems.append(Problem(file, rows[k], "level", f"found {shown(value)}; allowed: a level of program.yaml ({allowed})"))
    return problems


def manager_cycle_problems(people: pd.DataFrame, rows: list[int], file: str) -> list[Problem]:
    """A row for each person on a cycle of the ``manager_id`` chain.

    Examples
    --------
    >>> people = pd.DataFrame({"person_id": ["a", "b", "c"], "manager_id": ["b", "a", "a"]})
    >>> for p in manager_cycle_problems(people, [2, 3, 4], "participants.csv"): print(p)
    participants.csv:2:manager_id: the manager chain is a cycle: a → b → a; someone in it must report elsewhere
    participants.csv:3:manager_id: the manager chain is a cycle: b → a → b; someone in it must report elsewhere
    """
    if "manager_id" not in people.columns:
        return []
    boss = {p: m for p, m in zip(people["person_id"], people["manager_id"], strict=True)
            if p is not None and m is not None and not pd.isna(m) and m != p}
    row_of = {p: rows[k] for k, p in enumerate(people["person_id"])}
    on_cycle: dict[str, list[str]] = {}
    done: set[str] = set()
    for start in boss:
        path: list[str] = []
        where: dict[str, int] = {}
        node = start
        while node in boss and node not in done and node not in where:
            where[node] = len(path)
            path.append(node)
            node = boss[node]
        if node in where:  # a new cycle: path[where[node]:]
            cycle = path[where[node]:]
            for k, person in enumerate(cycle):
                on_cycle[person] = cycle[k:] + cycle[:k] + [person]
        done.update(path)
    return [Problem(file, row_of[p], "manager_id", f"the manager chain is a cycle: {' → '.join(on_cycle[p])}; "
                    "someone in it must report elsewhere") for p in sorted(on_cycle, key=lambda p: row_of[p])]


def _read_pairs(path: Path, label: str) -> tuple[pd.DataFrame | None, list[Problem]]:
    spec = TABLES["pairs"]
    raw = read_raw_table(path, file=label, aliases={c.name.casefold(): c.name for c in spec.columns})
    errors = [p for p in raw.problems if p.severity == "error"]
    if errors:
        return None, errors
    missing = [c for c in ("mentor_id", "mentee_id") if c not in raw.frame.columns]
    if missing:
        return None, [Problem(label, 1, c, "required column is missing: an earlier cycle's pairs need mentor_id and mentee_id")
                      for c in missing]
    frame, problems = convert_table(spec, raw.frame, raw.rows, label)
    errors = [p for p in problems if p.severity == "error"]
    return (None, errors) if errors else (frame, [])


def _people_ids(folder: Path) -> set[str] | None:
    path, _ = find_table(folder, "participants")
    if path is None:
        return None
    raw = read_raw_table(path, aliases={"person_id": "person_id"})
    if "person_id" not in raw.frame.columns:
        return None
    return {" ".join(str(v).split()) for v in raw.frame["person_id"] if v is not None and not pd.isna(v) and str(v).strip()}


def read_history(folder: Path, program: ProgramConfig | None) -> tuple[pd.DataFrame | None, frozenset[str], list[Problem]]:
    """The pairs of earlier cycles (``mentor_id, mentee_id, cycle, source``), who was unmatched in the last one,
    and the problems of ``pairing.history``.

    Examples
    --------
    >>> import tempfile
    >>> from rmkit.cohort.config import parse_program
    >>> program, _ = parse_program("pairing: {history: [../2025, old/pairs-2024.csv]}")
    >>> for p in read_history(Path(tempfile.mkdtemp()), program)[2]: print(p)
    program.yaml:pairing.history[0]: found '../2025'; no such folder or file (paths are relative to the cohort folder)
    program.yaml:pairing.history[1]: found 'old/pairs-2024.csv'; no such folder or file (paths are relative to the cohort folder)
    """
    if program is None or not program.pairing.history:
        return None, frozenset(), []
    frames, problems = [], []
    unmatched: frozenset[str] = frozenset()
    last = len(program.pairing.history) - 1
    for k, entry in enumerate(program.pairing.history):
        key = f"pairing.history[{k}]"
        path = folder / entry
        if path.is_dir():
            pairs_path, _ = find_table(path, "pairs")
            if pairs_path is None:
                problems.append(Problem("program.yaml", None, key, f"found {shown(entry)}; that folder has no pairs.csv (or .xlsx)"))
                continue
            people_dir = path
        elif path.is_file():
            stem, _, suffix = path.name.rpartition(".")
            if not stem.casefold().startswith("pairs") or suffix.casefold() not in {"csv", "xlsx"}:
                problems.append(Problem("program.yaml", None, key, f"found {shown(entry)}; expected an earlier cohort folder "
                                        "or a pairs*.csv / pairs*.xlsx file"))
                continue
            pairs_path, people_dir = path, path.parent
        else:
            problems.append(Problem("program.yaml", None, key, f"found {shown(entry)}; no such folder or file "
                                    "(paths are relative to the cohort folder)"))
            continue
        frame, found = _read_pairs(pairs_path, f"{entry.rstrip('/')}/{pairs_path.name}" if path.is_dir() else entry)
        problems += found
        if frame is None:
            continue
        frames.append(pd.DataFrame({"mentor_id": frame["mentor_id"], "mentee_id": frame["mentee_id"], "cycle": k,
                                    "source": entry}).dropna(subset=["mentor_id", "mentee_id"]))
        if k == last:
            ids = _people_ids(people_dir)
            if ids is not None:
                paired = set(frame["mentor_id"].dropna()) | set(frame["mentee_id"].dropna())
                unmatched = frozenset(ids - paired)
    history = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["mentor_id", "mentee_id", "cycle", "source"])
    return history, unmatched, problems
