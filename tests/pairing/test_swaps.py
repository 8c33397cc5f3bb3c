"""Swap suggestions: valid under rules, forbids, locks and capacities, and never worse than re-pairing just the
two people with everyone else fixed (found here by enumeration)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rmkit.errors import InfeasibleError
from rmkit.pairing import pair_participants, prepare_pairing
from rmkit.pairing.swaps import suggest_swaps

from ..helpers.pairing_cases import cohorts, reference_allowed


def _resolve_two(score: np.ndarray, allowed: np.ndarray, capacity: np.ndarray, pairs: list[tuple[int, int]],
                 m0: int, e0: int) -> tuple[int, float]:
    """Best (pairs, total) when only m0 and e0 move: e0 may take a mentor with room, m0's freed place an
    unmatched mentee; the broken pair itself is not formed again. Enumerated."""
    rest = [p for p in pairs if p != (m0, e0)]
    load = np.bincount([m for m, _ in rest], minlength=score.shape[0])
    taken = {e for _, e in rest}
    base = sum(score[m, e] for m, e in rest)
    best = (len(rest), round(base, 9))
    mentors = [None] + [m for m in range(score.shape[0]) if m != m0 and allowed[m, e0] and load[m] < capacity[m]]
    mentees = [None] + [e for e in range(score.shape[1]) if e != e0 and e not in taken and allowed[m0, e]]
    for m in mentors:
        for e in mentees:
            n = len(rest) + (m is not None) + (e is not None)
            total = base + (score[m, e0] if m is not None else 0) + (score[m0, e] if e is not None else 0)
            best = max(best, (n, round(total, 9)))
    return best


@settings(max_examples=50, deadline=None)
@given(cohorts(max_mentors=4, max_mentees=5))
def test_swaps_are_valid_and_no_worse_than_resolving_the_two(cohort: dict) -> None:
    try:
        result = prepare_pairing(cohort["participants"], cohort["config"], cohort["decisions"]).solve()
    except InfeasibleError:
        return
    ids_m, ids_e, allowed, capacity, locked = reference_allowed(cohort)
    score = result.problem.score
    before = [(ids_m.index(m), ids_e.index(e)) for m, e in zip(result.pairs["mentor_id"], result.pairs["mentee_id"], strict=True)]
    total_before = sum(score[m, e] for m, e in before)
    for m0, e0 in before:
        if locked[m0, e0]:
            with pytest.raises(ValueError, match="locked"):
                suggest_swaps(result, ids_m[m0], ids_e[e0])
            continue
        suggestions = suggest_swaps(result, ids_m[m0], ids_e[e0], limit=4)
        assert 1 <= len(suggestions) <= 4  # splitting them up is always possible
        for s in suggestions:
            after = s.pairs_after(result)
            i = after["mentor_id"].map(ids_m.index).to_numpy(dtype=int)
            j = after["mentee_id"].map(ids_e.index).to_numpy(dtype=int)
            assert allowed[i, j].all() and after["mentee_id"].is_unique
            assert (np.bincount(i, minlength=len(ids_m)) <= capacity).all()
            assert not ((i == m0) & (j == e0)).any(), "the broken pair is formed again"
            for a, b in zip(*np.nonzero(locked), strict=True):
                assert ((i == a) & (j == b)).any(), "a locked pair was broken"
            assert s.remove[0] == (ids_m[m0], ids_e[e0]) and s.other_pairs_changed == len(s.remove) - 1 <= 1
            assert s.total_change == pytest.approx(score[i, j].sum() - total_before)
            assert s.matched_change == len(after) - len(before)
            assert s.changes["change"].sum() == pytest.approx(2 * s.total_change)  # each pair counts for two people
        keys = [(s.matched_change, round(s.total_change, 9), -s.other_pairs_changed) for s in suggestions]
        assert keys == sorted(keys, reverse=True), "not ranked"
        best = suggestions[0]
        resolved = _resolve_two(score, allowed, capacity, before, m0, e0)
        assert (len(before) + best.matched_change, round(total_before + best.total_change, 9)) >= resolved


def test_swap_with_one_other_pair_by_hand() -> None:
    # m1–e1 (0.5) and m2–e2 (0.5) by skill gap; breaking m1–e1 the only re-pairing is the swap m1–e2, m2–e1
    people = pd.DataFrame({"person_id": ["m1", "m2", "e1", "e2"], "role": ["mentor"] * 2 + ["mentee"] * 2,
                           "offers": ["AI tools; video", "video", "", ""], "wants": ["", "", "AI tools", "video"]})
    result = pair_participants(people)
    best = suggest_swaps(result, "m1", "e1")[0]
    assert best.kind == "swap" and best.remove == (("m1", "e1"), ("m2", "e2"))
    changes = best.changes.set_index("person_id")
    # m1: e1 (0.5) -> e2 (0.5); m2: e2 (0.5) -> e1 (0); e1: m1 (0.5) -> m2 (0); e2: m2 (0.5) -> m1 (0.5)
    assert changes["change"].to_dict() == {"m1": 0.0, "e1": -0.5, "m2": -0.5, "e2": 0.0}
    assert best.description == "swap: break m1–e1, m2–e2; new pairs m1–e2 (0.50), m2–e1 (0.00); total -0.500"


def test_free_partners_come_first_when_they_keep_everyone_paired() -> None:
    # by hand (skill gap only): m1–e1 0.5, m2–e2 0.5, m3–e1 0.25; m3 starts without a mentee
    people = pd.DataFrame({"person_id": ["m1", "m2", "m3", "e1", "e2"], "role": ["mentor"] * 3 + ["mentee"] * 2,
                           "offers": ["AI tools; podcasting", "video", "AI tools", "", ""],
                           "wants": ["", "", "", "AI tools; podcasting", "video"]})
    result = pair_participants(people)
    assert result.pairs[["mentor_id", "mentee_id"]].values.tolist() == [["m1", "e1"], ["m2", "e2"]]
    best, *others = suggest_swaps(result, "m1", "e1")
    # e1 moves to m3 (free place): −0.25 and no other pair touched; the swap with m2–e2 would lose 1.0
    assert best.kind == "free partners" and best.add == (("m3", "e1", 0.25),) and best.other_pairs_changed == 0
    assert best.total_change == pytest.approx(-0.25)
    assert [s.total_change for s in others] == sorted((s.total_change for s in others), reverse=True)
    assert any(s.kind == "swap" and s.total_change == pytest.approx(-1.0) for s in others)


def test_swaps_refuse_unknown_or_locked_pairs() -> None:
    people = pd.DataFrame({"person_id": ["m1", "e1"], "role": ["mentor", "mentee"], "offers": ["", ""], "wants": ["", ""]})
    log = pd.DataFrame({"action": ["lock"], "mentor_id": ["m1"], "mentee_id": ["e1"]})
    result = prepare_pairing(people, None, log).solve()
    with pytest.raises(ValueError, match="locked"):
        suggest_swaps(result, "m1", "e1")
    with pytest.raises(ValueError, match="not a pair"):
        suggest_swaps(result, "m1", "e9")


def test_suggestions_read_well_in_a_notebook() -> None:
    """Before, suggest_swaps returned dataclasses holding DataFrames that printed as a wall of text."""
    from rmkit.cohort import load_cohort
    from rmkit.pairing import propose_pairs
    from rmkit.resources import example_cohort_dir

    result = propose_pairs(load_cohort(example_cohort_dir()))
    pair = result.pairs[~result.pairs["locked"]].iloc[0]
    swaps = suggest_swaps(result, pair.mentor_id, pair.mentee_id, limit=3)
    text = repr(swaps)
    assert text.splitlines()[0] == f"{len(swaps)} swap suggestion(s):" and len(text.splitlines()) == len(swaps) + 1
    assert "DataFrame" not in text and "person_id" not in text
    assert repr(swaps[0]).startswith("SwapSuggestion(#1 ")
    frame = swaps.to_frame()
    assert list(frame["rank"]) == [s.rank for s in swaps]
    assert "<table" in swaps._repr_html_() and "<table" in swaps[0]._repr_html_()
    assert isinstance(swaps, list) and swaps[0].rank == 1  # still a list of suggestions


@settings(max_examples=80, deadline=None)
@given(cohorts(max_mentors=5, max_mentees=6), st.integers(1, 6))
def test_vectorized_suggestions_equal_the_plain_loops(cohort: dict, limit: int) -> None:
    """suggest_swaps (every other pair at once, free partners adjusted per broken pair) gives exactly the
    suggestions of the plain loops of tests/helpers/swaps_reference.py, in the same order; swaps_for_pairs (free
    partners computed once for all the pairs asked about) gives each pair's first one."""
    from rmkit.pairing.swaps import swaps_for_pairs

    from ..helpers.swaps_reference import reference_swaps

    try:
        result = prepare_pairing(cohort["participants"], cohort["config"], cohort["decisions"]).solve()
    except InfeasibleError:
        return
    unlocked = result.pairs[~result.pairs["locked"].astype(bool)] if "locked" in result.pairs else result.pairs
    for mentor_id, mentee_id in zip(unlocked["mentor_id"], unlocked["mentee_id"], strict=True):
        got = [(s.kind, s.remove, tuple((m, e) for m, e, _ in s.add), s.total_change)
               for s in suggest_swaps(result, mentor_id, mentee_id, limit=limit)]
        assert got == reference_swaps(result, mentor_id, mentee_id, limit)
    table = swaps_for_pairs(result, unlocked)
    for row in table.itertuples():
        expected = reference_swaps(result, row.mentor_id, row.mentee_id, 1)
        if expected:
            kind, remove, add, total = expected[0]
            assert row.description.startswith(kind + ":") and row.total_change == round(total, 3)
