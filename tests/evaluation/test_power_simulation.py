"""Power by simulation: the design read from a cohort, the synthetic cohorts, and power against analytic references.

References: statsmodels' ``TTestPower`` (the noncentral-t power of the paired t-test, which G*Power's matched-pairs
table also gives) and ``rmkit plan``'s ``power_at_target`` for the same n, SD and target; the nominal 5 % level of
a test at effect 0. Every comparison allows 3 Monte-Carlo standard errors, sqrt(p(1 − p) / reps).
"""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from rmkit.cohort import load_cohort
from rmkit.evaluation.power_simulation import (
    POWER_COLUMNS,
    count_power,
    plan_simulation,
    simulate_power,
    simulate_reps,
)
from rmkit.evaluation.simulated_design import SurveyDesign, cohort_designs, draw_scores


@pytest.fixture
def planned_cohort(tmp_path: Path, example_dir: Path) -> Path:
    """The example before its survey: no responses, so its design comes from program.yaml (expected_sd 0.8 for
    digital_fluency; the other objectives have no SD)."""
    folder = shutil.copytree(example_dir, tmp_path / "planned")
    (folder / "responses.csv").unlink()
    return folder


def test_the_design_is_the_cohorts_own(example_dir: Path) -> None:
    designs, notes = cohort_designs(load_cohort(example_dir))
    assert [d.objective for d in designs] == ["digital_fluency", "business_insight", "collaboration"] and not notes
    participants = pd.read_csv(example_dir / "participants.csv")
    outcomes = pd.read_csv(example_dir / "outcomes.csv")
    responses = pd.read_csv(example_dir / "responses.csv")
    comparison = set(outcomes.loc[outcomes["group"] == "comparison", "person_id"])
    theirs = responses[responses["person_id"].isin(comparison)]
    fluency = designs[0]
    assert fluency.audience == "mentee" and fluency.n_participant == int((participants["role"] == "mentee").sum())
    assert fluency.n_comparison == theirs["person_id"].nunique() and fluency.sd_source == "data"
    # who answered each wave, counted from the raw file (every dig item answered in the example)
    mentees = set(participants.loc[participants["role"] == "mentee", "person_id"])
    ours = responses[responses["person_id"].isin(mentees)]
    expected = [ours.loc[ours["wave"] == w, "person_id"].nunique() / len(mentees) for w in fluency.waves]
    assert np.allclose(fluency.response_rates("participant"), expected)
    expected = [theirs.loc[theirs["wave"] == w, "person_id"].nunique() / fluency.n_comparison for w in fluency.waves]
    assert np.allclose(fluency.response_rates("comparison"), expected)


def test_planning_values_stand_in_before_the_survey(planned_cohort: Path) -> None:
    designs, notes = cohort_designs(load_cohort(planned_cohort))
    assert [d.objective for d in designs] == ["digital_fluency"]
    assert designs[0].sd_source == "expected_sd" and designs[0].attrition_source == "none"
    assert designs[0].sd_change == pytest.approx(0.8) and designs[0].patterns_participant.all()
    assert len(notes) == 2 and all("no SD is known" in n for n in notes)


def test_the_synthetic_scores_have_the_designs_sd_correlation_and_effect() -> None:
    n = 20000
    design = SurveyDesign("o", "s", "all", 0.5, ("w0", "w1", "w2"), ("mentee",) * n, np.ones((n, 3), bool), None,
                          sd=0.9, correlation=0.6, sd_source="data", attrition_source="none")
    scores, participant = draw_scores(design, np.random.default_rng(3), [0.0, 0.4])
    base = scores[0]
    assert np.std(base, axis=0, ddof=1) == pytest.approx([0.9] * 3, rel=0.03)
    assert np.corrcoef(base[:, 0], base[:, 2])[0, 1] == pytest.approx(0.6, abs=0.02)
    assert np.std(base[:, 2] - base[:, 0], ddof=1) == pytest.approx(0.9 * math.sqrt(0.8), rel=0.03)
    assert np.allclose(scores[1] - scores[0], [0.0, 0.2, 0.4])  # half the effect at the middle wave
    assert participant.all()


