"""Which pairs may be formed: the program's rules, the facilitator's decisions and the mentors' capacity.

Rules (``pairing.rules`` in ``program.yaml``), each a mentors × mentees mask of the pairs it forbids:

``different_department``
    a mentor and a mentee of the same department (both known; compared ignoring case and surrounding spaces).
``no_reporting_line``
    one is the other's ``manager_id``.
``max_timezone_gap``
    their UTC offsets differ by more than this many hours (``|tz_mentor − tz_mentee|``); a pair with an unknown
    timezone is allowed.

Decisions (``decisions.csv``, read in order, the latest last): ``lock`` makes a pair obligatory, ``forbid`` makes it
impossible; the latest ``lock`` or ``forbid`` on a pair wins; ``unlock`` undoes a standing lock and ``unforbid`` a
standing forbid (either does nothing otherwise); ``publish`` rows are ignored.

How they combine (a decision of the design, documented in the README):

- a facilitator's **lock wins over the program's rules**: the pair is formed and reported with a warning naming
  the rule it overrides (a lock is an explicit decision about two people; a rule is a default for everyone);
- a **forbid wins over everything** but a later lock on the same pair;
- a mentor's ``capacity`` (default 1; 0 = not taking a mentee this cycle) is never exceeded and a mentee has one
  mentor: locks that break either are contradictory and raise :class:`~rmkit.errors.InfeasibleError`.

A pair is *allowed* when it is locked, or when no active rule and no standing forbid forbids it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from ..cohort.config import PairingRules
from ..errors import InfeasibleError
from .compatibility import id_text
from .composition import composition_violations

__all__ = [
    "RULES",
    "DECISION_ACTIONS",
    "Constraints",
    "rule_violations",
    "standing_decisions",
    "build_constraints",
    "rule_label",
]

RULES = ("different_department", "no_reporting_line", "max_timezone_gap", "mentor_more_junior", "min_level_gap",
         "no_reporting_chain", "different_generation", "repeat_pair")
DECISION_ACTIONS = ("lock", "forbid", "unlock", "unforbid", "publish")


def rule_label(rule: str, rules: PairingRules | None = None) -> str:
    """Plain words for a rule, as used in explanations.

    Examples
    --------
    >>> rule_label("different_department"), rule_label("max_timezone_gap", PairingRules(max_timezone_gap=3))
    ('same department', 'timezone gap over 3 h')
    """
    if rule == "different_department":
        return "same department"
    if rule == "no_reporting_line":
        return "reporting line"
    if rule == "max_timezone_gap":
        gap = rules.max_timezone_gap if rules is not None else None
        return f"timezone gap over {gap:g} h" if gap is not None else "timezone gap"
    if rule == "mentor_more_junior":
        return "mentor not more junior"
    if rule == "min_level_gap":
        gap = rules.min_level_gap if rules is not None else None
        return f"levels fewer than {gap} apart" if gap is not None else "level gap"
    if rule == "no_reporting_chain":
        return "reporting chain"
    if rule == "different_generation":
        return "same generation"
    if rule == "repeat_pair":
        return "paired in an earlier cycle"
    if rule == "decision":
        return "forbidden by the facilitator"
    raise ValueError(f"unknown rule {rule!r}; rules: {', '.join(RULES)}")


def _key_codes(left: pd.Series, right: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Integer codes of two text columns over one vocabulary (trimmed, inner spaces collapsed, case folded);
    an empty or missing value gets -1."""
    both = pd.concat([left.reset_index(drop=True), right.reset_index(drop=True)], ignore_index=True)
    raw_codes, spellings = pd.factorize(both)
    keys = pd.Series([" ".join(str(v).split()).casefold() for v in spellings], dtype=object)
    codes = np.append(np.asarray(pd.factorize(keys.where(keys != "", None))[0]), -1)[raw_codes]
    return codes[: len(left)], codes[len(left):]


def _get(frame: pd.DataFrame, name: str) -> pd.Series:
    if name in frame.columns:
        return frame[name]
    return pd.Series([None] * len(frame), index=frame.index, dtype=object)


