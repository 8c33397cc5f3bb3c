"""Speed-mentoring rounds: every round a valid matching, no repeat meetings, capacities as seats, rules respected
(checked pair by pair with tests/helpers/pairing_cases.py); the number of meetings per round against scipy's
maximum bipartite matching, round 1 against exhaustive enumeration."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_bipartite_matching

from rmkit.errors import InfeasibleError
from rmkit.pairing import ROUNDS_COLUMNS, plan_rounds, prepare_pairing

from ..helpers.pairing_cases import brute_best, cohorts, locks_contradict, reference_allowed


def _most_meetings(ok: np.ndarray, capacity: np.ndarray) -> int:
    """Most meetings in one round: scipy's Hopcroft–Karp on mentor seats × mentees."""
    seats = np.repeat(np.arange(ok.shape[0]), capacity)
    if len(seats) == 0 or not ok.any():
        return 0
    match = maximum_bipartite_matching(csr_matrix(ok[seats].astype(np.int8)), perm_type="column")
    return int((match >= 0).sum())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cohorts(max_mentors=4, max_mentees=5), st.integers(1, 4))
def test_rounds_are_valid_matchings_without_repeats(cohort: dict, rounds: int) -> None:
    ids_m, ids_e, allowed, capacity, locked = reference_allowed(cohort)
    if locks_contradict(locked, capacity):
        return
    problem = prepare_pairing(cohort["participants"], cohort["config"], cohort["decisions"])
    seated = allowed & (capacity > 0)[:, None]
    if (seated.sum(axis=0) < rounds).any():
        with pytest.raises(InfeasibleError) as caught:
            plan_rounds(problem, rounds)
        for b in np.nonzero(seated.sum(axis=0) < rounds)[0]:
            assert f"{ids_e[b]} ({int(seated[:, b].sum())})" in str(caught.value)
        return
    plan = plan_rounds(problem, rounds)
    table = plan.table()
    assert tuple(table.columns) == ROUNDS_COLUMNS
    assert set(table["round"]) <= set(range(1, rounds + 1))
    assert not table.duplicated(["mentor_id", "mentee_id"]).any(), "a mentee meets the same mentor twice"
    met = np.zeros_like(allowed)
    for r in range(1, rounds + 1):
        this = table[table["round"] == r]
        assert this["mentee_id"].is_unique, "a mentee at two tables in one round"
        load = this["mentor_id"].value_counts()
        for m, k in load.items():
            assert k <= capacity[ids_m.index(m)], "more mentees than seats"
        for m, e in zip(this["mentor_id"], this["mentee_id"], strict=True):
            assert allowed[ids_m.index(m), ids_e.index(e)], "a meeting the rules or decisions forbid"
        assert len(this) == _most_meetings(seated & ~met, capacity), "a round leaves seats a new meeting could use"
        out = set(plan.sitting_out.loc[plan.sitting_out["round"] == r, "mentee_id"])
        assert out == set(ids_e) - set(this["mentee_id"])
        for m, e in zip(this["mentor_id"], this["mentee_id"], strict=True):
            met[ids_m.index(m), ids_e.index(e)] = True
    first = table[table["round"] == 1]
    score = problem.score
    total = sum(score[ids_m.index(m), ids_e.index(e)] for m, e in zip(first["mentor_id"], first["mentee_id"], strict=True))
    best = brute_best({"score": score, "allowed": seated, "capacity": capacity, "locked": np.zeros_like(allowed)}, "optimal")
    assert (len(first), round(total, 9)) == (best[0], round(best[1], 9)), "round 1 is not the best first round"


def _people(n_m: int, n_e: int, capacity: int = 1) -> pd.DataFrame:
    return pd.DataFrame({
        "person_id": [f"m{k}" for k in range(n_m)] + [f"e{k}" for k in range(n_e)],
        "role": ["mentor"] * n_m + ["mentee"] * n_e,
        "offers": ["AI tools"] * n_m + [""] * n_e, "wants": [""] * n_m + ["AI tools"] * n_e,
        "capacity": [capacity] * n_m + [None] * n_e,
    })


def test_everyone_meets_everyone_in_a_latin_square() -> None:
    plan = plan_rounds(prepare_pairing(_people(3, 3)), 3)
    table = plan.table()
    assert len(table) == 9 and plan.sitting_out.empty
    assert table.groupby("mentee_id")["mentor_id"].nunique().eq(3).all()


def test_sitting_out_is_shared() -> None:
    # 2 seats, 3 mentees, 2 rounds: 4 meetings; whoever sat out round 1 meets someone in round 2
    plan = plan_rounds(prepare_pairing(_people(2, 3)), 2)
    assert len(plan.schedule) == 4
    assert len(plan.sitting_out) == 2 and plan.sitting_out["mentee_id"].is_unique


def test_seats_are_the_capacity() -> None:
    plan = plan_rounds(prepare_pairing(_people(1, 4, capacity=2)), 1)
    assert len(plan.schedule) == 2 and len(plan.sitting_out) == 2


def test_high_compatibility_first() -> None:
    people = pd.DataFrame({"person_id": ["m1", "m2", "e1", "e2"], "role": ["mentor"] * 2 + ["mentee"] * 2,
                           "offers": ["AI tools; video", "finance", "", ""], "wants": ["", "", "AI tools; video", "finance"]})
    table = plan_rounds(prepare_pairing(people), 2).table()
    assert table[table["round"] == 1][["mentor_id", "mentee_id"]].values.tolist() == [["m1", "e1"], ["m2", "e2"]]


def test_too_many_rounds_names_who_runs_out() -> None:
    people = _people(3, 2)
    people.loc[people["person_id"] == "m2", "capacity"] = 0
    with pytest.raises(InfeasibleError, match=r"(?s)3 rounds are impossible: 2 mentee\(s\).*e0 \(2\), e1 \(2\).*at most 2 round"):
        plan_rounds(prepare_pairing(people), 3)


@pytest.mark.parametrize("rounds", [0, -2, 1.5])
def test_rounds_must_be_positive(rounds: object) -> None:
    with pytest.raises(ValueError, match="rounds must be"):
        plan_rounds(prepare_pairing(_people(2, 2)), rounds)  # type: ignore[arg-type]
