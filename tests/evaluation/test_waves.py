"""The waves table (rmkit.evaluation.waves). References: scipy's one-sample t confidence interval, statsmodels' Wilson interval
and Newcombe (1998)'s published Wilson intervals, and hand-built answers for the practitioners' table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from rmkit.cohort.config import parse_instrument
from rmkit.evaluation.scoring import score_responses
from rmkit.evaluation.waves import WAVES_COLUMNS, mean_ci, waves_table, wilson_ci

# The spreadsheet table of issue 4: cross-departmental collaboration 3.2 -> 3.8 -> 4.1 (mean of 1-5),
# employee satisfaction 72% -> 78% -> 81% favourable.
PRACTITIONERS = {
    ("collaboration", "before"): 3.2, ("collaboration", "6 months"): 3.8, ("collaboration", "12 months"): 4.1,
    ("satisfaction", "before"): 72.0, ("satisfaction", "6 months"): 78.0, ("satisfaction", "12 months"): 81.0,
}
WAVES = ["before", "6 months", "12 months"]

INSTRUMENT = """
id: practice
response_scale: {min: 1, max: 5}
favorable_at: 4
min_answered: 0.5
scales:
  - {id: collaboration, scoring: mean}
  - {id: satisfaction, scoring: percent_favorable}
items:
  - {id: col1, scale: collaboration}
  - {id: col2, scale: collaboration}
  - {id: col3, scale: collaboration}
  - {id: col4, scale: collaboration, reverse: true}
  - {id: sat1, scale: satisfaction}
  - {id: sat2, scale: satisfaction}
  - {id: sat3, scale: satisfaction}