def rule_violations(mentors: pd.DataFrame, mentees: pd.DataFrame, rules: PairingRules, *, levels: Sequence[str] = (),
                    history: pd.DataFrame | None = None) -> dict[str, np.ndarray]:
    """For each active rule, the mentors × mentees mask of pairs it forbids (True = forbidden).

    Parameters
    ----------
    mentors, mentees : pandas.DataFrame
        In the order of the rows and columns wanted; columns ``person_id`` and, as the rules need them,
        ``department``, ``manager_id`` and ``timezone``.
    rules : PairingRules
        ``pairing.rules``.
    levels : sequence of str
        ``program.yaml: levels``, most junior first (for ``mentor_more_junior`` and ``min_level_gap``).
    history : pandas.DataFrame, optional
        Pairs of earlier cycles to rule out (``repeat_pair``); ``None`` when repeats are allowed.

    The rules of :mod:`rmkit.pairing.composition` follow the three of this module.

    Examples
    --------
    >>> mentors = pd.DataFrame({"person_id": ["m1", "m2"], "department": ["IT", "Sales"], "manager_id": ["e2", None],
    ...                         "timezone": [0.0, None]})
    >>> mentees = pd.DataFrame({"person_id": ["e1", "e2"], "department": ["it ", "HR"], "manager_id": [None, None],
    ...                         "timezone": [5.5, 1.0]})
    >>> masks = rule_violations(mentors, mentees, PairingRules(different_department=True, max_timezone_gap=3))
    >>> {rule: mask.astype(int).tolist() for rule, mask in masks.items()}
    {'different_department': [[1, 0], [0, 0]], 'no_reporting_line': [[0, 1], [0, 0]], 'max_timezone_gap': [[1, 0], [0, 0]]}
    """
    n_m, n_e = len(mentors), len(mentees)
    out: dict[str, np.ndarray] = {}
    if rules.different_department:
        dm, de = _key_codes(_get(mentors, "department"), _get(mentees, "department"))
        out["different_department"] = (dm[:, None] == de[None, :]) & (dm >= 0)[:, None]
    if rules.no_reporting_line:
        # positions instead of ids: the mentee position of each mentor's manager, and vice versa (-1: none)
        mentee_pos = {pid: k for k, pid in enumerate(_text_ids(mentees["person_id"]))}
        mentor_pos = {pid: k for k, pid in enumerate(_text_ids(mentors["person_id"]))}
        boss_of_m = np.array([mentee_pos.get(v, -1) if v is not None else -1 for v in _text_ids(_get(mentors, "manager_id"))], dtype=np.int64)
        boss_of_e = np.array([mentor_pos.get(v, -1) if v is not None else -1 for v in _text_ids(_get(mentees, "manager_id"))], dtype=np.int64)
        out["no_reporting_line"] = (boss_of_m[:, None] == np.arange(n_e)[None, :]) | (np.arange(n_m)[:, None] == boss_of_e[None, :])
    if rules.max_timezone_gap is not None:
        tm = pd.to_numeric(_get(mentors, "timezone"), errors="coerce").to_numpy(dtype=float)
        te = pd.to_numeric(_get(mentees, "timezone"), errors="coerce").to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            gap = np.abs(tm[:, None] - te[None, :])
        out["max_timezone_gap"] = np.nan_to_num(gap, nan=0.0) > rules.max_timezone_gap
    out.update(composition_violations(mentors, mentees, rules, levels=levels, history=history))
    for name, mask in out.items():
        out[name] = np.asarray(mask, dtype=bool).reshape(n_m, n_e)
    return out


def _text_ids(column: pd.Series) -> list[str | None]:
    return [id_text(v) for v in column]


def id_positions(people: pd.DataFrame) -> dict[str | None, int]:
    """``person_id`` (as text) → row position."""
    return {pid: k for k, pid in enumerate(_text_ids(people["person_id"]))}



