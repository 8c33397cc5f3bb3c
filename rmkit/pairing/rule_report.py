"""What the rules remove: pairs ruled out per rule (the diagnostics), and stated ranks the rules make void.

- :func:`rule_counts`: one row per active rule (and the facilitator's forbids) — how many of the possible pairs it
  rules out, and how many only it rules out (relaxing it alone would allow those);
- :func:`ranked_but_ruled_out`: each row of ``preferences.csv`` that ranks a partner the rules or a forbid exclude,
  as a warning located at ``preferences.csv:ROW:ranks`` (the rank is ignored; the rest of the list still counts).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..errors import Problem
from .compatibility import id_text
from .rules import rule_label

if TYPE_CHECKING:
    from ..cohort import Cohort
    from .problem import PairingProblem

__all__ = ["rule_counts", "ranked_but_ruled_out", "RULE_COUNT_COLUMNS"]

RULE_COUNT_COLUMNS = ("rule", "label", "pairs_ruled_out", "only_this_rule", "possible_pairs")


def rule_counts(problem: PairingProblem) -> pd.DataFrame:
    """Pairs each rule rules out, among all mentor × mentee pairs (locks not counted as exceptions).

    Examples
    --------
    >>> from rmkit.cohort import load_cohort
    >>> from rmkit.pairing import prepare_pairing
    >>> from rmkit.resources import example_cohort_dir
    >>> table = rule_counts(prepare_pairing(load_cohort(example_cohort_dir())))
    >>> list(table.columns) == list(RULE_COUNT_COLUMNS), bool((table["only_this_rule"] <= table["pairs_ruled_out"]).all())
    (True, True)
    """
    c = problem.constraints
    masks = dict(c.violations)
    if c.forbidden.any():
        masks["decision"] = c.forbidden
    stacked = np.stack(list(masks.values())) if masks else np.zeros((0, *c.allowed.shape), dtype=bool)
    hits = stacked.sum(axis=0) if len(stacked) else np.zeros(c.allowed.shape, dtype=int)
    rows = [{"rule": name, "label": rule_label(name, c.rules), "pairs_ruled_out": int(mask.sum()),
             "only_this_rule": int((mask & (hits == 1)).sum()), "possible_pairs": int(mask.size)}
            for name, mask in masks.items()]
    return pd.DataFrame(rows, columns=list(RULE_COUNT_COLUMNS))


def ranked_but_ruled_out(problem: PairingProblem, preferences: pd.DataFrame | None, *, rows: list[int] | None = None,
                         file: str = "preferences.csv") -> list[Problem]:
    """A warning per ranking of a partner whom the rules or the facilitator's forbids exclude.

    Examples
    --------
    >>> from rmkit.pairing import prepare_pairing
    >>> people = pd.DataFrame({"person_id": ["m1", "e1"], "role": ["mentor", "mentee"], "offers": ["x", "y"],
    ...                        "wants": ["y", "x"], "manager_id": [None, "m1"]})
    >>> prefs = pd.DataFrame({"person_id": ["e1"], "ranks": ["m1"], "rank": [1]})
    >>> for p in ranked_but_ruled_out(prepare_pairing(people, preferences=prefs), prefs, rows=[2]): print(p)
    preferences.csv:2:ranks: warning: e1 ranks m1 (rank 1), but ruled out: m1 is e1's manager; the rank is ignored
    """
    if preferences is None or len(preferences) == 0:
        return []
    c = problem.constraints
    pos_m = {p: k for k, p in enumerate(problem.mentor_ids)}
    pos_e = {p: k for k, p in enumerate(problem.mentee_ids)}
    out = []
    for k, (who, whom, rank) in enumerate(zip(preferences["person_id"], preferences["ranks"], preferences["rank"], strict=True)):
        who, whom = id_text(who), id_text(whom)
        if who in pos_m and whom in pos_e:
            mentor, mentee = who, whom
        elif who in pos_e and whom in pos_m:
            mentor, mentee = whom, who
        else:
            continue
        i, j = pos_m[mentor], pos_e[mentee]
        if c.allowed[i, j]:
            continue
        why = "; ".join(problem.why_not(mentor, mentee)) or "ruled out"
        rank_text = f" (rank {int(rank)})" if rank is not None and not pd.isna(rank) else ""
        out.append(Problem(file, rows[k] if rows is not None else None, "ranks",
                           f"{who} ranks {whom}{rank_text}, but {why}; the rank is ignored", "warning"))
    return out


def cohort_rank_warnings(cohort: Cohort) -> list[Problem]:
    """:func:`ranked_but_ruled_out` for a loaded cohort (its own preferences file and rows)."""
    if cohort.preferences is None or len(cohort.preferences) == 0:
        return []
    from .problem import prepare_pairing

    file = cohort.files["preferences"].name if "preferences" in cohort.files else "preferences.csv"
    return ranked_but_ruled_out(prepare_pairing(cohort, decisions=cohort.decisions), cohort.preferences,
                                rows=cohort.rows.get("preferences"), file=file)
