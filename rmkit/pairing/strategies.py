"""The three pairing strategies, on plain arrays: a score matrix, an allowed mask, capacities and locks.

All three fix the locked pairs first (their mentors' capacity is used up accordingly) and pair the rest. Mentors are
expanded into one row per free place (capacity slot), so a mentor with capacity 2 may take two mentees and a mentee
has at most one mentor.

``optimal``
    the most pairs the rules allow, then the highest total score among those. One
    :func:`scipy.optimize.linear_sum_assignment` on the free places × free mentees with a bonus ``M`` added to every
    allowed pair (``M`` = one more than the most pairs possible, so one more pair always outweighs any gain in score)
    and value 0 for a forbidden pair, which is dropped from the answer.
``fair``
    the most pairs, then the highest possible worst pair, then the highest total among those. The best worst pair
    is found by binary search over the distinct allowed scores, each step a maximum matching
    (:func:`scipy.sparse.csgraph.maximum_bipartite_matching`) on the pairs scoring at least that much; then
    ``optimal`` on those pairs. Locked pairs count in the worst pair: when one scores below what the free pairs could
    reach, the free pairs need only reach the locked pair's score.
``stable``
    no blocking pair: no mentor and mentee, both free to move (the mentee is not locked), allowed to pair, who
    would both rather be together — the mentee prefers the mentor to its partner (or has none) and the mentor
    prefers the mentee to one of its unlocked mentees (or has a free place). Preferences come from the shared score,
    so the greedy pairing in descending score order is stable: when a pair is passed over, the mentee was already
    paired at least as well, or every place of the mentor was filled at least as well. Ties are broken by
    mentor then mentee position (``person_id`` order). It need not pair as many people as ``optimal``.

Results are deterministic: rows and columns come in ``person_id`` order and the solvers are deterministic.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .preferences import StatedRanks, solve_preferences

__all__ = ["STRATEGIES", "Assignment", "solve", "solve_optimal", "solve_fair", "solve_stable", "maximum_pairs"]

STRATEGIES = ("optimal", "fair", "stable")


@dataclass(frozen=True, eq=False)
class Assignment:
    """Pairs as positions: ``mentor[k]`` is paired with ``mentee[k]``; sorted by mentor, then mentee."""

    mentor: np.ndarray
    mentee: np.ndarray

    def __len__(self) -> int:
        return len(self.mentor)

    def total(self, score: np.ndarray) -> float:
        return float(score[self.mentor, self.mentee].sum())


@dataclass(frozen=True, eq=False)
class _Free:
    """The part left to solve once locks are fixed: candidate rows (mentor slots) and columns (mentees)."""

    lock_m: np.ndarray
    lock_e: np.ndarray
    rows: np.ndarray  # mentor position of each slot
    cols: np.ndarray  # mentee positions
    ok: np.ndarray  # slots × cols allowed
    value: np.ndarray  # slots × cols score


def _check(score: np.ndarray, allowed: np.ndarray, capacity: np.ndarray, locked: np.ndarray | None) -> np.ndarray:
    score = np.asarray(score, dtype=float)
    allowed = np.asarray(allowed, dtype=bool)
    capacity = np.asarray(capacity)
    if score.ndim != 2 or allowed.shape != score.shape:
        raise ValueError(f"score and allowed must be matrices of the same shape; found {score.shape} and {allowed.shape}")
    if capacity.shape != (score.shape[0],):
        raise ValueError(f"capacity must give one value per mentor ({score.shape[0]}); found shape {capacity.shape}")
    if (capacity < 0).any():
        raise ValueError("capacity must be 0 or more")
    if locked is None:
        return np.zeros(score.shape, dtype=bool)
    locked = np.asarray(locked, dtype=bool)
    if locked.shape != score.shape:
        raise ValueError(f"locked must have the shape of score {score.shape}; found {locked.shape}")
    if (locked.sum(axis=0) > 1).any():
        raise ValueError("a mentee is locked with more than one mentor")
    if (locked.sum(axis=1) > capacity).any():
        raise ValueError("a mentor is locked with more mentees than their capacity")
    return locked


def _free_part(score: np.ndarray, allowed: np.ndarray, capacity: np.ndarray, locked: np.ndarray) -> _Free:
    n_m, n_e = score.shape
    lock_m, lock_e = np.nonzero(locked)
    remaining = np.asarray(capacity, dtype=np.int64) - np.bincount(lock_m, minlength=n_m)
    ok = allowed & ~locked
    if (remaining <= 0).any():
        ok &= (remaining > 0)[:, None]
    if len(lock_e):
        ok[:, lock_e] = False
    degree = ok.sum(axis=1)
    cols = np.nonzero(ok.any(axis=0))[0]
    mentors = np.nonzero(degree)[0]
    # a mentor needs no more slots than it has allowed mentees
    slots = np.minimum(remaining[mentors], degree[mentors])
    if len(cols) == n_e and len(mentors) == n_m and (slots == 1).all():
        return _Free(lock_m, lock_e, mentors, cols, ok, score)  # nothing to cut or expand: no copies
    rows = np.repeat(mentors, slots)
    local = np.repeat(np.arange(len(mentors)), slots)
    grid = np.ix_(mentors, cols)
    return _Free(lock_m, lock_e, rows, cols, ok[grid][local], score[grid][local])


def _finish(free: _Free, r: np.ndarray, c: np.ndarray) -> Assignment:
    mentor = np.concatenate([free.lock_m, free.rows[r]]).astype(np.int64)
    mentee = np.concatenate([free.lock_e, free.cols[c]]).astype(np.int64)
    order = np.lexsort((mentee, mentor))
    return Assignment(mentor[order], mentee[order])


def _max_weight_max_cardinality(ok: np.ndarray, value: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Among the matchings of the most pairs in ``ok``, one of the highest total ``value`` (positions r, c)."""
    from scipy.optimize import linear_sum_assignment

    if ok.size == 0 or not ok.any():
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    # one more pair must outweigh any difference in total value: bonus > (2k + 1) · max|value| for k pairs
    bonus = (2.0 * min(ok.shape) + 1.0) * max(float(np.abs(value).max()), 1.0) + 1.0
    gain = np.where(ok, value + bonus, 0.0)
    r, c = linear_sum_assignment(gain, maximize=True)
    keep = ok[r, c]
    return r[keep], c[keep]