def test_a_rep_is_the_same_alone_or_in_a_batch(example_dir: Path) -> None:
    designs, _ = cohort_designs(load_cohort(example_dir))
    plan, _ = plan_simulation(designs[:1], curve=(0, 1), estimators=["paired_change", "did"])
    together = simulate_reps(plan, 11, range(6))
    alone = np.vstack([simulate_reps(plan, 11, [r]) for r in (5, 2)])
    assert np.array_equal(alone, together[[5, 2]])
    assert not np.array_equal(simulate_reps(plan, 12, range(6)), together)  # the seed matters


def test_the_table_does_not_depend_on_how_reps_are_cut(example_dir: Path) -> None:
    cohort = load_cohort(example_dir)
    fast = ["paired_change", "did"]  # the mixed model is in the cluster test below (slow)
    one = simulate_power(cohort, reps=6, seed=4, curve=(0, 1), chunk_reps=10, estimators=fast)
    two = simulate_power(cohort, reps=6, seed=4, curve=(0, 1), chunk_reps=4, estimators=fast)
    assert list(one.power.columns) == POWER_COLUMNS
    pd.testing.assert_frame_equal(one.power, two.power)
    assert list(dict.fromkeys(one.power["estimator"])) == fast
    mcse = np.sqrt(one.power["power"] * (1 - one.power["power"]) / 6)
    assert np.allclose(one.power["mcse"], mcse) and (one.power["reps"] == 6).all()


def test_usage_errors(example_dir: Path) -> None:
    cohort = load_cohort(example_dir)
    for bad in (0, -3, 2.5, True):
        with pytest.raises(ValueError, match="reps must be a whole number"):
            simulate_power(cohort, reps=bad)
    with pytest.raises(ValueError, match="effect must be a finite number other than 0"):
        simulate_power(cohort, reps=2, effect=0.0)
    with pytest.raises(ValueError, match="estimators"):
        simulate_power(cohort, reps=2, estimators=["anova"])


@pytest.mark.slow
def test_paired_power_agrees_with_statsmodels_and_rmkit_plan(planned_cohort: Path) -> None:
    from statsmodels.stats.power import TTestPower

    from rmkit.evaluation.planning import plan_table

    cohort = load_cohort(planned_cohort)
    reps = 1500
    result = simulate_power(cohort, reps=reps, seed=2026, curve=(0, 1), estimators=["paired_change"])
    plan = plan_table(cohort).set_index("objective").loc["digital_fluency"]
    assert (plan["n"], plan["sd"], plan["sd_source"]) == (40, 0.8, "expected_sd")
    power = result.power.set_index("effect")
    d = 0.5 / 0.8  # target_change / expected_sd
    simulated = power.loc[d]
    reference = float(TTestPower().power(effect_size=d, nobs=40, alpha=0.05, alternative="two-sided"))
    assert abs(simulated["power"] - reference) <= 3 * math.sqrt(reference * (1 - reference) / reps), (simulated, reference)
    assert abs(simulated["power"] - plan["power_at_target"]) <= 3 * math.sqrt(reference * (1 - reference) / reps)
    # at effect 0: the test's level
    assert abs(power.loc[0.0, "power"] - 0.05) <= 3 * math.sqrt(0.05 * 0.95 / reps)


@pytest.mark.slow
def test_type_one_error_with_a_comparison_group_and_attrition(example_dir: Path) -> None:
    designs, _ = cohort_designs(load_cohort(example_dir))
    plan, _ = plan_simulation(designs[:1], curve=(0,), estimators=["paired_change", "did"])
    reps = 400
    power, notes = count_power(plan, simulate_reps(plan, 7, range(reps)))
    assert list(power["estimator"]) == ["paired_change", "did"] and not notes
    bound = 3 * math.sqrt(0.05 * 0.95 / reps)
    assert (power["power"] - 0.05).abs().max() <= bound, power


