"""Retention (rmkit.evaluation.retention). References: a Kaplan–Meier estimate worked by hand on a tiny table, statsmodels'
SurvfuncRight (KM and Greenwood standard errors) and survdiff (log-rank chi-square), scipy.stats.ecdf and
scipy.stats.logrank called directly, and the binomial identity for uncensored data."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from statsmodels.duration.survfunc import SurvfuncRight, survdiff

from rmkit.evaluation.retention import (
    RETENTION_DAYS,
    compare_retention,
    follow_up,
    kaplan_meier,
    retention_rates,
)

AS_OF = dt.date(2026, 1, 1)


def people(group: str, times: list[int], left: list[bool], prefix: str) -> pd.DataFrame:
    """Outcomes whose follow-up is exactly ``times`` days: leavers end ``t`` days after their start; people still
    employed start ``t`` days before AS_OF, so they are censored at ``t``."""
    rows = []
    for k, (t, gone) in enumerate(zip(times, left, strict=True)):
        if gone:
            start = pd.Timestamp("2024-01-01")
            rows.append({"person_id": f"{prefix}{k}", "group": group, "start_date": start,
                         "end_date": start + pd.Timedelta(days=t), "end_reason": "resigned"})
        else:
            rows.append({"person_id": f"{prefix}{k}", "group": group,
                         "start_date": pd.Timestamp(AS_OF) - pd.Timedelta(days=t), "end_date": pd.NaT, "end_reason": None})
    frame = pd.DataFrame(rows)
    frame["end_date"] = pd.to_datetime(frame["end_date"])
    return frame


def censored(times: list[int], left: list[bool]) -> stats.CensoredData:
    """The same follow-up handed straight to scipy: leavers uncensored, the others right-censored."""
    pairs = list(zip(times, left, strict=True))
    return stats.CensoredData(uncensored=[t for t, gone in pairs if gone], right=[t for t, gone in pairs if not gone])


# days 2 (left), 3 (left), 3 (still employed), 5 (left), 6 (still), 8 (left), 8 (left), 9 (still), 12 (still)
TINY_TIMES = [2, 3, 3, 5, 6, 8, 8, 9, 12]
TINY_LEFT = [True, True, False, True, False, True, True, False, False]


def test_kaplan_meier_by_hand():
    # n = 9. Day 2: 9 at risk, 1 leaves -> 8/9.  Day 3: 8 at risk (the one censored on day 3 still counts),
    # 1 leaves -> 8/9 × 7/8 = 7/9.  Day 5: 6 at risk -> 7/9 × 5/6 = 35/54.  Day 8: 4 at risk, 2 leave ->
    # 35/54 × 2/4 = 35/108. Censoring days 6, 9, 12 do not move the curve.
    curve = kaplan_meier(people("participant", TINY_TIMES, TINY_LEFT, "p"), as_of=AS_OF)
    by_day = curve.set_index("day")
    assert list(curve.day) == [0, 2, 3, 5, 6, 8, 9, 12]
    expected = {0: 1, 2: 8 / 9, 3: 7 / 9, 5: 35 / 54, 6: 35 / 54, 8: 35 / 108, 9: 35 / 108, 12: 35 / 108}
    for day, value in expected.items():
        assert by_day.loc[day, "retained"] == pytest.approx(100 * value)
    assert list(curve.at_risk) == [9, 9, 8, 6, 5, 4, 2, 1]
    assert list(curve.left) == [0, 1, 1, 1, 0, 2, 0, 0]
    assert list(curve.censored) == [0, 0, 1, 0, 1, 0, 1, 1]


def test_kaplan_meier_matches_statsmodels_and_scipy():
    rng = np.random.default_rng(2)
    times = list(rng.integers(1, 500, 60))
    left = list(rng.random(60) < 0.4)
    curve = kaplan_meier(people("participant", times, left, "p"), as_of=AS_OF)
    reference = SurvfuncRight(np.array(times), np.array(left, dtype=int))
    by_day = curve.set_index("day")
    for day, prob in zip(reference.surv_times, reference.surv_prob, strict=True):
        assert by_day.loc[int(day), "retained"] == pytest.approx(100 * prob)
    direct = stats.ecdf(censored(times, left))
    ci = direct.sf.confidence_interval(0.95)
    assert curve.retained.iloc[1:].to_numpy() == pytest.approx(100 * direct.sf.probabilities)
    assert curve.ci_low.iloc[1:].to_numpy() == pytest.approx(100 * ci.low.probabilities)
    assert curve.ci_high.iloc[1:].to_numpy() == pytest.approx(100 * ci.high.probabilities)


def test_rate_and_greenwood_se_match_statsmodels():
    rng = np.random.default_rng(5)
    times = list(rng.integers(30, 700, 80))
    left = list(rng.random(80) < 0.3)
    rates = retention_rates(people("participant", times, left, "p"), as_of=AS_OF).iloc[0]
    reference = SurvfuncRight(np.array(times), np.array(left, dtype=int))
    k = np.searchsorted(reference.surv_times, RETENTION_DAYS, side="right") - 1
    assert rates.value == pytest.approx(100 * reference.surv_prob[k])
    assert rates.se == pytest.approx(100 * reference.surv_prob_se[k])
    # the "linear" Greenwood interval: S ± 1.96 se, clipped to 0-100
    z = stats.norm.ppf(0.975)
    assert rates.ci_low == pytest.approx(max(0, rates.value - z * rates.se))
    assert rates.ci_high == pytest.approx(min(100, rates.value + z * rates.se))


def test_without_censoring_it_is_the_plain_share():
    # 20 people followed > 1 year, 3 left within it: 17/20 = 85 %; Greenwood then equals the binomial
    # variance p(1 - p)/n = 0.85 × 0.15 / 20, se = 7.984 points
    times = [100, 200, 300] + [400] * 17
    left = [True] * 3 + [False] * 17
    row = retention_rates(people("participant", times, left, "p"), as_of=AS_OF).iloc[0]
    assert row.value == pytest.approx(85.0)
    assert row.se == pytest.approx(100 * np.sqrt(0.85 * 0.15 / 20))
    assert row.left == 3 and row.n == 20 and row.censored_early == 0


def test_twelve_months_is_365_days():
    # leaving on day 365 is leaving within 12 months; leaving on day 366 is not
    outcomes = pd.DataFrame({
        "person_id": ["a", "b"], "group": ["participant"] * 2,
        "start_date": pd.to_datetime(["2024-03-01", "2024-03-01"]),
        "end_date": pd.to_datetime(["2025-03-01", "2025-03-02"]),  # 365 and 366 days (2024 is a leap year)
    })
    row = retention_rates(outcomes, as_of=AS_OF).iloc[0]
    assert row.value == pytest.approx(50.0) and row.left == 1


def test_as_of_censors_later_events_and_drops_later_starts():
    outcomes = pd.DataFrame({
        "person_id": ["a", "b", "c"], "group": ["participant"] * 3,
        "start_date": pd.to_datetime(["2025-01-01", "2025-01-01", "2026-06-01"]),
        "end_date": pd.to_datetime(["2026-05-01", None, None]),
    })
    times = follow_up(outcomes, as_of=AS_OF)
    assert list(times.person_id) == ["a", "b"]  # c starts after as_of
    assert list(times.days) == [365, 365] and not times.left.any()  # a's leaving is after as_of: censored


def test_not_estimable_without_a_year_of_follow_up():
    row = retention_rates(people("participant", [30, 100, 200], [True, False, False], "p"), as_of=AS_OF).iloc[0]
    assert np.isnan(row.value) and np.isnan(row.ci_low) and row.n == 3


def test_compare_retention_matches_references():
    rng = np.random.default_rng(8)
    p_times, p_left = list(rng.integers(20, 600, 70)), list(rng.random(70) < 0.15)
    c_times, c_left = list(rng.integers(20, 600, 110)), list(rng.random(110) < 0.3)
    outcomes = pd.concat([people("participant", p_times, p_left, "p"), people("comparison", c_times, c_left, "c")],
                         ignore_index=True)
    row = compare_retention(outcomes, as_of=AS_OF).iloc[0]
    sp = SurvfuncRight(np.array(p_times), np.array(p_left, dtype=int))
    sc = SurvfuncRight(np.array(c_times), np.array(c_left, dtype=int))
    kp = np.searchsorted(sp.surv_times, 365, side="right") - 1
    kc = np.searchsorted(sc.surv_times, 365, side="right") - 1
    difference = 100 * (sp.surv_prob[kp] - sc.surv_prob[kc])
    se = 100 * np.hypot(sp.surv_prob_se[kp], sc.surv_prob_se[kc])
    assert row.difference == pytest.approx(difference)
    assert (row.ci_low, row.ci_high) == pytest.approx((difference - 1.959964 * se, difference + 1.959964 * se), abs=1e-4)
    assert (row.n_participant, row.n_comparison) == (70, 110)
    # log-rank: scipy directly, and statsmodels' chi-square = z²
    direct = stats.logrank(censored(p_times, p_left), censored(c_times, c_left))
    assert row.logrank_z == pytest.approx(direct.statistic) and row.p_value == pytest.approx(direct.pvalue)
    chi2, p = survdiff(np.r_[p_times, c_times], np.r_[p_left, c_left].astype(int), np.r_[np.zeros(70), np.ones(110)])
    assert row.logrank_z**2 == pytest.approx(chi2) and row.p_value == pytest.approx(p)


def test_one_group_only():
    row = compare_retention(people("participant", [400, 500], [False, False], "p"), as_of=AS_OF).iloc[0]
    assert row.participant == 100 and np.isnan(row.comparison) and np.isnan(row.difference) and np.isnan(row.p_value)


def test_example_cohort(example_dir):
    from rmkit.cohort import load_cohort

    cohort = load_cohort(example_dir)
    rates = retention_rates(cohort.outcomes, as_of=cohort.program.as_of).set_index("group")
    # everyone started 2025-03-03 and as_of is 2026-05-02 (425 days): no censoring before 12 months, so the rate
    # is the plain share of people whose end_date is not within 365 days
    outcomes = cohort.outcomes
    within = (outcomes.end_date - outcomes.start_date).dt.days <= 365
    for group in ("participant", "comparison"):
        part = outcomes.group == group
        assert rates.loc[group, "value"] == pytest.approx(100 * (1 - within[part].sum() / part.sum()))