def _with_priority(score: np.ndarray, priority: np.ndarray | None) -> np.ndarray:
    """The score plus a bonus per prioritised person in the pair, larger than any total of scores, so that among
    the matchings of the most pairs, the most prioritised people are paired before the total counts."""
    score = np.asarray(score, dtype=float)
    if priority is None or not np.asarray(priority).any():
        return score
    n_m, n_e = score.shape
    priority = np.asarray(priority, dtype=float)
    bonus = min(n_m, n_e) * max(float(np.abs(score).max(initial=0.0)), 1.0) + 1.0
    return score + bonus * (priority[:n_m][:, None] + priority[n_m:][None, :])


def _slot_value(free: _Free, priority: np.ndarray | None, n_mentors: int) -> np.ndarray:
    """The free part's values plus a priority bonus, larger than any total of scores, per prioritised mentee and
    per prioritised mentor on its first place only (a person counts once, however many mentees a mentor takes):
    among the matchings of the most pairs, the most prioritised people are paired before the total counts."""
    if priority is None or not np.asarray(priority).any():
        return free.value
    priority = np.asarray(priority, dtype=float)
    first = np.r_[True, free.rows[1:] != free.rows[:-1]] if len(free.rows) else np.zeros(0, dtype=bool)
    bonus = min(free.ok.shape) * max(float(np.abs(free.value).max(initial=0.0)), 1.0) + 1.0
    return free.value + bonus * ((priority[free.rows] * first)[:, None] + priority[n_mentors:][free.cols][None, :])


