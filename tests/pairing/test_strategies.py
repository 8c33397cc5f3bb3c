"""The three strategies against exhaustive enumeration (optimal, fair), a blocking-pair check (stable) and
scipy's maximum bipartite matching (cardinality)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_bipartite_matching

from rmkit.pairing import STRATEGIES, maximum_pairs, solve
from rmkit.pairing.strategies import solve_fair, solve_optimal, solve_stable

from ..helpers.pairing_cases import all_matchings, array_problems, blocking_pairs, brute_best, objective_of


def _valid(problem: dict, mentor: np.ndarray, mentee: np.ndarray) -> None:
    allowed, capacity, locked = problem["allowed"], problem["capacity"], problem["locked"]
    assert len(set(mentee.tolist())) == len(mentee), "a mentee has two mentors"
    assert allowed[mentor, mentee].all(), "a pair that is not allowed"
    assert (np.bincount(mentor, minlength=len(capacity)) <= capacity).all(), "a capacity is exceeded"
    pairs = set(zip(mentor.tolist(), mentee.tolist(), strict=True))
    assert all((i, j) in pairs for i, j in zip(*np.nonzero(locked), strict=True)), "a lock is not honoured"


def _scipy_maximum(problem: dict) -> int:
    """Most pairs: locks plus scipy's Hopcroft–Karp on mentor places × free mentees (an outside reference)."""
    allowed, capacity, locked = problem["allowed"], problem["capacity"], problem["locked"]
    free_places = capacity - locked.sum(axis=1)
    free_mentees = ~locked.any(axis=0)
    rows = [(i, j) for i in range(allowed.shape[0]) for _ in range(free_places[i]) for j in range(allowed.shape[1])]
    slots = np.repeat(np.arange(allowed.shape[0]), free_places)
    graph = np.array([[allowed[i, j] and free_mentees[j] and not locked[i, j] for j in range(allowed.shape[1])] for i in slots],
                     dtype=np.int8).reshape(len(slots), allowed.shape[1])
    del rows
    if graph.size == 0:
        return int(locked.sum())
    match = maximum_bipartite_matching(csr_matrix(graph), perm_type="column")
    return int(locked.sum()) + int((match >= 0).sum())


@settings(max_examples=120, deadline=None)
@given(array_problems())
def test_optimal_is_best_by_brute_force(problem: dict) -> None:
    a = solve_optimal(problem["score"], problem["allowed"], problem["capacity"], problem["locked"])
    _valid(problem, a.mentor, a.mentee)
    assert objective_of(problem["score"], a.mentor, a.mentee, "optimal") == brute_best(problem, "optimal")


@settings(max_examples=120, deadline=None)
@given(array_problems())
def test_fair_is_lexicographically_best_by_brute_force(problem: dict) -> None:
    a = solve_fair(problem["score"], problem["allowed"], problem["capacity"], problem["locked"])
    _valid(problem, a.mentor, a.mentee)
    assert objective_of(problem["score"], a.mentor, a.mentee, "fair") == brute_best(problem, "fair")


@settings(max_examples=150, deadline=None)
@given(array_problems(max_mentors=5, max_mentees=6))
def test_stable_has_no_blocking_pair(problem: dict) -> None:
    a = solve_stable(problem["score"], problem["allowed"], problem["capacity"], problem["locked"])
    _valid(problem, a.mentor, a.mentee)
    pairs = list(zip(a.mentor.tolist(), a.mentee.tolist(), strict=True))
    assert blocking_pairs(problem["score"], problem["allowed"], problem["capacity"], problem["locked"], pairs) == []


@settings(max_examples=100, deadline=None)
@given(array_problems(max_mentors=5, max_mentees=6))
def test_optimal_and_fair_pair_as_many_as_possible(problem: dict) -> None:
    most = _scipy_maximum(problem)
    assert maximum_pairs(problem["allowed"], problem["capacity"], problem["locked"]) == most
    for strategy in ("optimal", "fair"):
        a = solve(problem["score"], problem["allowed"], problem["capacity"], problem["locked"], strategy=strategy)
        assert len(a) == most, strategy
    stable = solve_stable(problem["score"], problem["allowed"], problem["capacity"], problem["locked"])
    assert len(stable) <= most