"""


@pytest.fixture(scope="module")
def instrument():
    inst, problems = parse_instrument(INSTRUMENT)
    assert inst is not None, problems
    return inst


def practitioners_responses() -> pd.DataFrame:
    """100 people × 3 waves, raw item answers built so that the table above comes out exactly.

    Collaboration: every person answers col1-col3 with v and the reverse-worded col4 with 6 - v (so each scale mean
    is v); some leave col2 blank, which keeps their mean at v.
      before:    20 × 2, 40 × 3, 40 × 4 -> (40 + 120 + 160) / 100 = 3.2
      6 months:  30 × 3, 60 × 4, 10 × 5 -> (90 + 240 + 50) / 100 = 3.8
      12 months: 20 × 3, 50 × 4, 30 × 5 -> (60 + 200 + 150) / 100 = 4.1
    Satisfaction: favourable people answer (4, 4, 5) (mean 4.33) or (5, 4, 3) (mean exactly 4.0, at the threshold);
    the others answer (4, 4, 3) (mean 3.67: two favourable items, but the scale mean is not favourable) or (2, 3, 3).
      72, 78 and 81 of 100 are favourable -> 72%, 78%, 81%.
    """
    collaboration = {"before": [2] * 20 + [3] * 40 + [4] * 40,
                     "6 months": [3] * 30 + [4] * 60 + [5] * 10,
                     "12 months": [3] * 20 + [4] * 50 + [5] * 30}
    favourable = {"before": 72, "6 months": 78, "12 months": 81}
    rows = []
    for wave in WAVES:
        for k in range(100):
            v = collaboration[wave][k]
            sat = ((4, 4, 5) if k % 2 else (5, 4, 3)) if k < favourable[wave] else ((4, 4, 3) if k % 2 else (2, 3, 3))
            rows.append({"person_id": f"p{k:03d}", "wave": wave, "col1": v, "col2": None if k % 7 == 0 else v,
                         "col3": v, "col4": 6 - v, "sat1": sat[0], "sat2": sat[1], "sat3": sat[2]})
    out = pd.DataFrame(rows)
    for column in out.columns[2:]:
        out[column] = out[column].astype("Int64")
    return out


def test_rebuilds_the_practitioners_table(instrument):
    responses = practitioners_responses()
    people = pd.DataFrame({"person_id": [f"p{k:03d}" for k in range(100)], "role": ["mentor", "mentee"] * 50})
    scores = score_responses(responses, instrument, waves=WAVES)
    table = waves_table(scores, people, instrument, waves=WAVES)
    overall = table[table.group == "all"]
    got = {(r.scale, r.wave): r.value for r in overall.itertuples()}
    assert got == pytest.approx(PRACTITIONERS)
    assert list(overall.wave) == WAVES * 2  # waves in the program's order, scales in the instrument's
    assert (overall.n == 100).all()


def test_columns(instrument):
    scores = pd.DataFrame({"person_id": ["a"], "wave": ["w"], "scale": ["collaboration"], "score": [3.0]})
    table = waves_table(scores, pd.DataFrame({"person_id": ["a"], "role": ["mentor"], "department": ["IT"]}), instrument,
                        suppress=False)
    assert list(table.columns) == WAVES_COLUMNS
    assert list(table.group) == ["all", "role=mentor", "department=IT"]
    assert table.ci_low.isna().all()  # no interval from one person


def test_mean_ci_matches_scipy(instrument):
    rng = np.random.default_rng(3)
    x = rng.normal(3.4, 0.8, 23)
    scores = pd.DataFrame({"person_id": [f"p{k}" for k in range(23)], "wave": "w", "scale": "collaboration", "score": x})
    row = waves_table(scores, pd.DataFrame({"person_id": scores.person_id}), instrument, groups=["all"]).iloc[0]
    # reference: scipy's one-sample t-test confidence interval of the mean
    reference = stats.ttest_1samp(x, 0).confidence_interval(0.95)
    assert row.value == pytest.approx(x.mean())
    assert row.sd == pytest.approx(x.std(ddof=1))
    assert (row.ci_low, row.ci_high) == pytest.approx((reference.low, reference.high))
    # and at 90%
    low, high = mean_ci(np.array([x.mean()]), np.array([x.std(ddof=1)]), np.array([23]), 0.90)
    ref90 = stats.ttest_1samp(x, 0).confidence_interval(0.90)
    assert (low[0], high[0]) == pytest.approx((ref90.low, ref90.high))


@pytest.mark.parametrize(("x", "n", "low", "high"), [
    # Newcombe (1998), Statistics in Medicine 17:857-872, Table I, method 3 (Wilson score)
    (81, 263, 0.2553, 0.3662),
    (15, 148, 0.0624, 0.1605),
    (0, 20, 0.0, 0.1611),
    (1, 29, 0.0061, 0.1718),
])
def test_wilson_matches_newcombe(x, n, low, high):
    got_low, got_high = wilson_ci(np.array([x]), np.array([n]))
    assert got_low[0] == pytest.approx(low, abs=1e-4)
    assert got_high[0] == pytest.approx(high, abs=1e-4)


def test_wilson_matches_statsmodels(instrument):
    from statsmodels.stats.proportion import proportion_confint

    # 13 of 17 people favourable: scale means of 4.0 or more
    means = [4.0] * 10 + [4.5] * 3 + [3.67] * 3 + [2.0]
    scores = pd.DataFrame({"person_id": [f"p{k}" for k in range(17)], "wave": "w", "scale": "satisfaction", "score": means})
    row = waves_table(scores, pd.DataFrame({"person_id": scores.person_id}), instrument, groups=["all"]).iloc[0]
    low, high = proportion_confint(13, 17, alpha=0.05, method="wilson")
    assert row.value == pytest.approx(100 * 13 / 17)
    assert (row.ci_low, row.ci_high) == pytest.approx((100 * low, 100 * high))
    assert np.isnan(row.sd)


def test_groups_and_people_without_a_department(instrument):
    people = pd.DataFrame({
        "person_id": ["a", "b", "c", "d", "e"],
        "role": ["mentee", "mentor", "mentor", "mentee", "mentor"],
        "department": ["Sales", "IT", "Sales", None, "IT"],
    })
    scores = pd.DataFrame({"person_id": list("abcde"), "wave": "w", "scale": "collaboration",
                           "score": [1.0, 2.0, 3.0, 4.0, 5.0]})
    table = waves_table(scores, people, instrument, suppress=False).set_index("group")
    assert list(table.index) == ["all", "role=mentor", "role=mentee", "department=IT", "department=Sales"]
    # by hand: mentors b, c, e -> (2 + 3 + 5) / 3; mentees a, d -> (1 + 4) / 2; IT b, e -> 3.5; Sales a, c -> 2
    assert table.loc["all", "value"] == pytest.approx(3.0)
    assert table.loc["role=mentor", "value"] == pytest.approx(10 / 3)
    assert table.loc["role=mentee", "value"] == pytest.approx(2.5)
    assert table.loc["department=IT", "value"] == pytest.approx(3.5)
    assert table.loc["department=Sales", "value"] == pytest.approx(2.0)
    assert table.loc["all", "n"] == 5 and table.loc["department=IT", "n"] == 2


def test_rejects_a_scale_the_instrument_lacks(instrument):
    scores = pd.DataFrame({"person_id": ["a"], "wave": ["w"], "scale": ["nope"], "score": [3.0]})
    with pytest.raises(ValueError, match="nope"):
        waves_table(scores, pd.DataFrame({"person_id": ["a"]}), instrument, groups=["all"])


def test_unknown_grouping_column(instrument):
    scores = pd.DataFrame({"person_id": ["a"], "wave": ["w"], "scale": ["collaboration"], "score": [3.0]})
    with pytest.raises(ValueError, match="cannot group by team"):
        waves_table(scores, pd.DataFrame({"person_id": ["a"]}), instrument, groups=["all", "team"])


def test_small_groups_are_suppressed_by_default(instrument):
    """Before, waves_table returned every group's value unless the caller remembered rmkit.suppress. Five people:
    with min_group_size 3 the two mentees (and so, complementarily, the mentors) and both departments are hidden;
    the values, SDs and intervals are gone, the sizes stay. The rule is the shared one (the same result as
    rmkit.suppress on the unsuppressed table)."""
    from rmkit.evaluation.confidentiality import suppress

    people = pd.DataFrame({"person_id": list("abcde"), "role": ["mentee", "mentor", "mentor", "mentee", "mentor"],
                           "department": ["Sales", "IT", "Sales", "Sales", "IT"]})
    scores = pd.DataFrame({"person_id": list("abcde"), "wave": "w", "scale": "collaboration", "score": [1.0, 2.0, 3.0, 4.0, 5.0]})
    table = waves_table(scores, people, instrument, min_group_size=3).set_index("group")
    assert not table.loc["all", "suppressed"] and table.loc["all", "value"] == pytest.approx(3.0)
    hidden = table[table["suppressed"]]
    assert "role=mentee" in hidden.index and hidden[["value", "sd", "ci_low", "ci_high"]].isna().all().all()
    assert table.loc["role=mentee", "n"] == 2
    raw = waves_table(scores, people, instrument, suppress=False)
    shared = suppress(raw, 3, keys=("scale", "wave"), columns=("value", "sd", "ci_low", "ci_high"))
    pd.testing.assert_frame_equal(table.reset_index()[shared.columns], shared)