def solve_optimal(score: np.ndarray, allowed: np.ndarray, capacity: np.ndarray, locked: np.ndarray | None = None, *,
                  priority: np.ndarray | None = None) -> Assignment:
    """The most pairs, then the highest total score (locked pairs fixed).

    Parameters
    ----------
    score : numpy.ndarray
        Mentors × mentees, values in [0, 1].
    allowed : numpy.ndarray of bool
        Pairs that may be formed (locked pairs must be allowed).
    capacity : numpy.ndarray of int
        Places per mentor.
    locked : numpy.ndarray of bool, optional
        Pairs that must be formed.

    Examples
    --------
    >>> score = np.array([[0.9, 0.8], [0.7, 0.1]])
    >>> a = solve_optimal(score, np.ones((2, 2), bool), np.array([1, 1]))
    >>> a.mentor.tolist(), a.mentee.tolist(), round(a.total(score), 3)  # 0.8 + 0.7 beats 0.9 + 0.1
    ([0, 1], [1, 0], 1.5)
    """
    locked = _check(score, allowed, capacity, locked)
    free = _free_part(np.asarray(score, dtype=float), np.asarray(allowed, dtype=bool), np.asarray(capacity), locked)
    r, c = _max_weight_max_cardinality(free.ok, _slot_value(free, priority, len(capacity)))
    return _finish(free, r, c)


def _matching_size(rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int]) -> int:
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import maximum_bipartite_matching

    if len(rows) == 0:
        return 0
    graph = csr_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=shape)
    match = maximum_bipartite_matching(graph, perm_type="column")
    return int((match >= 0).sum())


def maximum_pairs(allowed: np.ndarray, capacity: np.ndarray, locked: np.ndarray | None = None) -> int:
    """The most pairs possible (locks included), by a maximum bipartite matching on mentor places × mentees.

    Examples
    --------
    >>> maximum_pairs(np.array([[True, True], [False, False]]), np.array([2, 1]))
    2
    """
    allowed = np.asarray(allowed, dtype=bool)
    locked = _check(np.zeros(allowed.shape), allowed, capacity, locked)
    free = _free_part(np.zeros(allowed.shape), allowed, np.asarray(capacity), locked)
    r, c = np.nonzero(free.ok)
    return len(free.lock_m) + _matching_size(r, c, free.ok.shape)


def solve_fair(score: np.ndarray, allowed: np.ndarray, capacity: np.ndarray, locked: np.ndarray | None = None, *,
               priority: np.ndarray | None = None) -> Assignment:
    """The most pairs, then the highest worst pair, then the highest total (locked pairs fixed and counted).

    Examples
    --------
    >>> score = np.array([[0.9, 0.8], [0.7, 0.1]])
    >>> a = solve_fair(score, np.ones((2, 2), bool), np.array([1, 1]))
    >>> score[a.mentor, a.mentee].min()  # optimal would give 0.7 + 0.8 too; the worst is 0.7 either way
    np.float64(0.7)
    """
    locked = _check(score, allowed, capacity, locked)
    score = np.asarray(score, dtype=float)
    free = _free_part(score, np.asarray(allowed, dtype=bool), np.asarray(capacity), locked)
    r_all, c_all = np.nonzero(free.ok)
    if len(r_all) == 0:
        return _finish(free, r_all, c_all)
    edge_value = free.value[r_all, c_all]
    target = _matching_size(r_all, c_all, free.ok.shape)
    levels = np.unique(edge_value)
    lo, hi = 0, len(levels) - 1  # levels[lo] is always feasible (every edge)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        keep = edge_value >= levels[mid]
        if _matching_size(r_all[keep], c_all[keep], free.ok.shape) == target:
            lo = mid
        else:
            hi = mid - 1
    threshold = levels[lo]
    if len(free.lock_m):
        threshold = min(threshold, float(score[free.lock_m, free.lock_e].min()))
    ok = free.ok & (free.value >= threshold)
    r, c = _max_weight_max_cardinality(ok, _slot_value(free, priority, len(capacity)))
    return _finish(free, r, c)


