"""The mixed model over every wave (rmkit.evaluation.mixed_model): the model builder against lme4's published
sleepstudy fit, the interaction against the hand DiD on complete balanced data, recovery of an injected effect, and
robustness on data too small or too odd to fit."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rmkit.evaluation.effects import did
from rmkit.evaluation.mixed_model import (
    MIXED_COLUMNS,
    fit_random_intercept,
    mixed_effects,
    mixed_fits,
    mixed_role_effects,
)
from tests.helpers.score_frames import score_frame

DATA = Path(__file__).parent / "data"


def test_the_model_builder_reproduces_lme4s_random_intercept_fit_of_sleepstudy() -> None:
    # lme4 (R): lmer(Reaction ~ Days + (1 | Subject), sleepstudy), REML. Fixed effects 251.405 and 10.467 as quoted
    # in lme4's documentation; the standard errors (9.7467, 0.8042) and variance components (Subject 1378.18,
    # residual 960.46) as lme4 prints them for this fit (summary(), "Random effects" and "Fixed effects").
    sleep = pd.read_csv(DATA / "sleepstudy.csv", dtype={"Subject": str})
    assert len(sleep) == 180
    design = np.column_stack([np.ones(len(sleep)), sleep["Days"].to_numpy(dtype=float)])
    fit = fit_random_intercept(sleep["Reaction"].to_numpy(), design, sleep["Subject"].to_numpy())
    assert fit.converged
    assert fit.params == pytest.approx([251.405, 10.467], abs=1e-3)
    assert np.sqrt(np.diag(fit.cov)) == pytest.approx([9.7467, 0.8042], abs=2e-3)
    assert fit.person_variance == pytest.approx(1378.18, rel=1e-4)
    assert fit.residual_variance == pytest.approx(960.46, rel=1e-3)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_profiled_fit_agrees_with_statsmodels_mixedlm_on_unbalanced_data(seed: int) -> None:
    """Reference: statsmodels' ``MixedLM`` (REML) on people with 1 to 3 scores and a person-level indicator. Fixed
    effects and variances agree closely; the standard errors within 1 % (statsmodels inverts the observed
    information of all parameters, lme4 and rmkit the GLS information of the fixed effects, as lme4 prints them)."""
    from statsmodels.regression.mixed_linear_model import MixedLM

    rng = np.random.default_rng(seed)
    people = 60
    sizes = rng.integers(1, 4, people)
    person = np.repeat(np.arange(people), sizes)
    wave = np.concatenate([rng.permutation(3)[:k] for k in sizes]).astype(float)
    group = (np.arange(people) % 2 == 0).astype(float)[person]
    design = np.column_stack([np.ones(len(person)), wave == 1, wave == 2, group, (wave == 2) * group]).astype(float)
    y = design @ [3.0, 0.1, 0.2, -0.1, 0.4] + rng.normal(0, 0.6, people)[person] + rng.normal(0, 0.5, len(person))
    ours = fit_random_intercept(y, design, person)
    reference = MixedLM(y, design, groups=person).fit(reml=True)
    assert ours.converged
    assert ours.params == pytest.approx(np.asarray(reference.fe_params), abs=1e-4)
    assert ours.person_variance == pytest.approx(float(np.asarray(reference.cov_re)[0, 0]), rel=1e-3, abs=1e-5)
    assert ours.residual_variance == pytest.approx(float(reference.scale), rel=1e-3)
    assert np.sqrt(np.diag(ours.cov)) == pytest.approx(np.asarray(reference.bse_fe), rel=1e-2)


def test_on_complete_balanced_data_the_interaction_is_the_did_of_the_mean_changes() -> None:
    # Known property: with every person scored at every wave, a random-intercept model's fixed effects are the
    # OLS estimates, and the wave x group interaction is the difference of the groups' mean changes.
    frame = score_frame(3, n_participants=25, n_comparison=30, waves=("w0", "w1", "w2"))
    table = mixed_effects(frame, waves=["w0", "w1", "w2"])
    assert list(table.columns) == MIXED_COLUMNS
    assert list(table.wave) == ["w1", "w2"] and set(table.group) == {"participant"}
    for wave in ("w1", "w2"):
        reference = did(frame, first="w0", last=wave, groups=("all",)).iloc[0]
        row = table[table.wave == wave].iloc[0]
        assert row.estimate == pytest.approx(reference.estimate, abs=1e-6)
        # the DiD's CI is cluster-robust and t-based, the model's is model-based and z-based: close, not equal
        assert row.ci_low < reference.estimate < row.ci_high
    assert table.n_people.tolist() == [55, 55] and table.n_obs.tolist() == [165, 165]
    assert table.converged.all()


def test_without_comparison_people_the_effect_is_the_participants_mean_change() -> None:
    frame = score_frame(4, n_participants=30, n_comparison=0, waves=("w0", "w1", "w2"))
    table = mixed_effects(frame)
    wide = frame.pivot(index="person_id", columns="wave", values="score")
    assert set(table.group) == {"all"}
    for wave in ("w1", "w2"):
        by_hand = (wide[wave] - wide["w0"]).mean()
        assert table.set_index("wave").loc[wave, "estimate"] == pytest.approx(by_hand, abs=1e-6)


def test_comparison_scores_only_at_later_waves_fall_back_to_the_participants_change() -> None:
    frame = score_frame(5, n_participants=20, n_comparison=20, waves=("w0", "w1"))
    frame = frame[~((frame.group == "comparison") & (frame.wave == "w0"))]
    table = mixed_effects(frame)
    assert table.group.tolist() == ["all"] and table.n_people.tolist() == [20]


def test_an_injected_effect_is_recovered_with_missing_waves() -> None:
    # score_frame injects +0.4 for participants by the last wave (+0.2 at the middle one), on top of a shared trend,
    # and drops 25% of later scores at random: the interval must cover the truth in most seeds.
    covered = 0
    for seed in range(20):
        frame = score_frame(100 + seed, n_participants=80, n_comparison=80, waves=("w0", "w1", "w2"),
                            effect=0.4, missing=0.25)
        row = mixed_effects(frame).set_index("wave").loc["w2"]
        covered += row.ci_low <= 0.4 <= row.ci_high
        assert row.n_people == 160 and row.n_obs < 480  # people with a missing wave still count
    assert covered >= 16  # 95% intervals: P(fewer than 16 of 20) < 2%
    pooled = mixed_effects(score_frame(7, n_participants=1000, n_comparison=1000, waves=("w0", "w1", "w2"),
                                       effect=0.4, missing=0.25))
    assert pooled.set_index("wave").loc["w2", "estimate"] == pytest.approx(0.4, abs=0.06)
    assert pooled.set_index("wave").loc["w1", "estimate"] == pytest.approx(0.2, abs=0.06)


def test_mentors_and_mentees_change_and_their_difference() -> None:
    frame = score_frame(8, n_participants=40, n_comparison=0, waves=("w0", "w1"))
    table = mixed_role_effects(frame).set_index("group")
    wide = frame.pivot(index="person_id", columns="wave", values="score")
    roles = frame.drop_duplicates("person_id").set_index("person_id")["role"]
    change = wide["w1"] - wide["w0"]
    mentor, mentee = change[roles == "mentor"].mean(), change[roles == "mentee"].mean()
    assert table.loc["role=mentor", "estimate"] == pytest.approx(mentor, abs=1e-6)
    assert table.loc["role=mentee", "estimate"] == pytest.approx(mentee, abs=1e-6)
    assert table.loc["mentee-mentor", "estimate"] == pytest.approx(mentee - mentor, abs=1e-6)
    assert table.loc["role=mentor", "n_participant"] == 20 and table.loc["role=mentee", "n_participant"] == 20


@pytest.mark.parametrize("case", ["two_people", "one_wave", "constant", "no_rows", "nan_scores"])
def test_too_little_data_gives_no_row_or_nan_never_an_error(case: str) -> None:
    frame = score_frame(9, n_participants=6, n_comparison=6, waves=("w0", "w1", "w2"))
    if case == "two_people":
        frame = frame[frame.person_id.isin(["p0000", "p0001"])]
    elif case == "one_wave":
        frame = frame[frame.wave == "w0"]
    elif case == "constant":
        frame = frame.assign(score=3.0)
    elif case == "no_rows":
        frame = frame.iloc[:0]
    elif case == "nan_scores":
        frame = frame.assign(score=np.where(frame.wave == "w0", frame.score, np.nan))
    table = mixed_effects(frame)
    assert list(table.columns) == MIXED_COLUMNS
    if len(table):
        assert not table.converged.any()
        assert table[["estimate", "ci_low", "ci_high", "p"]].isna().all().all()


def test_fits_carry_the_people_of_each_group() -> None:
    frame = score_frame(10, n_participants=12, n_comparison=9, waves=("w0", "w1"))
    row = mixed_fits(frame).iloc[0]
    assert (row.n_participant, row.n_comparison, row.first_wave) == (12, 9, "w0")
    assert row.se == pytest.approx((row.ci_high - row.ci_low) / (2 * 1.959964), rel=1e-5)