@pytest.mark.slow
def test_a_two_process_cluster_gives_the_in_process_table(example_dir: Path) -> None:
    import distributed

    cohort = load_cohort(example_dir)
    here = simulate_power(cohort, reps=8, seed=5, curve=(0, 1), chunk_reps=2)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as cluster, \
            distributed.Client(cluster) as client:
        there = simulate_power(cohort, reps=8, seed=5, curve=(0, 1), chunk_reps=2, client=client)
    assert there.workers == 2 and here.workers == 1
    assert set(here.power["estimator"]) == {"paired_change", "did", "mixed"}
    pd.testing.assert_frame_equal(here.power, there.power)


def _complete_design(n: int) -> SurveyDesign:
    """n participants and n comparison people, three waves answered by all, SD 1, correlation 0.5 (SD of change 1)."""
    return SurveyDesign("o", "s", "mentee", 0.6, ("w0", "w1", "w2"), ("mentee",) * n, np.ones((n, 3), bool),
                        np.ones((n, 3), bool), sd=1.0, correlation=0.5, sd_source="expected_sd",
                        attrition_source="none")


@pytest.mark.slow
def test_did_power_agrees_with_the_two_sample_t_test_on_complete_data() -> None:
    # With both waves for everyone the DiD is the difference of the two groups' mean changes: its power is that of
    # the two-sample t-test of the change scores (statsmodels' TTestIndPower, d = change / SD of change).
    from statsmodels.stats.power import TTestIndPower

    plan, _ = plan_simulation([_complete_design(40)], curve=(0, 1), estimators=["did"])
    reps = 600
    power, _ = count_power(plan, simulate_reps(plan, 99, range(reps)))
    reference = float(TTestIndPower().power(effect_size=0.6, nobs1=40, ratio=1.0, alpha=0.05))
    at = power.set_index("effect")["power"]
    assert abs(at[0.6] - reference) <= 3 * math.sqrt(reference * (1 - reference) / reps), (at, reference)
    assert abs(at[0.0] - 0.05) <= 3 * math.sqrt(0.05 * 0.95 / reps)


@pytest.mark.slow
def test_mixed_power_agrees_with_the_two_sample_t_test_on_complete_data() -> None:
    # Complete, balanced data with a random intercept: the mixed model's last-wave effect is the same difference of
    # mean changes, so the same reference holds (its error variance pools three waves: a little more power, well
    # within these Monte-Carlo errors).
    from statsmodels.stats.power import TTestIndPower

    plan, _ = plan_simulation([_complete_design(30)], curve=(0, 1), estimators=["mixed"])
    reps = 120
    power, _ = count_power(plan, simulate_reps(plan, 5, range(reps)))
    reference = float(TTestIndPower().power(effect_size=0.6, nobs1=30, ratio=1.0, alpha=0.05))
    at = power.set_index("effect")["power"]
    assert abs(at[0.6] - reference) <= 3 * math.sqrt(reference * (1 - reference) / reps), (at, reference)
    assert at[0.0] <= 0.05 + 3 * math.sqrt(0.05 * 0.95 / reps)


def test_an_estimate_the_evaluation_would_suppress_is_not_a_detection() -> None:
    # 4 + 4 people under min_group_size 5: the evaluation shows no estimate, whatever the effect
    design = SurveyDesign("o", "s", "mentee", 0.6, ("w0", "w1"), ("mentee",) * 4, np.ones((4, 2), bool),
                          np.ones((4, 2), bool), sd=1.0, correlation=0.5, sd_source="expected_sd",
                          attrition_source="none", min_group_size=5)
    plan, _ = plan_simulation([design], curve=(0, 10), estimators=["paired_change", "did"])
    power, notes = count_power(plan, simulate_reps(plan, 1, range(3)))
    assert (power["power"] == 0).all() and len(notes) == 4 and all("fewer than 5 people" in n for n in notes)
    small = SurveyDesign(**{**design.__dict__, "min_group_size": 4})
    plan, _ = plan_simulation([small], curve=(10,), estimators=["paired_change", "did"])
    power, notes = count_power(plan, simulate_reps(plan, 1, range(3)))
    assert (power["power"] == 1).all() and not notes  # 10 SDs of change: seen every time once shown


def test_the_public_name() -> None:
    import rmkit

    assert rmkit.simulate_power is simulate_power and "simulate_power" in dir(rmkit)
