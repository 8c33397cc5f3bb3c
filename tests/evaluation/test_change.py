"""Paired change and objectives (rmkit.evaluation.change). References: pingouin.ttest(paired=True) for t, dof, p and the CI of
the mean difference; pingouin.compute_effsize for Cohen's d_z and Hedges' g (paired); scipy.stats.wilcoxon for the
signed-rank test; hand arithmetic where written out."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from rmkit.cohort.config import Objective, parse_instrument
from rmkit.evaluation.change import (
    CHANGE_COLUMNS,
    Evidence,
    change_waves,
    judge_objectives,
    paired_change,
    paired_statistics,
    two_way_learning,
    wilcoxon_signed_rank,
)


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_paired_statistics_match_pingouin_and_scipy(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(8, 60))
    before = np.round(rng.normal(3.2, 0.7, n) * 4) / 4  # quarter steps, like 4-item scale means: ties happen
    after = np.round((before + rng.normal(0.4, 0.6, n)) * 4) / 4
    got = paired_statistics(before, after)
    ref = pg.ttest(after, before, paired=True).iloc[0]
    assert got["n"] == n and got["dof"] == ref["dof"]
    assert got["t"] == pytest.approx(ref["T"])
    assert got["p_value"] == pytest.approx(ref["p_val"])
    assert (got["ci_low"], got["ci_high"]) == pytest.approx(tuple(ref["CI95"]), abs=5e-3)  # pingouin rounds to 2 places
    exact = stats.ttest_rel(after, before).confidence_interval(0.95)  # and scipy, unrounded
    assert (got["ci_low"], got["ci_high"]) == pytest.approx((exact.low, exact.high))
    assert got["mean_change"] == pytest.approx(np.mean(after - before))
    assert got["cohen_dz"] == pytest.approx(pg.compute_effsize(after, before, paired=True, eftype="cohen_dz"))
    assert got["hedges_g"] == pytest.approx(pg.compute_effsize(after, before, paired=True, eftype="hedges"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = stats.wilcoxon(after - before)
    assert got["wilcoxon_w"] == pytest.approx(w.statistic)
    assert got["wilcoxon_p"] == pytest.approx(w.pvalue)


def test_paired_statistics_by_hand():
    # differences 0.5, 1, 0, 1: mean 0.625; sd sqrt(0.6875 / 3) = 0.47871; d_z = 0.625 / 0.47871 = 1.30558
    # t = 0.625 / (0.47871 / 2) = 2.61116 on 3 df
    # Hedges' g (pingouin, paired): d_av = 0.625 / sqrt((var(before) + var(after)) / 2)
    #   var(before) = var(3, 2.5, 4, 3) = 0.39583, var(after) = var(3.5, 3.5, 4, 4) = 0.08333
    #   d_av = 0.625 / sqrt(0.23958) = 1.27688; g = d_av × (1 - 3 / (4 × 8 - 9)) = 1.27688 × 0.869565 = 1.11033
    got = paired_statistics(np.array([3.0, 2.5, 4.0, 3.0]), np.array([3.5, 3.5, 4.0, 4.0]))
    assert got["mean_change"] == pytest.approx(0.625)
    assert got["sd_change"] == pytest.approx(0.478714, abs=1e-6)
    assert got["cohen_dz"] == pytest.approx(1.305582, abs=1e-6)
    assert got["t"] == pytest.approx(2.611165, abs=1e-6)
    assert got["hedges_g"] == pytest.approx(1.110335, abs=1e-6)


def test_degenerate_pairs():
    one = paired_statistics(np.array([3.0]), np.array([4.0]))
    assert one["n"] == 1 and one["mean_change"] == 1.0 and np.isnan(one["ci_low"]) and np.isnan(one["t"])
    same = paired_statistics(np.array([3.0, 4.0]), np.array([3.0, 4.0]))
    assert same["mean_change"] == 0 and np.isnan(same["t"]) and np.isnan(same["wilcoxon_p"])
    empty = paired_statistics(np.array([]), np.array([]))
    assert empty["n"] == 0 and np.isnan(empty["mean_change"])


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(-4, 4).map(lambda k: k / 3), min_size=1, max_size=16))
def test_wilcoxon_matches_scipy_defaults(values):
    diff = np.array(values)
    if not np.any(diff != 0):
        assert np.isnan(wilcoxon_signed_rank(diff)[1])
        return
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = stats.wilcoxon(diff)  # scipy's default method (exact, permutation or normal approximation)
    w, p = wilcoxon_signed_rank(diff)
    assert w == pytest.approx(reference.statistic)
    assert p == pytest.approx(reference.pvalue, rel=1e-9, abs=1e-12)


@pytest.mark.parametrize("diff", [
    [1, 2, 1, -1, 3, 2, 0, 3, 4, -2, 1, 3],        # n = 12 with ties and a zero: scipy runs its permutation test
    [0.5, 1.0, -0.25, 2.0, 0.75, 1.5],             # no ties: scipy's exact distribution
    list(range(-20, 41)),                          # n > 50: normal approximation
])
def test_wilcoxon_matches_scipy_on_each_method(diff):
    diff = np.array(diff, dtype=float) / 3
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        reference = stats.wilcoxon(diff)
    w, p = wilcoxon_signed_rank(diff)
    assert (w, p) == pytest.approx((reference.statistic, reference.pvalue), rel=1e-9)


def test_change_waves():
    assert change_waves(["month12", "baseline", "month6"], ["baseline", "month6", "month12"]) == ("baseline", "month12")
    # a wave without responses is skipped: the last wave *with responses* is used
    assert change_waves(["baseline", "month6"], ["baseline", "month6", "month12"]) == ("baseline", "month6")
    assert change_waves(["x", "y"]) == ("x", "y")


INSTRUMENT = """
id: ch
response_scale: {min: 1, max: 5}
scales:
  - {id: digital, audience: mentee, kirkpatrick: 2}
  - {id: business, audience: mentor, kirkpatrick: 2}
  - {id: collab}
  - {id: post_only}