def standing_decisions(decisions: pd.DataFrame | None, *, rows: Sequence[int] | None = None) -> pd.DataFrame:
    """The decisions in force: one row per pair whose latest lock or forbid has not been undone.

    Parameters
    ----------
    decisions : pandas.DataFrame or None
        The decision log (columns ``action``, ``mentor_id``, ``mentee_id``; ``at``, ``by``, ``note`` optional).
        Rows are ordered by ``at`` (rows without one first; equal times keep their order), as
        :func:`rmkit.cohort.load_cohort` orders them. Not modified.
    rows : sequence of int, optional
        The spreadsheet row of each log entry, carried into the result (``row``) for error messages.

    Returns
    -------
    pandas.DataFrame
        Columns ``mentor_id``, ``mentee_id``, ``action`` (``lock`` or ``forbid``), ``at``, ``by``, ``note``, ``row``;
        sorted by mentor_id, mentee_id.

    Examples
    --------
    >>> log = pd.DataFrame({"action": ["lock", "forbid", "lock", "unlock", "forbid", "unlock", "publish"],
    ...                     "mentor_id": ["m1", "m1", "m2", "m2", "m3", "m3", None],
    ...                     "mentee_id": ["e1", "e2", "e2", "e2", "e3", "e3", None]})
    >>> standing_decisions(log)[["mentor_id", "mentee_id", "action"]]
      mentor_id mentee_id  action
    0        m1        e1    lock
    1        m1        e2  forbid
    2        m3        e3  forbid
    """
    columns = ["mentor_id", "mentee_id", "action", "at", "by", "note", "row"]
    if decisions is None or len(decisions) == 0:
        return pd.DataFrame({c: pd.Series([], dtype=object) for c in columns})
    if "action" not in decisions.columns:
        raise ValueError("decisions need an 'action' column")
    log = decisions.reset_index(drop=True)
    row_numbers = list(rows) if rows is not None else [None] * len(log)
    if len(row_numbers) != len(log):
        raise ValueError("rows must give one spreadsheet row per decision")
    if "at" in log.columns:
        # the cohort's order: rows without a time first, then by time; equal times keep their order
        at = pd.to_datetime(log["at"], utc=True, errors="coerce", format="ISO8601")
        keyed = pd.DataFrame({"timed": at.notna().astype(int), "at": at})
        order = keyed.sort_values(["timed", "at"], kind="stable", na_position="first").index.to_numpy()
        log = log.iloc[order].reset_index(drop=True)
        row_numbers = [row_numbers[k] for k in order]
    state: dict[tuple[str, str], dict[str, Any]] = {}
    for k, record in enumerate(log.to_dict("records")):
        action = str(record.get("action") or "").strip().casefold()
        if action not in DECISION_ACTIONS:
            raise ValueError(f"unknown decision {record.get('action')!r}; allowed: {', '.join(DECISION_ACTIONS)}")
        if action == "publish":
            continue
        mentor, mentee = id_text(record.get("mentor_id")), id_text(record.get("mentee_id"))
        if mentor is None or mentee is None:
            raise ValueError(f"a {action} decision names both mentor_id and mentee_id")
        key = (mentor, mentee)
        current = state.get(key)
        if action in {"lock", "forbid"}:
            state[key] = {"mentor_id": mentor, "mentee_id": mentee, "action": action, "at": record.get("at"),
                          "by": record.get("by"), "note": record.get("note"), "row": row_numbers[k]}
        elif current is not None and current["action"] == action[2:]:  # unlock undoes lock, unforbid undoes forbid
            del state[key]
    out = pd.DataFrame(list(state.values()), columns=columns)
    return out.sort_values(["mentor_id", "mentee_id"], kind="stable").reset_index(drop=True)


@dataclass(frozen=True, eq=False)
class Constraints:
    """Everything that limits the pairs, as arrays over mentors × mentees (rows and columns in ``person_id`` order).

    Attributes
    ----------
    violations : dict
        Active rule → mask of the pairs it forbids.
    forbidden : numpy.ndarray
        Pairs with a standing ``forbid``.
    locked : numpy.ndarray
        Pairs with a standing ``lock``.
    capacity : numpy.ndarray
        Each mentor's capacity (int; empty counts as 1).
    allowed : numpy.ndarray
        ``locked | ~(any rule | forbidden)``.
    decisions : pandas.DataFrame
        The standing decisions (see :func:`standing_decisions`).
    overrides : pandas.DataFrame
        Locked pairs that a rule would forbid: mentor_id, mentee_id, rules (labels).
    rules : PairingRules
        The rules applied.
    """

    violations: Mapping[str, np.ndarray]
    forbidden: np.ndarray
    locked: np.ndarray
    capacity: np.ndarray
    allowed: np.ndarray
    decisions: pd.DataFrame
    overrides: pd.DataFrame
    rules: PairingRules

    @cached_property
    def by_rules(self) -> np.ndarray:
        """Pairs that some active rule forbids (read-only; computed once)."""
        mask = np.zeros(self.allowed.shape, dtype=bool)
        for violation in self.violations.values():
            mask |= violation
        mask.setflags(write=False)
        return mask


