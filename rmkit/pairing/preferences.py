"""Stated preferences (``preferences.csv``) and deferred acceptance with capacities (hospital–resident).

:class:`StatedRanks` holds the ranks as two mentors × mentees matrices (0 = not ranked): ``by_mentor[i, j]`` is the
rank mentor ``i`` gave mentee ``j``, ``by_mentee[i, j]`` the rank mentee ``j`` gave mentor ``i``. Only the order of
a person's ranks matters (1, 2, 5 is the same as 1, 2, 3).

:func:`deferred_acceptance` is Gale–Shapley's algorithm for many-to-one matching (Roth 1984; Gusfield & Irving 1989,
§1.6): each free proposer proposes to the next partner on its list; a receiver holds the best proposals up to its
capacity and rejects the rest. The result is stable (no proposer and receiver who both prefer each other to what
they got, a free place counting as better than nothing) and the best stable matching for every proposer.
Mentee-proposing (the default, ``pairing.proposing: mentee``) is the resident-optimal matching of the
hospital–resident problem, with mentors as hospitals.

The full lists come from :func:`preference_order`: a person's ranked partners first (in their order), then the
unranked ones by compatibility (highest first; ties by position, i.e. ``person_id``); pairs the rules or the
facilitator forbid are never on a list; locked pairs are fixed first (their mentee leaves the market and their
mentor's capacity shrinks).
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .compatibility import id_text

__all__ = ["StatedRanks", "stated_ranks", "preference_order", "deferred_acceptance", "solve_preferences", "ordinal"]


@dataclass(frozen=True, eq=False)
class StatedRanks:
    """Ranks as stated: mentors × mentees, 0 where no rank was given."""

    by_mentor: np.ndarray
    by_mentee: np.ndarray

    @property
    def any(self) -> bool:
        return bool(self.by_mentor.any() or self.by_mentee.any())


def stated_ranks(preferences: pd.DataFrame | None, mentor_ids: list[str], mentee_ids: list[str]) -> StatedRanks:
    """The ranks of ``preferences.csv`` (person_id, ranks, rank) as matrices; rows naming someone outside the two
    lists, or two people of one role, are left out (validation reports them).

    Examples
    --------
    >>> prefs = pd.DataFrame({"person_id": ["e1", "e1", "m1"], "ranks": ["m2", "m1", "e1"], "rank": [1, 3, 2]})
    >>> r = stated_ranks(prefs, ["m1", "m2"], ["e1"])
    >>> r.by_mentee.tolist(), r.by_mentor.tolist()
    ([[3], [1]], [[2], [0]])
    """
    by_mentor = np.zeros((len(mentor_ids), len(mentee_ids)), dtype=np.int64)
    by_mentee = np.zeros_like(by_mentor)
    if preferences is not None and len(preferences):
        pos_m = {p: k for k, p in enumerate(mentor_ids)}
        pos_e = {p: k for k, p in enumerate(mentee_ids)}
        for who, whom, rank in zip(preferences["person_id"], preferences["ranks"], preferences["rank"], strict=True):
            who, whom = id_text(who), id_text(whom)
            if rank is None or pd.isna(rank) or int(rank) < 1:
                continue
            if who in pos_m and whom in pos_e:
                by_mentor[pos_m[who], pos_e[whom]] = int(rank)
            elif who in pos_e and whom in pos_m:
                by_mentee[pos_m[whom], pos_e[who]] = int(rank)
    for array in (by_mentor, by_mentee):
        array.setflags(write=False)
    return StatedRanks(by_mentor, by_mentee)


def preference_order(ranks: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Each row's strict order of the columns: ranked ones by rank, then unranked ones by score (highest first),
    ties by position. Returns the position of each column in its row's order (0 = first).

    Examples
    --------
    >>> preference_order(np.array([[0, 2, 0, 1]]), np.array([[0.1, 0.0, 0.9, 0.5]])).tolist()
    [[3, 1, 2, 0]]
    """
    ranks = np.asarray(ranks)
    n_rows, n_cols = ranks.shape
    unranked = ranks <= 0
    # primary: ranked first; secondary: the rank, or minus the score; tertiary: the column
    key = np.where(unranked, -np.asarray(score, dtype=float), ranks.astype(float))
    cols = np.broadcast_to(np.arange(n_cols), ranks.shape)
    order = np.lexsort((cols, key, unranked), axis=1) if n_cols else np.zeros((n_rows, 0), dtype=np.int64)
    position = np.empty_like(order)
    np.put_along_axis(position, order, np.broadcast_to(np.arange(n_cols), order.shape), axis=1)
    return position


