"""Re-solving from the previous assignment (rmkit.pairing.incremental): a lock of a proposed pair keeps the
proposal, and that is what a full re-solve and an exhaustive enumeration find too; anything else is solved in full."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rmkit.errors import InfeasibleError
from rmkit.pairing import prepare_pairing
from rmkit.pairing.incremental import previous_still_optimal

from ..helpers.pairing_cases import blocking_pairs, brute_best, cohorts, objective_of


def _log(decisions: pd.DataFrame, action: str, mentor: str, mentee: str) -> pd.DataFrame:
    row = pd.DataFrame({"action": [action], "mentor_id": [mentor], "mentee_id": [mentee]})
    return pd.concat([decisions, row], ignore_index=True)


def _arrays(problem) -> dict:
    c = problem.constraints
    return {"score": problem.score, "allowed": c.allowed, "capacity": c.capacity, "locked": c.locked}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cohorts(), st.sampled_from(["optimal", "fair", "stable"]), st.integers(0, 10))
def test_locking_a_proposed_pair_keeps_the_proposal_and_it_is_optimal(cohort: dict, strategy: str, pick: int) -> None:
    base = prepare_pairing(cohort["participants"], cohort["config"])
    try:
        problem = base.with_decisions(cohort["decisions"])
        first = problem.solve(strategy)
    except InfeasibleError:
        return
    if first.matched == 0:
        return
    k = pick % first.matched
    mentor, mentee = first.brief.iloc[k][["mentor_id", "mentee_id"]]
    locked = base.with_decisions(_log(cohort["decisions"], "lock", mentor, mentee))
    assert previous_still_optimal(locked, first, strategy)
    quick = locked.solve(strategy, previous=first)
    assert quick.assignment is first.assignment and bool(quick.brief.iloc[k]["locked"])
    full = locked.solve(strategy)
    arrays = _arrays(locked)
    if strategy == "stable":  # the greedy makes the same choices
        assert quick.brief[["mentor_id", "mentee_id"]].values.tolist() == full.brief[["mentor_id", "mentee_id"]].values.tolist()
        pairs = list(zip(quick.assignment.mentor.tolist(), quick.assignment.mentee.tolist(), strict=True))
        assert blocking_pairs(arrays["score"], arrays["allowed"], arrays["capacity"], arrays["locked"], pairs) == []
    else:  # the same objective as a full re-solve and as every pairing enumerated
        a, b = quick.assignment, full.assignment
        assert objective_of(locked.score, a.mentor, a.mentee, strategy) == objective_of(locked.score, b.mentor, b.mentee, strategy)
        assert objective_of(locked.score, a.mentor, a.mentee, strategy) == brute_best(arrays, strategy)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cohorts(), st.sampled_from(["optimal", "fair", "stable"]),
       st.sampled_from(["lock", "forbid", "unlock", "unforbid"]), st.integers(0, 10), st.integers(0, 10))
def test_any_decision_gives_the_answer_of_a_full_solve(cohort: dict, strategy: str, action: str, a: int, b: int) -> None:
    """Whatever the decision (a lock off the proposal, a forbid, an undo), solving with ``previous`` finds what a
    full solve finds: the shortcut is only taken where it is proven."""
    base = prepare_pairing(cohort["participants"], cohort["config"])
    try:
        first = base.with_decisions(cohort["decisions"]).solve(strategy)
        mentor, mentee = base.mentor_ids[a % len(base.mentor_ids)], base.mentee_ids[b % len(base.mentee_ids)]
        problem = base.with_decisions(_log(cohort["decisions"], action, mentor, mentee))
        full = problem.solve(strategy)
    except InfeasibleError:
        return
    quick = problem.solve(strategy, previous=first)
    if strategy == "stable":
        assert quick.brief[["mentor_id", "mentee_id"]].values.tolist() == full.brief[["mentor_id", "mentee_id"]].values.tolist()
    else:
        q, f = quick.assignment, full.assignment
        assert objective_of(problem.score, q.mentor, q.mentee, strategy) == objective_of(problem.score, f.mentor, f.mentee, strategy)
    assert quick.brief["locked"].sum() == int(problem.constraints.locked.sum())


def test_a_forbid_an_unlock_or_another_strategy_is_solved_in_full() -> None:
    people = pd.DataFrame({"person_id": ["m1", "m2", "e1", "e2"], "role": ["mentor"] * 2 + ["mentee"] * 2,
                           "offers": ["AI tools", "video", "", ""], "wants": ["", "", "video", "AI tools"]})
    base = prepare_pairing(people)
    first = base.solve("optimal")
    lock = pd.DataFrame({"action": ["lock"], "mentor_id": ["m1"], "mentee_id": ["e2"]})
    locked = base.with_decisions(lock)
    assert previous_still_optimal(locked, first, "optimal")
    assert not previous_still_optimal(locked, first, "fair")  # another strategy
    assert not previous_still_optimal(base, locked.solve("optimal"), "optimal")  # an unlock allows more
    off = pd.DataFrame({"action": ["lock"], "mentor_id": ["m1"], "mentee_id": ["e1"]})  # not a proposed pair
    assert not previous_still_optimal(base.with_decisions(off), first, "optimal")
    other = prepare_pairing(people)  # another compatibility object: never trusted
    assert not previous_still_optimal(other.with_decisions(lock), first, "optimal")


@pytest.mark.parametrize("proposing", ["mentee", "mentor"])
def test_deferred_acceptance_is_solved_in_full(proposing: str) -> None:
    people = pd.DataFrame({"person_id": ["m1", "m2", "e1", "e2"], "role": ["mentor"] * 2 + ["mentee"] * 2,
                           "offers": ["AI tools", "video", "", ""], "wants": ["", "", "video", "AI tools"]})
    prefs = pd.DataFrame({"person_id": ["e1", "e2"], "ranks": ["m1", "m1"], "rank": [1, 1]})
    base = prepare_pairing(people, preferences=prefs)
    first = base.solve("stable")
    pair = first.brief.iloc[0]
    locked = base.with_decisions(pd.DataFrame({"action": ["lock"], "mentor_id": [pair["mentor_id"]],
                                               "mentee_id": [pair["mentee_id"]]}))
    assert not previous_still_optimal(locked, first, "stable")