def build_constraints(
    mentors: pd.DataFrame,
    mentees: pd.DataFrame,
    rules: PairingRules,
    decisions: pd.DataFrame | None = None,
    *,
    violations: Mapping[str, np.ndarray] | None = None,
    rows: Sequence[int] | None = None,
    ruled_out: np.ndarray | None = None,
    positions: tuple[Mapping[str | None, int], Mapping[str | None, int]] | None = None,
) -> Constraints:
    """Combine rules, decisions and capacities into :class:`Constraints`.

    Parameters
    ----------
    mentors, mentees : pandas.DataFrame
        In row and column order (``person_id`` order in rmkit); mentors may have ``capacity`` (empty = 1).
    rules : PairingRules
        ``pairing.rules``.
    decisions : pandas.DataFrame, optional
        The decision log (see :func:`standing_decisions`).
    violations : mapping, optional
        Masks from :func:`rule_violations`, when already computed (re-solving after a decision is then cheap).
    rows : sequence of int, optional
        Spreadsheet rows of the decisions, for error messages.
    ruled_out : numpy.ndarray, optional
        The union of ``violations`` (:attr:`Constraints.by_rules` of the same rules), when already computed.
    positions : pair of mappings, optional
        :func:`id_positions` of the mentors and of the mentees, when already computed.

    Raises
    ------
    InfeasibleError
        When standing locks give a mentee two mentors or a mentor more mentees than their capacity.
    ValueError
        When a decision names a person who is not a mentor (mentor_id) or a mentee (mentee_id).

    Examples
    --------
    >>> mentors = pd.DataFrame({"person_id": ["m1", "m2"], "department": ["IT", "HR"], "capacity": [1, 0]})
    >>> mentees = pd.DataFrame({"person_id": ["e1"], "department": ["IT"]})
    >>> log = pd.DataFrame({"action": ["lock"], "mentor_id": ["m1"], "mentee_id": ["e1"]})
    >>> c = build_constraints(mentors, mentees, PairingRules(different_department=True), log)
    >>> c.allowed.tolist(), c.capacity.tolist(), c.overrides["rules"].tolist()
    ([[True], [True]], [1, 0], ['same department'])
    """
    n_m, n_e = len(mentors), len(mentees)
    if violations is None:
        violations = rule_violations(mentors, mentees, rules)
    if ruled_out is None:
        by_rules = np.zeros((n_m, n_e), dtype=bool)
        for mask in violations.values():
            by_rules |= mask
    else:
        by_rules = ruled_out
    capacity = _capacity(mentors)
    standing = standing_decisions(decisions, rows=rows)
    if positions is None:
        positions = id_positions(mentors), id_positions(mentees)
    mentor_pos, mentee_pos = positions
    unknown = [f"{r.action} {r.mentor_id}–{r.mentee_id}" for r in standing.itertuples()
               if r.mentor_id not in mentor_pos or r.mentee_id not in mentee_pos]
    if unknown:
        raise ValueError("decisions name people who are not a mentor and a mentee of the cohort: " + "; ".join(unknown[:5]))
    i = standing["mentor_id"].map(mentor_pos).to_numpy(dtype=np.int64)
    j = standing["mentee_id"].map(mentee_pos).to_numpy(dtype=np.int64)
    is_lock = (standing["action"] == "lock").to_numpy()
    locked = np.zeros((n_m, n_e), dtype=bool)
    forbidden = np.zeros((n_m, n_e), dtype=bool)
    locked[i[is_lock], j[is_lock]] = True
    forbidden[i[~is_lock], j[~is_lock]] = True
    _check_locks(standing[is_lock], locked, capacity, mentors, mentees)
    allowed = locked | ~(by_rules | forbidden)
    override_rows = []
    lock_i, lock_j = i[is_lock], j[is_lock]  # one standing decision per pair: the locked cells, without a scan
    order = np.lexsort((lock_j, lock_i))
    lock_i, lock_j = lock_i[order], lock_j[order]
    overriding = by_rules[lock_i, lock_j]
    for a, b in zip(lock_i[overriding].tolist(), lock_j[overriding].tolist(), strict=True):
        labels = [rule_label(name, rules) for name, mask in violations.items() if mask[a, b]]
        override_rows.append({"mentor_id": str(mentors["person_id"].iloc[a]), "mentee_id": str(mentees["person_id"].iloc[b]),
                              "rules": ", ".join(labels)})
    overrides = pd.DataFrame(override_rows, columns=["mentor_id", "mentee_id", "rules"])
    for array in (locked, forbidden, allowed, capacity, by_rules):
        array.setflags(write=False)
    constraints = Constraints(dict(violations), forbidden, locked, capacity, allowed, standing, overrides, rules)
    constraints.__dict__["by_rules"] = by_rules
    return constraints


