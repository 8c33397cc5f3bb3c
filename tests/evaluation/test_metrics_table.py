"""The metrics table and the evaluation (rmkit.evaluation.metrics_table) on the bundled example cohort.

The contract (columns, groups, metric names, suppression) is shared/DESIGN.md, "The metrics table". Values are
checked against independent computations written here with plain pandas, pingouin and scipy on the raw files."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pingouin as pg
import pytest
from scipy import stats

from rmkit.cohort import load_cohort
from rmkit.evaluation.metrics_table import METRICS_COLUMNS, evaluate, metrics_table


@pytest.fixture(scope="module")
def cohort(example_dir):
    return load_cohort(example_dir)


@pytest.fixture(scope="module")
def table(cohort):
    return metrics_table(cohort)


def recoded(cohort, scale: str) -> pd.DataFrame:
    """The raw answers of a scale with reverse-worded items turned round by hand (1 + 5 - x)."""
    items = [i for i in cohort.instrument.items if i.scale == scale]
    out = cohort.responses[["person_id", "wave"]].copy()
    for item in items:
        values = cohort.responses[item.id].astype("float64")
        out[item.id] = 6 - values if item.reverse else values
    return out


def person_means(cohort, scale: str) -> pd.DataFrame:
    data = recoded(cohort, scale)
    items = [c for c in data.columns if c not in ("person_id", "wave")]
    answered = data[items].notna().sum(axis=1)
    data["score"] = data[items].mean(axis=1).where(answered >= 0.5 * len(items))
    return data[["person_id", "wave", "score"]].dropna()


def test_columns_and_types(table):
    assert list(table.columns) == METRICS_COLUMNS
    assert table["suppressed"].dtype == bool
    assert str(table["n"].dtype) == "Int64"


def test_metric_names_and_groups(table, cohort):
    scales = cohort.instrument.scale_ids
    allowed = set(scales) | {f"{kind}:{s}" for s in scales
                             for kind in ("alpha", "change", "did", "mixed", "rci_improved", "rci_worse")} | {
        "retention_12m", "costs", "benefits", "bcr", "roi_percent", "goals_done"}
    assert set(table.metric) <= allowed
    assert {"retention_12m", "costs", "benefits", "bcr", "roi_percent", "goals_done"} <= set(table.metric)
    departments = set(cohort.participants.department.dropna())
    groups = {"all", "role=mentor", "role=mentee", "participant", "comparison"} | {f"department={d}" for d in departments}
    assert set(table.group) == groups
    assert set(table[table.metric == "retention_12m"].group) == {"participant", "comparison"}
    assert set(table[table.metric == "goals_done"].group) == {"all", "role=mentor", "role=mentee"}
    assert set(table[table.metric.str.startswith("alpha:")].group) == {"all"}
    assert set(table[table.metric.str.startswith("rci_")].group) == {"all", "role=mentor", "role=mentee"}


def test_waves(table, cohort):
    program_metrics = ["retention_12m", "goals_done", "costs", "benefits", "bcr", "roi_percent"]
    survey = table[~table.metric.isin(program_metrics)]
    assert set(survey.wave) <= set(cohort.program.waves)
    assert (table[table.metric.str.startswith("change:")].wave == "month12").all()  # the last wave
    program_rows = table[table.metric.isin(program_metrics)]
    assert program_rows.wave.isna().all()
    assert program_rows[~program_rows.metric.isin(["retention_12m", "goals_done"])].n.isna().all()


def test_no_value_under_min_group_size(table, cohort):
    small = table[table.n.notna() & (table.n < cohort.program.min_group_size)]
    assert len(small) > 0  # the example's 3-person Legal department
    assert small.suppressed.all()
    assert small[["value", "ci_low", "ci_high"]].isna().all().all()
    legal = table[table.group == "department=Legal"]
    assert legal.suppressed.all() and legal.value.isna().all()
    assert table[table.suppressed].n.notna().all()  # suppressed rows keep their n
    shown = table[~table.suppressed & table.n.notna()]
    assert (shown.n >= cohort.program.min_group_size).all()


def test_complementary_suppression_in_every_breakdown(table):
    cells = table.assign(dimension=table.group.str.extract(r"^(\w+)=", expand=False))
    cells = cells[cells.dimension.notna()]
    for _, block in cells.groupby(["metric", cells.wave.fillna(""), "dimension"]):
        assert block.suppressed.sum() != 1 or len(block) == 1


def test_row_order_is_deterministic(table, cohort):
    again = metrics_table(cohort)
    pd.testing.assert_frame_equal(table, again)
    first = table[(table.metric == "collaboration") & (table.wave == "baseline")]
    assert list(first.group[:3]) == ["all", "role=mentor", "role=mentee"]
    assert list(first.group[3:]) == sorted(first.group[3:])


def test_scale_values_against_plain_pandas(table, cohort):
    # collaboration (mean of 4 items, col4 reversed): per-person mean of the answered items when >= half answered
    scores = person_means(cohort, "collaboration")
    for wave in cohort.program.waves:
        x = scores[scores.wave == wave].score
        row = table[(table.metric == "collaboration") & (table.group == "all") & (table.wave == wave)].iloc[0]
        ci = stats.ttest_1samp(x, 0).confidence_interval()
        assert row.n == len(x)
        assert row.value == pytest.approx(x.mean())
        assert (row.ci_low, row.ci_high) == pytest.approx((ci.low, ci.high))
    # mentees only
    mentees = set(cohort.participants[cohort.participants.role == "mentee"].person_id)
    x = scores[(scores.wave == "month6") & scores.person_id.isin(mentees)].score
    row = table[(table.metric == "collaboration") & (table.group == "role=mentee") & (table.wave == "month6")].iloc[0]
    assert row.value == pytest.approx(x.mean()) and row.n == len(x)


def test_percent_favourable_against_statsmodels(table, cohort):
    from statsmodels.stats.proportion import proportion_confint

    scores = person_means(cohort, "satisfaction")
    for wave in cohort.program.waves:
        x = scores[scores.wave == wave].score
        favourable = int((x >= 4).sum())  # rm-core: favorable_at 4
        row = table[(table.metric == "satisfaction") & (table.group == "all") & (table.wave == wave)].iloc[0]
        low, high = proportion_confint(favourable, len(x), method="wilson")
        assert row.value == pytest.approx(100 * favourable / len(x))
        assert (row.ci_low, row.ci_high) == pytest.approx((100 * low, 100 * high))


def test_alpha_against_pingouin(table, cohort):
    data = recoded(cohort, "digital_confidence")
    for wave in cohort.program.waves:
        items = data[data.wave == wave].drop(columns=["person_id", "wave"]).dropna(how="all")
        alpha, ci = pg.cronbach_alpha(items, nan_policy="pairwise")
        row = table[(table.metric == "alpha:digital_confidence") & (table.wave == wave)].iloc[0]
        assert row.value == pytest.approx(alpha) and row.n == len(items)
        assert (row.ci_low, row.ci_high) == pytest.approx(tuple(ci), abs=5e-4)


def test_change_against_scipy(table, cohort):
    scores = person_means(cohort, "digital_confidence")
    wide = scores.pivot(index="person_id", columns="wave", values="score").dropna(subset=["baseline", "month12"])
    mentees = set(cohort.participants[cohort.participants.role == "mentee"].person_id)
    part = wide[wide.index.isin(mentees)]
    test = stats.ttest_rel(part["month12"], part["baseline"])
    ci = test.confidence_interval()
    row = table[(table.metric == "change:digital_confidence") & (table.group == "role=mentee")].iloc[0]
    assert row.n == len(part)
    assert row.value == pytest.approx((part["month12"] - part["baseline"]).mean())
    assert (row.ci_low, row.ci_high) == pytest.approx((ci.low, ci.high))


def test_retention_and_roi(table, cohort):
    outcomes = cohort.outcomes
    left_within = (outcomes.end_date - outcomes.start_date).dt.days <= 365
    for group in ("participant", "comparison"):
        part = outcomes.group == group
        row = table[(table.metric == "retention_12m") & (table.group == group)].iloc[0]
        assert row.n == part.sum()
        assert row.value == pytest.approx(100 * (1 - left_within[part].mean()))
    roi = dict(zip(table.metric, table.value, strict=False))
    assert roi["costs"] == pytest.approx(60320) and roi["benefits"] == pytest.approx(67840)  # see test_roi.py
    assert roi["roi_percent"] == pytest.approx((67840 - 60320) / 60320 * 100)


def test_post_only_scales_have_no_baseline_or_change(table):
    for scale in ("relationship_quality", "application"):
        rows = table[table.metric == scale]
        assert set(rows.wave) == {"month6", "month12"}
        assert table[table.metric == f"change:{scale}"].empty


def test_evaluate(cohort, table):
    result = evaluate(cohort)
    pd.testing.assert_frame_equal(result.metrics, table)
    assert (result.first_wave, result.last_wave) == ("baseline", "month12")
    assert list(result.learning.learner) == ["mentee", "mentor"]
    assert list(result.objectives.objective) == [o.id for o in cohort.program.objectives]
    assert result.objectives.met.notna().all()
    # every aggregate shown keeps small groups hidden
    legal = result.waves[result.waves.group == "department=Legal"]
    assert legal.suppressed.all() and legal[["value", "sd", "ci_low", "ci_high"]].isna().all().all()
    assert result.change[result.change.group == "department=Legal"][["mean_change", "t", "p_value"]].isna().all().all()
    assert set(result.retention_curves.group) == {"participant", "comparison"}
    assert result.roi.set_index("metric").loc["payback_months", "value"] == pytest.approx(12 * 60320 / 67840)
    low = result.reliability[result.reliability.alpha < 0.7]
    assert len([w for w in result.warnings if re.search(r"alpha 0\.\d\d is below 0\.70", w)]) == len(low)


def test_cohort_without_optional_tables(tmp_path, example_dir):
    import shutil

    target = tmp_path / "bare"
    shutil.copytree(example_dir, target)
    for name in ("outcomes.csv", "costs.csv", "responses.csv", "agreements.csv"):
        (target / name).unlink()
    cohort = load_cohort(target)
    table = metrics_table(cohort)
    assert list(table.columns) == METRICS_COLUMNS and table.empty
    result = evaluate(cohort)
    assert {"no survey responses: no scale scores, reliability or change", "no outcomes: no retention",
            "no costs: no ROI"} <= set(result.warnings)
    assert result.objectives.met.isna().all()


def test_tiny_cohort_is_fully_suppressed(tmp_path):
    from rmkit.cohort.synthetic import generate_cohort, write_cohort

    folder = write_cohort(generate_cohort(n_mentors=2, n_mentees=2, seed=3, n_comparison=3), tmp_path / "tiny")
    table = metrics_table(load_cohort(folder))
    counted = table[table.n.notna()]
    assert counted.suppressed.all() and counted.value.isna().all()
    # every group has fewer than 5 people; did and mixed rows count both groups together, each of them under 5
    both = counted.metric.str.startswith(("did:", "mixed:"))
    assert (counted[~both].n < 5).all()
    assert (counted[both].n < 10).all()
    assert not np.isnan(table[table.metric == "roi_percent"].value.iloc[0])  # money is not about respondents


def test_inputs_are_not_mutated(example_dir):
    cohort = load_cohort(example_dir)
    before = {name: cohort.table(name).copy() for name in ("participants", "responses", "outcomes", "costs")}
    evaluate(cohort)
    for name, frame in before.items():
        pd.testing.assert_frame_equal(cohort.table(name), frame)
