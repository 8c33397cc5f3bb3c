"""Compatibility components: hand-computed examples and properties against a plain set-based reference."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings

from rmkit.pairing import COMPONENTS, compute_compatibility

from ..helpers.pairing_cases import cohorts, key


@pytest.fixture
def people() -> pd.DataFrame:
    return pd.DataFrame([
        {"person_id": "m1", "role": "mentor", "offers": "Social Media; AI tools; video", "wants": "strategy; Finance",
         "interests": "running; music", "work_style": "introvert", "availability": "Mon AM; Tue PM; Wed AM"},
        {"person_id": "m2", "role": "mentor", "offers": "", "wants": "", "interests": "", "work_style": None, "availability": ""},
        {"person_id": "e1", "role": "mentee", "offers": "strategy; leadership", "wants": "ai tools; social  media; blockchain; podcasting",
         "interests": "Music; chess; sustainability", "work_style": " Introvert", "availability": "tue pm; Wed AM"},
        {"person_id": "e2", "role": "mentee", "offers": "", "wants": "", "interests": "", "work_style": "ambivert", "availability": ""},
        {"person_id": "e3", "role": "mentee", "offers": "finance; FINANCE", "wants": "video", "interests": "running",
         "work_style": "extrovert", "availability": "Mon AM; Thu PM; Fri AM; Fri PM"},
    ])


def test_components_match_hand_computation(people: pd.DataFrame) -> None:
    # Expected values computed by hand from the formulas in rmkit.pairing.compatibility's docstring:
    # m1–e1: skill_gap = |{ai tools, social media}| / |4 wants| = 0.5; reverse_gap = |{strategy}| / |2 wants| = 0.5;
    #        interests = |{music}| / |{running, music, chess, sustainability}| = 0.25; same style (case ignored) = 1;
    #        availability = |{tue pm, wed am}| / min(3, 2) = 1.
    # m1–e2: e2 wants and offers nothing, no interests, no slots; ambivert with introvert = 0.5.
    # m1–e3: skill_gap = |{video}| / 1 = 1; reverse_gap = |{finance}| / 2 = 0.5 (finance listed twice counts once);
    #        interests = |{running}| / |{running, music}| = 0.5; introvert vs extrovert = 0; slots = 1 / min(3, 4).
    # m2 has nothing: every component 0 (its unknown style does not match, not even with the ambivert).
    compat = compute_compatibility(people)
    assert list(compat.mentor_ids) == ["m1", "m2"] and list(compat.mentee_ids) == ["e1", "e2", "e3"]
    expected = {
        "skill_gap": [[0.5, 0.0, 1.0], [0, 0, 0]],
        "reverse_gap": [[0.5, 0.0, 0.5], [0, 0, 0]],
        "interests": [[0.25, 0.0, 0.5], [0, 0, 0]],
        "work_style": [[1.0, 0.5, 0.0], [0, 0, 0]],
        "availability": [[1.0, 0.0, 1 / 3], [0, 0, 0]],
    }
    for name, matrix in expected.items():
        np.testing.assert_allclose(compat.component(name), matrix, err_msg=name)
    # default weights (0.5, 0.2, 0.15, 0.1, 0.05), summing to 1:
    # m1–e1: 0.25 + 0.1 + 0.0375 + 0.1 + 0.05 = 0.5375; m1–e2: 0.1 × 0.5 = 0.05;
    # m1–e3: 0.5 + 0.1 + 0.075 + 0 + 0.05/3 = 0.691667 (rounded to 6 decimals)
    np.testing.assert_allclose(compat.score, [[0.5375, 0.05, 0.691667], [0, 0, 0]], atol=1e-12)


def test_weights_are_normalized(people: pd.DataFrame) -> None:
    # (2 × 0.5 + 2 × 0.25) / (2 + 2) = 0.375 for m1–e1, by hand
    compat = compute_compatibility(people, weights={"skill_gap": 2, "interests": 2})
    assert compat.score[0, 0] == pytest.approx(0.375)
    assert compat.weights == {"skill_gap": 2.0, "reverse_gap": 0.0, "interests": 2.0, "work_style": 0.0, "availability": 0.0}


def test_bad_weights_and_roles_are_refused(people: pd.DataFrame) -> None:
    with pytest.raises(ValueError, match="unknown weight"):
        compute_compatibility(people, weights={"charm": 1})
    with pytest.raises(ValueError, match="at least one positive"):
        compute_compatibility(people, weights={"skill_gap": 0})
    with pytest.raises(ValueError, match="role must be"):
        compute_compatibility(people.assign(role=["mentor", "boss", "mentee", "mentee", "mentee"]))
    with pytest.raises(ValueError, match="repeated"):
        compute_compatibility(people.assign(person_id=["m1", "m1", "e1", "e2", "e3"]))


def test_inputs_are_not_modified(people: pd.DataFrame) -> None:
    before = people.copy(deep=True)
    compute_compatibility(people).long()
    pd.testing.assert_frame_equal(people, before)


def test_long_and_frame_views_agree(people: pd.DataFrame) -> None:
    compat = compute_compatibility(people)
    long = compat.long()
    assert list(long.columns) == ["mentor_id", "mentee_id", "score", *COMPONENTS]
    wide = compat.frame("interests")
    for row in long.itertuples():
        assert wide.loc[row.mentor_id, row.mentee_id] == row.interests
        assert compat.frame().loc[row.mentor_id, row.mentee_id] == row.score


def _reference(people: pd.DataFrame) -> dict[str, dict[tuple[str, str], float]]:
    """The five components, pair by pair, with Python sets (independent of the sparse implementation)."""

    def terms(cell: object) -> set[str]:
        return {key(t) for t in (cell or []) if key(t)}

    out: dict[str, dict[tuple[str, str], float]] = {c: {} for c in COMPONENTS}
    mentors = people[people["role"] == "mentor"].to_dict("records")
    mentees = people[people["role"] == "mentee"].to_dict("records")
    for m in mentors:
        for e in mentees:
            pair = (m["person_id"], e["person_id"])
            wants_e, wants_m = terms(e["wants"]), terms(m["wants"])
            out["skill_gap"][pair] = len(wants_e & terms(m["offers"])) / len(wants_e) if wants_e else 0.0
            out["reverse_gap"][pair] = len(wants_m & terms(e["offers"])) / len(wants_m) if wants_m else 0.0
            im, ie = terms(m["interests"]), terms(e["interests"])
            out["interests"][pair] = len(im & ie) / len(im | ie) if im | ie else 0.0
            sm = "" if pd.isna(m["work_style"]) else key(m["work_style"])
            se = "" if pd.isna(e["work_style"]) else key(e["work_style"])
            out["work_style"][pair] = 1.0 if sm and sm == se else 0.5 if sm and se and "ambivert" in (sm, se) else 0.0
            am, ae = terms(m["availability"]), terms(e["availability"])
            out["availability"][pair] = len(am & ae) / min(len(am), len(ae)) if am and ae else 0.0
    return out


@settings(max_examples=60, deadline=None)
@given(cohorts(max_mentors=4, max_mentees=4, with_decisions=False))
def test_components_agree_with_set_reference(cohort: dict) -> None:
    people = cohort["participants"]
    weights = cohort["config"].weights.as_dict()
    compat = compute_compatibility(people, weights=weights)
    reference = _reference(people)
    total_weight = sum(weights.values())
    for a, m in enumerate(compat.mentor_ids):
        for b, e in enumerate(compat.mentee_ids):
            expected_score = sum(weights[c] * reference[c][(m, e)] for c in COMPONENTS) / total_weight
            for c in COMPONENTS:
                assert compat.component(c)[a, b] == pytest.approx(reference[c][(m, e)]), (c, m, e)
            assert compat.score[a, b] == pytest.approx(expected_score, abs=5e-7)
            assert 0.0 <= compat.score[a, b] <= 1.0
    # components for chosen pairs agree with the full matrices (a fresh object: nothing cached)
    fresh = compute_compatibility(people, weights=weights, keep_components=False)
    i, j = np.meshgrid(np.arange(len(compat.mentor_ids)), np.arange(len(compat.mentee_ids)), indexing="ij")
    at = fresh.components_at(i.ravel(), j.ravel())
    for c in COMPONENTS:
        np.testing.assert_allclose(at[c].to_numpy(), compat.component(c).ravel())


@settings(max_examples=30, deadline=None)
@given(cohorts(max_mentors=4, max_mentees=4, with_decisions=False))
def test_row_order_does_not_matter(cohort: dict) -> None:
    people = cohort["participants"]
    shuffled = people.iloc[::-1].reset_index(drop=True)
    a, b = compute_compatibility(people), compute_compatibility(shuffled)
    assert list(a.mentor_ids) == list(b.mentor_ids) and list(a.mentee_ids) == list(b.mentee_ids)
    np.testing.assert_array_equal(a.score, b.score)