items:
  - {id: d1, scale: digital}
  - {id: b1, scale: business}
  - {id: c1, scale: collab}
  - {id: r1, scale: post_only}
"""


@pytest.fixture(scope="module")
def setting():
    inst, problems = parse_instrument(INSTRUMENT)
    assert inst is not None, problems
    rng = np.random.default_rng(7)
    people = pd.DataFrame({
        "person_id": [f"p{k:02d}" for k in range(40)],
        "role": ["mentor"] * 20 + ["mentee"] * 20,
        "department": (["IT", "Sales", "HR", "Legal"] * 10),
    })
    rows = []
    for k, person in enumerate(people.person_id):
        mentee = k >= 20
        base = {"digital": 2.6 if mentee else 4.0, "business": 4.0 if mentee else 2.7, "collab": 3.2}
        gain = {"digital": 0.6 if mentee else 0.0, "business": 0.0 if mentee else 0.5, "collab": 0.3}
        noise = {s: rng.normal(0, 0.5) for s in base}
        for w, wave in enumerate(["baseline", "month6", "month12"]):
            if wave == "month12" and k % 10 == 9:
                continue  # 4 people skip the last wave: they are not paired
            for scale in base:
                rows.append({"person_id": person, "wave": wave, "scale": scale,
                             "score": base[scale] + noise[scale] + w / 2 * gain[scale] + rng.normal(0, 0.3)})
            if wave != "baseline":
                rows.append({"person_id": person, "wave": wave, "scale": "post_only", "score": 4.0})
    return inst, people, pd.DataFrame(rows)


def test_paired_change_table(setting):
    inst, people, scores = setting
    change = paired_change(scores, people, inst, waves=["baseline", "month6", "month12"])
    assert list(change.columns) == CHANGE_COLUMNS
    assert set(change.scale) == {"digital", "business", "collab"}  # post_only has no baseline: no change
    assert (change.first_wave == "baseline").all() and (change.last_wave == "month12").all()
    groups = list(change[change.scale == "digital"].group)
    assert groups == ["all", "role=mentor", "role=mentee", "department=HR", "department=IT", "department=Legal",
                      "department=Sales"]
    # recompute one row independently: mentees' digital scores at baseline and month12, paired by person
    mentees = set(people[people.role == "mentee"].person_id)
    part = scores[(scores.scale == "digital") & scores.person_id.isin(mentees)]
    wide = part.pivot(index="person_id", columns="wave", values="score").dropna(subset=["baseline", "month12"])
    ref = pg.ttest(wide["month12"], wide["baseline"], paired=True).iloc[0]
    row = change[(change.scale == "digital") & (change.group == "role=mentee")].iloc[0]
    assert row.n == len(wide) == 18
    assert row.mean_change == pytest.approx((wide["month12"] - wide["baseline"]).mean())
    assert (row.ci_low, row.ci_high) == pytest.approx(tuple(ref["CI95"]), abs=5e-3)  # pingouin rounds to 2 places
    exact = stats.ttest_rel(wide["month12"], wide["baseline"]).confidence_interval(0.95)
    assert (row.ci_low, row.ci_high) == pytest.approx((exact.low, exact.high))
    assert row.p_value == pytest.approx(ref["p_val"])


def test_explicit_waves(setting):
    inst, people, scores = setting
    change = paired_change(scores, people, inst, first="month6", last="month12", groups=["all"])
    assert set(change.scale) == {"digital", "business", "collab", "post_only"}
    post = change[change.scale == "post_only"].iloc[0]
    assert post.mean_change == 0 and post.n == 36


def test_two_way_learning(setting):
    inst, people, scores = setting
    change = paired_change(scores, people, inst, waves=["baseline", "month6", "month12"])
    learning = two_way_learning(change, inst)
    assert list(learning[["learner", "taught_by", "scale"]].itertuples(index=False, name=None)) == [
        ("mentee", "mentor", "digital"), ("mentor", "mentee", "business")]
    mentee_row = change[(change.scale == "digital") & (change.group == "role=mentee")].iloc[0]
    assert learning.iloc[0].mean_change == mentee_row.mean_change


def change_row(scale, group, mean, low, high, n=30, p=0.01):
    return {"scale": scale, "group": group, "n": n, "mean_change": mean, "ci_low": low, "ci_high": high, "p_value": p}


def test_judge_objectives(setting):
    inst = setting[0]
    change = pd.DataFrame([
        change_row("digital", "role=mentee", 0.62, 0.30, 0.94),   # reaches 0.5, interval above 0: met
        change_row("digital", "all", 0.1, -0.1, 0.3),             # not used: digital measures the mentees' learning
        change_row("business", "role=mentor", 0.45, -0.05, 0.95), # reaches 0.4, but the interval includes 0
        change_row("collab", "all", 0.2, 0.05, 0.35),             # short of 0.3
    ])
    objectives = [
        Objective(id="fluency", measure="digital", target_change=0.5),
        Objective(id="insight", measure="business", target_change=0.4),
        Objective(id="collab", measure="collab", target_change=0.3),
        Objective(id="no_target", measure="collab"),
        Objective(id="stay", measure="retention_12m", target_change=5),
        Objective(id="roi", measure="roi_percent", target_change=100),
        Objective(id="nodata", measure="bcr", target_change=1),
    ]
    evidence = {"retention_12m": Evidence(8.0, 1.5, 14.5, 80, unit=" points"), "roi_percent": Evidence(52.0, unit="%")}
    table = judge_objectives(objectives, change, inst, evidence=evidence).set_index("objective")
    assert table.loc["fluency", "met"] is True or table.loc["fluency", "met"] == True  # noqa: E712
    assert table.loc["fluency", "group"] == "role=mentee" and table.loc["fluency", "estimate"] == 0.62
    assert table.loc["fluency", "evidence"].endswith(": met")
    assert table.loc["insight", "met"] == False  # noqa: E712
    assert "interval includes no change" in table.loc["insight", "evidence"]
    assert table.loc["collab", "met"] == False  # noqa: E712
    assert pd.isna(table.loc["no_target", "met"]) and "no target_change" in table.loc["no_target", "evidence"]
    assert table.loc["stay", "met"] == True  # noqa: E712  8 points >= 5, interval 1.5 to 14.5 above 0
    assert table.loc["roi", "met"] == False  # noqa: E712  52% < 100%
    assert pd.isna(table.loc["nodata", "met"]) and "no data" in table.loc["nodata", "evidence"]


def test_objectives_are_not_judged_on_small_groups(setting):
    inst = setting[0]
    change = pd.DataFrame([change_row("digital", "role=mentee", 0.9, 0.5, 1.3, n=3)])
    table = judge_objectives([Objective(id="f", measure="digital", target_change=0.5)], change, inst, min_group_size=5)
    row = table.iloc[0]
    assert pd.isna(row.met) and np.isnan(row.estimate) and row.n == 3
    assert "fewer than 5" in row.evidence


def test_a_decrease_target(setting):
    inst = setting[0]
    change = pd.DataFrame([change_row("collab", "all", -0.4, -0.6, -0.2)])
    table = judge_objectives([Objective(id="down", measure="collab", target_change=-0.3)], change, inst)
    assert table.iloc[0].met == True  # noqa: E712
