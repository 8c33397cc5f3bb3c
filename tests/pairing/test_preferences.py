"""Stable pairing on stated preferences: properties (Hypothesis), brute force, and the `matching` package.

The reference is `matching` 1.4.3's ``HospitalResident`` (Wilde, Knight & Gillard 2020, JOSS 5(48) 2169), solved
resident-optimal: with mentors as hospitals and mentees as residents, mentee-proposing deferred acceptance must
give the same matching, pair for pair. Stability and proposer-optimality are also checked against an exhaustive
enumeration of every matching on small cases.
"""

from __future__ import annotations

import itertools
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rmkit.pairing.preferences import StatedRanks, deferred_acceptance, preference_order
from rmkit.pairing.strategies import solve

from ..helpers.pairing_cases import all_matchings, array_problems


@st.composite
def ranked_problems(draw: st.DrawFn, max_mentors: int = 4, max_mentees: int = 5) -> dict[str, object]:
    """An array problem plus random, possibly incomplete, stated ranks (gaps allowed: 1, 3, 7)."""
    problem = draw(array_problems(max_mentors, max_mentees))
    n_m, n_e = problem["score"].shape
    by_mentor = np.zeros((n_m, n_e), dtype=np.int64)
    by_mentee = np.zeros((n_m, n_e), dtype=np.int64)
    for i in range(n_m):
        chosen = draw(st.lists(st.integers(0, n_e - 1), unique=True, max_size=n_e))
        for rank, j in enumerate(chosen):
            by_mentor[i, j] = 1 + 2 * rank
    for j in range(n_e):
        chosen = draw(st.lists(st.integers(0, n_m - 1), unique=True, max_size=n_m))
        for rank, i in enumerate(chosen):
            by_mentee[i, j] = rank + 1
    problem["ranks"] = StatedRanks(by_mentor, by_mentee)
    problem["proposing"] = draw(st.sampled_from(["mentee", "mentor"]))
    return problem


def _pairs(problem: dict[str, object]) -> list[tuple[int, int]]:
    a = solve(problem["score"], problem["allowed"], problem["capacity"], problem["locked"], strategy="stable",
              ranks=problem["ranks"], proposing=problem["proposing"])
    return list(zip(a.mentor.tolist(), a.mentee.tolist(), strict=True))


def _extended(problem: dict[str, object]) -> tuple[np.ndarray, np.ndarray]:
    """Full strict orders, written independently: ranked first by rank, then unranked by score desc, then index."""
    ranks, score = problem["ranks"], problem["score"]
    n_m, n_e = score.shape
    mentor_pos = np.zeros((n_m, n_e), dtype=int)
    for i in range(n_m):
        order = sorted(range(n_e), key=lambda j: (ranks.by_mentor[i, j] == 0, ranks.by_mentor[i, j] or -score[i, j], j))
        for pos, j in enumerate(order):
            mentor_pos[i, j] = pos
    mentee_pos = np.zeros((n_m, n_e), dtype=int)  # mentee_pos[i, j]: position of mentor i in mentee j's order
    for j in range(n_e):
        order = sorted(range(n_m), key=lambda i: (ranks.by_mentee[i, j] == 0, ranks.by_mentee[i, j] or -score[i, j], i))
        for pos, i in enumerate(order):
            mentee_pos[i, j] = pos
    return mentor_pos, mentee_pos