def test_brute_force_enumeration_counts_matchings() -> None:
    # 2 mentors of capacity 1, 2 mentees, everything allowed: {}, 4 single pairs, 2 perfect matchings = 7
    problem = np.ones((2, 2), bool), np.array([1, 1]), np.zeros((2, 2), bool)
    assert sum(1 for _ in all_matchings(*problem)) == 7


def test_optimal_prefers_more_pairs_over_a_higher_total() -> None:
    # m0 could take e0 at 1.0 alone, but m0–e1 (0.1) + m1–e0 (0.1) is two pairs: cardinality comes first
    score = np.array([[1.0, 0.1], [0.1, 0.0]])
    allowed = np.array([[True, True], [True, False]])
    a = solve_optimal(score, allowed, np.array([1, 1]))
    assert sorted(zip(a.mentor.tolist(), a.mentee.tolist(), strict=True)) == [(0, 1), (1, 0)]


def test_fair_trades_total_for_a_better_worst_pair() -> None:
    # optimal: 0.9 + 0.2 = 1.1 (worst 0.2); fair: 0.5 + 0.5 = 1.0 (worst 0.5), computed by hand
    score = np.array([[0.9, 0.5], [0.5, 0.2]])
    allowed = np.ones((2, 2), bool)
    optimal = solve_optimal(score, allowed, np.array([1, 1]))
    fair = solve_fair(score, allowed, np.array([1, 1]))
    assert optimal.total(score) == pytest.approx(1.1)
    assert fair.total(score) == pytest.approx(1.0) and score[fair.mentor, fair.mentee].min() == 0.5


def test_fair_counts_a_locked_pair_in_the_worst() -> None:
    # the lock m0–e0 scores 0.1, so the worst is 0.1 whatever else happens; fair then maximises the total:
    # m1–e1 (0.9) + m2–e2 (0.2) = 1.1 beats m1–e2 (0.4) + m2–e1 (0.4) = 0.8, by hand
    score = np.array([[0.1, 0.0, 0.0], [0.0, 0.9, 0.4], [0.0, 0.4, 0.2]])
    allowed = np.ones((3, 3), bool)
    locked = np.zeros((3, 3), bool)
    locked[0, 0] = True
    a = solve_fair(score, allowed, np.array([1, 1, 1]), locked)
    assert sorted(zip(a.mentor.tolist(), a.mentee.tolist(), strict=True)) == [(0, 0), (1, 1), (2, 2)]


def test_stable_breaks_ties_by_position() -> None:
    # every score equal: the greedy takes pairs in mentor, then mentee order
    score = np.full((2, 3), 0.5)
    a = solve_stable(score, np.ones((2, 3), bool), np.array([1, 2]))
    assert list(zip(a.mentor.tolist(), a.mentee.tolist(), strict=True)) == [(0, 0), (1, 1), (1, 2)]


def test_capacity_slots_and_capacity_zero() -> None:
    score = np.array([[0.9, 0.8, 0.7], [1.0, 1.0, 1.0]])
    for strategy in STRATEGIES:
        a = solve(score, np.ones((2, 3), bool), np.array([3, 0]), strategy=strategy)
        assert a.mentor.tolist() == [0, 0, 0], strategy


def test_solver_arguments_are_checked() -> None:
    score = np.zeros((2, 2))
    with pytest.raises(ValueError, match="unknown strategy"):
        solve(score, score > 0, np.array([1, 1]), strategy="best")
    with pytest.raises(ValueError, match="one value per mentor"):
        solve(score, score > 0, np.array([1]))
    with pytest.raises(ValueError, match="more than one mentor"):
        solve(score, np.ones((2, 2), bool), np.array([1, 1]), np.array([[True, False], [True, False]]))
    with pytest.raises(ValueError, match="capacity"):
        solve(score, np.ones((2, 2), bool), np.array([1, 1]), np.array([[True, True], [False, False]]))


def test_results_are_deterministic() -> None:
    rng = np.random.default_rng(7)
    score = np.round(rng.integers(0, 4, (30, 40)) / 4, 6)
    allowed = rng.random((30, 40)) < 0.7
    capacity = rng.integers(0, 3, 30)
    for strategy in STRATEGIES:
        first = solve(score, allowed, capacity, strategy=strategy)
        again = solve(score.copy(), allowed.copy(), capacity.copy(), strategy=strategy)
        assert first.mentor.tolist() == again.mentor.tolist() and first.mentee.tolist() == again.mentee.tolist()
