"""Shortlists for self-selection: each mentee's best allowed mentors, so that the mentee can choose.

A shortlist is not a pairing: it lists, for every mentee, the ``n`` mentors with the highest compatibility among
those the pairing could give them, with the score and the reasons in plain words. The mentee's picks come back as
``preferences.csv`` (ranks) or as ``lock`` decisions, through the same commands. **A mentor's capacity is not
promised by a shortlist**: a mentor with one place may appear on many mentees' shortlists, and the pairing decides.

Which mentors a mentee's shortlist holds (a decision of the design, in the README):

- only pairs the pairing may form: the program's rules and the facilitator's standing ``forbid`` decisions are
  respected, and mentors with capacity 0 (not taking a mentee this cycle) are left out;
- a **locked mentee** has one row: the mentor they are locked with (rank 1, reasons starting "locked by the
  facilitator"), because the pair is already decided and offering other mentors would contradict the lock;
- a mentor whose every place is taken by locks is left off the other mentees' shortlists (there is no place left
  for them to choose);
- ties in score are broken by mentor ``person_id``; a mentee with fewer allowed mentors than ``n`` gets them all,
  and a mentee with none gets no row (:func:`shortlist_gaps` lists them).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .explain import describe_overlap, overlap_of
from .problem import PairingProblem

__all__ = ["SHORTLIST_COLUMNS", "shortlist", "shortlist_candidates", "shortlist_gaps"]

SHORTLIST_COLUMNS = ("mentee_id", "rank", "mentor_id", "score", "reasons")
"""Columns of a shortlist (``rmkit pair --shortlist N --out SHORTLIST.csv``)."""


def shortlist_candidates(problem: PairingProblem) -> np.ndarray:
    """The mentors × mentees mask of the pairs a shortlist may offer (see the module notes).

    Examples
    --------
    >>> people = pd.DataFrame({"person_id": ["m1", "m2", "e1", "e2"], "role": ["mentor", "mentor", "mentee", "mentee"],
    ...                        "capacity": [1, 0, None, None]})
    >>> from rmkit.pairing import prepare_pairing
    >>> log = pd.DataFrame({"action": ["lock"], "mentor_id": ["m1"], "mentee_id": ["e1"]})
    >>> shortlist_candidates(prepare_pairing(people, decisions=log)).astype(int).tolist()
    [[1, 0], [0, 0]]
    """
    c = problem.constraints
    locked = np.asarray(c.locked, dtype=bool)
    remaining = np.asarray(c.capacity, dtype=np.int64) - locked.sum(axis=1)
    candidates = np.asarray(c.allowed, dtype=bool) & (remaining > 0)[:, None] & ~locked
    locked_mentees = locked.any(axis=0)
    candidates[:, locked_mentees] = False
    return candidates | locked


def shortlist(problem: PairingProblem, n: int) -> pd.DataFrame:
    """Each mentee's ``n`` best allowed mentors by compatibility.

    Parameters
    ----------
    problem : PairingProblem
        From :func:`~rmkit.pairing.prepare_pairing` (rules, decisions and capacities are taken from it).
    n : int
        How many mentors per mentee (1 or more).

    Returns
    -------
    pandas.DataFrame
        :data:`SHORTLIST_COLUMNS`: ``mentee_id``, ``rank`` (1 = the highest score), ``mentor_id``, ``score`` (the
        cell of the compatibility matrix), ``reasons`` ("the mentor"/"the mentee", no names); by mentee, then rank.

    Examples
    --------
    >>> from rmkit.pairing import prepare_pairing
    >>> people = pd.DataFrame({"person_id": ["m1", "m2", "m3", "e1"], "role": ["mentor"] * 3 + ["mentee"],
    ...                        "offers": ["AI tools", "AI tools; video", "finance", ""], "wants": ["", "", "", "AI tools; video"]})
    >>> shortlist(prepare_pairing(people), 2)[["rank", "mentor_id", "score"]].values.tolist()
    [[1, 'm2', 0.5], [2, 'm1', 0.25]]
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 1:
        raise ValueError(f"a shortlist needs n >= 1 mentors per mentee; found {n!r}")
    candidates = shortlist_candidates(problem)
    score = problem.score
    n_m, n_e = score.shape
    # per mentee (column): highest score first, ties by mentor position (= person_id order)
    keyed = np.where(candidates, score, -np.inf)
    order = np.lexsort((np.broadcast_to(np.arange(n_m)[:, None], (n_m, n_e)), -keyed), axis=0)[: int(n)]
    rows = []
    index_m, index_e = problem.terms
    locked = problem.constraints.locked
    for j in range(n_e):
        chosen = [int(i) for i in order[:, j] if candidates[i, j]]  # the candidates sort first
        for rank, i in enumerate(chosen, start=1):
            reasons = describe_overlap(overlap_of(index_m, index_e, i, j), locked=bool(locked[i, j]))
            rows.append((problem.mentee_ids[j], rank, problem.mentor_ids[i], float(score[i, j]), reasons))
    out = pd.DataFrame(rows, columns=list(SHORTLIST_COLUMNS))
    out["rank"] = out["rank"].astype(np.int64)
    out["score"] = out["score"].astype(float)
    for column in ("mentee_id", "mentor_id", "reasons"):
        out[column] = out[column].astype(object)
    return out


def shortlist_gaps(problem: PairingProblem, table: pd.DataFrame, n: int) -> pd.DataFrame:
    """Mentees whose shortlist is shorter than ``n`` (locked mentees excepted): ``mentee_id``, ``offered``.

    Examples
    --------
    >>> from rmkit.pairing import prepare_pairing
    >>> people = pd.DataFrame({"person_id": ["m1", "e1", "e2"], "role": ["mentor", "mentee", "mentee"]})
    >>> problem = prepare_pairing(people)
    >>> shortlist_gaps(problem, shortlist(problem, 2), 2).values.tolist()
    [['e1', 1], ['e2', 1]]
    """
    counts = table.groupby("mentee_id").size() if len(table) else pd.Series(dtype=np.int64)
    locked = problem.constraints.locked.any(axis=0)
    rows = [(pid, int(counts.get(pid, 0))) for j, pid in enumerate(problem.mentee_ids)
            if not locked[j] and int(counts.get(pid, 0)) < n]
    return pd.DataFrame(rows, columns=["mentee_id", "offered"])