def _blocking(problem: dict[str, object], pairs: list[tuple[int, int]], mentor_pos: np.ndarray, mentee_pos: np.ndarray,
              *, stated_only: bool) -> list[tuple[int, int]]:
    """Blocking pairs: allowed, mentee not locked, both prefer each other (a free place counts as better). With
    ``stated_only``, preferring needs a stated rank: i ranks j above its partner (or the partner is unranked)."""
    allowed, capacity, locked, ranks = problem["allowed"], problem["capacity"], problem["locked"], problem["ranks"]
    n_m, n_e = allowed.shape
    partner = {j: i for i, j in pairs}
    mine = {i: [j for a, j in pairs if a == i] for i in range(n_m)}
    found = []
    for i, j in itertools.product(range(n_m), range(n_e)):
        if not allowed[i, j] or locked[i, j] or partner.get(j) == i or capacity[i] == 0:
            continue
        if j in partner and locked[partner[j], j]:
            continue
        if stated_only:
            if not (ranks.by_mentor[i, j] and ranks.by_mentee[i, j]):
                continue
            mentee_wants = j not in partner or not ranks.by_mentee[partner[j], j] or ranks.by_mentee[i, j] < ranks.by_mentee[partner[j], j]
            unlocked = [e for e in mine[i] if not locked[i, e]]
            mentor_wants = len(mine[i]) < capacity[i] or any(
                not ranks.by_mentor[i, e] or ranks.by_mentor[i, j] < ranks.by_mentor[i, e] for e in unlocked)
        else:
            mentee_wants = j not in partner or mentee_pos[i, j] < mentee_pos[partner[j], j]
            unlocked = [e for e in mine[i] if not locked[i, e]]
            mentor_wants = len(mine[i]) < capacity[i] or any(mentor_pos[i, j] < mentor_pos[i, e] for e in unlocked)
        if mentee_wants and mentor_wants:
            found.append((i, j))
    return found


@settings(max_examples=300, deadline=None)
@given(ranked_problems())
def test_no_blocking_pair_capacities_locks_and_forbidden_pairs(problem):
    pairs = _pairs(problem)
    capacity, locked, allowed = problem["capacity"], problem["locked"], problem["allowed"]
    mentees = [j for _, j in pairs]
    assert len(mentees) == len(set(mentees)), "a mentee has one mentor"
    for i in range(len(capacity)):
        assert sum(1 for a, _ in pairs if a == i) <= capacity[i], "capacity respected"
    assert all(allowed[i, j] for i, j in pairs), "a forbidden pair never forms"
    assert set(zip(*np.nonzero(locked), strict=True)) <= set(pairs), "locks kept"
    mentor_pos, mentee_pos = _extended(problem)
    assert _blocking(problem, pairs, mentor_pos, mentee_pos, stated_only=True) == []
    assert _blocking(problem, pairs, mentor_pos, mentee_pos, stated_only=False) == []


@settings(max_examples=150, deadline=None)
@given(ranked_problems(max_mentors=3, max_mentees=4))
def test_proposer_optimal_among_all_stable_matchings(problem):
    """Brute force over every matching: rmkit's is stable, and optimal for the proposing side."""
    pairs = _pairs(problem)
    mentor_pos, mentee_pos = _extended(problem)
    stable = [m for m in all_matchings(problem["allowed"], problem["capacity"], problem["locked"])
              if not _blocking(problem, m, mentor_pos, mentee_pos, stated_only=False)]
    assert sorted(pairs) in [sorted(m) for m in stable]
    n_m, n_e = problem["score"].shape

    def value(m: list[tuple[int, int]], j: int) -> int:
        got = [i for i, e in m if e == j]
        return mentee_pos[got[0], j] if got else n_m

    for j in range(n_e):
        values = [value(m, j) for m in stable]
        # mentee-proposing: each mentee's best stable partner; mentor-proposing: each mentee's worst one (the
        # mentor-optimal stable matching is the mentee-pessimal one; Gusfield & Irving 1989, §1.6.4)
        best = min(values) if problem["proposing"] == "mentee" else max(values)
        assert value(pairs, j) == best


def _random_lists(rng: np.random.Generator, n_m: int, n_e: int, complete: bool) -> tuple[np.ndarray, np.ndarray]:
    acceptable = np.ones((n_m, n_e), dtype=bool) if complete else rng.random((n_m, n_e)) < 0.5
    by_mentor = np.zeros((n_m, n_e), dtype=np.int64)
    by_mentee = np.zeros((n_m, n_e), dtype=np.int64)
    for i in range(n_m):
        chosen = rng.permutation(np.nonzero(acceptable[i])[0])
        by_mentor[i, chosen] = np.arange(1, len(chosen) + 1)
    for j in range(n_e):
        chosen = rng.permutation(np.nonzero(acceptable[:, j])[0])
        by_mentee[chosen, j] = np.arange(1, len(chosen) + 1)
    return by_mentor, by_mentee


