"""The estimators against the comparison group (rmkit.evaluation.effects): each expected number is derived here by
hand from its published formula, never by rmkit's code."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from rmkit.evaluation.effects import adjusted_did, ancova, balance_table, did, paired_scores, wwc_equivalence
from tests.helpers.score_frames import score_frame


def _wide(frame: pd.DataFrame) -> pd.DataFrame:
    wide = frame.pivot(index="person_id", columns="wave", values="score").dropna()
    groups = frame.drop_duplicates("person_id").set_index("person_id")["group"]
    return wide.assign(group=groups.reindex(wide.index))


def test_did_is_the_difference_of_the_mean_changes_on_complete_two_wave_data() -> None:
    frame = score_frame(1, n_participants=23, n_comparison=31)
    wide = _wide(frame)
    change = wide["w1"] - wide["w0"]
    by_hand = change[wide.group == "participant"].mean() - change[wide.group == "comparison"].mean()
    row = did(frame, groups=("all",)).iloc[0]
    assert row.estimate == pytest.approx(by_hand, abs=1e-12)
    assert row.participant_change == pytest.approx(change[wide.group == "participant"].mean())
    assert (row.n, row.n_participant, row.n_comparison) == (54, 23, 31)
    assert (row.first_wave, row.last_wave) == ("w0", "w1")


def _cr1_by_hand(y: np.ndarray, x: np.ndarray, clusters: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """OLS with the cluster-robust covariance as R's ``sandwich::vcovCL(fit, cluster = ~id, type = "HC1")``
    computes it (Zeileis, Köll & Graham, 2020, "Various Versatile Variances", J. Stat. Softw. 95(1), eq. 3 and
    section 2.2): bread (X'X)^-1, meat sum_g (X_g' e_g)(X_g' e_g)', times G/(G-1) (``cadjust = TRUE``) and
    (N-1)/(N-K) (``type = "HC1"``)."""
    beta = np.linalg.solve(x.T @ x, x.T @ y)
    resid = y - x @ beta
    bread = np.linalg.inv(x.T @ x)
    meat = np.zeros((x.shape[1], x.shape[1]))
    for g in np.unique(clusters):
        score = x[clusters == g].T @ resid[clusters == g]
        meat += np.outer(score, score)
    n, k = x.shape
    groups = len(np.unique(clusters))
    return beta, groups / (groups - 1) * (n - 1) / (n - k) * bread @ meat @ bread


def test_did_interval_is_the_person_clustered_cr1_sandwich_with_t_on_g_minus_1() -> None:
    frame = score_frame(2, n_participants=17, n_comparison=26)
    wide = _wide(frame)
    n = len(wide)
    treated = (wide.group == "participant").to_numpy(dtype=float)
    y = np.concatenate([wide["w0"].to_numpy(), wide["w1"].to_numpy()])
    post = np.repeat([0.0, 1.0], n)
    x = np.column_stack([np.ones(2 * n), post, np.tile(treated, 2), post * np.tile(treated, 2)])
    beta, vcov = _cr1_by_hand(y, x, np.tile(np.arange(n), 2))
    se = np.sqrt(vcov[3, 3])
    half = stats.t.ppf(0.975, n - 1) * se  # Stata's vce(cluster) and Cameron & Miller (2015): t on G - 1 df
    row = did(frame, groups=("all",)).iloc[0]
    assert row.estimate == pytest.approx(beta[3], abs=1e-10)
    assert row.se == pytest.approx(se, rel=1e-9)
    assert (row.ci_low, row.ci_high) == pytest.approx((beta[3] - half, beta[3] + half), rel=1e-9)
    assert row.dof == n - 1
    assert row.p_value == pytest.approx(2 * stats.t.sf(abs(beta[3] / se), n - 1), rel=1e-8)


def test_did_by_role_compares_each_role_with_the_whole_comparison_group() -> None:
    frame = score_frame(3, n_participants=20, n_comparison=15)
    table = did(frame)
    assert table.group.tolist() == ["all", "role=mentor", "role=mentee"]
    wide = _wide(frame)
    roles = frame.drop_duplicates("person_id").set_index("person_id")["role"]
    change = wide["w1"] - wide["w0"]
    comparison = change[wide.group == "comparison"].mean()
    mentees = change[roles.reindex(wide.index) == "mentee"].mean()
    assert table.set_index("group").loc["role=mentee", "estimate"] == pytest.approx(mentees - comparison)
    assert table.set_index("group").loc["role=mentee", "n_comparison"] == 15


def test_did_uses_first_and_last_wave_and_only_people_scored_at_both() -> None:
    frame = score_frame(4, waves=("w0", "w1", "w2"), missing=0.2)
    paired = paired_scores(frame, "w0", "w2")
    row = did(frame, waves=["w0", "w1", "w2"], groups=("all",)).iloc[0]
    assert (row.first_wave, row.last_wave) == ("w0", "w2")
    assert row.n == len(paired) < frame.person_id.nunique()


def test_did_without_comparison_people_has_no_estimate() -> None:
    frame = score_frame(5)
    frame = frame[frame.group == "participant"]
    row = did(frame, groups=("all",)).iloc[0]
    assert row.n_comparison == 0 and np.isnan(row.estimate) and np.isnan(row.ci_low)


def test_ancova_is_the_group_coefficient_of_last_on_group_and_first() -> None:
    frame = score_frame(6, n_participants=30, n_comparison=25)
    wide = _wide(frame)
    treated = (wide.group == "participant").to_numpy(dtype=float)
    x = np.column_stack([np.ones(len(wide)), treated, wide["w0"].to_numpy()])
    y = wide["w1"].to_numpy()
    beta = np.linalg.solve(x.T @ x, x.T @ y)
    resid = y - x @ beta
    sigma2 = resid @ resid / (len(y) - 3)  # the classical OLS variance (as R's summary(lm(...)))
    se = np.sqrt(sigma2 * np.linalg.inv(x.T @ x)[1, 1])
    row = ancova(frame, groups=("all",)).iloc[0]
    assert row.estimate == pytest.approx(beta[1], abs=1e-10)
    assert row.se == pytest.approx(se, rel=1e-9)
    assert row.ci_low == pytest.approx(beta[1] - stats.t.ppf(0.975, len(y) - 3) * se, rel=1e-9)


def test_adjusted_did_equals_the_long_regression_with_covariate_by_wave_interactions() -> None:
    frame = score_frame(7, n_participants=40, n_comparison=40)
    ids = frame.person_id.unique()
    rng = np.random.default_rng(7)
    people = pd.DataFrame({"person_id": ids, "tenure_years": rng.uniform(0, 20, len(ids)).round(1),
                           "level": rng.choice(["junior", "middle", "senior"], len(ids))})
    wide = _wide(frame)
    here = people.set_index("person_id").reindex(wide.index)
    n = len(wide)
    treated = (wide.group == "participant").to_numpy(dtype=float)
    covariates = np.column_stack([here.tenure_years, here.level == "senior", here.level == "middle"]).astype(float)
    post = np.repeat([0.0, 1.0], n)
    z = np.tile(np.column_stack([treated, covariates]), (2, 1))
    x = np.column_stack([np.ones(2 * n), post, z, post[:, None] * z])  # post x group is column 2 + 4 = 6
    y = np.concatenate([wide["w0"].to_numpy(), wide["w1"].to_numpy()])
    beta = np.linalg.lstsq(x, y, rcond=None)[0]
    row = adjusted_did(frame, people, covariates=("level", "tenure_years"), groups=("all",)).iloc[0]
    assert row.estimate == pytest.approx(beta[6], abs=1e-10)
    assert row.covariates == "level, tenure_years"


def test_adjusted_did_leaves_out_what_cannot_be_used_and_says_when_nothing_is_left() -> None:
    frame = score_frame(8, n_participants=10, n_comparison=10)
    ids = frame.person_id.unique()
    people = pd.DataFrame({"person_id": ids, "department": ["IT"] * len(ids),  # no variation
                           "tenure_years": [np.nan] + [3.0] * (len(ids) - 1)})  # someone without a value
    row = adjusted_did(frame, people, groups=("all",)).iloc[0]
    assert row.covariates == "" and np.isnan(row.estimate)
    # a covariate that is the group itself leaves nothing to compare
    people = pd.DataFrame({"person_id": ids, "level": np.where(pd.Series(ids).str.startswith("p"), "senior", "junior")})
    row = adjusted_did(frame, people, covariates=("level",), groups=("all",)).iloc[0]
    assert row.covariates == "level" and np.isnan(row.estimate)


def test_balance_smd_by_austins_formulas_and_the_wwc_bands() -> None:
    frame = score_frame(9, n_participants=30, n_comparison=20)
    ids = frame.person_id.unique()
    people = pd.DataFrame({"person_id": ids, "department": ["IT", "HR", "IT", "Sales", "HR"] * (len(ids) // 5)})
    table = balance_table(frame, people, covariates=("department",))
    wide = _wide(frame)
    t, c = wide.loc[wide.group == "participant", "w0"], wide.loc[wide.group == "comparison", "w0"]
    smd = (t.mean() - c.mean()) / np.sqrt((t.var(ddof=1) + c.var(ddof=1)) / 2)  # Austin (2009), eq. 1
    row = table[table.kind == "scale"].iloc[0]
    assert row.smd == pytest.approx(smd) and row.participant == pytest.approx(t.mean())
    it = table[(table.variable == "department") & (table.category == "IT")].iloc[0]
    dept = people.set_index("person_id").department.reindex(wide.index)
    p_t, p_c = (dept[wide.group == "participant"] == "IT").mean(), (dept[wide.group == "comparison"] == "IT").mean()
    assert it.participant == pytest.approx(100 * p_t)
    assert it.smd == pytest.approx((p_t - p_c) / np.sqrt((p_t * (1 - p_t) + p_c * (1 - p_c)) / 2))  # Austin, eq. 2
    assert table.category[table.kind == "covariate"].tolist() == ["HR", "IT", "Sales"]
    # WWC Procedures and Standards Handbook v5.0: <= 0.05 SD equivalent, 0.05-0.25 with adjustment, > 0.25 not
    assert [wwc_equivalence(v) for v in (0.05, 0.051, 0.25, 0.2501, -0.3)] == [
        "equivalent", "needs adjustment", "needs adjustment", "not equivalent", "not equivalent"]


def test_estimators_reject_a_frame_without_the_contract_columns() -> None:
    with pytest.raises(ValueError, match="group"):
        did(pd.DataFrame({"person_id": ["a"], "wave": ["w0"], "scale": ["s"], "score": [1.0]}))
    with pytest.raises(ValueError, match="participant, comparison"):
        did(pd.DataFrame({"person_id": ["a"], "wave": ["w0"], "scale": ["s"], "score": [1.0], "group": ["x"]}))
    with pytest.raises(ValueError, match="allowed: all, role"):
        did(score_frame(1), groups=("department",))


def test_estimators_do_not_mutate_their_input() -> None:
    frame = score_frame(10)
    before = frame.copy()
    did(frame)
    ancova(frame)
    balance_table(frame)
    pd.testing.assert_frame_equal(frame, before)


@pytest.mark.slow
def test_did_interval_covers_the_injected_effect_in_at_least_93_of_100_seeds() -> None:
    """A known effect for participants (0.4), a shared trend for everyone (0.25) and a head start (0.3): the
    95% interval of the DiD holds the injected effect in >= 93 of 100 seeds (a binomial(100, 0.95) count falls
    below 93 with probability 0.12; far below it only if the interval is too narrow or biased)."""
    covered = 0
    for seed in range(100):
        frame = score_frame(1000 + seed, n_participants=40, n_comparison=40, effect=0.4, trend=0.25,
                            head_start=0.3)
        row = did(frame, groups=("all",)).iloc[0]
        covered += row.ci_low <= 0.4 <= row.ci_high
    assert covered >= 93