def solve_stable(score: np.ndarray, allowed: np.ndarray, capacity: np.ndarray, locked: np.ndarray | None = None, *,
                 priority: np.ndarray | None = None) -> Assignment:
    """Greedy in descending score: stable for preferences derived from the shared score (see the module notes).

    Examples
    --------
    >>> score = np.array([[0.9, 0.8], [0.7, 0.1]])
    >>> a = solve_stable(score, np.ones((2, 2), bool), np.array([1, 1]))
    >>> a.mentor.tolist(), a.mentee.tolist()  # 0.9 first; then the best left is 0.1
    ([0, 1], [0, 1])
    """
    locked = _check(score, allowed, capacity, locked)
    score = np.asarray(score, dtype=float)
    lock_m, lock_e = np.nonzero(locked)
    remaining = np.asarray(capacity, dtype=np.int64) - np.bincount(lock_m, minlength=score.shape[0])
    taken = np.zeros(score.shape[1], dtype=bool)
    taken[lock_e] = True
    candidates = np.asarray(allowed, dtype=bool) & ~locked & (remaining > 0)[:, None] & ~taken[None, :]
    ii, jj = np.nonzero(candidates)  # row-major: ties in score keep mentor, then mentee order
    order = np.argsort(-_with_priority(score, priority)[ii, jj], kind="stable")
    ii, jj = ii[order], jj[order]
    chosen_m: list[int] = []
    chosen_e: list[int] = []
    places = int(np.minimum(remaining, candidates.sum(axis=1)).sum())
    todo = min(places, int(candidates.any(axis=0).sum()))
    chunk = 4096
    start = 0
    while start < len(ii) and len(chosen_m) < todo:
        # drop, in bulk, the pairs of this chunk whose mentee is taken or whose mentor is full
        ci, cj = ii[start:start + chunk], jj[start:start + chunk]
        live = (remaining[ci] > 0) & ~taken[cj]
        for a, b in zip(ci[live].tolist(), cj[live].tolist(), strict=True):
            if remaining[a] > 0 and not taken[b]:
                remaining[a] -= 1
                taken[b] = True
                chosen_m.append(a)
                chosen_e.append(b)
        start += chunk
        chunk = min(chunk * 2, 1 << 20)
    mentor = np.concatenate([lock_m, np.array(chosen_m, dtype=np.int64)]).astype(np.int64)
    mentee = np.concatenate([lock_e, np.array(chosen_e, dtype=np.int64)]).astype(np.int64)
    order = np.lexsort((mentee, mentor))
    return Assignment(mentor[order], mentee[order])


_SOLVERS = {"optimal": solve_optimal, "fair": solve_fair, "stable": solve_stable}


def solve(score: np.ndarray, allowed: np.ndarray, capacity: np.ndarray, locked: np.ndarray | None = None, *,
          strategy: str = "optimal", ranks: StatedRanks | None = None, proposing: str = "mentee",
          priority: np.ndarray | None = None) -> Assignment:
    """Pair with one of :data:`STRATEGIES` (see the module notes).

    Pure and re-entrant: nothing passed in is modified, so a caller may re-solve many times with perturbed scores
    on the same masks.

    ``ranks`` (stated preferences): ``stable`` is then deferred acceptance with capacities, ``proposing`` side
    optimal (:mod:`rmkit.pairing.preferences`); ``optimal`` and ``fair`` ignore them. ``priority`` (one flag per
    mentor, then per mentee): people paired first when not everyone can be paired (see :func:`_slot_value`).

    Examples
    --------
    >>> score = np.array([[0.9, 0.8], [0.7, 0.1]])
    >>> [len(solve(score, score > 0.5, np.array([1, 1]), strategy=s)) for s in STRATEGIES]
    [2, 2, 1]
    """
    try:
        solver = _SOLVERS[strategy]
    except KeyError:
        raise ValueError(f"unknown strategy {strategy!r}; strategies: {', '.join(STRATEGIES)}") from None
    if strategy == "stable" and ranks is not None and ranks.any:
        locked = _check(score, allowed, capacity, locked)
        mentor, mentee = solve_preferences(score, allowed, capacity, locked, ranks, proposing=proposing, priority=priority)
        lock_m, lock_e = np.nonzero(locked)
        mentor, mentee = np.concatenate([lock_m, mentor]).astype(np.int64), np.concatenate([lock_e, mentee]).astype(np.int64)
        order = np.lexsort((mentee, mentor))
        return Assignment(mentor[order], mentee[order])
    return solver(score, allowed, capacity, locked, priority=priority)