@pytest.mark.parametrize("complete", [True, False], ids=["complete", "incomplete"])
@pytest.mark.parametrize("seed", range(12))
def test_same_matching_as_the_matching_package(seed, complete):
    from matching.games import HospitalResident

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 20_000))
    rng = np.random.default_rng(seed)
    n_m, n_e = int(rng.integers(2, 25)), int(rng.integers(2, 40))
    capacity = rng.integers(1, 4, size=n_m)
    by_mentor, by_mentee = _random_lists(rng, n_m, n_e, complete)
    allowed = (by_mentor > 0) & (by_mentee > 0)  # incomplete lists: acceptable to both
    score = rng.random((n_m, n_e))  # only breaks ties among unranked partners, which are never allowed here
    a = solve(score, allowed, capacity, None, strategy="stable", ranks=StatedRanks(by_mentor, by_mentee))
    ours = sorted(zip(a.mentor.tolist(), a.mentee.tolist(), strict=True))

    residents = {f"e{j}": [f"m{i}" for i in np.argsort(by_mentee[:, j]) if by_mentee[i, j]] for j in range(n_e)}
    hospitals = {f"m{i}": [f"e{j}" for j in np.argsort(by_mentor[i]) if by_mentor[i, j]] for i in range(n_m)}
    residents = {r: prefs for r, prefs in residents.items() if prefs}
    game = HospitalResident.create_from_dictionaries(residents, hospitals, {f"m{i}": int(c) for i, c in enumerate(capacity)})
    theirs = sorted((int(h.name[1:]), int(r.name[1:])) for h, rs in game.solve(optimal="resident").items() for r in rs)
    assert ours == theirs


def test_preference_order_puts_ranked_first_then_compatibility():
    ranks = np.array([[0, 3, 0, 1, 0]])
    score = np.array([[0.2, 0.0, 0.9, 0.1, 0.9]])
    position = preference_order(ranks, score)
    assert np.argsort(position[0]).tolist() == [3, 1, 2, 4, 0]  # ranks 1, 3; then 0.9 (ties by position), 0.2


def test_deferred_acceptance_textbook_example():
    """Gale & Shapley (1962), the college admissions example with quotas: 3 residents, hospital A (2 places), B (1).
    Residents r0, r1 prefer A then B; r2 prefers B then A. A prefers r2, r0, r1; B prefers r0, r2, r1.
    Resident-proposing: r0, r1 → A; r2 → B. Stable (nobody blocks), resident-optimal."""
    lists = [[0, 1], [0, 1], [1, 0]]
    hospital_rank = np.array([[1, 2, 0], [0, 2, 1]])
    pairs = deferred_acceptance(lists, hospital_rank, np.ones(3, dtype=int), np.array([2, 1]))
    assert pairs == [(0, 0), (1, 0), (2, 1)]


def test_solve_is_re_entrant_and_leaves_its_inputs_alone():
    rng = np.random.default_rng(3)
    score = rng.random((6, 7))
    allowed = rng.random((6, 7)) < 0.8
    by_mentor, by_mentee = _random_lists(rng, 6, 7, complete=False)
    ranks = StatedRanks(by_mentor, by_mentee)
    copies = [x.copy() for x in (score, allowed, by_mentor, by_mentee)]
    first = solve(score, allowed, np.ones(6, dtype=int), None, strategy="stable", ranks=ranks)
    for _ in range(3):
        solve(score * rng.uniform(0.8, 1.2, size=score.shape), allowed, np.ones(6, dtype=int), None, strategy="stable", ranks=ranks)
    again = solve(score, allowed, np.ones(6, dtype=int), None, strategy="stable", ranks=ranks)
    assert first.mentor.tolist() == again.mentor.tolist() and first.mentee.tolist() == again.mentee.tolist()
    for before, now in zip(copies, (score, allowed, by_mentor, by_mentee), strict=True):
        assert np.array_equal(before, now)