def deferred_acceptance(proposer_lists: list[list[int]], receiver_rank: np.ndarray, proposer_capacity: np.ndarray,
                        receiver_capacity: np.ndarray) -> list[tuple[int, int]]:
    """Proposer-optimal stable matching (many-to-many capacities; each pair at most once).

    Parameters
    ----------
    proposer_lists : list of list of int
        Each proposer's acceptable receivers, best first.
    receiver_rank : numpy.ndarray
        Receivers × proposers: the position of each proposer in the receiver's order (lower is better). Only the
        pairs on a proposer's list are consulted; a receiver accepts any proposer that proposes (the lists are
        built from the mutually allowed pairs).
    proposer_capacity, receiver_capacity : numpy.ndarray of int

    Returns
    -------
    list of (proposer, receiver)

    Examples
    --------
    >>> # two mentees both prefer mentor 0 (capacity 1); mentor 0 prefers mentee 1
    >>> deferred_acceptance([[0, 1], [0]], np.array([[1, 0], [0, 1]]), np.array([1, 1]), np.array([1, 1]))
    [(0, 1), (1, 0)]
    """
    n_r = receiver_rank.shape[0]
    flat = np.ascontiguousarray(receiver_rank, dtype=np.int64).reshape(-1).data  # fast scalar reads
    n_p = receiver_rank.shape[1] if receiver_rank.ndim == 2 else 0
    nxt = [0] * len(proposer_lists)
    slots = [int(c) for c in proposer_capacity]
    cap = [int(c) for c in receiver_capacity]
    held: list[list[tuple[int, int]]] = [[] for _ in range(n_r)]  # heap of (-rank, proposer): the worst on top
    free = [p for p in range(len(proposer_lists) - 1, -1, -1) if slots[p] > 0 and proposer_lists[p]]
    while free:
        p = free.pop()
        mine = proposer_lists[p]
        while slots[p] > 0 and nxt[p] < len(mine):
            r = mine[nxt[p]]
            nxt[p] += 1
            if cap[r] <= 0:
                continue
            rank = flat[r * n_p + p]
            heap = held[r]
            if len(heap) < cap[r]:
                heapq.heappush(heap, (-rank, p))
                slots[p] -= 1
            elif -heap[0][0] > rank:
                _, out = heapq.heapreplace(heap, (-rank, p))
                slots[p] -= 1
                slots[out] += 1
                if nxt[out] < len(proposer_lists[out]):
                    free.append(out)
    return sorted((p, r) for r in range(n_r) for _, p in held[r])


def solve_preferences(score: np.ndarray, allowed: np.ndarray, capacity: np.ndarray, locked: np.ndarray,
                      ranks: StatedRanks, *, proposing: str = "mentee",
                      priority: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Deferred acceptance on the stated ranks (see the module notes); returns mentor and mentee positions of the
    free pairs (locks not included).

    ``priority`` (mentors + mentees, True = unmatched in the last cycle) puts those people first among the unranked
    partners of everyone's list, ahead of compatibility.
    """
    score = np.asarray(score, dtype=float)
    n_m, n_e = score.shape
    lock_m, lock_e = np.nonzero(locked)
    remaining = np.asarray(capacity, dtype=np.int64) - np.bincount(lock_m, minlength=n_m)
    ok = np.asarray(allowed, dtype=bool) & ~np.asarray(locked, dtype=bool)
    ok[:, lock_e] = False
    ok &= (remaining > 0)[:, None]
    key_m, key_e = score, score
    if priority is not None and priority.any():
        key_m = score + 2.0 * priority[n_m:][None, :]  # mentors' view of mentees
        key_e = score + 2.0 * priority[:n_m][:, None]  # mentees' view of mentors
    mentor_pos = preference_order(ranks.by_mentor, key_m)  # mentors × mentees
    mentee_pos = preference_order(ranks.by_mentee.T, key_e.T)  # mentees × mentors
    if proposing == "mentee":
        order = np.argsort(mentee_pos, axis=1, kind="stable")
        lists = [[int(i) for i in order[j] if ok[i, j]] for j in range(n_e)]
        pairs = deferred_acceptance(lists, mentor_pos, np.ones(n_e, dtype=np.int64), remaining)
        mentor = np.array([r for _, r in pairs], dtype=np.int64)
        mentee = np.array([p for p, _ in pairs], dtype=np.int64)
    elif proposing == "mentor":
        order = np.argsort(mentor_pos, axis=1, kind="stable")
        lists = [[int(j) for j in order[i] if ok[i, j]] for i in range(n_m)]
        pairs = deferred_acceptance(lists, mentee_pos, remaining, np.ones(n_e, dtype=np.int64))
        mentor = np.array([p for p, _ in pairs], dtype=np.int64)
        mentee = np.array([r for _, r in pairs], dtype=np.int64)
    else:
        raise ValueError(f"proposing must be 'mentee' or 'mentor'; found {proposing!r}")
    return mentor, mentee


def ordinal(n: int) -> str:
    """``1st``, ``2nd``, ``3rd``, ``11th``, ``22nd``.

    Examples
    --------
    >>> [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 103)]
    ['1st', '2nd', '3rd', '4th', '11th', '12th', '13th', '21st', '22nd', '103rd']
    """
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
