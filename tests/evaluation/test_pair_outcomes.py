"""Does the pairing matter (rmkit.evaluation.pair_outcomes). References: the OLS slope and the CR1 cluster-robust
sandwich computed by hand with NumPy from its published formula (Cameron & Miller, 2015, "A Practitioner's Guide
to Cluster-Robust Inference", J. Human Resources 50(2): the factor G/(G-1) x (N-1)/(N-K) and t on G - 1 degrees of
freedom, as Stata's ``regress, vce(cluster)``; R's ``sandwich::vcovCL(type = "HC1")`` uses the same factor);
counts of meetings and pulses by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from rmkit.cohort.config import parse_instrument
from rmkit.evaluation.pair_outcomes import (
    CAUTION,
    clustered_slope,
    pair_learning,
    pair_outcomes,
    pair_regressions,
)

INSTRUMENT = """
id: t
response_scale: {min: 1, max: 5}
scales: [{id: digital, audience: mentee}, {id: business, audience: mentor}, {id: culture}]
items: [{id: a, scale: digital}, {id: b, scale: business}, {id: c, scale: culture}]
"""


def _instrument():
    instrument, problems = parse_instrument(INSTRUMENT)
    assert instrument is not None, problems
    return instrument


def _cr1_slope(y: np.ndarray, x: np.ndarray, clusters: np.ndarray) -> tuple[float, float, int]:
    """Slope and CR1 standard error by hand: beta = (X'X)^-1 X'y; V = c (X'X)^-1 [sum_g X_g' u_g u_g' X_g] (X'X)^-1
    with c = G/(G-1) (N-1)/(N-K) (Cameron & Miller 2015)."""
    design = np.column_stack([np.ones(len(x)), x])
    xtx_inv = np.linalg.inv(design.T @ design)
    beta = xtx_inv @ design.T @ y
    resid = y - design @ beta
    meat = sum(np.outer(design[clusters == g].T @ resid[clusters == g], design[clusters == g].T @ resid[clusters == g])
               for g in np.unique(clusters))
    n, k, groups = len(y), 2, len(np.unique(clusters))
    vcov = groups / (groups - 1) * (n - 1) / (n - k) * xtx_inv @ meat @ xtx_inv
    return float(beta[1]), float(np.sqrt(vcov[1, 1])), groups


def test_slope_and_clustered_interval_against_the_cr1_sandwich_by_hand() -> None:
    rng = np.random.default_rng(3)
    clusters = np.repeat([f"m{g}" for g in range(9)], [1, 2, 3, 1, 2, 1, 3, 2, 1])  # mentors with 1 to 3 mentees
    shared = dict(zip(np.unique(clusters), rng.normal(0, 0.4, 9), strict=True))
    x = rng.uniform(0.2, 0.9, len(clusters))
    y = 0.3 + 0.8 * x + np.array([shared[c] for c in clusters]) + rng.normal(0, 0.3, len(clusters))
    slope, se, groups = _cr1_slope(y, x, clusters)
    got = clustered_slope(y, x, clusters)
    assert got["coefficient"] == pytest.approx(slope, rel=1e-10)
    assert got["se"] == pytest.approx(se, rel=1e-9)
    assert got["dof"] == groups - 1 == 8
    half = stats.t.ppf(0.975, groups - 1) * se
    assert (got["ci_low"], got["ci_high"]) == pytest.approx((slope - half, slope + half), rel=1e-9)
    assert got["p_value"] == pytest.approx(2 * stats.t.sf(abs(slope / se), groups - 1), rel=1e-8)
    # the slope is the textbook cov(x, y) / var(x)
    assert slope == pytest.approx(np.cov(x, y)[0, 1] / np.var(x, ddof=1), rel=1e-10)


def test_undefined_slopes_are_empty() -> None:
    assert np.isnan(clustered_slope(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.0]), np.array(["m"] * 3))["se"])
    assert np.isnan(clustered_slope(np.array([1.0, 2.0, 3.0]), np.array([1.0, 1.0, 1.0]), np.array(["a", "b", "c"]))["coefficient"])


def _cohort_frames(seed: int, n_mentors: int = 8):
    """Pairs (some mentors with two mentees), check-ins reported by both sides and scores at two waves."""
    rng = np.random.default_rng(seed)
    pairs = []
    for m in range(n_mentors):
        for e in range(1 + (m % 3 == 0)):
            pairs.append({"mentor_id": f"m{m}", "mentee_id": f"e{m}-{e}", "score": round(rng.uniform(0.3, 0.9), 3)})
    pairs = pd.DataFrame(pairs)
    checkins, scores = [], []
    for pair in pairs.itertuples():
        for k in range(int(rng.integers(0, 5))):
            date = pd.Timestamp("2026-01-05") + pd.Timedelta(days=14 * k)
            for side in ("mentor", "mentee"):
                checkins.append({"mentor_id": pair.mentor_id, "mentee_id": pair.mentee_id, "date": date,
                                 "pulse": float(rng.integers(1, 6)), "reported_by": side})
    for person in {*pairs.mentor_id, *pairs.mentee_id}:
        for scale in ("digital", "business", "culture"):
            base = rng.uniform(1.5, 4)
            scores += [{"person_id": person, "wave": "w0", "scale": scale, "score": base},
                       {"person_id": person, "wave": "w1", "scale": scale, "score": base + rng.normal(0.3, 0.5)}]
    return pairs, pd.DataFrame(checkins), pd.DataFrame(scores)


def test_pair_learning_counts_meetings_and_pulse_and_takes_each_sides_change() -> None:
    pairs, checkins, scores = _cohort_frames(1)
    frame = pair_learning(pairs, checkins, scores, _instrument(), first="w0", last="w1")
    assert set(frame.scale) == {"digital", "business"}  # the culture scale is nobody's learning
    for row in frame.itertuples():
        mine = checkins[(checkins.mentor_id == row.mentor_id) & (checkins.mentee_id == row.mentee_id)]
        assert row.meetings == mine.date.nunique()  # both sides' reports of one date are one meeting
        if len(mine):
            assert row.mean_pulse == pytest.approx(mine.groupby("date").pulse.mean().mean())
        else:
            assert np.isnan(row.mean_pulse)
        learner = row.mentee_id if row.scale == "digital" else row.mentor_id
        assert row.person_id == learner and row.learner == ("mentee" if row.scale == "digital" else "mentor")
        own = scores[(scores.person_id == learner) & (scores.scale == row.scale)].set_index("wave").score
        assert row.learning == pytest.approx(own["w1"] - own["w0"])
        assert row.compatibility == pairs.set_index(["mentor_id", "mentee_id"]).loc[(row.mentor_id, row.mentee_id), "score"]
    assert (frame.meetings == 0).any()  # a published pair that logged nothing counts 0 meetings
    # a published table read with another index, and a pair listed twice, give the same rows
    shuffled = pd.concat([pairs, pairs.iloc[:1]]).set_axis(range(100, 100 + len(pairs) + 1))
    again = pair_learning(shuffled, checkins, scores, _instrument(), first="w0", last="w1")
    pd.testing.assert_frame_equal(again, frame)


def test_regressions_cluster_by_mentor_and_scale_the_compatibility_per_tenth() -> None:
    pairs, checkins, scores = _cohort_frames(2, n_mentors=12)
    frame = pair_learning(pairs, checkins, scores, _instrument(), first="w0", last="w1")
    table = pair_regressions(frame, min_group_size=5).set_index(["learner", "predictor"])
    mentees = frame[frame.learner == "mentee"]
    slope, se, groups = _cr1_slope(mentees.learning.to_numpy(), 10 * mentees.compatibility.to_numpy(),
                                   mentees.mentor_id.to_numpy())
    row = table.loc[("mentee", "compatibility")]
    assert (row.coefficient, row.se) == pytest.approx((slope, se), rel=1e-9)
    assert row.n_pairs == len(mentees) == 16 and row.n_mentors == groups == 12 and row.per == "0.1 of score"
    rated = frame[(frame.learner == "mentor") & frame.mean_pulse.notna()]
    slope, se, _ = _cr1_slope(rated.learning.to_numpy(), rated.mean_pulse.to_numpy(), rated.mentor_id.to_numpy())
    assert (table.loc[("mentor", "mean_pulse"), "coefficient"], table.loc[("mentor", "mean_pulse"), "se"]) == \
        pytest.approx((slope, se), rel=1e-9)
    assert table.loc[("mentor", "mean_pulse"), "n_pairs"] == len(rated)


def test_fewer_pairs_than_the_minimum_are_suppressed_with_their_sizes() -> None:
    pairs, checkins, scores = _cohort_frames(3, n_mentors=4)  # 6 pairs
    result = pair_outcomes(pairs, checkins, scores, _instrument(), first="w0", last="w1", min_group_size=7)
    assert result.table.suppressed.all() and result.table.coefficient.isna().all() and result.table.ci_low.isna().all()
    assert (result.table[result.table.predictor == "compatibility"].n_pairs == 6).all()
    assert any("every result is suppressed" in note for note in result.notes)


def test_the_notes_say_why_a_section_is_empty() -> None:
    pairs, checkins, scores = _cohort_frames(4)
    instrument = _instrument()
    none = pair_outcomes(None, checkins, scores, instrument, first="w0", last="w1")
    assert none.table.empty and "No published pairs" in none.notes[0]
    single = pair_outcomes(pairs, checkins, scores, instrument, first=None, last=None)
    assert single.table.empty and "single wave" in single.notes[0]
    no_meetings = pair_outcomes(pairs, None, scores, instrument, first="w0", last="w1", min_group_size=5)
    assert any("No check-ins" in note for note in no_meetings.notes)
    meetings = no_meetings.table[no_meetings.table.predictor == "meetings"]
    assert (meetings.n_pairs == 0).all() and meetings.suppressed.all()
    assert no_meetings.table[no_meetings.table.predictor == "compatibility"].coefficient.notna().all()
    unscored = pair_outcomes(pairs.drop(columns="score"), checkins, scores, instrument, first="w0", last="w1")
    assert any("no compatibility score" in note for note in unscored.notes)
    assert "correlation, not causation" in CAUTION
