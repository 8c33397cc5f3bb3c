"""Rules, decisions and capacities: hand-made cases, and properties of whole pairings on random cohorts checked
against a pair-by-pair reference (tests/pairing_cases.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

from rmkit.cohort.config import PairingConfig, PairingRules
from rmkit.errors import InfeasibleError
from rmkit.pairing import STRATEGIES, build_constraints, prepare_pairing, rule_violations, standing_decisions

from ..helpers.pairing_cases import brute_best, cohorts, locks_contradict, objective_of, reference_allowed


def _log(*rows: tuple) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["action", "mentor_id", "mentee_id"])


def test_latest_decision_wins_and_undo_only_undoes_its_own_kind() -> None:
    log = _log(
        ("lock", "m1", "e1"), ("forbid", "m1", "e1"),        # forbid is later: forbidden
        ("forbid", "m2", "e2"), ("lock", "m2", "e2"),        # lock is later: locked
        ("lock", "m3", "e3"), ("unforbid", "m3", "e3"),      # unforbid does not undo a lock
        ("forbid", "m4", "e4"), ("unlock", "m4", "e4"),      # unlock does not undo a forbid
        ("lock", "m5", "e5"), ("unlock", "m5", "e5"),        # undone
        ("publish", None, None),
    )
    standing = standing_decisions(log)
    assert standing[["mentor_id", "mentee_id", "action"]].values.tolist() == [
        ["m1", "e1", "forbid"], ["m2", "e2", "lock"], ["m3", "e3", "lock"], ["m4", "e4", "forbid"]]


def test_decisions_are_ordered_by_time_with_untimed_rows_first() -> None:
    log = pd.DataFrame({
        "at": ["2026-01-02T10:00:00+00:00", None, "2026-01-01T10:00:00+00:00"],
        "action": ["forbid", "forbid", "lock"],
        "mentor_id": ["m1", "m1", "m1"], "mentee_id": ["e1", "e1", "e1"],
    })
    # order: the untimed forbid, the lock on Jan 1, the forbid on Jan 2 -> forbidden
    assert standing_decisions(log)["action"].tolist() == ["forbid"]
    assert standing_decisions(log.iloc[[0, 1]].assign(at=[None, "2026-01-03"]))["action"].tolist() == ["forbid"]


def test_unknown_decision_action_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown decision"):
        standing_decisions(_log(("veto", "m1", "e1")))


def test_each_rule_on_hand_made_pairs() -> None:
    mentors = pd.DataFrame({"person_id": ["m1", "m2", "m3"], "department": ["Sales", None, "IT"],
                            "manager_id": [None, "e2", None], "timezone": [0.0, 1.0, np.nan]})
    mentees = pd.DataFrame({"person_id": ["e1", "e2", "e3"], "department": [" sales", "Sales", "HR"],
                            "manager_id": [None, None, "m3"], "timezone": [3.0, -2.0, 5.5]})
    masks = rule_violations(mentors, mentees, PairingRules(different_department=True, no_reporting_line=True, max_timezone_gap=3))
    # same department, ignoring case and spaces; an unknown department is never "the same"
    assert masks["different_department"].astype(int).tolist() == [[1, 1, 0], [0, 0, 0], [0, 0, 0]]
    # m2's manager is e2; e3's manager is m3
    assert masks["no_reporting_line"].astype(int).tolist() == [[0, 0, 0], [0, 1, 0], [0, 0, 1]]
    # |0 − 3| = 3 is not over 3; |0 − 5.5|, |1 − 5.5| are; unknown timezone (m3) is allowed
    assert masks["max_timezone_gap"].astype(int).tolist() == [[0, 0, 1], [0, 0, 1], [0, 0, 0]]
    assert set(rule_violations(mentors, mentees, PairingRules(no_reporting_line=False))) == set()


def test_a_lock_overrides_a_rule_and_is_reported() -> None:
    people = pd.DataFrame({"person_id": ["m1", "e1"], "role": ["mentor", "mentee"], "department": ["IT", "IT"],
                           "offers": ["", ""], "wants": ["", ""]})
    config = PairingConfig(rules=PairingRules(different_department=True))
    with pytest.raises(InfeasibleError, match="same department rules out 1 of 1 pairs"):
        prepare_pairing(people, config).solve()
    result = prepare_pairing(people, config, _log(("lock", "m1", "e1"))).solve()
    assert result.pairs[["mentor_id", "mentee_id", "locked"]].values.tolist() == [["m1", "e1", True]]
    assert result.warnings == ["locked pair m1–e1 overrides the rule: same department"]
    assert result.pairs.loc[0, "reasons"].startswith("locked by the facilitator (overriding the rule: same department)")
    assert result.matrix.loc["m1", "e1"] == result.pairs.loc[0, "score"]


def test_contradictory_locks_are_infeasible_with_their_rows() -> None:
    mentors = pd.DataFrame({"person_id": ["m1", "m2"], "capacity": [1, 0]})
    mentees = pd.DataFrame({"person_id": ["e1", "e2"]})
    with pytest.raises(InfeasibleError, match=r"mentee e1 is locked with 2 mentors \(m1, m2\) \(decisions rows 2, 3\)"):
        build_constraints(mentors, mentees, PairingRules(), _log(("lock", "m1", "e1"), ("lock", "m2", "e1")), rows=[2, 3])
    with pytest.raises(InfeasibleError, match="mentor m1 is locked with 2 mentees .* but has capacity 1"):
        build_constraints(mentors, mentees, PairingRules(), _log(("lock", "m1", "e1"), ("lock", "m1", "e2")))
    with pytest.raises(InfeasibleError, match="mentor m2 .* capacity 0"):
        build_constraints(mentors, mentees, PairingRules(), _log(("lock", "m2", "e1")))
    # undoing one of them resolves it
    ok = build_constraints(mentors, mentees, PairingRules(), _log(("lock", "m1", "e1"), ("lock", "m1", "e2"), ("unlock", "m1", "e2")))
    assert ok.locked.sum() == 1


def test_decisions_about_strangers_are_refused() -> None:
    mentors, mentees = pd.DataFrame({"person_id": ["m1"]}), pd.DataFrame({"person_id": ["e1"]})
    with pytest.raises(ValueError, match="not a mentor and a mentee"):
        build_constraints(mentors, mentees, PairingRules(), _log(("forbid", "e1", "m1")))


def test_everything_forbidden_is_infeasible() -> None:
    people = pd.DataFrame({"person_id": ["m1", "m2", "e1"], "role": ["mentor", "mentor", "mentee"], "capacity": [1, 0, None],
                           "offers": ["", "", ""], "wants": ["", "", ""]})
    with pytest.raises(InfeasibleError) as info:
        prepare_pairing(people, decisions=_log(("forbid", "m1", "e1"))).solve()
    text = str(info.value)
    assert "no pair can be formed" in text and "forbade 1 of 1 pairs" in text and "capacity 0" in text
    with pytest.raises(InfeasibleError, match="no mentees"):
        prepare_pairing(people[people["role"] == "mentor"]).solve()


@settings(max_examples=60, deadline=None)
@given(cohorts())
def test_pairings_respect_rules_decisions_and_capacities(cohort: dict) -> None:
    ids_m, ids_e, allowed, capacity, locked = reference_allowed(cohort)
    try:
        problem = prepare_pairing(cohort["participants"], cohort["config"], cohort["decisions"])
    except InfeasibleError:
        assert locks_contradict(locked, capacity)
        return
    assert not locks_contradict(locked, capacity)
    # the exported matrix is empty exactly where the reference forbids the pair
    np.testing.assert_array_equal(problem.matrix.notna().to_numpy(), allowed)
    assert list(problem.matrix.index) == ids_m and list(problem.matrix.columns) == ids_e
    if not (locked.any() or (allowed & (capacity > 0)[:, None]).any()):
        with pytest.raises(InfeasibleError):
            problem.solve()
        return
    reference = {"score": problem.score, "allowed": allowed, "capacity": capacity, "locked": locked}
    for strategy in STRATEGIES:
        result = problem.solve(strategy)
        pairs = result.pairs
        i = pairs["mentor_id"].map(ids_m.index).to_numpy(dtype=int)
        j = pairs["mentee_id"].map(ids_e.index).to_numpy(dtype=int)
        assert allowed[i, j].all(), "a rule or a forbid is broken"
        assert pairs["mentee_id"].is_unique
        assert (np.bincount(i, minlength=len(ids_m)) <= capacity).all()
        for a, b in zip(*np.nonzero(locked), strict=True):
            assert ((i == a) & (j == b)).any(), "a lock is missing"
        np.testing.assert_array_equal(pairs["locked"].to_numpy(), locked[i, j])
        np.testing.assert_array_equal(pairs["score"].to_numpy(), [problem.matrix.iloc[a, b] for a, b in zip(i, j, strict=True)])
        if strategy == "optimal":
            assert objective_of(problem.score, i, j, "optimal") == brute_best(reference, "optimal")
        if strategy == "fair":
            assert objective_of(problem.score, i, j, "fair") == brute_best(reference, "fair")
        # everyone without a partner is listed once, with a reason
        paired = set(pairs["mentor_id"]) | set(pairs["mentee_id"])
        assert set(result.unmatched["person_id"]) == (set(ids_m) | set(ids_e)) - paired
        assert result.unmatched["reason"].str.len().gt(0).all()
