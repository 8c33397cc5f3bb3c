"""Reverse-mentoring rules and earlier cycles, by brute force on small random cohorts.

Each rule is re-implemented here plainly (walking the manager chain one step at a time, comparing level positions
by hand) and every pair every strategy proposes is checked against it; every pair of an earlier cycle is checked
never to come back under ``repeat_pairs: forbid``; and people left unmatched last time are checked to be paired
whenever some maximum pairing pairs them (``optimal``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rmkit.cohort.config import PairingConfig, PairingRules
from rmkit.pairing import prepare_pairing, rule_counts

from ..helpers.pairing_cases import all_matchings

LEVELS = ["analyst", "associate", "manager", "director", "vp"]
GENERATIONS = [None, "Gen Z", "gen z ", "Millennial", "Gen X"]


@st.composite
def ruled_cohorts(draw: st.DrawFn) -> dict[str, object]:
    n_m, n_e = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    ids = [f"m{k}" for k in range(n_m)] + [f"e{k}" for k in range(n_e)]
    # a manager chain without cycles: each person's manager comes later in a random order (or none)
    order = draw(st.permutations(ids))
    manager = {}
    for k, pid in enumerate(order):
        later = order[k + 1:]
        manager[pid] = draw(st.sampled_from([None, *later])) if later else None
    rows = [{"person_id": pid, "role": "mentor" if pid[0] == "m" else "mentee", "offers": "alpha", "wants": "alpha",
             "level": draw(st.sampled_from(LEVELS)).upper() if draw(st.booleans()) else draw(st.sampled_from(LEVELS)),
             "generation": draw(st.sampled_from(GENERATIONS)), "manager_id": manager[pid],
             "capacity": draw(st.integers(0, 2)) if pid[0] == "m" else None,
             "interests": draw(st.sampled_from(["chess", "jazz", ""]))} for pid in ids]
    rules = PairingRules(no_reporting_line=False, mentor_more_junior=draw(st.booleans()),
                         min_level_gap=draw(st.sampled_from([None, 1, 2])), no_reporting_chain=draw(st.booleans()),
                         different_generation=draw(st.booleans()))
    history = [(m, e) for m in ids[:n_m] for e in ids[n_m:] if draw(st.integers(0, 3)) == 0]
    return {"people": pd.DataFrame(rows), "rules": rules, "history": history, "manager": manager,
            "repeat": draw(st.sampled_from(["forbid", "allow"]))}


def _above(manager: dict[str, str | None], person: str) -> set[str]:
    out, node = set(), manager.get(person)
    while node is not None:
        out.add(node)
        node = manager.get(node)
    return out


def _breaks(case: dict[str, object], m: str, e: str) -> list[str]:
    people = case["people"].set_index("person_id")
    rules: PairingRules = case["rules"]
    lm, le = LEVELS.index(people.at[m, "level"].lower()), LEVELS.index(people.at[e, "level"].lower())
    broken = []
    if rules.mentor_more_junior and not lm < le:
        broken.append("mentor_more_junior")
    if rules.min_level_gap is not None and abs(lm - le) < rules.min_level_gap:
        broken.append("min_level_gap")
    if rules.no_reporting_chain and (e in _above(case["manager"], m) or m in _above(case["manager"], e)):
        broken.append("no_reporting_chain")
    gm, ge = people.at[m, "generation"], people.at[e, "generation"]
    if rules.different_generation and not pd.isna(gm) and not pd.isna(ge) and gm.strip().casefold() == ge.strip().casefold():
        broken.append("different_generation")
    if case["repeat"] == "forbid" and (m, e) in case["history"]:
        broken.append("repeat_pair")
    return broken


def _problem(case: dict[str, object]):
    config = PairingConfig(rules=case["rules"], repeat_pairs=case["repeat"])
    history = pd.DataFrame(case["history"], columns=["mentor_id", "mentee_id"]).assign(cycle=0, source="last")
    return prepare_pairing(case["people"], config, levels=LEVELS, history=history)


@settings(max_examples=80, deadline=None)
@given(ruled_cohorts())
def test_no_proposed_pair_breaks_a_rule_or_repeats(case):
    problem = _problem(case)
    mentors, mentees = list(problem.mentor_ids), list(problem.mentee_ids)
    for i, m in enumerate(mentors):
        for j, e in enumerate(mentees):
            expected = _breaks(case, m, e)
            found = [name for name, mask in problem.constraints.violations.items() if mask[i, j]]
            assert sorted(found) == sorted(expected), (m, e)
            assert len(problem.why_not(m, e)) == len(expected)  # one sentence per rule that removes the pair
    if not (problem.constraints.allowed & (problem.constraints.capacity > 0)[:, None]).any():
        return  # nothing to pair: solve says so (InfeasibleError)
    for strategy in ("optimal", "fair", "stable"):
        for pair in problem.solve(strategy).pairs.itertuples():
            assert _breaks(case, pair.mentor_id, pair.mentee_id) == []
    counts = rule_counts(problem).set_index("rule")
    for name, mask in problem.constraints.violations.items():
        assert counts.at[name, "pairs_ruled_out"] == int(mask.sum())


@settings(max_examples=60, deadline=None)
@given(ruled_cohorts(), st.data())
def test_people_unmatched_last_cycle_come_first(case, data):
    """Among the maximum pairings, optimal pairs as many of last cycle's unmatched people as any can (brute force)."""
    problem0 = _problem(case)
    c = problem0.constraints
    if not (c.allowed & (c.capacity > 0)[:, None]).any():
        return
    ids = [*problem0.mentor_ids, *problem0.mentee_ids]
    waiting = frozenset(data.draw(st.lists(st.sampled_from(ids), unique=True)))
    config = PairingConfig(rules=case["rules"], repeat_pairs=case["repeat"])
    history = pd.DataFrame(case["history"], columns=["mentor_id", "mentee_id"]).assign(cycle=0, source="last")
    problem = prepare_pairing(case["people"], config, levels=LEVELS, history=history, unmatched_last_cycle=waiting)
    result = problem.solve("optimal")
    mentors, mentees = list(problem.mentor_ids), list(problem.mentee_ids)

    def served(pairs: list[tuple[int, int]]) -> tuple[int, int]:
        people = {mentors[i] for i, _ in pairs} | {mentees[j] for _, j in pairs}
        return len(pairs), len(people & waiting)

    best = max(served(m) for m in all_matchings(c.allowed, c.capacity, c.locked))
    got = served(list(zip(result.assignment.mentor.tolist(), result.assignment.mentee.tolist(), strict=True)))
    assert got == best