def _capacity(mentors: pd.DataFrame) -> np.ndarray:
    if "capacity" not in mentors.columns:
        return np.ones(len(mentors), dtype=np.int64)
    values = pd.to_numeric(mentors["capacity"], errors="coerce").astype("Float64")
    if (values.dropna() < 0).any() or (values.dropna() % 1 != 0).any():
        raise ValueError("capacity must be a whole number, 0 or more")
    return values.fillna(1).to_numpy(dtype=np.int64)


def _check_locks(locks: pd.DataFrame, locked: np.ndarray, capacity: np.ndarray, mentors: pd.DataFrame, mentees: pd.DataFrame) -> None:
    lines = []

    def where(frame: pd.DataFrame) -> str:
        rows = [str(int(r)) for r in frame["row"] if r is not None and not pd.isna(r)]
        return f" (decisions rows {', '.join(rows)})" if rows else ""

    for b in np.nonzero(locked.sum(axis=0) > 1)[0]:
        mentee = str(mentees["person_id"].iloc[b])
        mine = locks[locks["mentee_id"] == mentee]
        lines.append(f"mentee {mentee} is locked with {len(mine)} mentors ({', '.join(mine['mentor_id'])}){where(mine)}; "
                     "a mentee has one mentor: unlock all but one")
    counts = locked.sum(axis=1)
    for a in np.nonzero(counts > capacity)[0]:
        mentor = str(mentors["person_id"].iloc[a])
        mine = locks[locks["mentor_id"] == mentor]
        lines.append(f"mentor {mentor} is locked with {counts[a]} mentees ({', '.join(mine['mentee_id'])}){where(mine)} "
                     f"but has capacity {capacity[a]}: unlock some or raise the capacity in participants")
    if lines:
        raise InfeasibleError("contradictory locks in the decisions:\n  " + "\n  ".join(lines))


def check_feasible(c: Constraints, shape: tuple[int, int]) -> None:
    """Raise :class:`~rmkit.errors.InfeasibleError` when not a single pair can be formed."""
    n_m, n_e = shape
    if n_m == 0 or n_e == 0:
        missing = "mentors" if n_m == 0 else "mentees"
        raise InfeasibleError(f"nothing to pair: the cohort has no {missing}")
    if c.locked.any() or (c.allowed & (c.capacity > 0)[:, None]).any():
        return
    lines = [f"no pair can be formed among {n_m} mentors and {n_e} mentees:"]
    open_rows = c.capacity > 0
    if not open_rows.any():
        lines.append("  every mentor has capacity 0")
    else:
        cells = int(open_rows.sum()) * n_e
        for name, mask in c.violations.items():
            count = int(mask[open_rows].sum())
            if count:
                lines.append(f"  {rule_label(name, c.rules)} rules out {count} of {cells} pairs")
        forbids = int(c.forbidden[open_rows].sum())
        if forbids:
            lines.append(f"  the facilitator forbade {forbids} of {cells} pairs")
        if (c.capacity == 0).any():
            lines.append(f"  {int((c.capacity == 0).sum())} mentor(s) have capacity 0")
    lines.append("relax pairing.rules in program.yaml or undo some forbid decisions")
    raise InfeasibleError("\n".join(lines))

