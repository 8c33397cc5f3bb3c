"""Reverse-mentoring and composition rules, earlier cycles, and why a rule rules a pair out.

The rules of ``pairing.rules`` beyond department, manager and timezone:

``mentor_more_junior``
    the mentor's level is below the mentee's (``program.yaml: levels``, most junior first) — the defining rule of
    reverse mentoring;
``min_level_gap: N``
    the two levels are at least N steps apart (either way; add ``mentor_more_junior`` for the direction);
``no_reporting_chain``
    neither is anywhere above the other in the ``manager_id`` chain (a manager's manager counts, and so on up);
``different_generation``
    the two have different ``generation`` values (ignoring case and spaces; an empty one never matches).

A person whose level is empty or not in ``levels`` cannot be judged, so a level rule rules out all their pairs
(validation reports the level first). ``repeat_pair`` (``pairing.repeat_pairs: forbid``, the default) rules out
the pairs of earlier cycles (``pairing.history``).

:func:`why_ruled_out` says, for one pair, each rule that removes it, naming people by ``person_id`` ("ruled out:
p12 is above p40 in the reporting chain"), as exports must.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..cohort.config import PairingRules
from .compatibility import id_text

__all__ = ["composition_violations", "why_ruled_out", "level_positions", "chain_above", "repeat_mask"]


def _key(value: object) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    text = " ".join(str(value).split()).casefold()
    return text or None


def _column(frame: pd.DataFrame, name: str) -> list[object]:
    return list(frame[name]) if name in frame.columns else [None] * len(frame)


def level_positions(people: pd.DataFrame, levels: Sequence[str]) -> np.ndarray:
    """Each person's position in ``levels`` (0 = most junior), -1 when empty or unknown.

    Examples
    --------
    >>> level_positions(pd.DataFrame({"level": ["Manager", " analyst", "ceo", None]}), ["analyst", "manager"]).tolist()
    [1, 0, -1, -1]
    """
    index = {_key(v): k for k, v in enumerate(levels)}
    return np.array([index.get(_key(v), -1) if _key(v) is not None else -1 for v in _column(people, "level")], dtype=np.int64)


def chain_above(people: pd.DataFrame) -> dict[str, set[str]]:
    """Everyone above each person in the ``manager_id`` chain (a cycle stops the walk).

    Examples
    --------
    >>> sorted(chain_above(pd.DataFrame({"person_id": ["a", "b", "c"], "manager_id": [None, "a", "b"]}))["c"])
    ['a', 'b']
    """
    boss = {id_text(p): id_text(m) for p, m in zip(_column(people, "person_id"), _column(people, "manager_id"), strict=True)}
    above: dict[str, set[str]] = {}
    for person in boss:
        seen: set[str] = set()
        node = boss.get(person)
        while node is not None and node not in seen and node != person:
            seen.add(node)
            node = boss.get(node)
        above[person] = seen
    return above


def repeat_mask(mentors: pd.DataFrame, mentees: pd.DataFrame, history: pd.DataFrame | None) -> np.ndarray:
    """Pairs that were formed in an earlier cycle (``history``: mentor_id, mentee_id)."""
    mask = np.zeros((len(mentors), len(mentees)), dtype=bool)
    if history is None or len(history) == 0:
        return mask
    pos_m = {id_text(p): k for k, p in enumerate(mentors["person_id"])}
    pos_e = {id_text(p): k for k, p in enumerate(mentees["person_id"])}
    for m, e in zip(history["mentor_id"], history["mentee_id"], strict=True):
        a, b = pos_m.get(id_text(m)), pos_e.get(id_text(e))
        if a is not None and b is not None:
            mask[a, b] = True
    return mask


def composition_violations(mentors: pd.DataFrame, mentees: pd.DataFrame, rules: PairingRules, *,
                           levels: Sequence[str] = (), history: pd.DataFrame | None = None,
                           others: pd.DataFrame | None = None) -> dict[str, np.ndarray]:
    """Masks (True = forbidden) of the active rules of this module and of ``repeat_pair`` when ``history`` is given.

    ``others``: people outside both tables who may sit in the manager chain (default none).

    Examples
    --------
    >>> mentors = pd.DataFrame({"person_id": ["m1", "m2"], "level": ["analyst", "manager"], "manager_id": ["e1", None],
    ...                         "generation": ["Gen Z", "Gen X"]})
    >>> mentees = pd.DataFrame({"person_id": ["e1"], "level": ["director"], "manager_id": ["e9"], "generation": ["gen x"]})
    >>> rules = PairingRules(mentor_more_junior=True, min_level_gap=2, no_reporting_chain=True, different_generation=True)
    >>> masks = composition_violations(mentors, mentees, rules, levels=["analyst", "manager", "director"])
    >>> {name: mask.astype(int).tolist() for name, mask in masks.items()}
    {'mentor_more_junior': [[0], [0]], 'min_level_gap': [[0], [1]], 'no_reporting_chain': [[1], [0]], 'different_generation': [[0], [1]]}
    """
    n_m, n_e = len(mentors), len(mentees)
    out: dict[str, np.ndarray] = {}
    if rules.uses_levels:
        lm, le = level_positions(mentors, levels), level_positions(mentees, levels)
        unknown = (lm < 0)[:, None] | (le < 0)[None, :]
        if rules.mentor_more_junior:
            out["mentor_more_junior"] = unknown | (lm[:, None] >= le[None, :])
        if rules.min_level_gap is not None:
            out["min_level_gap"] = unknown | (np.abs(lm[:, None] - le[None, :]) < rules.min_level_gap)
    if rules.no_reporting_chain:
        people = pd.concat([f for f in (mentors, mentees, others) if f is not None], ignore_index=True)
        above = chain_above(people)
        pos_m = {id_text(p): k for k, p in enumerate(mentors["person_id"])}
        pos_e = {id_text(p): k for k, p in enumerate(mentees["person_id"])}
        mask = np.zeros((n_m, n_e), dtype=bool)
        for person, bosses in above.items():
            for boss in bosses:
                if person in pos_m and boss in pos_e:
                    mask[pos_m[person], pos_e[boss]] = True
                elif person in pos_e and boss in pos_m:
                    mask[pos_m[boss], pos_e[person]] = True
        out["no_reporting_chain"] = mask
    if rules.different_generation:
        gm = np.array([_key(v) or "" for v in _column(mentors, "generation")], dtype=object)
        ge = np.array([_key(v) or "" for v in _column(mentees, "generation")], dtype=object)
        out["different_generation"] = (gm[:, None] == ge[None, :]) & (gm != "")[:, None]
    if history is not None:
        out["repeat_pair"] = repeat_mask(mentors, mentees, history)
    return {name: np.asarray(mask, dtype=bool).reshape(n_m, n_e) for name, mask in out.items()}


def _text(value: object) -> str:
    key = _key(value)
    return " ".join(str(value).split()) if key is not None else "no value"


def why_ruled_out(mentors: pd.DataFrame, mentees: pd.DataFrame, rules: PairingRules, violations: dict[str, np.ndarray],
                  i: int, j: int, *, levels: Sequence[str] = (), history: pd.DataFrame | None = None,
                  others: pd.DataFrame | None = None, forbidden: bool = False) -> list[str]:
    """One sentence per rule (or decision) that removes the pair of mentor ``i`` and mentee ``j``.

    Examples
    --------
    >>> mentors = pd.DataFrame({"person_id": ["p40"], "manager_id": ["p30"], "department": ["IT"]})
    >>> mentees = pd.DataFrame({"person_id": ["p12"], "manager_id": [None], "department": ["it"]})
    >>> everyone = pd.DataFrame({"person_id": ["p30"], "manager_id": ["p12"]})
    >>> rules = PairingRules(no_reporting_chain=True, different_department=True)
    >>> masks = {"different_department": [[True]], **composition_violations(mentors, mentees, rules, others=everyone)}
    >>> why_ruled_out(mentors, mentees, rules, masks, 0, 0, others=everyone)
    ['ruled out: p40 and p12 are both in IT', 'ruled out: p12 is above p40 in the reporting chain']
    """
    m_row, e_row = mentors.iloc[i], mentees.iloc[j]
    m, e = id_text(m_row["person_id"]), id_text(e_row["person_id"])
    out = []
    for name, mask in violations.items():
        if not np.asarray(mask)[i][j]:
            continue
        if name == "different_department":
            out.append(f"ruled out: {m} and {e} are both in {_text(m_row.get('department'))}")
        elif name == "no_reporting_line":
            boss, report = (e, m) if id_text(m_row.get("manager_id")) == e else (m, e)
            out.append(f"ruled out: {boss} is {report}'s manager")
        elif name == "max_timezone_gap":
            gap = abs(float(m_row.get("timezone")) - float(e_row.get("timezone")))
            out.append(f"ruled out: {m} and {e} are {gap:g} h apart (more than {rules.max_timezone_gap:g} h)")
        elif name in ("mentor_more_junior", "min_level_gap"):
            lm, le = _text(m_row.get("level")), _text(e_row.get("level"))
            pm, pe = (level_positions(pd.DataFrame({"level": [v]}), levels)[0] for v in (m_row.get("level"), e_row.get("level")))
            if pm < 0 or pe < 0:
                out.append(f"ruled out: the level of {m if pm < 0 else e} ({lm if pm < 0 else le}) is not one of program.yaml's levels")
            elif name == "mentor_more_junior":
                out.append(f"ruled out: mentor {m} ({lm}) is not more junior than mentee {e} ({le})")
            else:
                out.append(f"ruled out: {m} ({lm}) and {e} ({le}) are {abs(pe - pm)} level(s) apart, fewer than {rules.min_level_gap}")
        elif name == "no_reporting_chain":
            people = pd.concat([f for f in (mentors, mentees, others) if f is not None], ignore_index=True)
            boss, report = (e, m) if e in chain_above(people).get(m, set()) else (m, e)
            out.append(f"ruled out: {boss} is above {report} in the reporting chain")
        elif name == "different_generation":
            out.append(f"ruled out: {m} and {e} are both {_text(m_row.get('generation'))}")
        elif name == "repeat_pair":
            sources = []
            if history is not None and len(history):
                hit = history[(history["mentor_id"].map(id_text) == m) & (history["mentee_id"].map(id_text) == e)]
                sources = sorted({str(s) for s in hit.get("source", [])})
            where = f" ({', '.join(sources)})" if sources else ""
            out.append(f"ruled out: {m} and {e} were paired in an earlier cycle{where}")
    if forbidden:
        out.append("ruled out: forbidden by the facilitator")
    return out