def test_explanations_name_people_by_id():
    people = pd.DataFrame({
        "person_id": ["P-40", "P-12", "P-30"], "role": ["mentor", "mentee", "mentee"], "offers": ["x", "y", "y"],
        "wants": ["y", "x", "x"], "manager_id": ["P-30", None, "P-12"], "level": ["analyst", "vp", "manager"],
        "name": ["Amira Test", "Paul Smith", "Ola Berg"], "generation": ["Gen Z", "Gen X", "Gen Z"]})
    rules = PairingRules(no_reporting_chain=True, mentor_more_junior=True, different_generation=True)
    problem = prepare_pairing(people, PairingConfig(rules=rules), levels=LEVELS)
    assert problem.why_not("P-40", "P-12") == ["ruled out: P-12 is above P-40 in the reporting chain"]
    assert problem.why_not("P-40", "P-30") == ["ruled out: P-30 is P-40's manager",
                                                "ruled out: P-30 is above P-40 in the reporting chain",
                                                "ruled out: P-40 and P-30 are both Gen Z"]
    assert all("Amira" not in line for line in problem.why_not("P-40", "P-30"))


@pytest.mark.parametrize("repeat, expected", [("forbid", []), ("allow", [("m0", "e0")])])
def test_repeat_pairs_forbid_or_allow(repeat, expected):
    people = pd.DataFrame({"person_id": ["m0", "e0"], "role": ["mentor", "mentee"], "offers": ["x", "y"], "wants": ["y", "x"]})
    history = pd.DataFrame({"mentor_id": ["m0"], "mentee_id": ["e0"], "cycle": [0], "source": ["../2025"]})
    problem = prepare_pairing(people, PairingConfig(repeat_pairs=repeat), history=history)
    if expected:
        assert [tuple(p) for p in problem.solve().pairs[["mentor_id", "mentee_id"]].values] == expected
    else:
        assert problem.why_not("m0", "e0") == ["ruled out: m0 and e0 were paired in an earlier cycle (../2025)"]
        assert rule_counts(problem).set_index("rule").at["repeat_pair", "pairs_ruled_out"] == 1
        assert not problem.constraints.allowed.any()
    assert np.asarray(problem.constraints.allowed).shape == (1, 1)
